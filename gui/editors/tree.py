"""The plan as a tree by section (left of the window): select a line to edit it."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from pricing import fields
from pricing.plan import Category

from gui import theme

KEY_ROLE = Qt.ItemDataRole.UserRole
SETTINGS_KEY = ""

def _sections(*paths: str) -> tuple[tuple[str, str], ...]:
    return tuple((path, fields.section(path).title) for path in paths)


GROUPS: tuple[tuple[str, Category | None, tuple[tuple[str, str], ...]], ...] = (
    ("Compute", Category.COMPUTE, _sections("compute.training", "compute.fine_tuning", "compute.inference",
                                            "compute.exploration", "commitments")),
    ("Data", Category.DATA, _sections("data.storage", "data.egress")),
    ("Services", Category.SERVICES, _sections("services.platform", "services.apis")),
    ("Annotation", Category.ANNOTATION, _sections("annotation")),
    ("MLOps", Category.MLOPS, _sections("mlops")),
    ("People", Category.PEOPLE, _sections("people")),
)
"""Tree groups: (label, category, sections (key path, label)); a group with one section shows its lines."""


def swatch(color: QColor, size: int = 12) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(color)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    p.end()
    return QIcon(pix)


class PlanTree(QTreeWidget):
    """Sections and their lines; ``current_changed(key_path)`` when the user selects something.

    Key paths: ``""`` plan settings, ``compute.training`` a section, ``compute.training[0]`` a line,
    ``services.platform`` the platform.
    """

    current_changed = Signal(str)

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Plan sections and lines")
        self.setToolTip("The plan by section. Select a line to edit it below; add, duplicate and remove lines "
                        "with the buttons or the Plan menu.")
        self._shape: tuple = ()
        self._items: dict[str, QTreeWidgetItem] = {}
        self.currentItemChanged.connect(self._on_current_item_changed)
        document.plan_changed.connect(self._on_plan_changed)
        document.problems_changed.connect(self._on_problems_changed)
        self._on_plan_changed()
        self.select(SETTINGS_KEY)

    # -- model -> view -----------------------------------------------------------------------

    def _shape_of(self, plan: Any) -> tuple:
        return tuple((path, tuple(line.name for line in plan.section(path)))
                     for _, _, sections in GROUPS for path, _ in sections if path != "services.platform") + \
            ((plan.services.platform.name if plan.services.platform else None),)

    def _on_plan_changed(self) -> None:
        plan = self.document.plan
        shape = self._shape_of(plan)
        if shape == self._shape:
            return
        if self._counts(shape) == self._counts(self._shape):  # only names changed (typing a name): relabel
            self._shape = shape
            self._relabel(plan)
            return
        current = self.current_key()
        self._shape = shape
        with QSignalBlocker(self):
            expanded = {k: it.isExpanded() for k, it in self._items.items()}
            self.clear()
            self._items = {}
            root = self._add(None, "Plan settings", SETTINGS_KEY, "Name, horizon, provider, currency, budget and "
                             "price overrides")
            root.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
            for label, category, sections in GROUPS:
                color = swatch(theme.category_color(category))
                if len(sections) == 1:
                    path = sections[0][0]
                    group = self._add(None, f"{label} ({len(plan.section(path))})", path, "")
                    group.setIcon(0, color)
                    self._add_lines(group, path, plan)
                    continue
                group = self._add(None, label, "group:" + label, "")
                group.setIcon(0, color)
                group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                for path, sub in sections:
                    if path == "services.platform":
                        p = plan.services.platform
                        self._add(group, f"{sub}: {p.name}" if p else f"{sub}: none", path,
                                  "Managed ML platform and its markup")
                        continue
                    node = self._add(group, f"{sub} ({len(plan.section(path))})", path, "")
                    self._add_lines(node, path, plan)
            for key, item in self._items.items():
                item.setExpanded(expanded.get(key, True))
        self.select(current if current in self._items else SETTINGS_KEY, emit=current not in self._items)
        self._on_problems_changed()

    @staticmethod
    def _counts(shape: tuple) -> tuple:
        return tuple(len(s[1]) if isinstance(s, tuple) else s is None for s in shape)

    def _relabel(self, plan: Any) -> None:
        lines = [(f"{path}[{i}]", line) for path, i, line in plan.lines()]
        for key, line in lines + [(f"commitments[{i}]", c) for i, c in enumerate(plan.commitments)]:
            item = self._items.get(key)
            if item is not None and item.text(0) != line.name:
                item.setText(0, line.name)
        p = plan.services.platform
        item = self._items.get("services.platform")
        if item is not None:
            item.setText(0, f"Platform: {p.name}" if p else "Platform: none")

    def _add(self, parent: QTreeWidgetItem | None, text: str, key: str, tip: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setData(0, KEY_ROLE, key)
        if tip:
            item.setToolTip(0, tip)
        if parent is None:
            self.addTopLevelItem(item)
        else:
            parent.addChild(item)
        self._items[key] = item
        return item

    def _add_lines(self, node: QTreeWidgetItem, path: str, plan: Any) -> None:
        for i, line in enumerate(plan.section(path)):
            self._add(node, line.name, f"{path}[{i}]", "")

    def _on_problems_changed(self) -> None:
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        messages = {}
        for p in self.document.problems:
            for key in self._items:
                if key and "[" in key and (p.key_path == key or p.key_path.startswith(key + ".")):
                    messages.setdefault(key, []).append(p.message)
        for key, item in self._items.items():
            if "[" not in key:
                continue
            if key in messages:
                item.setIcon(0, icon)
                item.setToolTip(0, "\n".join(messages[key]))
            elif not item.icon(0).isNull():
                item.setIcon(0, QIcon())
                item.setToolTip(0, "")

    # -- selection ---------------------------------------------------------------------------

    def current_key(self) -> str:
        item = self.currentItem()
        return item.data(0, KEY_ROLE) if item is not None else SETTINGS_KEY

    def select(self, key: str, emit: bool = True) -> None:
        """Select the node of a key path (its section when the line is gone)."""
        item = self._items.get(key)
        if item is None and "[" in key:
            item = self._items.get(key.rsplit("[", 1)[0])
        if item is None:
            item = self._items.get(SETTINGS_KEY)
        with QSignalBlocker(self):
            self.setCurrentItem(item)
            self.scrollToItem(item)
        if emit:
            self.current_changed.emit(item.data(0, KEY_ROLE))

    def _on_current_item_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if current is not None:
            self.current_changed.emit(current.data(0, KEY_ROLE))
