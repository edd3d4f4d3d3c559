"""Data: storage tracked by the month data arrived (for lifecycle tiering), and egress.

Volumes are stated in decimal TB (or with a unit, read by ``pricing.quantities.parse_data_size``) and billed in
the provider's GB (``Catalog.gb_bytes``: 2^30 bytes at AWS, GCP and Azure), so 1 TB stored is 931.32 billed GB.
Tiered prices (S3 Standard's volume tiers, internet egress and its free 100 GB) apply per provider account: each
line carries its billed volume as an ``AccountUsage`` and the engine's account pass prices the summed volume.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from pricing.context import DAYS_PER_MONTH, GB_PER_TB, AccountUsage, Context, LineItem
from pricing.plan import Category, EgressKind, EgressLine, StorageLine


def storage_by_tier(line: StorageLine, ctx: Context) -> dict[str, np.ndarray]:
    """GB held in each tier per month (average over the month).

    The data held at ``start`` is one cohort; each later month brings a cohort of
    ``growth_tb_per_month`` that arrives during the month (so it counts half in its arrival
    month). A cohort's age in month m is measured from the middle of its arrival month, and it
    sits in the coldest tier whose ``after_days`` it has reached. Compression shrinks every
    byte stored. The volumes are linear in ``size_tb`` and ``growth_tb_per_month``, so they are
    computed as those amounts times month profiles that depend only on ages; amounts may be
    arrays of samples (shape ``(S, 1)``) for Monte Carlo.
    """
    keep = 1.0 - line.compression
    initial, growth = _profiles(line.start, tuple(r.after_days for r in line.lifecycle), ctx.n)
    names = [line.tier] + [r.tier for r in line.lifecycle]
    tiers: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        vol = (line.size_tb * initial[i] + line.growth_tb_per_month * growth[i]) * (GB_PER_TB * keep)
        tiers[name] = tiers[name] + vol if name in tiers else vol
    return tiers


@lru_cache(maxsize=256)
def _profiles(start: int, after_days: tuple[float, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per tier and month: share of the initial TB held there, and TB-per-monthly-TB of growth held there."""
    s = start - 1
    k = np.arange(n) - s                               # months since start (negative before it)
    arrivals = np.arange(max(n - s, 0))                # cohort j arrives in month s + j
    rel = k[None, :] - arrivals[:, None]
    frac = np.where(rel > 0, 1.0, np.where(rel == 0, 0.5, 0.0))
    rules = sorted(after_days)

    def tier_index(ages: np.ndarray) -> np.ndarray:
        idx = np.zeros(ages.shape, dtype=int)
        for i, days in enumerate(rules, start=1):
            idx = np.where(ages >= days - 1e-9, i, idx)
        return idx

    g_idx = tier_index(np.maximum(rel, 0) * DAYS_PER_MONTH)
    i_idx = tier_index(np.maximum(k, 0) * DAYS_PER_MONTH)
    held = (k >= 0).astype(float)
    initial = np.stack([held * (i_idx == i) for i in range(len(rules) + 1)])
    growth = np.stack([(frac * (g_idx == i)).sum(axis=0) for i in range(len(rules) + 1)])
    initial.setflags(write=False)
    growth.setflags(write=False)
    return initial, growth


def billed_gb(decimal_gb: np.ndarray | float, provider: str, ctx: Context) -> tuple[np.ndarray | float, "PriceSource"]:  # noqa: F821
    """Decimal GB (10^9 bytes) as the GB the provider bills (``gb_bytes.<provider>`` bytes each), with its source."""
    unit = ctx.catalog.gb_bytes(provider)
    return decimal_gb * (1e9 / unit.value), unit.source


def _priced(price: "Price", key: str, units: np.ndarray, ctx: Context) -> tuple[np.ndarray, tuple[AccountUsage, ...]]:  # noqa: F821
    """The cost of ``units`` at ``price`` (plan currency), and the account usage to record when its tiers apply
    account-wide (a flat price is the same per line or per account)."""
    cost = np.asarray(price.cost(units), dtype=float) * ctx.fx
    if not price.tiers:
        return cost, ()
    return cost, (AccountUsage(key, price, units, ctx.fx, cost),)


def storage(line: StorageLine, key: str, ctx: Context) -> LineItem:
    provider = ctx.provider(line)
    tiers = storage_by_tier(line, ctx)
    monthly = np.zeros(ctx.n)
    sources = []
    quantities = []
    account: tuple[AccountUsage, ...] = ()
    total_gb = 0.0
    for tier, gb in tiers.items():
        price = ctx.catalog.storage_price(provider, tier)
        billed, unit_source = billed_gb(gb, provider, ctx)
        cost, usage = _priced(price, price.source.key, billed, ctx)
        monthly = monthly + cost
        account += usage
        sources.append(price.source)
        quantities.append((f"GB-months {tier}", billed))
        total_gb = total_gb + billed
    if tiers:
        sources.append(unit_source)
    return LineItem(line.name, Category.DATA, "data.storage", key, monthly,
                    (("GB-months", total_gb), *quantities), tuple(sources), (), account)


def egress(line: EgressLine, key: str, ctx: Context) -> LineItem:
    provider = ctx.provider(line)
    price = ctx.catalog.egress_price(provider, line.kind.value)
    decimal = line.tb_per_month * GB_PER_TB * ctx.growth(line.growth, line.start, line.end)
    gb, unit_source = billed_gb(decimal, provider, ctx)
    # inter-AZ transfer is billed on both sides (out of one zone, into the other): twice the GB at the price
    directions = 2.0 if line.kind is EgressKind.INTER_AZ else 1.0
    monthly, account = _priced(price, price.source.key, gb * directions, ctx)
    notes: tuple[str, ...] = ()
    if directions == 2.0:
        notes += ("inter-AZ transfer is billed in each direction: the per-GB price counts twice",)
    return LineItem(line.name, Category.DATA, "data.egress", key, monthly, (("GB", gb),),
                    (price.source, unit_source), notes, account)
