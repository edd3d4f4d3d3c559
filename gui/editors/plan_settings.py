"""The plan's own settings (name, horizon, provider, currency, budget) and its price overrides."""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from pricing import currencies
from pricing import fx
from pricing.errors import PlanError
from pricing.quantities import parse_number

from gui.editors.form import Field, Form, section_fields
from gui.widgets import quantity_text

CURRENCIES = tuple(currencies.CURRENCIES)
"""The currencies offered: the one currency table's (pricing.currencies)."""


def _currency_choices(form: Form, plan: Any) -> Sequence[tuple[Any, str, str]]:
    codes = CURRENCIES if plan.currency in CURRENCIES else CURRENCIES + (plan.currency,)
    return [(c, c, "") for c in codes]


def _fx_check(form: Form, plan: Any) -> str | None:
    if plan.currency != "USD" and plan.fx_rate is None:
        try:
            fx.for_plan(plan)
        except PlanError as exc:  # a currency the ECB snapshot lacks, or a start before it
            return exc.problems[0].message
    return None


def _last_month_used(plan: Any) -> tuple[int, str]:
    latest, name = 1, ""
    for _, _, line in plan.lines():
        for key in ("month", "start"):
            value = getattr(line, key, None)
            if value is not None and value > latest:
                latest, name = value, line.name
    return latest, name


def _months_check(form: Form, plan: Any) -> str | None:
    latest, name = _last_month_used(plan)
    if latest > plan.months:
        return (f"{name} starts in month {latest}, after the horizon: expected at least {latest} months "
                "(or move that line earlier)")
    return None


def _set_currency(form: Form, plan: Any, code: str) -> Any:
    # another currency: the pinned rate was of the old one, so the new one starts at its dated ECB rate
    return dataclasses.replace(plan, currency=code, fx_rate=None, fx_range=None)


def _set_fx_rate(form: Form, plan: Any, value: Any) -> Any:
    return dataclasses.replace(plan, fx_rate=value, fx_range=None)  # a typed rate replaces the range


SETTINGS: tuple[Field, ...] = section_fields(
    "", "name", "start", "months", "provider", "currency", "fx_rate", "monthly_budget",
    months={"check": _months_check}, currency={"choices": _currency_choices, "put": _set_currency},
    fx_rate={"enabled": lambda plan: plan.currency != "USD", "check": _fx_check, "put": _set_fx_rate})


class PlanSettingsForm(Form):
    """Plan settings plus the table of price overrides (any catalog price the plan replaces)."""

    def __init__(self, document: Any, fields: Sequence[Field] = SETTINGS, **kw: Any):
        super().__init__(document, fields, **kw)
        box = QVBoxLayout()
        head = QLabel("<b>Price overrides</b> — catalog prices this plan replaces "
                      "(add them from Tools ▸ Price catalog…)")
        head.setWordWrap(True)
        box.addWidget(head)
        self.overrides = QTableWidget(0, 2)
        self.overrides.setHorizontalHeaderLabels(["Catalog key", "Price (USD)"])
        self.overrides.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.overrides.verticalHeader().hide()
        self.overrides.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overrides.setToolTip("Each row replaces one catalog price for this plan; double-click a price to "
                                  "change it. Lines priced with an override are marked ★.")
        self.overrides.setMaximumHeight(140)
        self.overrides.itemChanged.connect(self._on_override_item_changed)
        box.addWidget(self.overrides)
        buttons = QHBoxLayout()
        self.remove = QPushButton("Remove override")
        self.remove.setToolTip("Go back to the catalog's price for the selected row")
        self.remove.clicked.connect(self.remove_selected_override)
        buttons.addStretch(1)
        buttons.addWidget(self.remove)
        box.addLayout(buttons)
        self.override_error = QLabel()
        self.override_error.hide()
        box.addWidget(self.override_error)
        self.extra.addLayout(box)

    def describe(self, obj: Any) -> str:
        return "The plan"

    def refresh_header(self, plan: Any) -> None:
        self.title.setText("Plan settings")
        self.subtitle.setText(f"{plan.name}: {plan.months} months from {plan.start}, {plan.provider} prices, "
                              f"{plan.currency}")
        self.marker.hide()
        with QSignalBlocker(self.overrides):
            self.overrides.setRowCount(len(plan.prices))
            for row, (key, value) in enumerate(plan.prices):
                k = QTableWidgetItem(key)
                k.setFlags(k.flags() & ~Qt.ItemFlag.ItemIsEditable)
                v = QTableWidgetItem(quantity_text(value))
                v.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.overrides.setItem(row, 0, k)
                self.overrides.setItem(row, 1, v)
        self.remove.setEnabled(bool(plan.prices))

    def _on_override_item_changed(self, item: QTableWidgetItem) -> None:
        plan = self.document.plan
        key = self.overrides.item(item.row(), 0).text()
        try:
            value = parse_number(item.text())
        except PlanError as exc:
            self.override_error.setText(f"{key}: {exc.problems[0].message}")
            self.override_error.show()
            return
        self.override_error.hide()
        prices = tuple((k, value if k == key else v) for k, v in plan.prices)
        self.document.apply(dataclasses.replace(plan, prices=prices), f"Override {key}", merge_key=f"prices.{key}")

    def remove_selected_override(self) -> None:
        plan = self.document.plan
        rows = sorted({i.row() for i in self.overrides.selectedItems()}) or [self.overrides.currentRow()]
        keys = {self.overrides.item(r, 0).text() for r in rows if 0 <= r < self.overrides.rowCount()}
        if keys:
            prices = tuple((k, v) for k, v in plan.prices if k not in keys)
            self.document.apply(dataclasses.replace(plan, prices=prices), "Remove price override")
