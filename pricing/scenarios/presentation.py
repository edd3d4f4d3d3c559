"""A scenario's saving in whole cents that add up: the split rounded once, and its plain-data summary."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing import currencies
from pricing.rounding import largest_remainder
from pricing.scenarios.attribution import ScenarioResult

# ---------------------------------------------------------------------------------------------
# Presentation: cents that add up
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class RoundedAttribution:
    """A scenario's saving and its split in whole cents (int64): every shown total is a sum of shown parts."""

    saving_monthly: np.ndarray
    """Displayed baseline minus displayed scenario cost, per month (cents)."""
    saving_total: int
    parts: tuple[tuple[str, np.ndarray], ...]
    """Strategy -> cents per month; each month's parts sum to ``saving_monthly``."""
    part_totals: tuple[tuple[str, int], ...]
    """Strategy -> cents over the horizon (sum of its months); they sum to ``saving_total``."""


def attribution_cents(result: ScenarioResult, base_cells: np.ndarray | None = None,
                      scen_cells: np.ndarray | None = None) -> RoundedAttribution:
    """The saving and its split rounded to cents once, so that the parts add up exactly.

    The saving shown for a month is the displayed baseline month minus the displayed scenario
    month (each a sum of half-even rounded line cells, as ``report`` shows them). Each month's
    cents go to the strategies by largest remainder on their exact (Shapley) shares, the few
    cents by which that differs from their exact sum spread in proportion to their size; a
    strategy's horizon figure is the sum of its months.

    ``base_cells`` and ``scen_cells``: the rounded cells of the two projections, when the caller has them
    (the report model's summaries), so they are not rounded again.
    """
    from pricing.rounding import rounded_matrix
    return _attribution_cents(result, rounded_matrix(result.baseline) if base_cells is None else base_cells,
                              rounded_matrix(result.projection) if scen_cells is None else scen_cells)


def _attribution_cents(result: ScenarioResult, base_cells: np.ndarray, scen_cells: np.ndarray) -> RoundedAttribution:
    """``attribution_cents`` from the rounded cells of the baseline and the scenario projections.

    The split is in the currency's minor unit (whole yen for JPY: cents that are multiples of 100), as
    the cells are (``rounding.rounded_matrix``)."""
    saving = base_cells.sum(axis=0) - scen_cells.sum(axis=0)
    saving = np.asarray(saving, dtype=np.int64).reshape(len(result.baseline.months))
    unit = 10 ** (2 - currencies.decimals(result.baseline.currency))  # cents per minor unit
    names = [n for n, _ in result.attribution]
    exact = np.array([m for _, m in result.attribution], dtype=float).reshape(len(names), len(saving)) * 100.0
    cents = np.zeros(exact.shape, dtype=np.int64)
    for m in range(exact.shape[1]):
        cents[:, m] = largest_remainder(exact[:, m] / unit, int(saving[m]) // unit) * unit
    parts = tuple((n, cents[j]) for j, n in enumerate(names))
    return RoundedAttribution(saving, int(saving.sum()), parts, tuple((n, int(c.sum())) for n, c in parts))


def summary_data(result: ScenarioResult, cells: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """A scenario's saving as plain data (cents-consistent), for ``aicost savings --json`` and views.
    ``cells``: the baseline's and the scenario's ``rounded_matrix`` when the caller has them already."""
    from pricing.rounding import cents_to_float, rounded_matrix
    base_cells, scen_cells = cells or (rounded_matrix(result.baseline), rounded_matrix(result.projection))
    r = _attribution_cents(result, base_cells, scen_cells)  # each projection rounded once
    base = int(base_cells.sum())
    scen = int(scen_cells.sum())
    return {
        "name": result.scenario.name,
        "baseline_total": cents_to_float(base),
        "scenario_total": cents_to_float(scen),
        "saving_total": cents_to_float(r.saving_total),
        "saving_share": round(r.saving_total / base, 6) if base else 0.0,
        "saving_monthly": cents_to_float(r.saving_monthly),
        "method": result.method,
        "attribution": [{"strategy": n, "total": cents_to_float(t),
                         "share_of_saving": round(t / r.saving_total, 6) if r.saving_total else 0.0,
                         "monthly": cents_to_float(m)}
                        for (n, m), (_, t) in zip(r.parts, r.part_totals)],
    }
