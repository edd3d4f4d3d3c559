"""MLOps infrastructure: clusters, load balancers, CI minutes, logs and monitoring, per month."""
from __future__ import annotations

from pricing.drivers import given
from pricing.context import Context, LineItem
from pricing.plan import Category, MlopsLine


def line(line: MlopsLine, key: str, ctx: Context) -> LineItem:
    if line.unit_price is not None:
        price, fx, source, unit = line.unit_price, 1.0, given(f"{key}.unit_price"), "units"
    else:
        p = ctx.catalog.mlops_price(ctx.provider(line), line.kind)
        price, fx, source = p.value, ctx.fx, p.source
        unit = p.unit.replace("USD per ", "") or "units"
    quantity = line.quantity * ctx.active(line.start, line.end)
    return LineItem(line.name, Category.MLOPS, "mlops", key, quantity * price * fx,
                    ((unit, quantity),), (source,), ())
