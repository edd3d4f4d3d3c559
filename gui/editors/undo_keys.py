"""Undo where the cursor is: Ctrl+Z in a field undoes the last plan edit, as in a spreadsheet (not the field's text)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

UNDO_KEYS = (QKeySequence.StandardKey.Undo,)
REDO_KEYS = (QKeySequence.StandardKey.Redo,)
REDO_SHORTCUTS = ("Ctrl+Y", "Ctrl+Shift+Z")
"""Redo as every platform's users know it (the standard key is one of them, depending on the platform)."""


def redo_shortcuts() -> list[QKeySequence]:
    """The standard redo key and Ctrl+Y / Ctrl+Shift+Z, without repeats."""
    keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
    for text in REDO_SHORTCUTS:
        seq = QKeySequence(text)
        if seq not in keys:
            keys.append(seq)
    return keys


def _is_undo(event: QKeyEvent) -> bool:
    return event.matches(QKeySequence.StandardKey.Undo)


def _is_redo(event: QKeyEvent) -> bool:
    if event.matches(QKeySequence.StandardKey.Redo):
        return True
    combo = QKeySequence(event.keyCombination())
    return any(combo == QKeySequence(t) for t in REDO_SHORTCUTS)


class SheetUndo(QObject):
    """Lets Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y in the window's text fields reach the window's Undo and Redo.

    A line edit takes those keys for its own text undo (its ShortcutOverride), so right after typing in a field
    Ctrl+Z did nothing to the plan. Here the field keeps the key only while it holds text that is not in the
    plan (refused, or an unusual value waiting for Enter): Ctrl+Z then drops that text (the field shows the
    plan's value). Otherwise the key goes to the window's action: the plan's last edit is undone, and the
    field shows the value it had.
    """

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(obj, (QLineEdit, QAbstractSpinBox)):
            return False
        if not (_is_undo(event) or _is_redo(event)):  # type: ignore[arg-type]
            return False
        if not self._window.isAncestorOf(obj):
            return False
        field = obj
        if isinstance(obj, QLineEdit) and isinstance(obj.parent(), QAbstractSpinBox):
            field = obj.parent()
        if _is_undo(event) and getattr(field, "pending", False):  # type: ignore[arg-type]
            field.revert()  # type: ignore[attr-defined]
            event.accept()
            return True
        event.ignore()  # not the field's: the window's shortcut runs
        return True
