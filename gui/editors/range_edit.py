"""A field that takes one value or a range (``1.2M ± 30%``, ``1M..2M``), with a small low/likely/high editor."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from pricing.fields import FieldSpec
from pricing.fields.ranges import is_range, range_text, read_range
from pricing.plan import Range

from gui.widgets import QuantityEdit, quantity_text, share_text


class RangeEdit(QuantityEdit):
    """A numeric field that may hold a range: shows ``1.2M ± 30%`` or ``1M..2M`` when the line has one, reads
    every form the plan file reads (the schema's range reader), and emits a ``Range`` for a range, a number
    otherwise (a plain number typed over a range removes it). ``button`` opens the low/likely/high editor."""

    def __init__(self, spec: FieldSpec, read: Callable[[str], Any], *,
                 unusual: Callable[[Any], str | None] | None = None, parent: QWidget | None = None):
        self.spec = spec
        self._read_one = read
        fmt_one = share_text if spec.share else quantity_text
        self._fmt_one = fmt_one
        super().__init__(parse=self._parse_any, fmt=self._format_any, optional=spec.optional,
                         placeholder=spec.none_means, unusual=lambda v: unusual(_likely(v)) if unusual else None,
                         parent=parent)
        self.button = QToolButton()
        self.button.setText("±")
        self.button.setAutoRaise(True)
        self.button.setToolTip(f"Give {spec.label.split(' (')[0].lower()} as a range (low, likely, high): the "
                               "Monte Carlo band and the tornado sample between them. Or type 1.2M ± 30%, 1M..2M.")
        self.button.setAccessibleName(f"Range of {spec.label.split(' (')[0]}")
        self.button.clicked.connect(self.open_popup)
        self.popup: RangePopup | None = None

    def _parse_any(self, text: str) -> Any:
        if is_range(text):
            rng = read_range(text.strip(), self._read_one, self.spec.share)
            return rng if rng.low != rng.high else rng.likely
        return self._read_one(text.strip())

    def _format_any(self, value: Any) -> str:
        if isinstance(value, Range):
            return range_text(value, self._fmt_one, self.spec.share)
        return "" if value is None else self._fmt_one(value)

    def open_popup(self) -> None:
        """The low/likely/high editor under the field; Apply emits the range (one undo step)."""
        self.popup = RangePopup(self, self._read_one, self._fmt_one, self.value())
        self.popup.applied.connect(self._on_popup_applied)
        self.popup.move(self.mapToGlobal(QPoint(0, self.height())))
        self.popup.show()
        self.popup.fields[1].setFocus()

    def _on_popup_applied(self, value: Any) -> None:
        self.set_value(value)
        self.edited.emit(value)
        self.finished.emit()


def _likely(v: Any) -> Any:
    return v.likely if isinstance(v, Range) else v


class RangePopup(QFrame):
    """Three inputs (low, likely, high), each read by the field's own reader; Apply, or No range."""

    applied = Signal(object)

    def __init__(self, owner: QWidget, read: Callable[[str], Any], fmt: Callable[[Any], str], value: Any):
        super().__init__(owner, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        form = QFormLayout()
        rng = value if isinstance(value, Range) else Range(value, value, value) if value is not None else None
        self.fields: list[QuantityEdit] = []
        for label, attr in (("Low", "low"), ("Likely", "likely"), ("High", "high")):
            edit = QuantityEdit(parse=lambda t: read(t.strip()), fmt=fmt)
            edit.setObjectName(attr)
            edit.setAccessibleName(label)
            edit.set_value(getattr(rng, attr) if rng is not None else None)
            edit.edited.connect(lambda _v: self._check())
            edit.returnPressed.connect(self._apply)
            form.addRow(label + ":", edit)
            self.fields.append(edit)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.clear_button = self.buttons.addButton("No range", QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.setToolTip("Keep the likely value only")
        self.apply_button.clicked.connect(self._apply)
        self.clear_button.clicked.connect(self._clear)
        layout.addWidget(self.buttons)

    def values(self) -> tuple[Any, Any, Any]:
        return tuple(f.value() for f in self.fields)  # type: ignore[return-value]

    def _check(self) -> str | None:
        low, likely, high = self.values()
        why = None
        if any(f.error for f in self.fields):
            why = next(f.error for f in self.fields if f.error)
        elif None in (low, likely, high):
            why = "give low, likely and high"
        elif not low <= likely <= high:
            why = "expected low ≤ likely ≤ high"
        self.message.setText(why or "")
        self.message.setVisible(bool(why))
        self.apply_button.setEnabled(why is None)
        return why

    def _apply(self) -> None:
        if self._check() is not None:
            return
        low, likely, high = self.values()
        self.applied.emit(Range(float(low), float(likely), float(high)) if low != high else likely)
        self.close()

    def _clear(self) -> None:
        likely = self.fields[1].value()
        if likely is not None:
            self.applied.emit(likely)
        self.close()

