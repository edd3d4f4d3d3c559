"""Screenshots of the main views at 1440x900 into docs/screenshots (``python -m gui.screenshots``)."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from pricing.resources import resource_path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
EXAMPLE = resource_path("examples", "support-assistant.yaml")
SIZE = (1440, 900)


def _settle(app) -> None:
    for _ in range(3):
        app.processEvents()


def take(out: Path = OUT, example: Path = EXAMPLE) -> list[Path]:
    """Open the example plan and grab each main view; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # a throwaway settings file: no remembered layout
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="aicost-shots-"))
    from gui.app import build_window, create_application

    app = create_application()
    window = build_window(example)
    window.resize(*SIZE)
    window.show()
    _settle(app)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shot(name: str) -> None:
        _settle(app)
        window.uncertainty.wait()  # the band and the tornado of the plan as shown
        window.charts.refresh_all()
        _settle(app)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        written.append(path)

    tree, charts = window.tree, window.charts
    tree.select("services.apis[0]")
    charts.setCurrentWidget(charts.monthly)
    shot("main-monthly")
    charts.setCurrentWidget(charts.cumulative)
    shot("main-cumulative")
    charts.setCurrentWidget(charts.scenarios)
    shot("main-scenarios")
    charts.setCurrentWidget(charts.drivers)
    tree.select("compute.exploration[0]")
    shot("main-drivers")
    charts.setCurrentWidget(charts.tornado)
    shot("main-tornado")

    # the savings panel with a second strategy turned on, its parameters open
    charts.setCurrentWidget(charts.scenarios)
    window.savings.rows["annotation_reduction"].check.setChecked(True)
    Qt = __import__("PySide6.QtCore", fromlist=["Qt"]).Qt
    window.resizeDocks([window.editor_dock, window.savings_dock], [520, 520], Qt.Orientation.Vertical)
    window.resizeDocks([window.editor_dock, window.savings_dock], [560, 610], Qt.Orientation.Horizontal)
    shot("savings-panel")
    window.document.undo_stack.undo()

    # an editor with a validation error: a quantity typed wrong
    charts.setCurrentWidget(charts.monthly)
    tree.select("services.apis[1]")
    _settle(app)
    form = window.editor.current_form()
    field = form.inputs["requests_per_month"]
    field.setFocus()
    field.setText("900 thousand")
    field.textEdited.emit("900 thousand")
    shot("editor-validation")
    window.document.undo_stack.setClean()
    window.close()
    return written


if __name__ == "__main__":
    for p in take():
        print(p.relative_to(ROOT))
    sys.exit(0)
