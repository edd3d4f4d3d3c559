"""Plan against actual: import real bills (FOCUS, OpenAI, Anthropic), map them to plan lines, variance, re-forecast.

For a background worker (gui/workers.py runs ``task(progress, cancelled)``)::

    task = lambda progress, cancelled: actuals.import_and_analyze(
        plan_path, proj, cfg, exports, progress=progress, cancel=cancelled)

The store is opened and closed inside the call, on the worker's thread; ``progress(done, total)``
counts bytes of the exports, then Monte Carlo samples when the plan has ranges; ``cancel()`` stops
the import within a file (DuckDB's query is interrupted; that file leaves nothing) and the Monte Carlo
between blocks (raising ``Cancelled`` from pricing.actuals.store or pricing.uncertainty).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from pricing.actuals.analysis import ActualsError, Analysis, analyze
from pricing.actuals.config import (ActualsConfig, CostColumn, ForecastMethod, Rate, Rule, actuals_from_data,
                                    actuals_to_data)
from pricing.actuals.formats import ExportError
from pricing.actuals.store import ActualsStore, Cancelled, ImportOutcome, store_path_for

__all__ = ["ActualsConfig", "ActualsError", "ActualsStore", "Analysis", "Cancelled", "CostColumn", "ExportError",
           "ForecastMethod", "ImportOutcome", "Rate", "Rule", "actuals_from_data", "actuals_to_data", "analyze",
           "import_and_analyze", "store_path_for"]


def import_and_analyze(plan_path: str | os.PathLike | None, proj: Any, cfg: ActualsConfig, exports: Sequence[str] = (),
                       *, cost: CostColumn | None = None, propose: bool = True,
                       progress: Callable[[int, int], None] | None = None,
                       cancel: Callable[[], bool] | None = None) -> tuple[tuple[ImportOutcome, ...], Analysis]:
    """Import ``exports`` into the plan's store (in memory when ``plan_path`` is None) and analyse everything it
    holds."""
    with ActualsStore(store_path_for(plan_path) if plan_path is not None else None) as store:
        outcomes = store.import_files(list(exports), progress=progress, cancel=cancel) if exports else ()
        return outcomes, analyze(proj, store, cfg, cost=cost, propose=propose, progress=progress, cancel=cancel)
