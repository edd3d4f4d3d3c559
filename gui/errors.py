"""The one user-facing error presenter: plan problems (file, line, key path) and unexpected errors alike."""
from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QStyle, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from pricing.errors import PlanError, Problem, printable


class ErrorDialog(QDialog):
    """A list of problems (where, what) or an unexpected error's details; window-modal, not blocking."""

    def __init__(self, title: str, summary: str, problems: Sequence[Problem] = (), details: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(printable(title, 200))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.problems = tuple(problems)
        layout = QVBoxLayout(self)
        head = QLabel(summary)
        head.setWordWrap(True)
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(32, 32))
        row = QHBoxLayout()
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(head, 1)
        layout.addLayout(row)
        if self.problems:
            self.table = QTreeWidget()
            self.table.setRootIsDecorated(False)
            self.table.setHeaderLabels(["Where", "Key path", "Problem"])
            self.table.setWordWrap(True)
            for p in self.problems:
                where = (p.file or "") + (f":{p.line}" if p.line is not None else "")
                item = QTreeWidgetItem([where, p.key_path, p.message])
                item.setToolTip(2, p.message)
                self.table.addTopLevelItem(item)
            self.table.resizeColumnToContents(0)
            self.table.resizeColumnToContents(1)
            layout.addWidget(self.table)
        if details:
            self.details = QPlainTextEdit(details)
            self.details.setReadOnly(True)
            self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setToolTip("Copy the messages to the clipboard (to paste into a ticket or an e-mail)")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._summary = summary
        self._details = details
        self.resize(760, 320 if self.problems else 420)

    def text(self) -> str:
        """Everything the dialog says, as plain text."""
        lines = [self._summary] + [str(p) for p in self.problems]
        if self._details:
            lines.append(self._details)
        return "\n".join(lines)


class ErrorPresenter:
    """Shows every error of a user action, and everything the excepthook catches, the same way."""

    def __init__(self, parent: QWidget | None = None):
        self._parent = parent
        self.last_dialog: ErrorDialog | None = None
        """The dialog shown last (tests read it)."""

    def set_parent(self, parent: QWidget | None) -> None:
        self._parent = parent

    def show_problems(self, title: str, summary: str, problems: Sequence[Problem]) -> ErrorDialog:
        return self._show(ErrorDialog(title, summary, problems, parent=self._parent))

    def show_plan_error(self, title: str, exc: PlanError, summary: str | None = None) -> ErrorDialog:
        """A PlanError's problems, each with its file, line and key path (never a traceback)."""
        n = len(exc.problems)
        summary = summary or (f"{n} problem{'s' if n != 1 else ''} found. Nothing was changed.")
        return self.show_problems(title, summary, exc.problems)

    def show_os_error(self, title: str, exc: OSError) -> ErrorDialog:
        where = getattr(exc, "filename", None) or ""
        message = exc.strerror or str(exc)
        return self.show_problems(title, f"{where}: {message}" if where else message, ())

    def show_unexpected(self, exc_type: type[BaseException], exc: BaseException,
                        tb: TracebackType | None) -> ErrorDialog:
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        summary = (f"Something went wrong that the app did not expect: {exc_type.__name__}: {exc}\n"
                   "Your plan is still open; saving it under a new name is a good idea. "
                   "The details below help us fix this.")
        return self._show(ErrorDialog("Unexpected error", summary, details=details, parent=self._parent))

    def _show(self, dialog: ErrorDialog) -> ErrorDialog:
        self.last_dialog = dialog
        dialog.destroyed.connect(lambda *_: self._forget(dialog))
        dialog.open()
        return dialog

    def _forget(self, dialog: ErrorDialog) -> None:
        if self.last_dialog is dialog:
            self.last_dialog = None


def install_excepthook(presenter: ErrorPresenter) -> Callable[..., None]:
    """Route uncaught exceptions to ``presenter`` (and stderr); returns the hook it replaced."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
        if issubclass(exc_type, KeyboardInterrupt):
            return
        if issubclass(exc_type, PlanError):  # a user-input error that escaped its action: still no traceback
            presenter.show_plan_error("Problem", exc)  # type: ignore[arg-type]
        else:
            presenter.show_unexpected(exc_type, exc, tb)

    sys.excepthook = hook
    return previous
