"""Commitments planned against the usage curve: which share of each GPU pool to commit, at which offer.

A *pool* is the on-demand GPU usage of one GPU type at one provider, month by month, summed over
the plan's compute lines (GPU-hours from the projection), with Monte Carlo samples of it when the
plan has ranges. An *offer* (resources/catalog/commitments.yaml) is a provider's reserved
instance, savings plan, committed-use discount or reserved contract: a term, a payment option and
an effective rate. A *commitment* is an offer bought for a number of GPUs from a plan month.

Billing, as the FOCUS specification's commitment scenarios show it: for every hour of the term
the commitment costs its effective rate whether used or not; usage up to the committed quantity
is no longer billed on demand; usage above it is. So with usage ``u`` and committed GPU-hours
``C`` in a month, on-demand price ``p`` and effective rate ``r = p (1 - d)``::

    saving = p * min(u, C) - r * C          utilisation = min(u, C) / C
    break-even utilisation = r / p = 1 - d  coverage = min(u, C) / u

Two views of the same commitment: *amortised* (FOCUS EffectiveCost) charges ``r * C`` in each
month of the term; *cash* (FOCUS BilledCost) charges the upfront part of the whole term in the
month it is paid and the recurring part in each month. Terms that run past the plan's horizon are
reported: their remaining obligation, and the saving assuming usage stays at the horizon's last
month (the planner says so beside the figure).

The package: ``offers`` (re-exports ``pricing.catalog.offers``: the offers and their file's reader),
``pools`` (GPU usage pools, what the plan's own commitments hold and leave), ``planner`` (one commitment
month by month, the best commitment of each offer), ``cash`` (the cash and amortised views of commitments
not in the plan), ``choose`` (what the ``commit`` savings strategy buys), ``figures`` (the Commitments
view's figures), ``presentation`` (JSON and text for ``aicost commitments``). The billing rules (charges,
covered hours, which lines a pool holds) live in ``pricing.drivers.commitments``, which prices a plan's
``commitments:`` in the engine: the planner and the bill use the same ones.
"""
from pricing.commitments.cash import Effect, View, effect, monthly
from pricing.commitments.offers import (Kind, Offer, Upfront, catalog_offers, default_path, load_offers, path_of,
                                        read_offers)
from pricing.commitments.planner import (CHUNK, DEFAULT_SAMPLES, MAX_LEVELS, P10, Charges, Commitment, Evaluation,
                                         PoolPlan, Report, best_commitment, charges, evaluate, plan_commitments,
                                         size_grid)
from pricing.commitments.pools import (COMPUTE_SECTIONS, Excluded, Pool, committed, covered_by, covered_hours,
                                       load_curve, pool_of, pools, residual)
from pricing.commitments.presentation import cents_series, report_data, report_text

__all__ = ["Kind", "Upfront", "View", "Offer", "Pool", "Commitment", "Charges", "Evaluation", "PoolPlan",
           "Report", "Effect", "read_offers", "load_offers", "pools", "pool_of", "covered_hours", "charges", "evaluate",
           "best_commitment", "plan_commitments", "effect", "monthly", "report_data", "report_text", "CHUNK",
           "COMPUTE_SECTIONS", "DEFAULT_SAMPLES", "Excluded", "MAX_LEVELS", "P10", "cents_series", "covered_by",
           "catalog_offers", "committed", "default_path", "load_curve", "path_of", "residual", "size_grid"]
