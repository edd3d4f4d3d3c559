"""Help > About: the version, the dates of the price data, and the licences of every bundled component."""
from __future__ import annotations

from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from pricing import about

from gui import screen_fit

APP_NAME = "AI Cost Planner"


def _date(d: Any) -> str:
    return d.isoformat() if d is not None else "unknown"


def price_text(data: about.PriceData) -> str:
    """The price data's dates as the dialog states them (rich text)."""
    rows = [f"Catalog: {data.entries} prices; the oldest dated {_date(data.oldest)} (<code>{data.oldest_key}</code>), "
            f"the newest {_date(data.newest)} (<code>{data.newest_key}</code>); {data.undated} undated "
            "(snapshots whose source gives no date)."]
    if data.api_data_date is not None:
        rows.append(f"Model API prices: genai-prices {data.api_version}, price data of {_date(data.api_data_date)}.")
    else:
        rows.append("Model API prices: genai-prices is not available.")
    rows.append("Every price keeps its source and date: Tools ▸ Price catalog…; newer prices: Tools ▸ Update prices…")
    return "<br>".join(rows)


class AboutDialog(QDialog):
    """What the app is, which version, how old its prices are, and the licence of each bundled component."""

    def __init__(self, catalog: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setObjectName("about")
        self.data = about.price_data(catalog)
        self.components = about.components()
        head = QLabel(f"<h2>{APP_NAME} {about.version()}</h2>"
                      "<p>What an AI project will cost, month by month, what drives the bill, and what each saving "
                      f"would save.</p><p>Qt {qVersion()}, Qt for Python (PySide6) {pyside_version}.</p>")
        head.setWordWrap(True)
        self.prices = QLabel(f"<b>Price data</b><br>{price_text(self.data)}")
        self.prices.setWordWrap(True)
        self.prices.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lic = QLabel("<b>Bundled components and their licences</b> (from each package's metadata). Qt and Qt for "
                     "Python are used under the GNU LGPL v3: they are separate libraries you may replace.")
        lic.setWordWrap(True)
        self.table = QTableWidget(len(self.components), 3)
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Licence"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, c in enumerate(self.components):
            for col, text in enumerate((c.name, c.version, c.license)):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{c.name} {c.version}: {c.license}" + (f"\n{c.url}" if c.url else ""))
                self.table.setItem(row, col, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.prices)
        layout.addWidget(lic)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(screen_fit.fitted_size(self.sizeHint(), screen_fit.available(parent)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override (the screen fit shrinks it on a small screen)
        return QSize(720, 620)

    def licences(self) -> dict[str, str]:
        """Component -> licence as listed (tests read it)."""
        return {c.name: c.license for c in self.components}


def show_about(parent: Any) -> AboutDialog:
    dialog = AboutDialog(parent.document.catalog, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
