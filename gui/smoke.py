"""`aicost smoke-test [PLAN]`: open a plan in the real main window offscreen, render it, check it, quit.

It checks an install (above all the PyInstaller bundle, where a missing Qt plugin, data file or
tiktoken encoding shows up only at run time): the Qt platform plugin loads, the catalog and the
example plans are found, the plan is priced (its sample prompts counted with tiktoken from a
cold cache), the headline figures and the line table show the engine's numbers, and the window
renders to an image that is not blank.

Nothing of the user's is touched: settings (recent files, window layout), the memo of token
counts and tiktoken's cache live in a throwaway folder for the run (the memo would otherwise
let tiktoken go untested). ``QT_QPA_PLATFORM`` defaults to ``offscreen``; set it (e.g. ``xcb``
under Xvfb) to check another platform plugin.

Environment variables for measurements (benchmarks/bench_bundle.py):
``AICOST_SMOKE_SCREENSHOT=FILE.png`` keeps the rendered window; ``AICOST_SMOKE_CACHE=DIR`` keeps
the caches in DIR instead of a throwaway folder (a second run then starts warm, as a user's
second launch does); ``AICOST_SMOKE_T0=<time.time() at launch>`` adds a line
``launch-to-window-ms: N``, the time from the process launch to the window shown.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from pricing.load import load_checked

from pricing.resources import resource_path

EXAMPLE = "support-assistant.yaml"
"""The plan opened when none is given (it has API lines with a sample prompt: tiktoken is exercised)."""

TIMEOUT_S = 60.0
"""A smoke test that has not finished by then has hung (e.g. a dialog waiting for input): exit 1."""

SIZE = (1440, 900)


def examples_dir() -> Path:
    """``resources/examples`` of the installed package, the bundle or the source checkout (pricing/resources.py)."""
    return resource_path("examples")


def _fail(message: str) -> int:
    print(f"smoke test FAILED: {message}", file=sys.stderr)
    return 1


def _isolate(scratch: Path) -> None:
    """Point every per-user store at ``scratch`` (before Qt, tiktoken or the memo are first used)."""
    os.environ["AICOST_CACHE_DIR"] = str(scratch / "cache")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(scratch / "tiktoken")
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))


def _watchdog(app: Any) -> Any:
    """A timer that ends the process if the test hangs (a nested event loop still runs it)."""
    from PySide6.QtCore import QTimer

    def expire() -> None:
        _fail(f"no result after {TIMEOUT_S:.0f} s (a dialog waiting for input?)")
        sys.stderr.flush()
        os._exit(1)

    timer = QTimer(app)
    timer.setSingleShot(True)
    timer.timeout.connect(expire)
    timer.start(int(TIMEOUT_S * 1000))
    return timer


def _settle(app: Any, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def _distinct_colours(image: Any, step: int = 16) -> int:
    """How many colours a grid of sampled pixels has (a blank render has one or two)."""
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def _check(window: Any, plan: Any) -> list[str]:
    """What is wrong with the window showing ``plan`` (empty when all is well)."""
    from pricing import engine, series
    doc = window.document
    wrong: list[str] = []
    if doc.problems:
        wrong += [f"the plan can't be priced: {p}" for p in doc.problems]
        return wrong
    if doc.projection is None:
        return ["the document has no projection"]
    expected = series.headline(engine.project(plan, doc.catalog))
    shown = window.headline.data
    if shown is None:
        return ["the headline has no figures"]
    if (shown.total, shown.run_rate_now, shown.run_rate_end) != \
            (expected.total, expected.run_rate_now, expected.run_rate_end):
        wrong.append(f"headline {shown.total}/{shown.run_rate_now}/{shown.run_rate_end} differs from the engine's "
                     f"{expected.total}/{expected.run_rate_now}/{expected.run_rate_end}")
    for figure in (window.headline.now, window.headline.end, window.headline.total):
        if figure.value.text() in ("", "—"):
            wrong.append(f"headline figure {figure.caption.text()!r} is empty")
    rows = window.table.model().rowCount()
    if rows != len(doc.projection.line_items) or rows == 0:
        wrong.append(f"line table has {rows} rows, the projection {len(doc.projection.line_items)} line items")
    if plan.name not in window.windowTitle():
        wrong.append(f"window title {window.windowTitle()!r} does not name the plan {plan.name!r}")
    # the Tools menu imports its dialogs by name when first used: in a bundle they must be there
    import importlib
    for action, module in (("token_action", "gui.token_dialog"), ("catalog_action", "gui.catalog_browser")):
        act = getattr(window, action, None)
        if act is not None and not act.isEnabled():
            wrong.append(f"Tools menu: {act.text()!r} is disabled ({module} is missing)")
        try:
            importlib.import_module(module)
        except ImportError as exc:
            wrong.append(f"{module} can't be imported: {exc}")
    return wrong


def _check_actuals(window: Any) -> tuple[list[str], str]:
    """With a store of imported bills beside the plan: the Actuals tab reads it (DuckDB, on a worker).
    (what is wrong, what it shows)"""
    model = window.actuals.model
    if not model.has_store:
        return [], ""
    if not model.wait(TIMEOUT_S / 2) or model.figures is None:
        return [f"the Actuals tab did not read {model.store_path}: {model.status.value} "
                + "; ".join(str(p) for p in model.problems)], ""
    t = model.figures.totals
    return [], f"; actuals: imported {t.imported:,.2f} = mapped {t.mapped:,.2f} + unmapped {t.unmapped:,.2f}"


def run(plan_path: str | None) -> int:
    """Open ``plan_path`` (default: the example support-assistant plan) offscreen, render, check; 0 when all is well."""
    started = time.perf_counter()
    path = Path(plan_path) if plan_path else examples_dir() / EXAMPLE
    if not path.is_file():
        return _fail(f"no plan file {path}")
    kept_cache = os.environ.get("AICOST_SMOKE_CACHE")
    scratch = Path(kept_cache) if kept_cache else Path(tempfile.mkdtemp(prefix="aicost-smoke-"))
    try:
        _isolate(scratch)
        from PySide6.QtGui import QGuiApplication

        from gui.app import build_window, create_application
        app = create_application()
        watchdog = _watchdog(app)
        window = build_window(path)
        window.resize(*SIZE)
        window.show()
        _settle(app)
        shown_at = time.time()
        shown_ms = (time.perf_counter() - started) * 1000
        launched = os.environ.get("AICOST_SMOKE_T0")
        if window.document.path is None:  # the plan did not open (the window shows why): say it as text
            from pricing.errors import PlanError
            try:
                load_checked(path)
            except PlanError as exc:
                return _fail(f"{path} can't be opened:\n" + "\n".join(str(p) for p in exc.problems))
            return _fail(f"{path} did not open in the window")
        plan = window.document.plan
        window.charts.refresh_all()  # the hidden chart tabs too: each must draw
        _settle(app)

        image = window.grab().toImage()
        if image.isNull() or image.width() < 200 or image.height() < 200:
            return _fail(f"the window rendered to an empty image ({image.width()}x{image.height()})")
        colours = _distinct_colours(image)
        if colours < 8:
            return _fail(f"the rendered window looks blank ({colours} colours)")
        keep = os.environ.get("AICOST_SMOKE_SCREENSHOT")
        if keep:
            try:
                _save_png(image, keep)
            except OSError as exc:
                return _fail(f"could not write the screenshot: {exc}")

        wrong = _check(window, plan)
        more, actuals = _check_actuals(window)
        wrong += more
        if wrong:
            return _fail("\n".join(wrong))

        h = window.headline
        print(f"smoke test ok: {plan.name!r} ({path.name}) on Qt platform {QGuiApplication.platformName()}: "
              f"{h.total.caption.text()} {h.total.value.text()}, run-rate now {h.now.value.text()}, "
              f"{window.table.model().rowCount()} line items; window shown in {shown_ms:.0f} ms, "
              f"rendered {image.width()}x{image.height()}" + actuals
              + (f"; screenshot {keep}" if keep else ""))
        if launched:
            print(f"launch-to-window-ms: {(shown_at - float(launched)) * 1000:.0f}")
        window.document.undo_stack.setClean()  # nothing to save: close without asking
        window.close()
        watchdog.stop()
        _settle(app, 2)
        window.settings.sync()
        return 0
    finally:
        from pricing import usercache
        usercache.flush()  # now, into the scratch folder: not at exit, after it is gone
        if not kept_cache:
            shutil.rmtree(scratch, ignore_errors=True)


def _save_png(image: Any, path: str) -> None:
    """``image`` as a PNG through the one atomic writer (encoded in memory first: a failure keeps the old file)."""
    from PySide6.QtCore import QBuffer, QIODevice

    from pricing import atomic
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise atomic.AtomicWriteError(f"{path}: the screenshot could not be encoded as PNG")
    data = bytes(buffer.data())
    atomic.write_file(path, lambda fh: fh.write(data), binary=True)
