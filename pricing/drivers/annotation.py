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
    """Items x passes x workers x the per-item rate, plus a labelling service's per-object fee on every object of every
    pass (not per worker: SageMaker Ground Truth bills each labeled object once, and Mechanical Turk workers apart)."""
    if line.price_per_item is not None:
        price, fx, source = line.price_per_item, 1.0, given(f"{key}.price_per_item")
    else:
        p = ctx.catalog.annotation_price(line.task)
        price, fx, source = p.value, ctx.fx, p.source
    items = line.items * schedule(line, ctx.n)
    objects = items * line.review_passes
    labels = objects * line.workers_per_item
    monthly = labels * price * fx
    sources = [source]
    notes: list[str] = []
    if line.service != "none":
        fee = ctx.catalog.annotation_fee(line.service)  # a gap is a problem naming the prices: key, never $0
        monthly = monthly + objects * fee.value * ctx.fx
        sources.append(fee.source)
        notes.append(f"{line.service} fee of {fee.value:g} USD per labeled object on top of worker pay")
    return LineItem(line.name, Category.ANNOTATION, "annotation", key, monthly,
                    (("items", items), ("labels", labels), ("objects", objects)), tuple(sources), tuple(notes))
