"""The info bar shown when a plan was saved with other prices than today's: Keep old prices, or Reprice."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QMainWindow, QPushButton,
                               QTableView, QToolBar, QVBoxLayout, QWidget)

from pricing import repricing
from pricing.errors import PlanError

from gui.widgets import MoneyFormat

_Index = QModelIndex | QPersistentModelIndex


class DriftModel(QAbstractTableModel):
    """Line by line: the cost with the old figures, with today's, and the change (computed in pricing/repricing)."""

    HEAD = ("Line", "Saved prices", "Today's prices", "Change")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.lines: list[repricing.LineChange] = []
        self.fmt = MoneyFormat()

    def set_drift(self, drift: repricing.Drift | None, currency: str) -> None:
        self.beginResetModel()
        self.lines = list(drift.lines_by_change()) if drift else []
        self.fmt = MoneyFormat(currency)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEAD)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEAD[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ln = self.lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return ln.name
            value = (ln.old, ln.new, ln.delta)[col - 1]
            if value is None:
                return "GAP" if col < 3 else "—"
            return (("+" if value > 0 else "") if col == 3 else "") + self.fmt.full(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and not ln.key_path:  # the total row
            f = QFont()
            f.setBold(True)
            return f
        return None


class RepriceBar(QFrame):
    """Says what today's prices change for the open plan and lets the user keep the old figures or reprice."""

    def __init__(self, document: Any, parent: QWidget | None = None, *, on_visibility: Any = None):
        super().__init__(parent)
        self.document = document
        self.visibility_changed = on_visibility
        """Shows or hides what holds the bar (a tool bar's widgets are shown by the tool bar, not by themselves)."""
        self.drift: repricing.Drift | None = None
        self._checked: tuple[int, int] | None = None
        self.setObjectName("repriceBar")
        self.setStyleSheet("#repriceBar { background: #fff4ce; border: 1px solid #e0c36b; border-radius: 4px; }"
                           "#repriceBar QLabel { color: #3b2f00; }")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Show changes")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_toggled)
        self.keep_button = QPushButton("Keep old prices")
        self.keep_button.setToolTip("Hold the figures the plan was saved with: they are written into the plan's "
                                    "prices: overrides (and the old exchange rate pinned), so the file says so")
        self.keep_button.clicked.connect(self.keep_old)
        self.reprice_button = QPushButton("Reprice")
        self.reprice_button.setToolTip("Take today's prices; the next save records them")
        self.reprice_button.clicked.connect(self.reprice)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        for b in (self.details_button, self.keep_button, self.reprice_button):
            row.addWidget(b)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.model = DriftModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(180)
        self.details = QWidget()
        inner = QVBoxLayout(self.details)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.figures)
        inner.addWidget(self.table)
        self.details.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.details)
        document.plan_changed.connect(self._on_plan_changed)
        self._on_plan_changed()

    @classmethod
    def install(cls, window: QMainWindow) -> "RepriceBar":
        """Put the bar under the window's headline, in a tool bar of its own that shows only while it matters."""
        holder = QToolBar("Saved prices", window)
        holder.setObjectName("repricing")
        holder.setMovable(False)
        bar = cls(window.document, on_visibility=holder.setVisible)
        holder.addWidget(bar)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, holder)
        bar.holder = holder
        holder.setVisible(bar.drift is not None)
        return bar

    def _on_plan_changed(self) -> None:
        doc = self.document
        record = doc.plan.priced_with
        key = (id(record), id(doc.catalog))
        if key == self._checked:  # an edit keeps the record: today's prices were already compared
            return
        self._checked = key
        try:
            self.drift = repricing.check(doc.plan, doc.catalog) if doc.projection is not None or record else None
        except PlanError:  # a plan with problems: the editors say so; nothing to compare
            self.drift = None
        doc.stamp_prices = self.drift is None  # saving while undecided keeps the record the plan had
        self._show()

    def _show(self) -> None:
        d = self.drift
        if self.visibility_changed is not None:  # in a tool bar: the bar shows or hides its holder
            self.visibility_changed(d is not None)
        else:
            self.setVisible(d is not None)
        if d is None:
            return
        text = d.message()
        self.message.setText(f"<b>{text[0].upper() + text[1:]}.</b> Keep the prices it was saved with, or reprice?")
        lines = d.details(self.document.plan.currency)
        self.figures.setText("<br>".join(x for x in lines if not x.startswith("line ")))
        self.model.set_drift(d, self.document.plan.currency)
        self.keep_button.setEnabled(d.old_total is not None)

    def _on_details_toggled(self, on: bool) -> None:
        self.details.setVisible(on)
        self.details_button.setText("Hide changes" if on else "Show changes")

    def keep_old(self) -> None:
        """The old figures become the plan's own overrides (one undoable edit)."""
        if self.drift is None:
            return
        doc = self.document
        doc.apply(repricing.keep_old(doc.plan, self.drift, doc.catalog), "Keep old prices")

    def reprice(self) -> None:
        """Today's prices: the plan's record is renewed (saved with the plan)."""
        if self.drift is None:
            return
        doc = self.document
        doc.accept_record(repricing.reprice(doc.plan, doc.catalog))
        self._on_plan_changed()
