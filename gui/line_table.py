"""The line-items table: each line's first-month, last-month and horizon cost, with its price sources on hover."""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pricing import series

from gui import theme
from gui.editors.tree import swatch
from gui.widgets import Coalesced, MoneyFormat

KEY_ROLE = int(Qt.ItemDataRole.UserRole.value)
SORT_ROLE = KEY_ROLE + 1
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


class LineItemsModel(QAbstractTableModel):
    """Rows are ``series.line_rows(projection)``; ``data()`` only picks and formats, it adds nothing up."""

    COLUMNS = ("Line", "Category", "First month", "Last month", "Horizon", "Share")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: Sequence[series.LineRow] = ()
        self.keys: tuple[str, ...] = ()
        """Each row's line (key path)."""
        self.fmt = MoneyFormat()
        self.month_names = ("", "")
        self._swatches: dict[Any, Any] = {}
        self._cells: list[list[dict[int, Any]] | None] = []
        """Each row's cells by column and role, or None until a view asks for that row."""

    def set_projection(self, projection: Any) -> bool:
        """Show a projection's rows; returns whether the rows themselves changed (else only their values).

        Each row's cells are prepared when a view first asks for them (``data()``): an edit of a big plan
        changes every row's share, yet only the rows on screen are formatted again."""
        rows = series.line_rows(projection) if projection is not None else ()
        fmt = MoneyFormat(projection.currency) if projection is not None else self.fmt
        labels = series.month_labels(projection) if projection is not None else ()
        names = (labels[0], labels[-1]) if labels else ("", "")
        keys = rows.key_paths if rows else ()
        same = keys == self.keys and names == self.month_names and fmt.currency == self.fmt.currency
        if same and rows:  # the usual edit: same lines, new amounts; keeps selection and column widths
            if rows is not self.rows:
                self.rows = rows
                self._cells = [None] * len(rows)
                # repaint the rows (shares move everywhere when the total does); Qt asks only for those on screen
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.COLUMNS) - 1))
            return False
        self.beginResetModel()
        self.rows, self.keys, self.fmt, self.month_names = rows, keys, fmt, names
        self._cells = [None] * len(rows)
        self.endResetModel()
        return True

    def _row_cells(self, row: series.LineRow) -> list[dict[int, Any]]:
        """What each cell of a row shows, by role, prepared once per row and projection (``data()`` is called
        for every role of every visible cell on each repaint, from C++: it must only look up)."""
        fmt = self.fmt
        texts = (("★ " if row.overridden else "") + row.name, row.category.value, fmt.auto(row.first_month),
                 fmt.auto(row.last_month), fmt.auto(row.total), fmt.percent(row.share, 1))
        cells: list[dict[int, Any]] = []
        for col in range(len(self.COLUMNS)):
            cell: dict[int, Any] = {_DISPLAY: texts[col], KEY_ROLE: row.key_path}
            if col >= 2:
                cell[_ALIGN] = _RIGHT
            if col == 1:
                if row.category not in self._swatches:
                    self._swatches[row.category] = swatch(theme.category_color(row.category))
                cell[_DECORATION] = self._swatches[row.category]
            if col == 0 and row.overridden:
                cell[_FONT] = _italic()
            cells.append(cell)
        return cells

    @staticmethod
    def _sort_key(row: series.LineRow, col: int) -> Any:
        """What a column sorts by (the proxy asks every row for it: no formatting)."""
        return (row.name.lower(), row.category.value, row.first_month, row.last_month, row.total, row.share)[col]

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
        cells = self._cells
        r = index.row()
        if not 0 <= r < len(cells):
            return None
        if role == SORT_ROLE:
            return self._sort_key(self.rows[r], index.column())
        if role == _TOOLTIP:
            return self._tooltip(self.rows[r])
        row = cells[r]
        if row is None:
            row = cells[r] = self._row_cells(self.rows[r])
        return row[index.column()].get(role)

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
        self.setShowGrid(False)  # alternating rows read well without grid lines (and repaint faster)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.setAccessibleName("Line items")
        self.setToolTip("")
        self._selected_key = ""
        self.activated.connect(self._on_activated)
        self.clicked.connect(self._on_activated)
        self._refresh = Coalesced(self._on_plan_changed, self)
        document.plan_changed.connect(self._refresh)
        self._on_plan_changed()

    def _on_plan_changed(self) -> None:
        if self.model_.set_projection(self.document.projection):
            # new rows: fit the amount columns to their contents once (not on every keystroke)
            for c in range(1, len(LineItemsModel.COLUMNS)):
                self.resizeColumnToContents(c)
                self.setColumnWidth(c, self.columnWidth(c) + 16)  # room for amounts that grow as the user types
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
        keys = self.model_.keys
        row = keys.index(key_path) if key_path in keys else None
        if row is not None:
            at = self.proxy.mapFromSource(self.model_.index(row, 0))
            if at.isValid():
                self.selectRow(at.row())
                return
        self.clearSelection()
