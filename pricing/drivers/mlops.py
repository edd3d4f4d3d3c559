"""MLOps infrastructure: clusters, load balancers, CI minutes, logs and monitoring, per month.

A kind priced with volume tiers or a free allowance (GCP Cloud Logging: the first 50 GiB ingested per month
free, per billing account) is billed per provider account: the line records its units as an ``AccountUsage`` and
the engine's account pass prices the plan's lines of that provider and kind together.
"""
from __future__ import annotations

import numpy as np

from pricing.context import AccountUsage, Context, LineItem
from pricing.drivers import given
from pricing.plan import Category, MlopsLine


def line(line: MlopsLine, key: str, ctx: Context) -> LineItem:
    quantity = line.quantity * ctx.active(line.start, line.end)
    if line.unit_price is not None:
        source, unit = given(f"{key}.unit_price"), "units"
        return LineItem(line.name, Category.MLOPS, "mlops", key, quantity * line.unit_price,
                        ((unit, quantity),), (source,), ())
    p = ctx.catalog.mlops_price(ctx.provider(line), line.kind)
    unit = p.unit.replace("USD per ", "") or "units"
    cost = np.asarray(p.cost(quantity), dtype=float) * ctx.fx
    account: tuple[AccountUsage, ...] = ()
    notes: tuple[str, ...] = ()
    if p.tiers:
        account = (AccountUsage(p.source.key, p, np.asarray(quantity, dtype=float), ctx.fx, cost),)
        free = p.tiers[0].upto if p.tiers[0].price == 0 and p.tiers[0].upto is not None else None
        if free:
            notes = (f"the first {free:g} {unit} a month are free per account ({p.source.key})",)
    return LineItem(line.name, Category.MLOPS, "mlops", key, cost, ((unit, quantity),), (p.source,), notes, account)
