"""Annotation: human labelling batches with review passes."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from pricing.drivers import given
from pricing.context import Context, LineItem
from pricing.plan import AnnotationBatch, Category


def schedule(line: AnnotationBatch, n: int) -> np.ndarray:
    """Share of the batch labelled in each month: spread over ``over_months``, repeated ``every``."""
    return _schedule(line.month, line.over_months, line.every, n)


@lru_cache(maxsize=1024)
def _schedule(month: int, over_months: int, every: int | None, n: int) -> np.ndarray:
    out = np.zeros(n)
    starts = range(month - 1, n, every) if every else [month - 1]
    for s in starts:
        out[s:s + over_months] += 1.0 / over_months
    out.setflags(write=False)
    return out


def batch(line: AnnotationBatch, key: str, ctx: Context) -> LineItem:
    if line.price_per_item is not None:
        price, fx, source = line.price_per_item, 1.0, given(f"{key}.price_per_item")
    else:
        p = ctx.catalog.annotation_price(line.task)
        price, fx, source = p.value, ctx.fx, p.source
    items = line.items * schedule(line, ctx.n)
    labels = items * line.review_passes
    monthly = labels * price * fx
    return LineItem(line.name, Category.ANNOTATION, "annotation", key, monthly,
                    (("items", items), ("labels", labels)), (source,), ())
