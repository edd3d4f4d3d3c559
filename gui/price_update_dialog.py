"""Tools ▸ Update prices: install a newer catalog bundle or genai-prices data file (or fetch one, when asked)."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from pricing import price_update
from pricing.catalog import Catalog
from pricing.errors import PlanError

from gui.workers import Worker

FILE_FILTER = "Price files (*.zip *.json);;Catalog bundles (*.zip);;genai-prices data (*.json);;All files (*)"


class PriceUpdateDialog(QDialog):
    """Shows what a price file changes (added, removed, changed, with dates); installs only on Install."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.update: price_update.Update | None = None
        self.worker: Worker | None = None
        self.setWindowTitle("Update prices")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.from_file = QPushButton("From a file…")
        self.from_file.setToolTip("A catalog bundle (.zip or folder) or a genai-prices data file (.json) you "
                                  "downloaded; nothing is installed before you confirm")
        self.from_file.clicked.connect(self.choose_file)
        self.from_folder = QPushButton("Catalog folder…")
        self.from_folder.clicked.connect(self.choose_folder)
        self.fetch_button = QPushButton("Download latest API prices…")
        self.fetch_button.setToolTip("genai-prices' own update: asks before connecting, shows the changes before "
                                     "installing")
        self.fetch_button.clicked.connect(self.fetch)
        self.reset_button = QPushButton("Back to bundled prices")
        self.reset_button.clicked.connect(self.reset)
        top = QHBoxLayout()
        for b in (self.from_file, self.from_folder, self.fetch_button):
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.reset_button)
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setFont(QFont("monospace"))
        self.diff.setPlaceholderText("Choose a price file: what it adds, removes and changes is listed here, with "
                                     "dates, before anything is installed.")
        self.install_button = QPushButton("Install")
        self.install_button.setEnabled(False)
        self.install_button.clicked.connect(self.install)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.install_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.diff, 1)
        layout.addLayout(bottom)
        self.resize(860, 560)
        self._show_status()

    def _show_status(self) -> None:
        have = price_update.installed()
        parts = []
        for kind, label in ((price_update.CATALOG, "Catalog"), (price_update.GENAI, "API prices")):
            rec = have.get(kind)
            parts.append(f"<b>{label}</b>: " + (f"installed {rec.get('installed', '?')} from {rec.get('from', '?')}"
                                               if rec else "bundled with the app"))
        self.status.setText(" · ".join(parts))
        self.reset_button.setEnabled(bool(have))
        can, why = price_update.fetch_available()
        self.fetch_button.setEnabled(can)
        if not can:
            self.fetch_button.setToolTip(why[0].upper() + why[1:])

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Price file", "", FILE_FILTER)
        if path:
            self.inspect(path)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Catalog folder")
        if path:
            self.inspect(path)

    def inspect(self, path: str) -> None:
        try:
            self.show_update(price_update.inspect(path))
        except PlanError as exc:
            self.update = None
            self.install_button.setEnabled(False)
            self.diff.setPlainText("Not a price file this app can read:\n" + "\n".join(str(p) for p in exc.problems))

    def show_update(self, u: price_update.Update) -> None:
        self.update = u
        self.diff.setPlainText(price_update.text(u, limit=400) + ("\nNothing changes." if u.empty else ""))
        self.install_button.setEnabled(not u.empty)

    def fetch(self) -> None:
        ask = QMessageBox.question(self, "Download prices", f"Connect to {price_update.UPDATE_SOURCE} to download "
                                   "genai-prices' latest API prices? Nothing is installed until you confirm.")
        if ask != QMessageBox.StandardButton.Yes:
            return
        self.fetch_button.setEnabled(False)
        self.diff.setPlainText("Downloading…")
        self.worker = Worker(lambda progress, cancelled: price_update.fetch_latest(), self)
        self.worker.finished.connect(self.show_update)
        self.worker.failed.connect(lambda exc: self.diff.setPlainText(f"Not downloaded: {exc}"))
        self.worker.done.connect(self._show_status)
        self.worker.start()

    def install(self) -> None:
        if self.update is None:
            return
        try:
            target = price_update.install(self.update)
        except (PlanError, OSError) as exc:
            QMessageBox.warning(self, "Update prices", f"Not installed: {exc}")
            return
        self.document.use_catalog(Catalog.load())
        self.diff.appendPlainText(f"\nInstalled into {target}. The plan is priced with them now.")
        self.install_button.setEnabled(False)
        self.update = None
        self._show_status()

    def reset(self) -> None:
        ask = QMessageBox.question(self, "Update prices", "Remove the installed prices and use the prices bundled "
                                   "with the app again?")
        if ask != QMessageBox.StandardButton.Yes:
            return
        price_update.reset()
        self.document.use_catalog(Catalog.load())
        self.diff.setPlainText("Back to the bundled prices.")
        self._show_status()
