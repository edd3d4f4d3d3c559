"""Start the desktop app: QApplication, settings names, icon, excepthook, the document and its window."""
from __future__ import annotations

import sys
from pathlib import Path

ORGANIZATION = "AI Cost Planner"
APPLICATION = "aicost"


def create_application(argv: list[str] | None = None):
    """The QApplication (or the running one), named for QSettings, with the app icon."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    # Background work (Monte Carlo, tornado, scenario splits) runs in Python threads, which share one
    # interpreter lock with the UI thread: every slot the window runs waits for it, up to the switch
    # interval each time (5 ms by default, i.e. 40-80 ms stalls while a worker computes). 1 ms keeps
    # the window's turns short (measured: longest turn 78 ms -> 23 ms with a worker busy, BENCHMARKS.md).
    sys.setswitchinterval(0.001)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setApplicationDisplayName("AI Cost Planner")
    QGuiApplication.setDesktopFileName("aicost")  # Wayland/X11: matches aicost.desktop (icon, task grouping)
    # Qt 6 scales for high-DPI screens by itself; pass fractional factors through (no rounding to 1x/2x)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    from gui import theme
    app.setWindowIcon(theme.app_icon())
    return app


SETTLE_AFTER_OPEN_MS = 1000


def build_window(path: str | Path | None = None, catalog=None):
    """The document and its main window, opened on ``path`` (a broken file is reported, the window opens empty)."""
    from PySide6.QtCore import QTimer

    from gui import heap
    from gui.document import PlanDocument
    from gui.errors import ErrorPresenter, install_excepthook
    from gui.main_window import MainWindow
    from gui.settings import Settings

    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    presenter = ErrorPresenter()
    install_excepthook(presenter)
    document = PlanDocument(catalog)
    window = MainWindow(document, Settings(), presenter)
    # a new plan's objects live until the next open: out of the garbage collector's sight (gui/heap.py); a
    # second later, once the window is drawn (a full collection takes 10-40 ms: not on the way to the first paint)
    document.opened.connect(lambda: QTimer.singleShot(SETTLE_AFTER_OPEN_MS, heap.settle))
    if path is not None:
        window.open_path(path, ask=False)
    return window


def load_engine(path: str | Path | None = None):
    """Import the engine and load the catalog before Qt: PySide6 inspects the source of every module
    imported after it (for its ``__feature__`` switches), which costs start-up time for nothing."""
    from pricing import engine, planfile  # noqa: F401
    from pricing.catalog import Catalog
    if path is not None:  # what opening a plan needs: API prices and token counts
        from pricing import apiprices, tokens  # noqa: F401
    return Catalog.load()


def run_app(path: str | Path | None = None) -> int:
    """Open the window (on ``path`` when given) and run until it is closed; returns the exit status."""
    catalog = load_engine(path)
    app = create_application()
    window = build_window(path, catalog)
    window.show()
    from gui import autosave
    window.autosaver = autosave.start(window)  # unsaved changes survive a crash; offers what a crash left
    status = app.exec()
    from gui import workers
    workers.shutdown_all()  # no background work may outlive the event loop (see shutdown_all)
    return status
