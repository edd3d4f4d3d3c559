"""The token estimator's parts: the estimate table model, a text box that takes dropped files, the apply dialog."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from gui.catalog_models import PriceFormat, RawRole, RowRole, warning_icon
from pricing import token_estimate as te
from pricing.token_estimate import EstimateRow, ModelRef

Index = QModelIndex | QPersistentModelIndex



@dataclass(frozen=True, slots=True)
class _Text:
    """Pasted text is what is counted."""

    text: str


@dataclass(frozen=True, slots=True)
class _File:
    """A file is what is counted (read in chunks, never loaded into the editor)."""

    path: Path
    size: int


def _size_text(fmt: PriceFormat, size: int) -> str:
    return fmt.locale.formattedDataSize(size, 1)


# --------------------------------------------------------------------------- results table


class EstimateTableModel(QAbstractTableModel):
    """One row per picked model: its tokens for the sample and what requests like it cost."""

    COLUMNS = ("Provider", "Model", "Encoding", "Input tokens", "Count", "Per request", "Per 1k requests", "Per month")
    PROVIDER, MODEL, ENCODING, TOKENS, COUNT, PER_REQUEST, PER_1K, PER_MONTH = range(8)
    MONEY = (PER_REQUEST, PER_1K, PER_MONTH)
    _TIPS = {
        ENCODING: "The tokenizer that counted the text",
        TOKENS: "Tokens the text is for this model: the input of one request (≈ marks an approximate count)",
        COUNT: "Exact: counted with the model's own tokenizer. Approximate: hover for why",
        PER_REQUEST: "Input (the text) plus output tokens of one request, at the model's prices",
        PER_1K: "A thousand such requests",
        PER_MONTH: "Requests per month times the cost of one",
    }

    def __init__(self, fmt: PriceFormat, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = fmt
        self._rows: list[tuple[ModelRef, EstimateRow | None]] = []
        self._pending_text = "—"
        self._warn = warning_icon(parent)

    def set_rows(self, rows: Sequence[tuple[ModelRef, EstimateRow | None]], pending_text: str = "—") -> None:
        """Rows by picked model; ``None`` for a model not counted yet (shown as ``pending_text``)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._pending_text = pending_text
        self.endResetModel()

    def ref_at(self, row: int) -> ModelRef:
        return self._rows[row][0]

    def estimate_at(self, row: int) -> EstimateRow | None:
        return self._rows[row][1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._TIPS.get(section)
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (self.TOKENS, *self.MONEY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ref, row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(ref, row, col)
        if role == RawRole:
            return self._raw(ref, row, col)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(ref, row)
        if role == Qt.ItemDataRole.DecorationRole:
            if row is not None and ((col == self.COUNT and not row.exact) or (col == self.MODEL and not row.priced)):
                return self._warn
            return None
        if role == Qt.ItemDataRole.FontRole and row is not None and not row.exact and col in (self.TOKENS, self.COUNT):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.TOKENS, *self.MONEY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, ref: ModelRef, row: EstimateRow | None, col: int) -> str:
        if col == self.PROVIDER:
            return ref.provider
        if col == self.MODEL:
            return ref.model
        if row is None:
            return self._pending_text if col == self.TOKENS else ""
        if col == self.ENCODING:
            return row.encoding
        if col == self.TOKENS:
            return ("" if row.exact else "≈ ") + self._fmt.integer(row.tokens)
        if col == self.COUNT:
            return "exact" if row.exact else "approximate"
        if not row.priced:
            return "no price" if col == self.PER_REQUEST else ""
        if col == self.PER_REQUEST:
            return self._fmt.small_money(row.cost_per_request)  # type: ignore[arg-type]
        if col == self.PER_1K:
            return self._fmt.money(row.cost_per_1k)  # type: ignore[arg-type]
        if col == self.PER_MONTH:
            return self._fmt.money(row.cost_per_month)  # type: ignore[arg-type]
        return ""

    def _raw(self, ref: ModelRef, row: EstimateRow | None, col: int) -> Any:
        if row is None:
            return None
        return {self.TOKENS: row.tokens, self.COUNT: row.exact, self.PER_REQUEST: row.cost_per_request,
                self.PER_1K: row.cost_per_1k, self.PER_MONTH: row.cost_per_month,
                self.ENCODING: row.encoding}.get(col, self._display(ref, row, col))

    def _tooltip(self, ref: ModelRef, row: EstimateRow | None) -> str:
        if row is None:
            return f"{ref}: not counted yet"
        lines = [f"{row.name} ({ref})"]
        if row.exact:
            lines.append(f"{self._fmt.integer(row.tokens)} tokens, counted exactly with {row.encoding}")
        else:
            lines.append(f"≈ {self._fmt.integer(row.tokens)} tokens, approximate: {row.reason}")
        if row.priced:
            lines.append(f"input {self._fmt.number(row.input_per_mtok or 0)}, output "
                         f"{self._fmt.number(row.output_per_mtok or 0)} USD per million tokens"
                         + (" (long-context prices applied where the prompt is long enough)" if row.tiered else ""))
            if row.source is not None:
                lines.append(f"{row.source.source}, data of {row.source.as_of}"
                             + (f"; {row.source.notes}" if row.source.notes else ""))
        else:
            lines.append(f"cannot be priced: {row.error}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- text input


class _DropTextEdit(QPlainTextEdit):
    """A text editor that takes dropped files as files to count (dropped text is pasted as usual)."""

    file_dropped = Signal(str)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _local_file(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802
        if _local_file(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        path = _local_file(event)
        if path:
            event.acceptProposedAction()
            self.file_dropped.emit(path)
        else:
            super().dropEvent(event)


def _local_file(event: Any) -> str:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return ""
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return ""


# --------------------------------------------------------------------------- apply dialog


class ApplyEstimateDialog(QDialog):
    """Pick the estimate to apply and the API line it goes to (or a new one)."""

    def __init__(self, plan: Any, rows: Sequence[EstimateRow], requests_per_month: float, fmt: PriceFormat,
                 current: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Apply token estimate")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self._rows = [r for r in rows if r.priced]
        self._plan = plan
        self._fmt = fmt
        self._requests = requests_per_month

        self.model_combo = QComboBox()
        self.model_combo.setToolTip("The model (and its token count) to put on the API line")
        for r in self._rows:
            self.model_combo.addItem(f"{r.name} ({r.ref}) · {fmt.integer(r.tokens)} input tokens", r)
        self.model_combo.setCurrentIndex(max(0, min(current, len(self._rows) - 1)))
        self.line_combo = QComboBox()
        self.line_combo.setToolTip("The plan's API line to change, or a new line")
        for i, line in enumerate(plan.services.apis):
            self.line_combo.addItem(f"{line.name} — {line.provider}/{line.model}", i)
        self.line_combo.addItem("New API line", te.NEW_LINE)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("Name of the new API line (leave empty for a name from the model)")
        self.name_edit.setPlaceholderText("for a new line; empty: named after the model")
        self.requests_check = QCheckBox(f"Also set requests per month to {fmt.integer(requests_per_month)}")
        self.requests_check.setToolTip("Replace the line's requests per month with the estimator's")
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Estimate:", self.model_combo)
        form.addRow("API &line:", self.line_combo)
        form.addRow("&Name:", self.name_edit)
        form.addRow("", self.requests_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Apply")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        for signal in (self.model_combo.currentIndexChanged, self.line_combo.currentIndexChanged,
                       self.requests_check.toggled):
            signal.connect(self._update)
        self.name_edit.textChanged.connect(self._update)
        self._update()

    def _update(self, *_: Any) -> None:
        new = self.line_combo.currentData() == te.NEW_LINE
        self.name_edit.setEnabled(new)
        if new:  # a new line needs its requests
            self.requests_check.setChecked(True)
        self.requests_check.setEnabled(not new)
        row = self.model_combo.currentData()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(row is not None)
        if row is None:
            self.summary.setText("No model with a price to apply.")
            return
        target = "a new API line" if new else f"“{self.line_combo.currentText().split(' — ')[0]}”"
        parts = [f"model {row.ref}", f"input tokens {self._fmt.integer(row.tokens)}",
                 f"output tokens {self._fmt.integer(row.output_tokens)}"]
        if self.requests_check.isChecked():
            parts.append(f"requests per month {self._fmt.integer(self._requests)}")
        self.summary.setText(f"Sets {', '.join(parts)} on {target}. Undo reverts it.")

    def choice(self) -> tuple[EstimateRow, int, str, float | None]:
        """(estimate, line index or NEW_LINE, name for a new line, requests per month or None)."""
        return (self.model_combo.currentData(), self.line_combo.currentData(), self.name_edit.text(),
                float(self._requests) if self.requests_check.isChecked() else None)


