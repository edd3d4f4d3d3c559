"""The start page (first launch and File > New): start from a template, open an example, a recent plan or a file."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QDialog, QDialogButtonBox, QFileDialog,
                               QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QTextBrowser, QVBoxLayout, QWidget)

from pricing import templates as T
from pricing.errors import PlanError

from gui import screen_fit
from gui.settings import Settings

PLAN_FILTER = "Plan files (*.yaml *.yml);;All files (*)"


class Start(Enum):
    """What the user chose on the start page."""

    TEMPLATE = "template"   # a new, untitled plan from a template, starting this month
    EXAMPLE = "example"     # an example plan as an untitled copy
    RECENT = "recent"       # a plan opened before
    FILE = "file"           # a plan file picked in the file dialog
    EMPTY = "empty"         # an empty plan


@dataclass(frozen=True, slots=True)
class Choice:
    kind: Start
    path: Path | None = None


_ROLE = Qt.ItemDataRole.UserRole
_DETAIL = Qt.ItemDataRole.UserRole + 1


def _item(title: str, detail: str, choice: Choice, tip: str = "") -> QListWidgetItem:
    item = QListWidgetItem(title)
    item.setData(_ROLE, choice)
    item.setData(_DETAIL, detail)
    item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, detail)
    item.setToolTip(tip or detail)
    return item


def notes_html(notes: str) -> str:
    """A template's header comment as paragraphs: its lines are joined (they were wrapped for a text editor),
    blank comment lines separate paragraphs; the first line is the title."""
    import html
    paragraphs: list[list[str]] = [[]]
    for line in notes.splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    parts = [html.escape(" ".join(p)) for p in paragraphs if p]
    if not parts:
        return ""
    return f"<p><b>{parts[0]}</b></p>" + "".join(f"<p>{p}</p>" for p in parts[1:])


class _TwoLines(QStyledItemDelegate):
    """A list item as its name (bold) over its detail (muted, elided to the width; the tooltip has it all)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:  # noqa: N802 - Qt override
        fm = option.fontMetrics
        lines = 2 if index.data(_DETAIL) else 1
        return QSize(option.rect.width(), lines * fm.height() + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = opt.rect.adjusted(6, 4, -6, -4)
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.save()
        painter.setFont(bold)
        painter.setPen(opt.palette.color(role))
        line = QFontMetrics(bold).height()
        painter.drawText(rect.x(), rect.y(), rect.width(), line, int(Qt.AlignmentFlag.AlignLeft),
                         QFontMetrics(bold).elidedText(text, Qt.TextElideMode.ElideRight, rect.width()))
        detail = index.data(_DETAIL) or ""
        if detail:
            painter.setFont(opt.font)
            muted = opt.palette.color(role if selected else QPalette.ColorRole.PlaceholderText)
            painter.setPen(muted)
            painter.drawText(rect.x(), rect.y() + line, rect.width(), opt.fontMetrics.height(),
                             int(Qt.AlignmentFlag.AlignLeft),
                             opt.fontMetrics.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()


class StartPage(QDialog):
    """Templates with what each models and where its figures come from, examples, recent plans and Open….

    ``choice`` holds what was picked when the dialog is accepted (``chosen`` is emitted with it).
    The "reopen the last plan at start" setting is saved as it is ticked."""

    chosen = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 starters: Sequence[T.Starter] | None = None, recent: Sequence[Path] | None = None,
                 start_dir: str = ""):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Start a plan — AI Cost Planner")
        self.setObjectName("start_page")
        self.choice: Choice | None = None
        self._start_dir = start_dir
        starters = tuple(starters) if starters is not None else T.starters()
        recent = list(recent) if recent is not None else settings.recent_files()

        title = QLabel("<b>Start a plan</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        intro = QLabel("Begin from a template with realistic, sourced figures and change anything afterwards, "
                       "or open a plan.")
        intro.setWordWrap(True)

        self.templates = self._list("New from a template")
        for s in starters:
            if s.kind is T.Kind.TEMPLATE:
                self.templates.addItem(_item(s.name, s.summary, Choice(Start.TEMPLATE, s.path), s.notes))
        self.templates.addItem(_item("Empty plan", "Nothing in it yet: add lines from the Plan menu",
                                     Choice(Start.EMPTY)))
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(False)
        self.details.setAccessibleName("What the template models and where its figures come from")
        self.examples = self._list("Open an example")
        for s in starters:
            if s.kind is T.Kind.EXAMPLE:
                self.examples.addItem(_item(s.name, s.summary, Choice(Start.EXAMPLE, s.path), s.notes))
        self.recent = self._list("Open a recent plan")
        for path in recent:
            self.recent.addItem(_item(path.name, str(path.parent), Choice(Start.RECENT, path), str(path)))
        if not recent:
            none = QListWidgetItem("No recent plans yet")
            none.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(none)

        self.reopen = QCheckBox("Reopen the last plan when the app starts")
        self.reopen.setToolTip("On: the plan you worked on last opens at start. Off: this page opens instead.")
        self.reopen.setChecked(settings.reopen_last())
        self.reopen.toggled.connect(settings.set_reopen_last)
        self.open_file = QPushButton("Open a plan file…")
        self.open_file.clicked.connect(self.choose_file)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = self.buttons.addButton("Create plan", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setDefault(True)
        self.buttons.accepted.connect(self.accept_current)
        self.buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(self._titled("New from a template", self.templates), 0, 0)
        grid.addWidget(self._titled("What it models, and where the figures come from", self.details), 0, 1)
        grid.addWidget(self._titled("Open an example", self.examples), 1, 0)
        grid.addWidget(self._titled("Open a recent plan", self.recent), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.reopen)
        bottom.addStretch(1)
        bottom.addWidget(self.open_file)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(grid, 1)
        layout.addLayout(bottom)

        self._current: QListWidget = self.templates
        for lst in (self.templates, self.examples, self.recent):
            lst.currentItemChanged.connect(lambda cur, _prev, lst=lst: self._on_current_changed(lst, cur))
            lst.itemActivated.connect(lambda item, lst=lst: self._activate(lst, item))
        self.templates.setCurrentRow(0)
        self.templates.setFocus()
        # Qt gives a new window at most 2/3 of the screen: this page wants more where there is room
        self.resize(screen_fit.fitted_size(self.sizeHint(), screen_fit.available(parent)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override: roomy, but the screen fit shrinks it on small screens
        return QSize(920, 620)

    # -- building ------------------------------------------------------------------------------

    def _list(self, name: str) -> QListWidget:
        lst = QListWidget()
        lst.setAccessibleName(name)
        lst.setItemDelegate(_TwoLines(lst))
        lst.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lst.setSpacing(2)
        return lst

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 4, 0, 0)
        label = QLabel(f"<b>{title}</b>")
        label.setBuddy(widget)
        v.addWidget(label)
        v.addWidget(widget, 1)
        return box

    # -- view -> choice ------------------------------------------------------------------------

    def _on_current_changed(self, lst: QListWidget, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self._current = lst
        for other in (self.templates, self.examples, self.recent):
            if other is not lst:
                other.blockSignals(True)
                other.clearSelection()
                other.setCurrentRow(-1)
                other.blockSignals(False)
        choice = item.data(_ROLE)
        self.go.setText("Create plan" if choice is None or choice.kind in (Start.TEMPLATE, Start.EMPTY) else "Open")
        self.go.setEnabled(choice is not None)
        if choice is not None and choice.kind in (Start.TEMPLATE, Start.EXAMPLE):
            self.details.setHtml(notes_html(item.toolTip()))
        else:
            detail = item.data(_DETAIL)
            self.details.setPlainText(item.text() + (f" — {detail}" if detail else ""))

    def _activate(self, lst: QListWidget, item: QListWidgetItem) -> None:
        self._current = lst
        self._finish(item.data(_ROLE))

    def current_choice(self) -> Choice | None:
        item = self._current.currentItem()
        return item.data(_ROLE) if item is not None else None

    def accept_current(self) -> None:
        self._finish(self.current_choice())

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open plan", self._start_dir, PLAN_FILTER)
        if path:
            self._finish(Choice(Start.FILE, Path(path)))

    def _finish(self, choice: Choice | None) -> None:
        if choice is None:
            return
        self.choice = choice
        self.chosen.emit(choice)
        self.accept()


def apply_choice(window: Any, choice: Choice) -> bool:
    """Do what was chosen in ``window`` (its document, presenter and settings); False when it could not be done
    (the problem is shown, the open plan is kept)."""
    doc = window.document
    if choice.kind is Start.EMPTY:
        doc.new()
    elif choice.kind in (Start.RECENT, Start.FILE):
        return bool(window.open_path(choice.path, ask=False))
    else:
        try:
            plan = (T.from_template(choice.path, doc.catalog) if choice.kind is Start.TEMPLATE
                    else T.example_copy(choice.path, doc.catalog))
        except PlanError as exc:
            name = Path(choice.path).name
            window.presenter.show_plan_error(f"Can't open {name}", exc, f"{name} can't be opened: "
                                             f"{len(exc.problems)} problem(s). The plan you had open is unchanged.")
            return False
        doc.new(plan)
        window.statusBar().showMessage(f"New plan from “{plan.name}”: Save to keep it", 6000)
    window.tree.select("")
    return True


def show(window: Any) -> bool:
    """Show the start page over ``window`` and do what is chosen; False when cancelled or it failed."""
    page = StartPage(window.settings, window, start_dir=window.settings.last_dir())
    if page.exec() != QDialog.DialogCode.Accepted or page.choice is None:
        return False
    return apply_choice(window, page.choice)


def at_start(window: Any, opened: bool = False) -> None:
    """What the app does once its window is up: nothing when a plan was opened (``opened``) or a crashed
    session's plan recovered; else the last plan when the setting says so, else the start page."""
    if QApplication.activeModalWidget() is not None:  # the offer of a crashed session's plan: after it
        QTimer.singleShot(150, window, lambda: at_start(window, opened))
        return
    doc = window.document
    if opened or doc.path is not None or doc.is_modified:
        return
    last = window.settings.last_plan() if window.settings.reopen_last() else None
    if last is not None and window.open_path(last, ask=False):
        window.statusBar().showMessage(f"Reopened {last.name} (File > New shows the start page)", 6000)
        return
    show(window)
