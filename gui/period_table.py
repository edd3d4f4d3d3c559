"""The "By period" table: cost by category per fiscal quarter, fiscal year or month (the report model's roll-ups)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from pricing.report_figures import CategoryTable, month_periods, summarize
from pricing.rounding import cents_to_float

from gui.widgets import Coalesced, MoneyFormat

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

VIEWS = (("quarters", "Fiscal quarters"), ("years", "Fiscal years"), ("months", "Months"))


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class PeriodModel(QAbstractTableModel):
    """Rows: each category that costs something, then Total; columns: the periods, then the horizon. Every cell is
    a sum of the report model's rounded cents (``report_figures.Summary.category_table``): nothing is added here."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.table: CategoryTable | None = None
        self.fmt = MoneyFormat()
        self._cells: list[list[str]] = []
        self._rows: list[str] = []
        self._columns: list[str] = []

    def set_table(self, table: CategoryTable | None, currency: str) -> None:
        self.beginResetModel()
        self.table, self.fmt = table, MoneyFormat(currency)
        money = self.fmt.full
        if table is None:
            self._rows, self._columns, self._cells = [], [], []
        else:
            self._columns = [p.label for p in table.periods] + ["Horizon"]
            self._rows = [cat.value for cat, _ in table.rows] + ["Total"]
            self._cells = [[money(cents_to_float(int(c))) for c in cells] + [money(cents_to_float(total))]
                           for (_, cells), total in zip(table.rows, table.row_totals)]
            self._cells.append([money(cents_to_float(int(c))) for c in table.column_totals]
                               + [money(cents_to_float(table.total))])
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[r][c]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT.value)
        if role == Qt.ItemDataRole.FontRole and (r == len(self._rows) - 1 or c == len(self._columns) - 1):
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self._rows[r]}, {self._columns[c]}: {self._cells[r][c]}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = self._columns if orientation == Qt.Orientation.Horizontal else self._rows
        return names[section] if 0 <= section < len(names) else None


class PeriodTable(QWidget):
    """Categories by fiscal quarter, fiscal year or month of the document's projection, with the fiscal calendar
    named (Plan settings sets its first month)."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.view_choice = QComboBox()
        for key, label in VIEWS:
            self.view_choice.addItem(label, key)
        self.view_choice.setToolTip("Roll the months up by fiscal quarter or year (the fiscal year's first month is a "
                                    "plan setting), or show every month")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.model = PeriodModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.view_choice)
        top.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self._refresh = Coalesced(self.refresh, self)
        self.view_choice.currentIndexChanged.connect(lambda _i: self.refresh())
        document.plan_changed.connect(self._on_plan_changed)
        self.refresh()

    def _on_plan_changed(self) -> None:
        if self.isVisible():
            self._refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802 - hidden tabs refresh when shown
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self.refresh()

    def set_view(self, key: str) -> None:
        self.view_choice.setCurrentIndex(next(i for i, (k, _) in enumerate(VIEWS) if k == key))

    def refresh(self) -> None:
        self._stale = False
        proj = self.document.projection
        if proj is None:
            self.model.set_table(None, self.document.plan.currency)
            self.note.setText("The plan can't be priced: see the problems marked in the editor")
            return
        s = summarize(proj)
        key = self.view_choice.currentData()
        table = (s.fiscal_quarters() if key == "quarters" else s.fiscal_years() if key == "years"
                 else s.category_table(month_periods(s.months)))
        self.model.set_table(table, proj.currency)
        first = s.fiscal_year_start
        if first == 1:
            self.note.setText("Calendar quarters and years (the fiscal year's first month is a Plan setting)")
        else:
            import datetime as _dt
            self.note.setText(f"Fiscal years start in {_dt.date(2000, first, 1):%B} and are named by the calendar "
                              "year in which they end")
