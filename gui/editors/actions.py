"""Add, duplicate, remove and move plan lines: the actions of the tree's tool bar and of the Plan menu."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QVBoxLayout, QWidget

from gui import theme

from gui.editors import ops
from gui.editors.tree import GROUPS, PlanTree

ADDABLE = tuple(path for _, _, sections in GROUPS for path, _ in sections if path != "services.platform")


class LineActions(QObject):
    """Line edits on the tree's current selection; each is one undoable ``document.apply``."""

    def __init__(self, document: Any, tree: PlanTree, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.tree = tree
        self.add_menu = QMenu("Add line", parent)
        for section in ADDABLE:
            act = self.add_menu.addAction(ops.noun_title(section))
            act.setToolTip(f"Add a {ops.NOUNS[section]} with typical values")
            act.triggered.connect(lambda _=False, s=section: self.add(s))
        self.add_action = QAction(theme.icon("add"), "&Add line", self)
        self.add_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.add_action.setToolTip("Add a line to the selected section (the menu lists every section)")
        self.add_action.setMenu(self.add_menu)
        self.add_action.triggered.connect(lambda: self.add(self.current_section() or "compute.training"))
        self.duplicate_action = QAction(theme.icon("duplicate"), "D&uplicate line", self)
        self.duplicate_action.setShortcut(QKeySequence("Ctrl+D"))
        self.duplicate_action.setToolTip("Copy the selected line (to try a variant of it)")
        self.duplicate_action.triggered.connect(self.duplicate)
        self.remove_action = QAction(theme.icon("remove"), "&Remove line", self)
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.setToolTip("Remove the selected line from the plan (undo brings it back)")
        self.remove_action.triggered.connect(self.remove)
        self.up_action = QAction(theme.icon("up"), "Move line &up", self)
        self.up_action.setShortcut(QKeySequence("Alt+Up"))
        self.up_action.setToolTip("Move the selected line up its section")
        self.up_action.triggered.connect(lambda: self.move(-1))
        self.down_action = QAction(theme.icon("down"), "Move line do&wn", self)
        self.down_action.setShortcut(QKeySequence("Alt+Down"))
        self.down_action.setToolTip("Move the selected line down its section")
        self.down_action.triggered.connect(lambda: self.move(1))
        tree.current_changed.connect(lambda _key: self._update_enabled())
        document.plan_changed.connect(self._update_enabled)
        self._update_enabled()

    def actions(self) -> list[QAction]:
        return [self.add_action, self.duplicate_action, self.remove_action, self.up_action, self.down_action]

    def panel(self) -> QWidget:
        """The tree under a small tool bar of these actions (the Plan dock's content)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        tools = QToolBar("Lines")
        tools.setIconSize(tools.iconSize() * 0.8)
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        tools.addActions(self.actions())
        layout.addWidget(tools)
        layout.addWidget(self.tree)
        return box

    def current_line(self) -> str | None:
        key = self.tree.current_key()
        if ops.split_key(key) or (key == "services.platform" and self.document.plan.services.platform):
            return key
        return None

    def current_section(self) -> str | None:
        key = self.tree.current_key()
        parts = ops.split_key(key)
        if parts:
            return parts[0]
        return key if key in ADDABLE else None

    def _update_enabled(self) -> None:
        line = self.current_line()
        is_list_line = line is not None and ops.split_key(line) is not None
        self.duplicate_action.setEnabled(is_list_line)
        self.remove_action.setEnabled(line is not None)
        self.up_action.setEnabled(is_list_line and ops.split_key(line)[1] > 0)  # type: ignore[index]
        self.down_action.setEnabled(is_list_line and ops.split_key(line)[1] <  # type: ignore[index]
                                    len(self.document.plan.section(ops.split_key(line)[0])) - 1)  # type: ignore[index]

    # -- verbs -------------------------------------------------------------------------------

    def add(self, section: str) -> None:
        line = ops.default_line(section, self.document.plan, self.document.catalog)
        plan, key = ops.add_line(self.document.plan, section, line)
        self.document.apply(plan, f"Add {ops.NOUNS[section]}")
        self.tree.select(key)

    def duplicate(self) -> None:
        key = self.current_line()
        if key is None or ops.split_key(key) is None:
            return
        plan, new_key = ops.duplicate_line(self.document.plan, key)
        self.document.apply(plan, f"Duplicate {ops.line_at(self.document.plan, key).name}")
        self.tree.select(new_key)

    def remove(self) -> None:
        key = self.current_line()
        if key is None:
            return
        name = ops.line_at(self.document.plan, key).name
        plan, next_key = ops.remove_line(self.document.plan, key)
        self.document.apply(plan, f"Remove {name}")
        self.tree.select(next_key)

    def move(self, step: int) -> None:
        key = self.current_line()
        if key is None or ops.split_key(key) is None:
            return
        plan, new_key = ops.move_line(self.document.plan, key, step)
        if plan is not self.document.plan:
            self.document.apply(plan, f"Move {ops.line_at(self.document.plan, key).name}")
            self.tree.select(new_key)
