"""The Commitments view's tables: the offers of a pool ranked, and the gaps and lines left out (thin models: the
figures of ``pricing.commitments.figures`` as they are)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from pricing.commitments.figures import OfferFigures, PoolFigures

from gui import theme
from gui.formatting import MoneyFormat

Index = QModelIndex | QPersistentModelIndex


class OffersModel(QAbstractTableModel):
    """One row per offer of the pool, ranked by expected saving (the planner's order)."""

    COLUMNS = ("Offer", "Term", "GPUs", "From", "Coverage", "Utilisation", "Break-even", "Expected saving",
               "P10 saving", "Owed past horizon")
    OFFER, TERM, GPUS, FROM, COVERAGE, UTILISATION, BREAK_EVEN, EXPECTED, P10, PAST = range(10)
    _TIPS = {
        OFFER: "The provider's offer (reserved instance, savings plan, CUD) and its source",
        TERM: "Term and payment option",
        GPUS: "GPUs to commit: the best size for this offer (in its steps)",
        FROM: "The month the term should start",
        COVERAGE: "Share of the pool's usage in the term that the commitment covers",
        UTILISATION: "Share of the committed GPU-hours used (likely usage)",
        BREAK_EVEN: "Utilisation below which the commitment costs more than on demand: 1 - discount",
        EXPECTED: "On-demand cost avoided minus the charge over the horizon, less what is still owed after it "
                  "(mean over the usage samples when the plan has ranges)",
        P10: "The saving when usage falls short: the 10th percentile over the samples",
        PAST: "What the term still costs after the plan's last month (counted in the savings)",
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.pool: PoolFigures | None = None
        self.fmt = MoneyFormat()

    def set_pool(self, pool: PoolFigures | None, currency: str) -> None:
        self.beginResetModel()
        self.pool = pool
        self.fmt.set_currency(currency)
        self.endResetModel()

    def offer_at(self, row: int) -> OfferFigures | None:
        if self.pool is None or not 0 <= row < len(self.pool.offers):
            return None
        return self.pool.offers[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.pool is None else len(self.pool.offers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._TIPS.get(section)
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= self.GPUS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        o = self.offer_at(index.row())
        if o is None or not index.isValid():
            return None
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(o, c)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(o, c)
        if role == Qt.ItemDataRole.TextAlignmentRole and c >= self.GPUS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and c in (self.EXPECTED, self.P10):
            value = o.expected_saving if c == self.EXPECTED else o.p10_saving
            return QBrush(QColor(theme.ERROR_COLOR)) if value < 0 else None
        if role == Qt.ItemDataRole.FontRole and self.pool is not None and self.pool.recommended == index.row():
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, o: OfferFigures, c: int) -> str:
        if c == self.OFFER:
            rec = self.pool is not None and self.pool.offers.index(o) == self.pool.recommended
            return ("★ " if rec else "") + o.name
        if c == self.TERM:
            return o.term
        if c == self.GPUS:
            return f"{o.gpus:,}"
        if c == self.FROM:
            return o.start
        if c == self.COVERAGE:
            return self.fmt.percent(o.coverage)
        if c == self.UTILISATION:
            return self.fmt.percent(o.utilisation)
        if c == self.BREAK_EVEN:
            return self.fmt.percent(o.break_even)
        if c == self.EXPECTED:
            return self.fmt.full(o.expected_saving)
        if c == self.P10:
            return self.fmt.full(o.p10_saving)
        return self.fmt.full(o.obligation_after_horizon) if o.months_after_horizon and o.gpus else "—"

    def _tip(self, o: OfferFigures, c: int) -> str:
        if c == self.OFFER:
            star = "★ the recommendation: the best expected saving\n" if self._text(o, c).startswith("★") else ""
            return f"{star}{o.label}\n{o.key}\n{o.discount:.1%} off on demand\nSource: {o.source} (as of {o.as_of})"
        if c == self.PAST and o.months_after_horizon and o.gpus:
            return (f"The term runs {o.months_after_horizon} months past the horizon; if usage stays at its last "
                    f"month's level it saves {self.fmt.full(o.saving_if_usage_continues)} in all")
        return self._TIPS.get(c, "")


class GapsModel(QAbstractTableModel):
    """Offers without a published rate for the pool, and lines whose usage cannot be committed: with the reason."""

    COLUMNS = ("Gap or line left out", "Why")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: tuple[tuple[str, str, str], ...] = ()

    def set_rows(self, rows: tuple[tuple[str, str, str], ...]) -> None:
        """(name, reason, tooltip) rows."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        name, why, tip = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return name if index.column() == 0 else why
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip or why
        return None


