"""Shared input widgets (quantities, percentages, pickers) and the coalesced refresh views share.

Every input widget here has the same small surface: ``value()``, ``set_value(v)`` (programmatic,
never emits) and an ``edited(object)`` signal emitted only for the user's edits, with a value that
parsed. Text that doesn't parse is marked on the widget (``set_error``) and not emitted.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import QDate, QObject, QSignalBlocker, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QDateEdit, QHBoxLayout, QLabel,
                               QLineEdit, QSizePolicy, QSpinBox, QStyle, QVBoxLayout, QWidget)

from pricing import fields
from pricing.errors import PlanError
from pricing.plan import YearMonth
from pricing.quantities import parse_number, parse_share

from gui import theme
from gui.screen_fit import FlowLayout
# money and quantity text moved to gui.formatting; importable from here as before
from gui.formatting import (MoneyFormat, currency_symbol, display_locale, quantity_text,  # noqa: F401
                            share_text)


class Coalesced(QObject):
    """Runs a refresh once on the next pass of the event loop, however often it was asked for before.

    Views that aren't what the user watches while typing (the line table, the savings panel) refresh
    this way: the chart is drawn first, they follow in the same pass, before the next keystroke.
    """

    def __init__(self, refresh: Callable[[], None], parent: QObject):
        super().__init__(parent)
        self._refresh = refresh
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(refresh)

    def __call__(self) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Run a pending refresh now."""
        if self._timer.isActive():
            self._timer.stop()
            self._refresh()


def set_text(label: QLabel, text: str) -> None:
    """Change a label's text only when it differs: a label given new text asks its window for a new
    layout, which views that refresh on every keystroke would otherwise trigger each time."""
    if label.text() != text:
        label.setText(text)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


WARNING_COLOR = "#C98A00"
"""Unusual values waiting for the user's Enter (amber: readable on light and dark, distinct from errors)."""


def _warning_icon(widget: QWidget) -> QIcon:
    return widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def mark_error(widget: QWidget, message: str | None) -> None:
    """Mark an input as wrong (a warning icon inside line edits, the message under it) or clear it."""
    if getattr(widget, "_shown_error", None) == message:
        return  # unchanged: touch nothing (views refresh every field on every edit)
    widget._shown_error = message  # type: ignore[attr-defined]
    if isinstance(widget, QLineEdit):
        current = getattr(widget, "_error_action", None)
        if message:
            if current is None:
                current = widget.addAction(_warning_icon(widget), QLineEdit.ActionPosition.TrailingPosition)
                widget._error_action = current  # type: ignore[attr-defined]
            current.setToolTip(message)
        elif current is not None:
            widget.removeAction(current)
            widget._error_action = None  # type: ignore[attr-defined]
    widget.setProperty("invalid", bool(message))
    row = widget.parent()
    while row is not None and not isinstance(row, FieldRow):
        row = row.parent()
    if isinstance(row, FieldRow):
        row.show_error(message)


class QuantityEdit(QLineEdit):
    """A number typed the way plans write it (``2M``, ``2.5e6``, ``35%``, ``100 GB``, ``2*0.3*160``), read by
    the schema's reader (``parse``) so the editor refuses what the plan file would, with the same message.

    ``share=True`` reads percentages (``35%`` or ``0.35``). ``optional=True`` lets the field be empty,
    meaning ``None`` (the placeholder says what empty means, e.g. "catalog price").

    What is typed reaches the plan only when it is a value: text that does not read is marked (red, the
    message under the field) and never applied; a value far outside what is plausible for the field
    (``unusual(value)`` says why) is marked amber and waits for Enter (Esc goes back), so it never moves
    the headline on its own. Typing is never interrupted. ``finished`` is emitted when the user leaves the
    field or presses Enter: the end of one edit (one undo step).
    """

    edited = Signal(object)
    finished = Signal()
    """The user left the field or pressed Enter: keystrokes after this are a new edit."""

    def __init__(self, *, share: bool = False, optional: bool = False, placeholder: str = "",
                 parse: Callable[[str], Any] | None = None, fmt: Callable[[Any], str] | None = None,
                 unusual: Callable[[Any], str | None] | None = None,
                 parent: QWidget | None = None, **limits: Any):
        super().__init__(parent)
        self._share = share
        self._optional = optional
        self._limits = limits
        self._parse_fn = parse
        self._fmt = fmt
        self._unusual = unusual
        self._value: Any = None
        self._error_action: QAction | None = None
        self.error: str | None = None
        self.warning: str | None = None
        """Why the typed value waits for Enter (unusual for the field), or None."""
        self._held: Any = None
        """The unusual value typed, applied by Enter."""
        self.setPlaceholderText(placeholder)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)
        self.returnPressed.connect(self._on_return)

    def parse(self, text: str) -> Any:
        """The value of ``text``; raises PlanError saying what is expected."""
        if self._optional and not text.strip():
            return None
        if self._parse_fn is not None:
            return self._parse_fn(text)
        if self._share:
            return parse_share(text.strip(), **self._limits)
        return parse_number(text.strip(), **self._limits)

    def value(self) -> Any:
        return self._value

    @property
    def pending(self) -> bool:
        """Typed text that is not the plan's value (refused, or waiting for Enter)."""
        return self.error is not None or self.warning is not None

    def set_value(self, value: Any) -> None:
        """Show ``value`` (no signal); keeps the user's spelling when it already means the same, and keeps
        text still being typed (refused or waiting) while the plan's value has not changed under it."""
        if self.pending and value == self._value:
            return
        self._value = value
        try:
            same = self.parse(self.text()) == value
        except PlanError:
            same = False
        if not same:
            with QSignalBlocker(self):
                self.setText(self.format(value))
        self._set_warning(None)
        self.set_error(None)

    def format(self, value: Any) -> str:
        if self._fmt is not None:
            return self._fmt(value)
        return share_text(value) if self._share else quantity_text(value)

    def set_error(self, message: str | None) -> None:
        """Mark the field (icon with the message) or clear the mark."""
        self.error = message
        if message is not None:
            self.warning = None
        mark_error(self, message)

    def _set_warning(self, message: str | None) -> None:
        if message is None and self.warning is None:
            return
        self.warning = message
        mark_error(self, None)
        self.setProperty("unusual", bool(message))
        row = self.parent()
        while row is not None and not isinstance(row, FieldRow):
            row = row.parent()
        if isinstance(row, FieldRow):
            row.show_error(message, warning=True)

    def revert(self) -> None:
        """Drop the typed text: the field shows the plan's value again."""
        with QSignalBlocker(self):
            self.setText(self.format(self._value))
        self._held = None
        self._set_warning(None)
        self.set_error(None)

    def _on_text_edited(self, text: str) -> None:
        try:
            value = self.parse(text)
        except PlanError as exc:
            self._held = None
            self.set_error(exc.problems[0].message)
            return
        self.set_error(None)
        why = self._unusual(value) if self._unusual is not None and value != self._value else None
        if why:
            self._held = value
            self._set_warning(f"{why}. Press Enter to use it, Esc to keep {self.format(self._value) or 'the value'}.")
            return
        self._held = None
        self._set_warning(None)
        if value != self._value:
            self._value = value
            self.edited.emit(value)

    def _on_return(self) -> None:
        if self.warning is not None and self._held is not None:  # the user confirms an unusual value
            value, self._held = self._held, None
            self._set_warning(None)
            self._value = value
            self.edited.emit(value)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.pending:
            self.revert()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_editing_finished(self) -> None:
        if not self.pending:  # tidy the spelling ("2000000" -> "2M") once the user leaves the field
            with QSignalBlocker(self):
                self.setText(self.format(self._value))
        self.finished.emit()


class TextEdit(QLineEdit):
    """Free text that must not be empty (names)."""

    edited = Signal(object)

    def __init__(self, *, what: str = "a name", parent: QWidget | None = None):
        super().__init__(parent)
        self._what = what
        self._error_action: QAction | None = None
        self.error: str | None = None
        self.textEdited.connect(self._on_text_edited)

    def value(self) -> str:
        return self.text().strip()

    def set_value(self, value: str) -> None:
        if self.text().strip() != value:
            with QSignalBlocker(self):
                self.setText(value)
                if not self.hasFocus():  # a name wider than the field shows its start, not its end
                    self.setCursorPosition(0)
        self.set_error(None)

    def set_error(self, message: str | None) -> None:
        self.error = message
        mark_error(self, message)

    def _on_text_edited(self, text: str) -> None:
        if not text.strip():
            self.set_error(f"found empty text, expected {self._what}")
            return
        self.set_error(None)
        self.edited.emit(text.strip())


class IntSpin(QSpinBox):
    """A whole number (a month of the plan); ``none_text`` makes the minimum mean ``None`` (e.g. "horizon").

    ``check(text)`` reads what is typed the way the plan file reads it (raising PlanError saying what is
    expected) and ``beyond(value)`` says why a value past the box's maximum is refused: the message is
    shown under the box while the text is refused, and the box goes back to its value when left."""

    edited = Signal(object)

    def __init__(self, minimum: int = 0, maximum: int = 1_000_000, *, suffix: str = "", none_text: str = "",
                 check: Callable[[str], Any] | None = None, beyond: Callable[[int], str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._none = bool(none_text)
        self._check = check
        self._beyond = beyond
        self.error: str | None = None
        self.setRange(minimum - 1 if none_text else minimum, maximum)
        if none_text:
            self.setSpecialValueText(none_text)
        if suffix:
            self.setSuffix(suffix)
        self.setAccelerated(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.valueChanged.connect(self._on_value_changed)
        self.editingFinished.connect(self._on_editing_finished)

    def value_or_none(self) -> int | None:
        v = self.value()
        return None if self._none and v == self.minimum() else v

    def set_value(self, value: int | None) -> None:
        target = self.minimum() if value is None else int(value)
        if target != self.value():
            with QSignalBlocker(self):
                self.setValue(target)

    def set_error(self, message: str | None) -> None:
        self.error = message
        mark_error(self, message)

    def validate(self, text: str, pos: int) -> object:  # noqa: D401 - Qt override
        bare = text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()
        if self._check is None or not bare or bare == self.specialValueText():
            return super().validate(text, pos)
        try:
            value = int(self._check(bare))
        except PlanError as exc:
            self.set_error(exc.problems[0].message)
            return QValidator.State.Intermediate, text, pos  # kept while typed, never applied
        if value > self.maximum() and self._beyond is not None:
            self.set_error(self._beyond(value))
            return QValidator.State.Intermediate, text, pos
        if self.error is not None:
            self.set_error(None)
        return super().validate(text, pos)

    def _on_editing_finished(self) -> None:
        if self.error is not None:  # the refused text is gone: the box shows its value again
            self.set_error(None)

    def _on_value_changed(self, _value: int) -> None:
        self.edited.emit(self.value_or_none())


class ChoiceCombo(QComboBox):
    """A pick among known values, each with a label and a tooltip; ``none_label`` adds a "None" choice."""

    edited = Signal(object)

    def __init__(self, none_label: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._none_label = none_label
        self._choices: tuple[Any, ...] = ()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self.activated.connect(lambda i: self.edited.emit(self.itemData(i)))

    def set_choices(self, choices: Iterable[tuple[Any, str, str]]) -> None:
        """(value, label, tooltip) triples; the current value is kept when it is still a choice."""
        choices = tuple(choices)
        if choices == self._choices:
            return
        self._choices = choices
        current = self.currentData()
        with QSignalBlocker(self):
            self.clear()
            if self._none_label:
                self.addItem(self._none_label, None)
            for value, label, tip in choices:
                self.addItem(label, value)
                if tip:
                    self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            # only a value that is still a choice stays: one that is gone (another plan's scenario) is not shown
            # as "(not in catalog)"; set_value shows the plan's own value that way when the caller gives it
            if current is not None and self.findData(current) >= 0:
                self._select(current)
            else:
                self.setCurrentIndex(0 if self.count() else -1)

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self):
            self._select(value)

    def _select(self, value: Any) -> None:
        listed = len(self._choices) + (1 if self._none_label else 0)
        while self.count() > listed:  # a value kept visible before, no longer the one shown
            self.removeItem(self.count() - 1)
        index = self.findData(value)
        if index < 0 and value is not None:  # a value the catalog doesn't list (the plan's own): keep it visible
            self.addItem(f"{value} (not in catalog)", value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0) if self.count() else -1)

    def set_error(self, message: str | None) -> None:
        mark_error(self, message)


class ModelPicker(QLineEdit):
    """An API model id, with suggestions searched in the genai-prices data as the user types."""

    edited = Signal(object)

    def __init__(self, search: Callable[[str], Sequence[tuple[str, str]]], parent: QWidget | None = None):
        """``search(text)`` returns (model id, description) pairs, best first."""
        super().__init__(parent)
        self._search = search
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(12)
        self.setCompleter(self._completer)
        self._error_action: QAction | None = None
        self.error: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)  # search once typing pauses
        self._timer.timeout.connect(self._refresh_suggestions)
        self.textEdited.connect(lambda _t: self._timer.start())
        self._completer.activated.connect(self._commit)
        self.editingFinished.connect(lambda: self._commit(self.text()))
        self._value = ""

    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        self._value = value
        if self.text() != value:
            with QSignalBlocker(self):
                self.setText(value)
        self.set_error(None)

    def set_error(self, message: str | None) -> None:
        self.error = message
        mark_error(self, message)

    def _refresh_suggestions(self) -> None:
        hits = self._search(self.text())
        self._model.setStringList([model for model, _ in hits])
        for row, (_, tip) in enumerate(hits):
            self._model.setData(self._model.index(row), tip, Qt.ItemDataRole.ToolTipRole)
        if self.hasFocus() and hits:
            self._completer.complete()

    def _commit(self, text: str) -> None:
        text = text.strip()
        if text and text != self._value:
            self._value = text
            self.edited.emit(text)


class FieldRow(QWidget):
    """An input with its unit, and below it the message of what is expected when the input is wrong."""

    def __init__(self, editor: QWidget, unit: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        editor.setParent(self)
        editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(editor, 1)
        self.unit = QLabel(unit)
        self.unit.setMinimumWidth(0)
        if unit:
            row.addWidget(self.unit)
        self.extra = row  # for markers added by forms
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_COLOR};")
        self.message.hide()
        layout.addWidget(self.message)

    def show_error(self, message: str | None, *, warning: bool = False) -> None:
        """Show what is wrong under the input (red), or what is unusual and waits for the user (amber)."""
        color = WARNING_COLOR if warning else theme.ERROR_COLOR
        if self.message.property("color") != color:
            self.message.setProperty("color", color)
            self.message.setStyleSheet(f"color: {color};")
        if (message or "") == self.message.text() and self.message.isVisibleTo(self) == bool(message):
            return
        self.message.setText(message or "")
        self.message.setVisible(bool(message))
        self.message.setToolTip(message or "")


class MonthEdit(QDateEdit):
    """A calendar month (the plan's first month), shown as ``Jan 2027``."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDisplayFormat("MMM yyyy")
        self.setCalendarPopup(True)
        self.setMinimumDate(QDate(fields.MIN_YEAR, 1, 1))  # the schema's years for a plan's start
        self.setMaximumDate(QDate(fields.MAX_YEAR, 12, 1))
        self.dateChanged.connect(lambda d: self.edited.emit(YearMonth(d.year(), d.month())))

    def set_value(self, month: YearMonth) -> None:
        with QSignalBlocker(self):
            self.setDate(QDate(month.year, month.month, 1))

    def set_error(self, message: str | None) -> None:
        mark_error(self, message)


class SectionChecks(QWidget):
    """A set of names as check boxes (e.g. the compute sections a managed platform runs)."""

    edited = Signal(object)

    def __init__(self, options: Sequence[tuple[str, str]], parent: QWidget | None = None):
        """``options``: (name, label) pairs."""
        super().__init__(parent)
        layout = FlowLayout(self)  # the boxes wrap onto a second line in a narrow dock instead of being cut off
        self._boxes: dict[str, QCheckBox] = {}
        for name, label in options:
            box = QCheckBox(label)
            box.toggled.connect(lambda _on: self.edited.emit(self.value()))
            layout.addWidget(box)
            self._boxes[name] = box

    def setSizePolicy(self, horizontal: Any, vertical: Any = None) -> None:  # noqa: N802 - Qt name
        """Whatever is asked (FieldRow asks for a fixed height), the height follows the width: the lines the boxes
        wrap onto, not one line's."""
        policy = QSizePolicy(horizontal) if vertical is None else QSizePolicy(horizontal, vertical)
        policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        super().setSizePolicy(policy)

    def value(self) -> tuple[str, ...]:
        return tuple(name for name, box in self._boxes.items() if box.isChecked())

    def set_value(self, names: Sequence[str] | str | None) -> None:
        """Tick ``names`` (None or nothing ticks none; one name may be given alone)."""
        names = () if names is None else (names,) if isinstance(names, str) else tuple(names)
        for name, box in self._boxes.items():
            with QSignalBlocker(box):
                box.setChecked(name in names)

    def set_error(self, message: str | None) -> None:
        mark_error(self, message)
