"""Commitment offers: the offers file's reader lives with the catalog (``pricing.catalog.offers``); re-exported here."""
from pricing.catalog.offers import (FILE, Kind, Offer, Upfront, catalog_offers, default_path, load_offers, path_of,
                                    read_offers)

__all__ = ["FILE", "Kind", "Offer", "Upfront", "catalog_offers", "default_path", "load_offers", "path_of",
           "read_offers"]
