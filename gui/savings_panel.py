"""The savings panel: scenarios (create, rename, delete), their strategies on and off, each one's saving.

Every change here is a plan edit (``document.apply``), so undo and redo cover scenarios too. The
savings shown come from ``pricing.scenarios`` (evaluated by the document), rounded to cents once.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
                               QWidget)

from pricing import scenarios as S
from pricing import series
from pricing.errors import PlanError
from pricing.fields import Kind, NameList
from pricing.plan import Plan, Scenario, StrategySpec

from gui import theme
# a strategy's row and parameter inputs moved to gui.strategy_row; importable from here as before
from gui.strategy_row import StrategyRow, _stored, param_input  # noqa: F401
from gui.widgets import ChoiceCombo, Coalesced, FieldRow, MoneyFormat, TextEdit, set_text

# ---------------------------------------------------------------------------------------------
# Scenario edits (Plan -> Plan)
# ---------------------------------------------------------------------------------------------


def with_scenario(plan: Plan, index: int, scenario: Scenario | None) -> Plan:
    """The plan with scenario ``index`` replaced (``None`` removes it; ``index == len`` appends)."""
    items = list(plan.scenarios)
    if scenario is None:
        del items[index]
    elif index == len(items):
        items.append(scenario)
    else:
        items[index] = scenario
    return dataclasses.replace(plan, scenarios=tuple(items))


def with_param(scenario: Scenario, strategy: str, key: str, value: Any) -> Scenario:
    """A scenario with one parameter of one strategy set (``None`` removes it: the default applies)."""
    specs = []
    for spec in scenario.strategies:
        if spec.name == strategy:
            params = [(k, v) for k, v in spec.params if k != key]
            if value is not None:
                params.append((key, value))
                order = [p.key for p in S.STRATEGIES[strategy].params]
                params.sort(key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
            spec = StrategySpec(spec.name, tuple(params))
        specs.append(spec)
    return dataclasses.replace(scenario, strategies=tuple(specs))


def with_strategy(scenario: Scenario, strategy: str, on: bool, params: tuple = ()) -> Scenario:
    """A scenario with a strategy turned on (with ``params``) or off, strategies in canonical order."""
    specs = [s for s in scenario.strategies if s.name != strategy]
    if on:
        specs.append(StrategySpec(strategy, params))
    order = list(S.STRATEGIES)
    specs.sort(key=lambda s: order.index(s.name) if s.name in order else len(order))
    return dataclasses.replace(scenario, strategies=tuple(specs))


_EXAMPLE = re.compile(r"such as (\[[^\]]*\]|[^\s,;)]+)")


def starting_params(info: S.StrategyInfo, plan: Plan, catalog: Any) -> tuple[tuple[str, Any], ...]:
    """Values for a strategy's required parameters when it is turned on (the user edits them from there).

    A line name comes from the plan (the first line the strategy can change); other values are the
    example the schema gives ("a share such as 10%").
    """
    out = []
    for p in info.params:
        if not p.required:
            continue
        if p.kind is Kind.NAMES:
            names = [line.name for section in info.sections for line in plan.section(section)]
            out.append((p.key, tuple(names[:1])))
            continue
        m = _EXAMPLE.search(p.example)
        if p.names is NameList.GPU:
            keys = list(catalog.gpu_keys())
            out.append((p.key, m.group(1) if m and m.group(1) in keys else (keys[0] if keys else "")))
            continue
        if m:
            text = m.group(1)
            try:
                value: Any = _stored(p, p.read(text)) if p.numeric else text
            except PlanError:
                value = text
            out.append((p.key, value))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------


_UPDATING = " <i>(updating…)</i>"
"""After the summary while a worker evaluates the scenario of the edited plan."""


class SavingsPanel(QWidget):
    """Scenarios of the plan and the strategies of the selected one."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        head = QHBoxLayout()
        self.picker = ChoiceCombo()
        self.picker.setToolTip("The scenario the headline and the Scenarios chart compare with the plan")
        self.picker.setAccessibleName("Scenario")
        self.picker.edited.connect(self._on_picked)
        self.name = TextEdit(what="a scenario name")
        self.name.setToolTip("Rename the selected scenario")
        self.name.setAccessibleName("Scenario name")
        self.name.edited.connect(self.rename)
        self.new_button = QPushButton(theme.icon("add"), "New")
        self.new_button.setToolTip("Create a scenario (then turn strategies on)")
        self.new_button.clicked.connect(self.new_scenario)
        self.delete_button = QPushButton(theme.icon("remove"), "Delete")
        self.delete_button.setToolTip("Delete the selected scenario (undo brings it back)")
        self.delete_button.clicked.connect(self.delete_scenario)
        head.addWidget(QLabel("Scenario:"))
        head.addWidget(self.picker, 1)
        head.addWidget(FieldRow(self.name), 1)
        head.addWidget(self.new_button)
        head.addWidget(self.delete_button)
        outer.addLayout(head)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        # two lines, whatever the text: a new saving repaints the label, it doesn't re-lay out the window
        self.summary.setFixedHeight(2 * self.summary.fontMetrics().lineSpacing() + 4)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        outer.addWidget(self.summary)
        body = QWidget()
        self.rows_layout = QVBoxLayout(body)
        self.rows_layout.setContentsMargins(0, 0, 6, 0)
        self.rows_layout.setSpacing(0)
        self.rows: dict[str, StrategyRow] = {}
        self._order: list[str] = list(S.STRATEGIES)
        for info in S.STRATEGIES.values():
            row = StrategyRow(info, document, self)
            self.rows[info.name] = row
            self.rows_layout.addWidget(row)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        outer.addWidget(scroll, 1)
        self._shown: tuple = ()
        self.data: dict | None = None
        """The selected scenario's saving as shown (``scenarios.summary_data``; tests compare it with the engine)."""
        self._refresh = Coalesced(self._on_plan_changed, self)
        document.plan_changed.connect(self._refresh)
        document.scenario_changed.connect(self._on_scenario_changed)
        self._on_plan_changed()
        self._on_scenario_changed()

    # -- helpers -----------------------------------------------------------------------------

    def index(self) -> int | None:
        name = self.document.selected_scenario
        for i, s in enumerate(self.document.plan.scenarios):
            if s.name == name:
                return i
        return None

    def scenario(self) -> Scenario | None:
        i = self.index()
        return None if i is None else self.document.plan.scenarios[i]

    # -- view -> model -----------------------------------------------------------------------

    def new_scenario(self) -> None:
        plan = self.document.plan
        names = {s.name for s in plan.scenarios}
        k = len(plan.scenarios) + 1
        while f"Scenario {k}" in names:
            k += 1
        name = f"Scenario {k}"
        self.document.apply(with_scenario(plan, len(plan.scenarios), Scenario(name)), f"New scenario {name}")
        self.document.select_scenario(name)
        self._on_plan_changed()

    def delete_scenario(self) -> None:
        i = self.index()
        if i is not None:
            name = self.document.plan.scenarios[i].name
            self.document.apply(with_scenario(self.document.plan, i, None), f"Delete scenario {name}")

    def rename(self, name: str) -> None:
        i = self.index()
        if i is None:
            return
        plan = self.document.plan
        if any(s.name == name for j, s in enumerate(plan.scenarios) if j != i):
            self.name.set_error(f"found {name!r}, which another scenario is called; expected a new name")
            return
        old = plan.scenarios[i]
        self.document.apply(with_scenario(plan, i, dataclasses.replace(old, name=name)),
                            f"Rename scenario {old.name}", merge_key=f"scenarios[{i}].name")
        self.document.select_scenario(name)

    def set_strategy(self, strategy: str, on: bool) -> None:
        i = self.index()
        if i is None:
            self.new_scenario()
            i = self.index()
        scenario = self.document.plan.scenarios[i]  # type: ignore[index]
        params = starting_params(S.STRATEGIES[strategy], self.document.plan, self.document.catalog) if on else ()
        new = with_strategy(scenario, strategy, on, params)
        verb = "Turn on" if on else "Turn off"
        self.document.apply(with_scenario(self.document.plan, i, new),  # type: ignore[arg-type]
                            f"{verb} {S.STRATEGIES[strategy].title.lower()} in {scenario.name}")

    def set_param(self, strategy: str, param: str, value: Any) -> None:
        i = self.index()
        if i is None:
            return
        scenario = self.document.plan.scenarios[i]
        new = with_param(scenario, strategy, param, value)
        self.document.apply(with_scenario(self.document.plan, i, new),
                            f"Change {param.replace('_', ' ')} of {S.STRATEGIES[strategy].title.lower()}",
                            merge_key=f"scenarios[{i}].strategies.{strategy}.{param}")

    def _on_picked(self, name: Any) -> None:
        self.document.select_scenario(name)
        self._on_plan_changed()

    # -- model -> view -----------------------------------------------------------------------

    def _on_plan_changed(self) -> None:
        plan = self.document.plan
        scenario = self.scenario()
        self._shown = (plan, self.document.selected_scenario)
        with QSignalBlocker(self.picker):
            self.picker.set_choices((s.name, s.name, "") for s in plan.scenarios)
            self.picker.set_value(scenario.name if scenario else None)
        self.name.set_value(scenario.name if scenario else "")
        self.name.setEnabled(scenario is not None)
        self.delete_button.setEnabled(scenario is not None)
        specs = {s.name: s for s in scenario.strategies} if scenario else {}
        order = [n for n in self.rows if n in specs] + [n for n in self.rows if n not in specs]
        if order != self._order:  # the scenario's strategies first, then the others (canonical order)
            self._order = order
            for i, name in enumerate(order):
                self.rows_layout.insertWidget(i, self.rows[name])
        for name, row in self.rows.items():
            row.show_spec(specs.get(name))
        if self.document.scenario_pending and self.data is not None:  # the figures shown are the previous plan's
            text = self.summary.text()
            if not text.endswith(_UPDATING):
                set_text(self.summary, text + _UPDATING)

    def _on_scenario_changed(self) -> None:
        self._refresh.flush()
        doc = self.document
        scenario = self.scenario()
        self.data = None
        if scenario is None:
            set_text(self.summary, "No scenario yet. <b>New</b> creates one; turning a strategy on creates one too.")
            for row in self.rows.values():
                set_text(row.saving, "")
            return
        if self._shown != (doc.plan, doc.selected_scenario):  # another scenario selected since the rows were shown
            self._on_plan_changed()
        proj = doc.projection
        if proj is None:
            set_text(self.summary, "The plan can't be priced; fix the problems marked in the editor first.")
            return
        if doc.scenario_pending:  # evaluated on a worker: scenario_changed follows
            set_text(self.summary, f"<b>{scenario.name}</b>: computing the saving…")
            return
        result, error = doc.scenario_result, doc.scenario_error
        by_strategy: dict[str, list[tuple[str, str]]] = {}
        if error is not None:
            prefix = f"scenarios[{self.index()}]"
            for p in error.problems:
                path = p.key_path[len(prefix):] if p.key_path.startswith(prefix) else p.key_path
                parts = path.split(".")
                strategy = parts[2] if len(parts) > 2 and parts[1] == "strategies" else ""
                param = parts[3] if len(parts) > 3 else ""
                by_strategy.setdefault(strategy, []).append((param, p.message))
            loose = [m for _, m in by_strategy.get("", [])]
            set_text(self.summary, f"<b>{scenario.name}</b> can't be evaluated"
                     + (": " + "; ".join(loose) if loose else " — see the strategies marked below."))
        if not scenario.strategies:
            set_text(self.summary, f"<b>{scenario.name}</b> has no strategy yet: turn some on below.")
        fmt = MoneyFormat(proj.currency)
        summary = series.scenario_summary(result) if result is not None else None
        parts = {a["strategy"]: a for a in summary["attribution"]} if summary else {}
        for name, row in self.rows.items():
            row.show_problems(by_strategy.get(name, []))
            a = parts.get(name)
            set_text(row.saving, f"saves {fmt.auto(a['total'])}" if a else "")
            row.saving.setToolTip("This strategy's part of the scenario's saving (Shapley value: its average "
                                  "contribution over every order of turning the strategies on)" if a else "")
        if summary is not None and scenario.strategies:
            months = len(proj.months)
            set_text(
                self.summary,
                f"<b>{scenario.name}</b> saves <b>{fmt.auto(summary['saving_total'])}</b> over {months} months "
                f"(<b>{fmt.percent(summary['saving_share'], 1)}</b>): {fmt.auto(summary['baseline_total'])} → "
                f"{fmt.auto(summary['scenario_total'])}")
        self.data = summary
