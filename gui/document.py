"""PlanDocument: the open plan, its projection and problems, its file, and the undo stack every edit goes through."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from pricing import engine
from pricing.errors import PlanError, Problem
from pricing.load import load_checked
from pricing.plan import SECTIONS, Plan

from gui import workers

_MERGE_ID = 0x41C0
"""Command id shared by mergeable edits; ``mergeWith`` then compares their merge keys."""
SYNC_SCENARIO_MS = 12.0
"""A scenario that took less than this to evaluate (saving and split) is evaluated in the UI thread, right
after the views have drawn the baseline; a slower one on a worker thread, so that typing never waits for it."""
SYNC_SCENARIO_LINES = 150
"""Before the first evaluation of a plan is timed: plans with more lines evaluate their scenario on a worker."""
SCENARIO_DEBOUNCE_MS = 120
"""A scenario evaluated on a worker starts once edits pause this long: while the user types, no worker
competes with the window for the interpreter (Python threads share one lock, and every slot the
window runs would wait for it)."""


class PlanEditCommand(QUndoCommand):
    """One undoable plan edit: swaps the document's plan between ``before`` and ``after``.

    Consecutive edits with the same ``merge_key`` (typing in one field, dragging a spin box)
    merge into one command, so one undo takes the field back to where it was.
    """

    def __init__(self, document: "PlanDocument", before: Plan, after: Plan, text: str, merge_key: str | None):
        super().__init__(text)
        self._document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt override
        return _MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, PlanEditCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        self._document._set_plan(self.after)

    def undo(self) -> None:
        self._document._set_plan(self.before)


class PlanDocument(QObject):
    """The plan being edited. Every change of plan goes through ``apply`` (or open/new), then one refresh.

    Besides the plan it keeps what views read: the projection (recomputed on every change), the
    problems (those that stop the plan from being priced, or that the loader would refuse in the
    saved file), and the selected savings scenario with its result (evaluated on demand, after the
    baseline has been drawn).
    """

    plan_changed = Signal()
    """After every change of plan (edit, undo, redo, open, new); the projection is already recomputed."""
    path_changed = Signal()
    """The file path or the modified state changed (window title)."""
    problems_changed = Signal()
    """The list of current problems changed."""
    scenario_changed = Signal()
    """The selected scenario, or its result, changed (emitted after ``plan_changed``, coalesced)."""
    opened = Signal()
    """Another plan was opened, started or recovered (not emitted for edits)."""

    def __init__(self, catalog: Any, plan: Plan | None = None, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.catalog = catalog
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._path: Path | None = Path(path) if path else None
        self._disk_fingerprint: str | None | bool = False
        self._plan = plan if plan is not None else Plan()
        self._projection: Any = None
        self._problems: list[Problem] = []
        self._selected: str | None = None
        self._scenario_result: Any = None
        self._scenario_error: PlanError | None = None
        self._scenario_dirty = True
        self._scenario_last: Any = None
        """The latest scenario result of any plan: the next evaluation reuses what did not change."""
        self._scenario_ms: float | None = None
        """How long the last scenario evaluation took (None: not timed yet for this plan)."""
        self._scenario_worker: Any = None
        self._scenario_waited = False
        """The timer already waited for edits to pause (a worker starts when it fires again)."""
        self._scenario_timer = QTimer(self)
        self._scenario_timer.setSingleShot(True)
        self._scenario_timer.setInterval(0)
        self._scenario_timer.timeout.connect(self._on_scenario_timer)
        self.stamp_prices = True
        """Whether a save records today's prices as the plan's ``priced_with:`` (the reprice bar clears it while the
        user has not chosen between the old prices and today's)."""
        self.last_recompute_ms = 0.0
        """How long the last projection took (shown in the status bar, read by the benchmark)."""
        self._recompute()
        self._select_default_scenario()

    # -- state -------------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self._plan

    @property
    def projection(self) -> Any:
        """The projection of the current plan, or ``None`` when it can't be priced (``problems`` says why)."""
        return self._projection

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def disk_fingerprint(self) -> str | None | bool:
        """The file's ``planfile.fingerprint`` as last opened or saved (False: unknown, saving doesn't check)."""
        return self._disk_fingerprint

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def _on_clean_changed(self, _clean: bool) -> None:
        self.path_changed.emit()

    def display_name(self) -> str:
        return self._path.name if self._path else "Untitled"

    # -- edits -------------------------------------------------------------------------------

    def apply(self, new_plan: Plan, text: str, merge_key: str | None = None) -> None:
        """Push an undoable edit (consecutive edits with the same ``merge_key`` merge into one)."""
        if new_plan == self._plan:
            return
        self.undo_stack.push(PlanEditCommand(self, self._plan, new_plan, text, merge_key))

    def open(self, path: str | Path) -> None:
        """Load a plan file; raises PlanError (the caller shows it) and changes nothing on failure."""
        from pricing import planfile
        disk = planfile.fingerprint(path)  # before reading: a change in between makes Save ask, never lose it
        plan = load_checked(path, self.catalog)
        self._path = Path(path)
        self._disk_fingerprint = disk
        self.undo_stack.clear()
        self._scenario_ms = None  # another plan: its first evaluation is not timed yet
        self._set_plan(plan)
        self._select_default_scenario()
        self.undo_stack.setClean()
        self.opened.emit()
        self.path_changed.emit()

    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> None:
        """Write the plan (to ``path``, which becomes the document's path); raises OSError on failure.

        Saving to the document's own file raises ``planfile.FileChangedError`` (and writes nothing) when
        another program changed it since it was opened or saved, unless ``overwrite``.
        """
        from pricing import planfile
        target = Path(path) if path is not None else self._path
        if target is None:
            raise ValueError("save() needs a path for a plan that was never saved")
        same_file = self._path is not None and target.resolve() == self._path.resolve()
        plan = _rebased_samples(self._plan, self._path.parent if self._path else None, target.parent)
        if self.stamp_prices:  # record the prices it is priced with (pricing/repricing.py); not while a reprice waits
            from pricing import repricing
            plan = repricing.stamped(plan, self.catalog)
        self._disk_fingerprint = planfile.save(plan, target,
                                               expect=self._disk_fingerprint if same_file and not overwrite else False)
        self._plan = plan  # sample paths relative to the new folder, the new price record: same value otherwise
        self._path = target
        self.undo_stack.setClean()
        self.path_changed.emit()

    def accept_record(self, plan: Plan) -> None:
        """Take ``plan``'s ``priced_with:`` record (not part of the plan's value, so no undo step); to be saved."""
        self._plan = plan
        self.undo_stack.resetClean()
        self.path_changed.emit()

    def use_catalog(self, catalog: Any) -> None:
        """Price with another catalog (prices were installed or reset): recompute and tell every view."""
        self.catalog = catalog
        self._set_plan(self._plan)

    def recover(self, plan: Plan, path: Path | None, disk_fingerprint: str | None | bool) -> None:
        """Take an autosaved plan as unsaved changes to ``path`` (its file as read then: ``disk_fingerprint``)."""
        self._path = Path(path) if path else None
        self._disk_fingerprint = disk_fingerprint
        self.undo_stack.clear()
        self._scenario_ms = None  # another plan: its first evaluation is not timed yet
        self._set_plan(plan)
        self._select_default_scenario()
        self.undo_stack.resetClean()  # modified with no undo step: nothing older than the recovery is known
        self.opened.emit()
        self.path_changed.emit()

    def new(self) -> None:
        """Start an empty plan (no file)."""
        self._path = None
        self._disk_fingerprint = False
        self.undo_stack.clear()
        self._scenario_ms = None  # another plan: its first evaluation is not timed yet
        self._set_plan(Plan())
        self._select_default_scenario()
        self.undo_stack.setClean()
        self.opened.emit()
        self.path_changed.emit()

    # -- scenarios ---------------------------------------------------------------------------

    @property
    def selected_scenario(self) -> str | None:
        """Name of the scenario the headline and charts compare with, if any."""
        return self._selected

    def select_scenario(self, name: str | None) -> None:
        if name is not None and name not in {s.name for s in self._plan.scenarios}:
            raise KeyError(name)
        if name != self._selected:
            self._selected = name
            self._scenario_dirty = True
            self._stop_scenario_worker()
            self._scenario_waited = False
            self._scenario_timer.start(0)

    @property
    def scenario_result(self) -> Any:
        """The selected scenario evaluated against the current plan (``None`` without one, or on error).

        Evaluated now when it is not known yet (views that must not wait check ``scenario_pending`` first
        and follow ``scenario_changed``)."""
        self._evaluate_scenario()
        return self._scenario_result

    @property
    def scenario_error(self) -> PlanError | None:
        """Why the selected scenario can't be evaluated, if it can't."""
        self._evaluate_scenario()
        return self._scenario_error

    @property
    def scenario_pending(self) -> bool:
        """The selected scenario of the current plan is being evaluated on a worker (``scenario_changed`` follows):
        reading ``scenario_result`` now would wait for it."""
        return self._scenario_dirty and self._scenario_async()

    def _scenario_async(self) -> bool:
        if self._selected is None or self._projection is None:
            return False
        if self._scenario_ms is None:
            return sum(len(self._plan.section(s)) for s, _ in SECTIONS) > SYNC_SCENARIO_LINES
        return self._scenario_ms >= SYNC_SCENARIO_MS

    def _evaluate_scenario(self) -> None:
        """Evaluate the selected scenario now, in this thread (a worker evaluating it is cancelled)."""
        if not self._scenario_dirty:
            return
        self._stop_scenario_worker()
        self._scenario_dirty = False
        self._scenario_result = self._scenario_error = None
        if self._selected is None or self._projection is None:
            return
        from pricing import scenarios
        t0 = time.perf_counter()
        try:
            # the split among strategies waits for its first reader (or the timer): a chart drawing the
            # scenario needs only its projection
            self._scenario_result = scenarios.evaluate(self._plan, self._plan.scenario(self._selected),
                                                       self.catalog, self._projection, lazy=True,
                                                       previous=self._scenario_last)
            self._scenario_last = self._scenario_result
        except PlanError as exc:
            self._scenario_error = exc
        self._scenario_ms = (time.perf_counter() - t0) * 1000.0

    def _on_scenario_timer(self) -> None:
        """After the views' first drawing of a change: finish the scenario (its attribution), then tell them.
        A scenario slow to evaluate is evaluated on a worker instead (``scenario_changed`` when it is done)."""
        if self._scenario_dirty and self._scenario_async():
            if not self._scenario_waited:  # edits may still be coming: wait for a pause
                self._scenario_waited = True
                self._scenario_timer.start(SCENARIO_DEBOUNCE_MS)
                return
            self._start_scenario_worker()
            return
        self._evaluate_scenario()
        result = self._scenario_result
        if result is not None and callable(result.split):
            t0 = time.perf_counter()
            try:
                result.settle()
            except PlanError as exc:  # a subset of its strategies can't be priced: the scenario can't be shown
                self._scenario_result, self._scenario_error = None, exc
            self._scenario_ms = (self._scenario_ms or 0.0) + (time.perf_counter() - t0) * 1000.0
        self.scenario_changed.emit()

    def _start_scenario_worker(self) -> None:
        """Evaluate the selected scenario of the current plan (saving and split) on a worker thread."""
        from pricing import scenarios
        self._stop_scenario_worker()
        plan, selected, catalog, projection, previous = (self._plan, self._selected, self.catalog,
                                                         self._projection, self._scenario_last)

        def task(_progress: Any, cancelled: Any) -> tuple:
            t0 = time.perf_counter()
            try:
                result = scenarios.evaluate(plan, plan.scenario(selected), catalog, projection, previous=previous,
                                            cancel=cancelled)
                error = None
            except PlanError as exc:
                result, error = None, exc
            return result, error, (time.perf_counter() - t0) * 1000.0

        worker = workers.Worker(task, self)
        worker.finished.connect(lambda out, w=worker: self._on_scenario_evaluated(w, plan, selected, out))
        worker.failed.connect(lambda exc, w=worker: self._on_scenario_failed(w, exc))
        self._scenario_worker = worker
        worker.start()

    def _stop_scenario_worker(self) -> None:
        if self._scenario_worker is not None:
            self._scenario_worker.cancel()  # its late outcome is ignored: it is no longer the worker
            self._scenario_worker = None

    def _on_scenario_evaluated(self, worker: Any, plan: Plan, selected: str, out: tuple) -> None:
        if worker is not self._scenario_worker or plan is not self._plan or selected != self._selected:
            return
        self._scenario_worker = None
        self._scenario_result, self._scenario_error, self._scenario_ms = out
        if self._scenario_result is not None:
            self._scenario_last = self._scenario_result
        self._scenario_dirty = False
        self.scenario_changed.emit()

    def _on_scenario_failed(self, worker: Any, exc: BaseException) -> None:
        if worker is not self._scenario_worker:
            return
        self._scenario_worker = None
        raise exc  # not a problem of the plan (those come back as the result's error): the excepthook shows it

    def _select_default_scenario(self) -> None:
        names = [s.name for s in self._plan.scenarios]
        if self._selected not in names:
            self._selected = names[0] if names else None
        self._scenario_dirty = True
        self._scenario_waited = False
        self._scenario_timer.start(0)

    # -- the one refresh ---------------------------------------------------------------------

    def _set_plan(self, plan: Plan) -> None:
        """Make ``plan`` current, recompute, and tell the views (undo, redo, open and new come here)."""
        previous = self._plan
        self._plan = plan
        before = self._problems
        self._recompute()
        names = [s.name for s in plan.scenarios]
        if self._selected not in names:
            old = [s.name for s in previous.scenarios]
            index = old.index(self._selected) if self._selected in old else -1
            if len(old) == len(names) and index >= 0:  # renamed (or a rename undone): keep its place
                self._selected = names[index]
            else:
                self._selected = names[0] if names else None
        self._scenario_dirty = True
        self._stop_scenario_worker()  # it was evaluating the previous plan
        self._scenario_waited = False
        self._scenario_timer.start(0)  # before the views' own deferred refreshes: the scenario comes first
        self.plan_changed.emit()
        if self._problems != before:
            self.problems_changed.emit()

    def _recompute(self) -> None:
        t0 = time.perf_counter()
        try:
            # the lines the edit did not change keep their priced items (the engine compares line by line)
            self._projection = engine.project(self._plan, self.catalog, previous=self._projection)
            # priced, but a line may refer to a month past the horizon (shortened): it silently costs nothing,
            # and the loader would refuse the saved file; the same check as the loader's, shown in the editor
            from pricing.checks import month_problems
            self._problems = month_problems(self._plan)
        except PlanError as exc:
            from pricing.checks import check
            self._projection = None
            self._problems = check(self._plan, self.catalog) or list(exc.problems)
        self.last_recompute_ms = (time.perf_counter() - t0) * 1000.0


def _rebased_samples(plan: Plan, old_dir: Path | None, new_dir: Path) -> Plan:
    """The plan with API sample files that are relative to ``old_dir`` made relative to ``new_dir``.

    Sample files are written relative to the plan file; saving it in another folder must keep them
    pointing at the same files.
    """
    import dataclasses
    import os

    if old_dir is None or old_dir.resolve() == new_dir.resolve():
        return plan
    lines = []
    changed = False
    for line in plan.services.apis:
        changes = {}
        for key in ("sample_input", "sample_output"):
            sample = getattr(line, key)
            if sample is not None and sample.path and not Path(sample.path).is_absolute():
                moved = os.path.relpath((old_dir / sample.path).resolve(), new_dir.resolve())
                changes[key] = dataclasses.replace(sample, path=Path(moved).as_posix())
        if changes:
            changed = True
            line = dataclasses.replace(line, **changes)
        lines.append(line)
    return plan.with_section("services.apis", tuple(lines)) if changed else plan
