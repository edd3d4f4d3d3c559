"""Python's cyclic garbage collector kept out of the way of typing: long-lived objects frozen, paused while workers run.

A full collection walks every tracked object while holding the interpreter lock: with a plan of
1,000 lines open that is a 25-40 ms pause in the GUI thread every few dozen edits, and 40-110 ms
in a worker thread (which stalls the GUI thread just the same) while a Monte Carlo or a scenario
split of a 5,000-line plan runs (measured, BENCHMARKS.md). So:

- ``settle(full=True)`` after a plan is opened: collect everything, then freeze what is alive (the
  modules, the catalog, the plan and its projection) out of the collector's sight (``gc.freeze``);
- ``pause()`` / ``resume()`` around background work: no automatic collection while a worker runs
  (reference counting still frees everything acyclic, i.e. nearly everything); when the last worker
  is done, ``settle(full=False)`` collects the young generations and freezes the survivors.

A cycle of garbage that reaches the frozen generation stays until the next open collects it.
"""
from __future__ import annotations

import gc

_paused = [0]


def settle(full: bool = True) -> None:
    """Collect (everything when ``full``, else the young generations), then freeze every object alive."""
    if full:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


def pause() -> None:
    """No automatic collection until the matching ``resume`` (calls nest)."""
    if not _paused[0]:
        gc.disable()
    _paused[0] += 1


def resume() -> None:
    """Automatic collection again once every ``pause`` is resumed; what lived through is settled."""
    if _paused[0]:
        _paused[0] -= 1
        if not _paused[0]:
            settle(full=False)
            gc.enable()
