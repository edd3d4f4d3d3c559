"""The line-items table: each line's first-month, last-month and horizon cost, with its price sources on hover."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pricing import series

from gui import theme
from gui.editors.tree import swatch
from gui.widgets import MoneyFormat

KEY_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class LineItemsModel(QAbstractTableModel):
    """Rows are ``series.line_rows(projection)``; ``data()`` only picks and formats, it adds nothing up."""

    COLUMNS = ("Line", "Category", "First month", "Last month", "Horizon", "Share")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: tuple[series.LineRow, ...] = ()
        self.fmt = MoneyFormat()
        self.month_names = ("", "")
        self._swatches: dict[Any, Any] = {}

    def set_projection(self, projection: Any) -> None:
        self.beginResetModel()
        if projection is None:
            self.rows = ()
        else:
            self.rows = series.line_rows(projection)
            self.fmt = MoneyFormat(projection.currency)
            labels = series.month_labels(projection)
            self.month_names = (labels[0], labels[-1]) if labels else ("", "")
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 2 and self.month_names[0]:
                return self.month_names[0]
            if section == 3 and self.month_names[1]:
                return self.month_names[1]
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("The plan line", "Where it sits in the bill", "Cost in the plan's first month",
                    "Cost in the plan's last month", "Cost over the whole horizon",
                    "Share of the horizon total")[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return ("★ " if row.overridden else "") + row.name
            return (row.category.value, self.fmt.auto(row.first_month), self.fmt.auto(row.last_month),
                    self.fmt.auto(row.total), self.fmt.percent(row.share, 1))[col - 1]
        if role == SORT_ROLE:
            return (row.name.lower(), row.category.value, row.first_month, row.last_month, row.total, row.share)[col]
        if role == KEY_ROLE:
            return row.key_path
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            if row.category not in self._swatches:
                self._swatches[row.category] = swatch(theme.category_color(row.category))
            return self._swatches[row.category]
        if role == Qt.ItemDataRole.FontRole and col == 0 and row.overridden:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        return None

    @staticmethod
    def _tooltip(row: series.LineRow) -> str:
        lines = [f"<b>{row.name}</b> ({row.key_path})", "<br>Prices used:"]
        for s in row.sources:
            date = s.as_of_date.isoformat() if getattr(s, "as_of_date", None) else (s.as_of or "undated")
            flag = " <b>(overridden by the plan)</b>" if s.overridden else ""
            lines.append(f"• {s.key}: {s.source} — {date}{flag}")
        if row.notes:
            lines.append("<br>Notes:")
            lines += [f"• {n}" for n in row.notes]
        return "<br>".join(lines)


class LineTable(QTableView):
    """The table; activating a row asks to edit that line (``line_activated(key_path)``)."""

    line_activated = Signal(str)

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.model_ = LineItemsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # plan order until the user sorts
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, LineItemsModel.COLUMNS.__len__()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName("Line items")
        self.setToolTip("")
        self._selected_key = ""
        self.activated.connect(self._on_activated)
        self.clicked.connect(self._on_activated)
        document.plan_changed.connect(self._on_plan_changed)
        self._on_plan_changed()

    def _on_plan_changed(self) -> None:
        self.model_.set_projection(self.document.projection)
        if self._selected_key:
            self.select_key(self._selected_key)

    def _on_activated(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if key:
            self._selected_key = key
            self.line_activated.emit(key)

    def select_key(self, key_path: str) -> None:
        """Highlight the row of a line (when it is selected elsewhere)."""
        self._selected_key = key_path
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(KEY_ROLE) == key_path:
                self.selectRow(r)
                return
        self.clearSelection()
