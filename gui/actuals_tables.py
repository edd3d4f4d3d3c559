"""The Actuals tab's tables: variance by line, unmapped rows by service and SKU, rules, imported files.

Thin models: rows come from ``pricing.actuals.figures`` (amounts already in the plan's currency,
rounded to the cent, variance % and the order "by size" computed there); ``data()`` only looks
up cells prepared once per result, formatted by ``MoneyFormat``. Sorting is a proxy on SORT_ROLE.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gui import theme
from gui.widgets import MoneyFormat

ROW_ROLE = int(Qt.ItemDataRole.UserRole.value)
"""The row's position in the model's ``rows`` (what a view's selection maps back to)."""
SORT_ROLE = ROW_ROLE + 1
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
OVER_COLOR = QColor(theme.BUDGET_COLOR)
"""Actual above plan."""
UNDER_COLOR = QColor("#3E8E41")
"""Actual below plan (a green readable on light and dark)."""


class RowsModel(QAbstractTableModel):
    """A table of prepared cells: subclasses say the columns and turn one row into its cells."""

    COLUMNS: tuple[str, ...] = ()
    TIPS: tuple[str, ...] = ()
    NUMERIC: frozenset[int] = frozenset()

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: tuple[Any, ...] = ()
        self.fmt = MoneyFormat()
        self._cells: list[list[dict[int, Any]]] = []

    def set_rows(self, rows: Sequence[Any], currency: str = "USD") -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
        self._cells = [self._prepare(i, r) for i, r in enumerate(self.rows)]
        self.endResetModel()

    def _prepare(self, i: int, row: Any) -> list[dict[int, Any]]:
        texts, sort = self.cells(row)
        out = []
        for col, (text, key) in enumerate(zip(texts, sort)):
            cell: dict[int, Any] = {_DISPLAY: text, SORT_ROLE: key, ROW_ROLE: i}
            if col in self.NUMERIC:
                cell[_ALIGN] = _RIGHT
            out.append(cell)
        self.decorate(row, out)
        return out

    def cells(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        """(texts, sort keys) of one row's cells."""
        raise NotImplementedError

    def decorate(self, row: Any, cells: list[dict[int, Any]]) -> None:
        """Colours and tooltips of one row's cells (optional)."""

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _DISPLAY:
            return self.COLUMNS[section]
        if role == _ALIGN and section in self.NUMERIC:
            return _RIGHT
        if role == _TOOLTIP and section < len(self.TIPS):
            return self.TIPS[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        r = index.row()
        if not 0 <= r < len(self._cells):
            return None
        return self._cells[r][index.column()].get(role)


class VarianceModel(RowsModel):
    """Plan against actual per line over the months with actuals (``figures.variance``)."""

    COLUMNS = ("Line", "Category", "Plan to date", "Actual", "Variance", "%")
    TIPS = ("The plan line (or the rows no rule maps); its plan over the whole horizon on hover",
            "Where it sits in the bill",
            "The plan over the months the actuals cover (a month covered in part: that part of its plan)",
            "What the bills say (mapped by the rules)", "Actual minus plan; sorted by its size",
            "Variance as a share of the plan to date")
    NUMERIC = frozenset({2, 3, 4, 5})
    VARIANCE = 4

    def _cells_of(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        f = self.fmt
        pct = "—" if row.variance_pct is None else f"{row.variance_pct:+.1f}%"
        texts = (row.name, row.category, f.full(row.plan), f.full(row.actual), _signed(f, row.variance), pct)
        sort = (row.name.lower(), row.category, row.plan, row.actual, row.size,
                -1e300 if row.variance_pct is None else abs(row.variance_pct))
        return texts, sort

    def cells(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        texts, sort = self._cells_of(row)
        if row.no_rows:  # not a zero bill: no bill of this line was imported (or no rule reaches it)
            texts = (texts[0], texts[1], texts[2], "no bills", "—", "—")
        return texts, sort

    def decorate(self, row: Any, cells: list[dict[int, Any]]) -> None:
        if row.no_rows:
            why = ("No billing row is mapped to this line: its bill is in no export imported yet, or no rule "
                   f"reaches it (Rules tab). Its plan ({self.fmt.full(row.plan_horizon)} over the horizon) stands "
                   "in the re-forecast.")
            for c in cells:
                c[_FOREGROUND] = theme.muted()
                c[_TOOLTIP] = why
            cells[0][_FONT] = _italic()
            return
        if row.variance:
            color = OVER_COLOR if row.variance > 0 else UNDER_COLOR
            cells[4][_FOREGROUND] = cells[5][_FOREGROUND] = color
        cells[0][_TOOLTIP] = (f"{row.name} ({row.key_path}): plan over the horizon {self.fmt.full(row.plan_horizon)}"
                              if row.key_path else "Billing rows no rule maps to a plan line: see the Unmapped tab")


class UnmappedModel(RowsModel):
    """What no rule took, grouped by service and SKU, biggest first (``figures.unmapped``)."""

    COLUMNS = ("Service", "SKU", "Service category", "Amount", "Rows", "Months")
    TIPS = ("ServiceName", "SkuId", "ServiceCategory", "Their cost (in the plan's currency)",
            "Billing rows", "Months the rows are dated in")
    NUMERIC = frozenset({3, 4})

    def cells(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        texts = (row.service or "—", row.sku or "—", row.service_category or "—", self.fmt.full(row.amount),
                 f"{row.rows:,}", row.months)
        return texts, (row.service.lower(), row.sku.lower(), row.service_category, row.amount, row.rows, row.months)


class RulesModel(RowsModel):
    """The plan's rules in order (first match wins), then the proposals (``figures.rules``)."""

    COLUMNS = ("#", "Billing rows with", "Plan line", "Mapped", "Rows")
    TIPS = ("Rules are tried in this order; the first a row matches takes it. Proposed rules (what is obvious "
            "among the rows no rule of the plan takes) follow them: add one to the plan with a click",
            "What a row must have (every key)", "The plan line the rows go to", "Cost of the rows this rule took",
            "Billing rows it took")
    NUMERIC = frozenset({0, 3, 4})

    def cells(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        number = str(row.index + 1) if row.origin == "plan" else ""  # a proposal: its "Add" button sits there
        amount = "—" if row.amount is None else self.fmt.full(row.amount)
        rows = "—" if row.rows is None else f"{row.rows:,}"
        return (number, row.text, row.line, amount, rows), (row.index, row.text, row.line, row.amount or 0,
                                                             row.rows or 0)

    def decorate(self, row: Any, cells: list[dict[int, Any]]) -> None:
        if row.origin != "plan":
            for c in cells[1:]:
                c[_FOREGROUND] = theme.muted()
                c[_TOOLTIP] = f"Proposed (applied, not yet in the plan): {row.reason}"
        elif row.reason:  # a problem with the rule (its line is gone)
            cells[2][_FOREGROUND] = OVER_COLOR
            cells[2][_TOOLTIP] = cells[1][_TOOLTIP] = row.reason


class FilesModel(RowsModel):
    """The exports the store holds."""

    COLUMNS = ("File", "Format", "Rows", "Refused", "Imported")
    TIPS = ("The file as it was imported (the same content under another name is not imported twice)",
            "Which export it was read as", "Data rows read", "Rows whose cost or date could not be read "
            "(listed under Problems)", "When it was imported (UTC)")
    NUMERIC = frozenset({2, 3})

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.cost = "effective"

    def cells(self, row: Any) -> tuple[Sequence[str], Sequence[Any]]:
        import os
        refused = row.refused(self.cost)
        texts = (os.path.basename(row.path), f"{row.kind} {row.container}", f"{row.rows:,}",
                 f"{refused:,}" if refused else "", row.imported_at.replace("T", " ").replace("+00:00", ""))
        return texts, (os.path.basename(row.path).lower(), row.kind, row.rows, refused, row.imported_at)

    def decorate(self, row: Any, cells: list[dict[int, Any]]) -> None:
        cells[0][_TOOLTIP] = f"{row.path}\nSHA-256 {row.sha256}"


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def _signed(fmt: MoneyFormat, amount: float) -> str:
    """``+$10.50`` / ``−$105.00`` (a sign either way: some locales write a negative amount in parentheses)."""
    if not amount:
        return fmt.full(0.0)
    return ("+" if amount > 0 else "−") + fmt.full(abs(amount))


class Table(QTableView):
    """A sortable read-only table over a RowsModel (sorted by ``sort_column`` first)."""

    def __init__(self, model: RowsModel, name: str, sort_column: int = -1,
                 order: Qt.SortOrder = Qt.SortOrder.DescendingOrder, parent: QWidget | None = None):
        super().__init__(parent)
        self.source = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(sort_column, order if sort_column >= 0 else Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        self.setAccessibleName(name)

    def fit(self, stretch: int = 0, widest: int = 260) -> None:
        """Columns to their contents (``stretch``, the text column, at most ``widest`` px); the last column
        takes what width is left."""
        header = self.horizontalHeader()
        for c in range(self.source.columnCount()):
            self.resizeColumnToContents(c)
            self.setColumnWidth(c, self.columnWidth(c) + 8)
        self.setColumnWidth(stretch, min(self.columnWidth(stretch), widest))
        header.setStretchLastSection(True)

    def selected_row(self) -> int | None:
        """The selected row's position in the model's ``rows`` (None: nothing selected)."""
        rows = self.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def texts(self, column: int) -> list[str]:
        """A column's texts in the order shown (tests and screenshots read them)."""
        return [self.proxy.index(r, column).data() for r in range(self.proxy.rowCount())]

    def row_at_source(self, i: int) -> int:
        """The view row showing the model's row ``i``."""
        return self.proxy.mapFromSource(self.source.index(i, 0)).row()


def connect_selection(table: Table, slot: Callable[[], None]) -> None:
    table.selectionModel().selectionChanged.connect(lambda *_: slot())
    table.proxy.modelReset.connect(slot)
