"""The Providers view: the whole plan priced at each provider, line by line, gaps as gaps, the cheapest placement."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHeaderView, QLabel, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from pricing import providers
from pricing.errors import PlanError

from gui.widgets import MoneyFormat

_Index = QModelIndex | QPersistentModelIndex
GAP = "GAP"
"""What a cell without a price shows (never $0)."""


class ProvidersModel(QAbstractTableModel):
    """Lines x providers from ``providers.comparison_data`` (rounded once there): display only, no arithmetic."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: dict[str, Any] | None = None
        self.providers: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self.fmt = MoneyFormat()

    def set_comparison(self, doc: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self.doc = doc
        self.providers = list(doc["providers"]) if doc else []
        first = doc["providers"][self.providers[0]]["lines"] if doc and self.providers else []
        self.rows = [{"name": r["name"], "key_path": r["key_path"], "fixed": r["fixed"]} for r in first]
        self.rows.append({"name": "Priced total", "key_path": "", "fixed": False, "total_row": True})
        self.fmt = MoneyFormat(doc["currency"] if doc else "USD")
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 1 + len(self.providers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Line" if section == 0 else self.providers[section - 1]
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            p = self.doc["providers"][self.providers[section - 1]]
            return (f"{p['gaps']} line(s) {self.providers[section - 1]} cannot price" if p["gaps"]
                    else "Every line priced here")
        return None

    def cell(self, row: int, col: int) -> dict[str, Any] | None:
        if col == 0 or self.rows[row].get("total_row"):
            return None
        return self.doc["providers"][self.providers[col - 1]]["lines"][row]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.doc is None:
            return None
        row, col = index.row(), index.column()
        r = self.rows[row]
        if r.get("total_row"):
            return self._total(col, role)
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return r["name"] + ("  (same everywhere)" if r["fixed"] else "")
            if role == Qt.ItemDataRole.ToolTipRole:
                return r["key_path"]
            return None
        c = self.cell(row, col)
        if role == Qt.ItemDataRole.DisplayRole:
            return GAP if c["total"] is None else self.fmt.whole(c["total"]) + (" ★" if c["cheapest"] else "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c["total"] is None:
                fill = f"\n\nTo fill it: set {c['missing_key']} in the plan's prices: section." if c["missing_key"] \
                    else ""
                return f"No price at {self.providers[col - 1]}: {c['gap']}{fill}"
            srcs = "\n".join(f"{s['key']}: {s['source']} ({s['as_of']})" for s in c["sources"][:4])
            return ("Cheapest provider for this line\n" if c["cheapest"] else "") + srcs
        if role == Qt.ItemDataRole.ForegroundRole and c["total"] is None:
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.FontRole and c["cheapest"]:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def _total(self, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if col == 0:
            return "Priced total" if role == Qt.ItemDataRole.DisplayRole else None
        p = self.doc["providers"][self.providers[col - 1]]
        if role == Qt.ItemDataRole.DisplayRole:
            if p["gaps"] and p["gaps"] == len(p["lines"]):
                return GAP
            return self.fmt.whole(p["priced_total"]) + (f" + {p['gaps']} gap{'s' if p['gaps'] != 1 else ''}"
                                                         if p["gaps"] else "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and p["gaps"]:
            return "The priced total leaves out the lines this provider cannot price: not comparable with a full total"
        return None


class PlacementModel(QAbstractTableModel):
    """The cheapest placement: each movable line's provider and the transfer legs it implies (display only)."""

    HEAD = ("Line", "Provider", "Cost", "Note")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, str, str, str, bool]] = []

    def set_comparison(self, doc: dict[str, Any] | None, moves: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = []
        if doc is not None:
            fmt = MoneyFormat(doc["currency"])
            pl = doc["placement"]
            for ln in pl["lines"]:
                cost = GAP if ln["total"] is None else fmt.whole(ln["total"])
                note = moves.get(ln["key_path"], "")
                self.rows.append((ln["name"], ln["provider"] or "—", cost, note, ln["total"] is None))
            for leg in pl["egress"]:
                cost = GAP if leg["total"] is None else fmt.whole(leg["total"])
                self.rows.append((f"Transfer {leg['name']}", leg["from"], cost,
                                  f"{leg['gb'] / 1000:,.1f} TB over the horizon, internet egress at {leg['from']}",
                                  leg["total"] is None))
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEAD)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEAD[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row[4] and index.column() == 2:
            return QBrush(QColor("#b3261e"))
        return None


def _fit(view: QTableView, *stretch: int) -> None:
    """The ``stretch`` columns share the room; the others are as wide as their contents."""
    header = view.horizontalHeader()
    for col in range(view.model().columnCount()):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col in stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(False)
    return view


class ProvidersView(QDialog):
    """Tools ▸ Compare providers: follows the document (recomputed after each edit, once per burst of edits)."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Providers side by side")
        self.comparison: providers.ProviderComparison | None = None
        self.data: dict[str, Any] | None = None
        self.model = ProvidersModel(self)
        self.placement_model = PlacementModel(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.table = _table(self.model)
        self.placement = _table(self.placement_model)
        self.placement_label = QLabel()
        self.placement_label.setWordWrap(True)
        self.assumptions = QLabel()
        self.assumptions.setWordWrap(True)
        self.assumptions.setStyleSheet("color: palette(mid);")
        lower = QWidget()
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.placement_label)
        box.addWidget(self.placement)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([380, 220])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.assumptions)
        self.resize(1100, 720)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        document.plan_changed.connect(self._on_plan_changed)
        self.refresh()

    def _on_plan_changed(self) -> None:
        if self.isVisible():
            self._timer.start()  # coalesce a burst of edits into one comparison

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._timer.start()

    def refresh(self) -> None:
        doc = self.document
        try:
            if doc.projection is None:
                raise PlanError(f"the plan has {len(doc.problems)} problem(s): fix them to compare providers")
            self.comparison = providers.compare(doc.plan, doc.catalog)
        except PlanError as exc:
            self.comparison = self.data = None
            self.model.set_comparison(None)
            self.placement_model.set_comparison(None, {})
            self.summary.setText("Can't compare providers: " + "; ".join(p.message for p in exc.problems))
            return
        cmp = self.comparison
        self.data = d = providers.comparison_data(cmp)
        self.model.set_comparison(d)
        _fit(self.table, *range(1, self.model.columnCount()))  # names whole; providers share the rest
        moves = {lc.key_path: f"moved from {lc.home}" for lc in cmp.lines
                 if lc.key_path in cmp.placement.providers and cmp.placement.providers[lc.key_path] != lc.home}
        self.placement_model.set_comparison(d, moves)
        _fit(self.placement, 0, 3)
        fmt = MoneyFormat(d["currency"])
        pl = d["placement"]
        gaps = sum(1 for p in d["providers"].values() if p["gaps"])
        self.summary.setText(
            f"<b>{d['name']}</b>: {d['months']} months at each provider ({d['currency']}). "
            f"As planned: <b>{fmt.whole(d['as_planned_total'])}</b>. ★ marks each line's cheapest provider; "
            f"<span style='color:#b3261e'>GAP</span> means the catalog has no price there (hover for why and the "
            f"price key that fills it)" + (f"; {gaps} provider(s) have gaps." if gaps else "."))
        self.placement_label.setText(
            f"<b>Cheapest placement</b>: {fmt.whole(pl['priced_total'])}"
            + (f" + {pl['gaps']} gap(s)" if pl["gaps"] else "")
            + f", of which transfer between providers {fmt.whole(pl['egress_total'])}. "
            "Try it as a scenario with the savings strategy move (cheapest: true).")
        self.assumptions.setText("Assumptions: " + " ".join(d["assumptions"]))
