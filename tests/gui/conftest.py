"""GUI test set-up: offscreen Qt, settings in a temporary folder, one catalog, documents and windows on examples."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "resources" / "examples"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory):
    """QSettings write to a throwaway folder: no test sees another's recent files or window layout."""
    from PySide6.QtCore import QSettings
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield


@pytest.fixture(autouse=True)
def _no_uncaught_exceptions(monkeypatch):
    """Fail any test in which an exception reached ``sys.excepthook`` (a slot, a timer, a worker's outcome
    handed to the hook): Qt only prints those, and the app shows them in a dialog, so they would pass.

    pytest-qt captures the same during each test phase; this hook also holds between phases and when a
    test hands an exception to the hook itself. Tests of the app's own hook (test_errors.py) install
    theirs over it and restore it.
    """
    import sys
    import traceback
    seen: list[str] = []

    def hook(exc_type, exc, tb):
        seen.append("".join(traceback.format_exception(exc_type, exc, tb)))
        sys.__excepthook__(exc_type, exc, tb)

    monkeypatch.setattr(sys, "excepthook", hook)
    yield
    if seen:
        pytest.fail("an exception reached sys.excepthook:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture(scope="session")
def base_catalog():
    from pricing.catalog import Catalog
    return Catalog.load()


@pytest.fixture
def example_dir(tmp_path):
    """A copy of the example plans (with their prompt files) that tests may overwrite."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def plan_document(qtbot, base_catalog, example_dir):
    from gui.document import PlanDocument
    doc = PlanDocument(base_catalog)
    doc.open(example_dir / "support-assistant.yaml")
    return doc


@pytest.fixture
def window(qtbot, plan_document, monkeypatch):
    """The main window on the support-assistant example; closing it never prompts."""
    from PySide6.QtWidgets import QMessageBox
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    w = MainWindow(plan_document, Settings(), ErrorPresenter())
    w.show()  # not qtbot.addWidget: pytest-qt closes those before this fixture can silence the prompt
    qtbot.waitExposed(w)
    yield w
    # close without the unsaved-changes prompt (a real modal box would wait for a click forever)
    w.document.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    w.close()
    w.deleteLater()


@pytest.fixture
def settle(qtbot, request):
    """Let queued work run (the scenario is evaluated on a 0-ms timer after each change), and in a test
    using the ``window``, wait for a scenario evaluated on a worker (a scenario slower than
    ``gui.document.SYNC_SCENARIO_MS`` is, and a busy machine makes any scenario that slow)."""
    from PySide6.QtWidgets import QApplication

    def run(ms: int = 0) -> None:
        QApplication.processEvents()
        qtbot.wait(ms)
        QApplication.processEvents()
        if "window" in request.fixturenames:
            doc = request.getfixturevalue("window").document
            qtbot.waitUntil(lambda: not doc.scenario_pending, timeout=20_000)
            QApplication.processEvents()
    return run
