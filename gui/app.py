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

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setApplicationDisplayName("AI Cost Planner")
    # Qt 6 scales for high-DPI screens by itself; pass fractional factors through (no rounding to 1x/2x)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    from gui import theme
    app.setWindowIcon(theme.app_icon())
    return app


def build_window(path: str | Path | None = None, catalog=None):
    """The document and its main window, opened on ``path`` (a broken file is reported, the window opens empty)."""
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
    if path is not None:
        window.open_path(path, ask=False)
    return window


def run_app(path: str | Path | None = None) -> int:
    """Open the window (on ``path`` when given) and run until it is closed; returns the exit status."""
    app = create_application()
    window = build_window(path)
    window.show()
    return app.exec()
