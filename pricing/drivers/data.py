"""Data: storage tracked by the month data arrived (for lifecycle tiering), and egress."""
from __future__ import annotations

import numpy as np

from pricing.engine import DAYS_PER_MONTH, GB_PER_TB, Context, LineItem
from pricing.plan import Category, EgressLine, StorageLine


def storage_by_tier(line: StorageLine, ctx: Context) -> dict[str, np.ndarray]:
    """GB held in each tier per month (average over the month).

    Cohort 0 is the data held at ``start``; cohort j>0 arrives during month start+j-1 (its
    average volume that month is half of it). A cohort's age in month m is measured from the
    middle of its arrival month, and it sits in the coldest tier whose ``after_days`` it has
    reached. Compression shrinks every byte stored.
    """
    n, s = ctx.n, line.start - 1
    keep = 1.0 - line.compression
    k = ctx.index - s                                  # months since start (negative before it)
    arrivals = np.arange(n - s)                        # cohort j arrives in month s + j
    # volume of each growth cohort in each month: 0 before arrival, 0.5 in its month, 1 after
    rel = k[None, :] - arrivals[:, None]
    frac = np.where(rel > 0, 1.0, np.where(rel == 0, 0.5, 0.0))
    growth_gb = line.growth_tb_per_month * GB_PER_TB * keep * frac
    age_days = np.maximum(rel, 0) * DAYS_PER_MONTH
    initial_gb = line.size_tb * GB_PER_TB * keep * (k >= 0)
    initial_age = np.maximum(k, 0) * DAYS_PER_MONTH
    tiers: dict[str, np.ndarray] = {line.tier: np.zeros(n)}
    rules = sorted(line.lifecycle, key=lambda r: r.after_days)

    def tier_index(ages: np.ndarray) -> np.ndarray:
        idx = np.zeros(ages.shape, dtype=int)
        for i, rule in enumerate(rules, start=1):
            idx = np.where(ages >= rule.after_days - 1e-9, i, idx)
        return idx

    names = [line.tier] + [r.tier for r in rules]
    g_idx, i_idx = tier_index(age_days), tier_index(initial_age)
    for i, name in enumerate(names):
        vol = (growth_gb * (g_idx == i)).sum(axis=0) + initial_gb * (i_idx == i)
        tiers[name] = tiers.get(name, np.zeros(n)) + vol
    return tiers


def storage(line: StorageLine, key: str, ctx: Context) -> LineItem:
    provider = ctx.provider(line)
    tiers = storage_by_tier(line, ctx)
    monthly = np.zeros(ctx.n)
    sources = []
    quantities = []
    for tier, gb in tiers.items():
        price = ctx.catalog.storage_price(provider, tier)
        monthly = monthly + np.asarray(price.cost(gb), dtype=float)
        sources.append(price.source)
        quantities.append((f"GB-months {tier}", gb))
    total_gb = sum(tiers.values())
    return LineItem(line.name, Category.DATA, "data.storage", key, monthly * ctx.fx,
                    (("GB-months", total_gb), *quantities), tuple(sources), ())


def egress(line: EgressLine, key: str, ctx: Context) -> LineItem:
    price = ctx.catalog.egress_price(ctx.provider(line), line.kind.value)
    gb = line.tb_per_month * GB_PER_TB * ctx.growth(line.growth, line.start, line.end)
    monthly = np.asarray(price.cost(gb), dtype=float) * ctx.fx
    notes = ("volume tiers applied to this line alone; clouds apply them account-wide",) if price.tiers else ()
    return LineItem(line.name, Category.DATA, "data.egress", key, monthly, (("GB", gb),), (price.source,), notes)
