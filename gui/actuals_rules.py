"""Mapping rules in the window: the list (add, edit, delete, reorder), the rule form, proposals added with one click.

Every change is a new ``actuals.rules`` tuple handed to ``apply(rules, text)``, which the Actuals tab
turns into one plan edit through the document (undo and redo take the same path).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from pricing.actuals_config import MATCH_KEYS, Rule, rule_fields, rule_from_fields
from pricing.errors import PlanError

from gui import theme
from gui.actuals_tables import RulesModel, Table, connect_selection

LABELS = {"service": "Service", "service_category": "Service category", "provider": "Provider", "sku": "SKU",
          "meter": "Meter", "region": "Region", "resource": "Resource", "model": "Model",
          "instance_type": "Instance type", "charge_category": "Charge category", "unit": "Unit"}
EXAMPLES = {"service": "Amazon Elastic Compute Cloud, OpenAI API", "service_category": "Compute, Storage",
            "provider": "AWS, OpenAI", "sku": "gpt-4o-input, p5.48xlarge-*", "meter": "Input Tokens",
            "region": "us-east-1, eu-*", "resource": "raw-images-*", "model": "gpt-4o, claude-sonnet-4-5",
            "instance_type": "p5.*, a3-highgpu-*", "charge_category": "Usage, Purchase", "unit": "Hours, Tokens"}
"""Placeholder text of each field (what a value looks like)."""


class RuleDialog(QDialog):
    """One rule as a form: what the billing rows must have, and the plan line they go to."""

    def __init__(self, lines: Sequence[tuple[str, str]], rule: Rule | None = None, parent: QWidget | None = None):
        """``lines``: (reference a rule names, what the list shows) of every plan line."""
        super().__init__(parent)
        self.setWindowTitle("Mapping rule" if rule is None else "Edit mapping rule")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.result_rule: Rule | None = None
        layout = QVBoxLayout(self)
        intro = QLabel("Billing rows that have <b>everything</b> below go to the plan line. Several values: separate "
                       "them with commas (any of them matches); <b>*</b> and <b>?</b> are wildcards; case is ignored. "
                       "Leave a field empty to not look at it.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.line = QComboBox()
        self.line.setAccessibleName("Plan line")
        for ref, shown in lines:
            self.line.addItem(shown, ref)
        match, tags = rule_fields(rule) if rule is not None else ({}, "")
        if rule is not None and self.line.findData(rule.line) < 0:  # the line it names is gone: say so, keep it
            self.line.addItem(f"{rule.line} (no such line in the plan)", rule.line)
        if rule is not None:
            self.line.setCurrentIndex(self.line.findData(rule.line))
        else:  # a new rule names no line until one is chosen (the first line is not a default anyone meant)
            self.line.setPlaceholderText("choose the plan line the rows go to")
            self.line.setCurrentIndex(-1)
        form.addRow("Plan line", self.line)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in LABELS.items():
            edit = QLineEdit(match.get(key, ""))
            edit.setPlaceholderText(EXAMPLES[key])
            edit.setToolTip(f"{label}: matches {MATCH_KEYS[key]}")
            edit.setAccessibleName(label)
            form.addRow(label, edit)
            self.fields[key] = edit
        self.tags = QLineEdit(tags)
        self.tags.setPlaceholderText("team=ml; env=prod, staging")
        self.tags.setToolTip(f"Tags: {MATCH_KEYS['tags']}; write tag=value, several tags separated by ;")
        self.tags.setAccessibleName("Tags")
        form.addRow("Tags", self.tags)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR_COLOR}")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def accept(self) -> None:
        """Read the form as the plan file would read the rule; stay open with the problems when it can't."""
        try:
            self.result_rule = rule_from_fields({k: e.text() for k, e in self.fields.items()}, self.tags.text(),
                                                self.line.currentData() or "")
        except PlanError as exc:
            self.error.setText("\n".join(p.message for p in exc.problems))
            self.error.show()
            return
        super().accept()


class RulesPanel(QWidget):
    """The rules table with its verbs; proposals carry an "Add" button."""

    def __init__(self, apply: Callable[[tuple[Rule, ...], str], None],
                 lines: Callable[[], Sequence[tuple[str, str]]], parent: QWidget | None = None):
        """``apply(rules, text)`` makes the plan edit; ``lines()`` lists the plan's lines for the rule form."""
        super().__init__(parent)
        self._apply = apply
        self._lines = lines
        self.rules: tuple[Rule, ...] = ()
        """The plan's rules (what an edit starts from)."""
        self.dialog: RuleDialog | None = None
        """The rule form while it is open (tests fill it with key events)."""
        self.model = RulesModel(self)
        self.table = Table(self.model, "Mapping rules", -1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(False)  # the order is the rules' order: first match wins
        self.table.doubleClicked.connect(lambda _i: self.edit())
        buttons = QHBoxLayout()
        self.add_button = QPushButton(theme.icon("add"), "Add rule…")
        self.add_button.setToolTip("A new rule after the others: which billing rows go to which plan line")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton(theme.icon("remove"), "Delete")
        self.up_button = QPushButton(theme.icon("up"), "Move up")
        self.down_button = QPushButton(theme.icon("down"), "Move down")
        self.up_button.setToolTip("Try this rule earlier (the first rule a row matches takes it)")
        self.down_button.setToolTip("Try this rule later")
        for b, slot in ((self.add_button, self.add), (self.edit_button, self.edit), (self.delete_button, self.delete),
                        (self.up_button, lambda: self.move(-1)), (self.down_button, lambda: self.move(1))):
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        connect_selection(self.table, self._update_buttons)
        self._update_buttons()

    def set_rows(self, rows: Sequence[Any], rules: tuple[Rule, ...], currency: str) -> None:
        selected = self.selected_index()
        self.rules = rules
        self.model.set_rows(rows, currency)
        widest = 0
        for i, row in enumerate(rows):
            if row.origin != "plan":
                button = QPushButton(theme.icon("add"), "Add")
                button.setToolTip(f"Proposed: {row.reason}. Add it to the plan's rules (it maps what it maps now)")
                button.clicked.connect(lambda _=False, r=row.rule: self.accept_proposal(r))
                self.table.setIndexWidget(self.table.proxy.index(self.table.row_at_source(i), 0), button)
                widest = max(widest, button.sizeHint().width())
        self.table.fit(stretch=1, widest=300)
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), widest))
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 200))
        if selected is not None and selected < len(rules):
            self.table.selectRow(self.table.row_at_source(selected))
        self._update_buttons()

    def selected_index(self) -> int | None:
        """Index into the plan's rules of the selected row (None: nothing, or a proposal)."""
        i = self.table.selected_row()
        if i is None or i >= len(self.model.rows):
            return None
        row = self.model.rows[i]
        return row.index if row.origin == "plan" else None

    def proposal_buttons(self) -> list[QPushButton]:
        out = []
        for r in range(self.table.proxy.rowCount()):
            w = self.table.indexWidget(self.table.proxy.index(r, 0))
            if isinstance(w, QPushButton):
                out.append(w)
        return out

    def _update_buttons(self) -> None:
        i = self.selected_index()
        for b in (self.edit_button, self.delete_button):
            b.setEnabled(i is not None)
        self.up_button.setEnabled(i is not None and i > 0)
        self.down_button.setEnabled(i is not None and i < len(self.rules) - 1)

    # -- verbs: each is one plan edit --------------------------------------------------------

    def _open(self, rule: Rule | None, done: Callable[[Rule], None]) -> None:
        dialog = RuleDialog(self._lines(), rule, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: done(dialog.result_rule) if dialog.result_rule is not None else None)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def add(self) -> None:
        self._open(None, lambda rule: self._apply(self.rules + (rule,), "Add mapping rule"))

    def edit(self) -> None:
        i = self.selected_index()
        if i is None:
            return
        self._open(self.rules[i], lambda rule: self._apply(self.rules[:i] + (rule,) + self.rules[i + 1:],
                                                           "Edit mapping rule"))

    def delete(self) -> None:
        i = self.selected_index()
        if i is not None:
            self._apply(self.rules[:i] + self.rules[i + 1:], "Delete mapping rule")

    def move(self, step: int) -> None:
        i = self.selected_index()
        j = None if i is None else i + step
        if i is None or j is None or not 0 <= j < len(self.rules):
            return
        rules = list(self.rules)
        rules[i], rules[j] = rules[j], rules[i]
        self._apply(tuple(rules), "Move mapping rule")
        self.table.selectRow(self.table.row_at_source(j)) if j < self.model.rowCount() else None

    def accept_proposal(self, rule: Rule) -> None:
        self._apply(self.rules + (rule,), "Add proposed mapping rule")
