"""Price catalog: dated, sourced prices from resources/catalog/*.yaml, with plan-level overrides.

``values`` holds what a price is (source, date, tiers) and the catalog's errors, ``names`` the lookup
forms of names and the tables of one load, ``reader`` reads the YAML files into those tables, and
``core`` is the :class:`Catalog` that answers questions with them. Import from here.
"""
from pricing.catalog.core import Catalog
from pricing.catalog.reader import default_directory
from pricing.catalog.values import (ANY_PROVIDER, CATALOG_FILES, CONFIDENCE_LEVELS, HOURS_PER_MONTH, PRICINGS, SECTIONS,
                                    CatalogEntry, GpuInstance, GpuSpec, MissingPriceError, Price, PriceSource,
                                    PricingNotOfferedError, RankedUnknownNameError, ThroughputFigure, Tier, oldest,
                                    parse_as_of, weakest)

__all__ = ["ANY_PROVIDER", "CATALOG_FILES", "CONFIDENCE_LEVELS", "HOURS_PER_MONTH", "PRICINGS", "SECTIONS", "Catalog",
           "CatalogEntry", "GpuInstance", "GpuSpec", "MissingPriceError", "Price", "PriceSource",
           "PricingNotOfferedError",
           "RankedUnknownNameError", "ThroughputFigure", "Tier", "default_directory", "oldest", "parse_as_of",
           "weakest"]
