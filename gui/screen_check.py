"""Every view on a given screen (``python -m gui.screen_check --screen 1024x700 [--scale 2] [--shots DIR]``).

Starts the app headless on Qt's offscreen platform with a screen of that size (its JSON configuration
file: ``offscreen:configfile=``), opens the main window, the start page, Help, About, the tool
windows and the Compare window, and reports as JSON whether each fits the available screen, whether
the headline figures, the tornado's rows and the budget labels stay apart, and whether every dock
scrolls. With ``--shots`` it also saves a PNG of each (docs/screenshots holds the ones shipped).
tests/gui/test_screen_fit.py runs it at 1024x700, 1280x720 and at 2x on a 2560x1600 screen.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from pricing.resources import resource_path


def _configure(screen: tuple[int, int], scale: float | None) -> None:
    """The offscreen platform with one screen of ``screen`` pixels (before Qt starts)."""
    config = {"screens": [{"name": "check", "x": 0, "y": 0, "width": screen[0], "height": screen[1],
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1.0}]}
    folder = Path(tempfile.mkdtemp(prefix="aicost-screen-"))
    path = folder / "screen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"
    if scale:
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # a first run: no remembered layout
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))


def _rect(r: Any) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def _inside(outer: Any, inner: Any) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def _settle(app: Any, rounds: int = 6) -> None:
    for _ in range(rounds):
        app.processEvents()


def _docks_scroll(window: Any) -> dict[str, bool]:
    """Each dock holds a scroll area (its content scrolls when the dock is smaller than it)."""
    from PySide6.QtWidgets import QAbstractScrollArea, QDockWidget
    out = {}
    for dock in window.findChildren(QDockWidget):
        w = dock.widget()
        out[dock.objectName()] = isinstance(w, QAbstractScrollArea) or bool(w.findChildren(QAbstractScrollArea))
    return out


def _headline_apart(window: Any) -> bool:
    """No two headline figures overlap, and each lies inside the bar."""
    bar = window.headline
    boxes = sorted((f.geometry() for f in bar.figures if f.isVisible()), key=lambda g: g.x())
    apart = all(a.right() < b.left() for a, b in zip(boxes, boxes[1:]))
    return apart and all(b.right() <= bar.width() for b in boxes)


def _tornado_apart(chart: Any) -> dict[str, Any]:
    """Rows at least a line of text apart (their names never overlap)."""
    vb = chart.item.getViewBox()
    n = len(chart.rows)
    if n < 2:
        return {"rows": n, "apart": True}
    y0, y1 = vb.viewRange()[1]
    row_px = vb.height() / (y1 - y0)
    return {"rows": n, "row_px": round(row_px, 1), "line_px": chart.fontMetrics().height(),
            "apart": row_px >= chart.fontMetrics().height()}


def _labels_apart(chart: Any) -> dict[str, Any]:
    """The budget and over-budget labels cover no bar and not each other (in scene coordinates)."""
    from PySide6.QtCore import QRectF
    st = chart.stacked
    vb = chart.item.getViewBox()
    labels = [lab for lab in (chart.budget_label, chart.over_label) if lab.isVisible() and lab.textItem.toPlainText()]
    boxes = [lab.mapRectToScene(lab.boundingRect()) for lab in labels]
    bars = []
    if st is not None:
        half = 0.36
        for i, total in enumerate(st.total):
            r = QRectF(i - half, 0.0, 2 * half, float(total)).normalized()
            bars.append(vb.mapViewToScene(r).boundingRect().adjusted(1, 1, -1, -1))
    on_bars = [lab.textItem.toPlainText() for lab, box in zip(labels, boxes) if any(box.intersects(b) for b in bars)]
    overlap = len(boxes) == 2 and boxes[0].intersects(boxes[1])
    return {"labels": [lab.textItem.toPlainText() for lab in labels], "on_bars": on_bars, "overlap": overlap}


def _from_template(window: Any) -> None:
    """The RAG template as the start page makes it (an untitled plan), starting 2027-01 so the shots stay the same;
    the examples in the recent list, as after a few days' use."""
    from pricing.plan import YearMonth
    from pricing.templates import from_template
    window.document.new(from_template(resource_path("templates", "rag-assistant.yaml"), window.document.catalog,
                                      start=YearMonth(2027, 1)))
    window.tree.select("")
    for name in ("vision-inhouse", "support-assistant"):
        window.settings.add_recent(resource_path("examples", f"{name}.yaml"))


def _actuals(app: Any, window: Any, check: Any) -> dict[str, Any]:
    """The Actuals tab with bills imported: the test plan and its hand-made exports (tests/data/actuals, in a
    checkout), copied to a temporary folder; without them the tab as a new plan shows it (nothing imported)."""
    import shutil
    import time
    data = Path(__file__).resolve().parent.parent / "tests" / "data" / "actuals"
    view = window.actuals
    imported = False
    if (data / "plan.yaml").is_file():
        folder = Path(tempfile.mkdtemp(prefix="aicost-actuals-"))
        for f in data.iterdir():
            if f.is_file():
                shutil.copy(f, folder / f.name)
        window.open_path(folder / "plan.yaml", ask=False)
        _settle(app)
        imported = view.import_paths([str(folder / n) for n in ("focus_ai_tokens.csv", "focus_infra.csv")])
        deadline = time.monotonic() + 120
        while (view.model.running or view.model._queue or view.model._timer.isActive()) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
    window.charts.setCurrentWidget(view)
    _settle(app)
    check("main-actuals", window)
    window.charts.setCurrentWidget(window.charts.monthly)
    if imported:
        window.document.undo_stack.setClean()
        _from_template(window)
        _settle(app)
    return {"imported": imported}


def run(screen: tuple[int, int], scale: float | None = None, shots: Path | None = None, prefix: str = "",
        only: set[str] | None = None) -> dict:
    _configure(screen, scale)
    from PySide6.QtWidgets import QApplication
    from gui.app import build_window, create_application
    app = create_application()
    avail = app.primaryScreen().availableGeometry()
    report: dict[str, Any] = {"screen": list(screen), "scale": scale or 1, "available": _rect(avail), "windows": {}}
    written: list[str] = []

    def check(name: str, widget: Any, shot: bool = True) -> None:
        widget.show()
        widget.raise_()
        _settle(app)
        frame = widget.frameGeometry()
        report["windows"][name] = {"frame": _rect(frame), "inside": _inside(avail, frame)}
        if shots is not None and shot and (not only or name in only):
            path = shots / f"{prefix}{name}.png"
            widget.grab().save(str(path))
            written.append(str(path))

    window = build_window()
    _from_template(window)
    window.show()
    _settle(app)
    window.uncertainty.wait()
    window.charts.refresh_all()
    _settle(app)
    check("main", window)
    charts = window.charts
    report["chart_height"] = charts.monthly.item.getViewBox().height()
    report["monthly_labels"] = _labels_apart(charts.monthly)
    report["headline_apart"] = _headline_apart(window)
    report["docks_scroll"] = _docks_scroll(window)
    charts.setCurrentWidget(charts.tornado)
    _settle(app)
    charts.refresh_all()
    _settle(app)
    report["tornado"] = _tornado_apart(charts.tornado)
    check("main-drivers", window)
    charts.setCurrentWidget(charts.monthly)
    report["actuals"] = _actuals(app, window, check)

    from gui.start_page import StartPage
    page = StartPage(window.settings, window)
    check("start-page", page)
    page.close()
    from gui.help_viewer import show_help
    check("help", show_help(window))
    window._help_window.close()
    from gui.about import AboutDialog
    about = AboutDialog(window.document.catalog, window)
    check("about", about)
    about.close()
    for module, cls in (("gui.token_dialog", "TokenDialog"), ("gui.catalog_browser", "CatalogBrowser"),
                        ("gui.providers_view", "ProvidersView"), ("gui.price_update_dialog", "PriceUpdateDialog")):
        tool = window.open_tool(module, cls)
        check(cls, tool, shot=cls in ("CatalogBrowser", "ProvidersView"))
        tool.close()
    from gui.compare_window import CompareWindow
    examples = [resource_path("examples", f"{n}.yaml") for n in ("support-assistant", "vision-inhouse")]
    compare = CompareWindow(window.document.catalog, examples, window)
    check("compare", compare)
    compare.close()
    from PySide6.QtPrintSupport import QPrintDialog
    from gui.pdf.printing import printer_for
    printer = printer_for("A4")
    dialog = QPrintDialog(printer, window)
    check("print-dialog", dialog, shot=False)
    dialog.close()
    report["written"] = written
    report["all_inside"] = all(w["inside"] for w in report["windows"].values())
    window.document.undo_stack.setClean()
    window.close()
    QApplication.processEvents()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gui.screen_check", description=__doc__.splitlines()[0])
    parser.add_argument("--screen", default="1024x700", help="screen size in pixels, WIDTHxHEIGHT")
    parser.add_argument("--scale", type=float, default=None, help="QT_SCALE_FACTOR (2: every size doubled)")
    parser.add_argument("--shots", type=Path, default=None, help="save a PNG of each view in this folder")
    parser.add_argument("--prefix", default="", help="file name prefix of the PNGs")
    parser.add_argument("--only", default="", help="save only these views, comma-separated (main,start-page,...)")
    args = parser.parse_args(argv)
    w, h = (int(x) for x in args.screen.lower().split("x"))
    if args.shots is not None:
        args.shots.mkdir(parents=True, exist_ok=True)
    only = {v.strip() for v in args.only.split(",") if v.strip()} or None
    report = run((w, h), args.scale, args.shots, args.prefix, only)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
