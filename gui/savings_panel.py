"""The savings panel: scenarios (create, rename, delete), their strategies on and off with parameters, each one's saving.

Every change here is a plan edit (``document.apply``), so undo and redo cover scenarios too. The
savings shown come from ``pricing.scenarios`` (evaluated by the document), rounded to cents once.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from pricing import scenarios as S
from pricing import series
from pricing.errors import PlanError
from pricing.plan import Plan, Scenario, StrategySpec
from pricing.quantities import format_number, format_share, parse_number, parse_share

from gui import theme
from gui.editors.data import format_lifecycle, parse_lifecycle
from gui.widgets import (ChoiceCombo, Coalesced, FieldRow, ModelPicker, MoneyFormat, QuantityEdit, SectionChecks,
                         TextEdit, mark_error, set_text)

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
                order = [p.name for p in S.STRATEGIES[strategy].params]
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
    example its documentation gives ("a share such as 10%").
    """
    out = []
    for p in info.params:
        if not p.required:
            continue
        if p.kind == "names":
            names = [line.name for section in info.sections for line in plan.section(section)]
            out.append((p.name, tuple(names[:1])))
            continue
        if p.kind == "gpu":
            keys = list(catalog.gpu_keys())
            m = _EXAMPLE.search(p.expected)
            out.append((p.name, m.group(1) if m and m.group(1) in keys else (keys[0] if keys else "")))
            continue
        m = _EXAMPLE.search(p.expected)
        if m:
            text = m.group(1)
            try:
                value: Any = format_share(parse_share(text, maximum=10.0)) if p.kind == "share" else \
                    format_number(parse_number(text)) if p.kind in ("number", "factor", "integer") else text
            except PlanError:
                value = text
            out.append((p.name, value))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Parameter inputs
# ---------------------------------------------------------------------------------------------


def _default_text(p: S.ParamInfo) -> str:
    if p.default is None or p.required:
        return "every line" if p.name == "lines" else ("required" if p.required else "not set")
    d = p.default
    if p.kind == "share" and isinstance(d, (int, float)):
        return f"default {format_share(d)}"
    if isinstance(d, (tuple, list)):
        return "default: " + ", ".join(str(x).replace("_", " ") for x in d)
    return f"default: {str(d).replace('_', ' ')}" + (" (catalog)" if p.lever else "")


def _names_parse(text: str) -> tuple[str, ...] | None:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return names or None


def _names_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(str(v) for v in value)


def _rules_parse(text: str) -> tuple | None:
    rules = parse_lifecycle(text)
    return tuple((("after_days", format_number(r.after_days)), ("tier", r.tier)) for r in rules) or None


def _rules_text(value: Any) -> str:
    try:
        return format_lifecycle(S._rules(value)) if value else ""  # noqa: SLF001 - the strategy's own reader
    except PlanError:
        return str(value)


def param_input(p: S.ParamInfo, document: Any) -> QWidget:
    """The input of one strategy parameter; its ``edited`` value is what the plan file stores."""
    optional = not p.required
    hint = _default_text(p)
    if p.kind == "share":
        return QuantityEdit(parse=lambda t: None if not t.strip() and optional else
                            format_share(parse_share(t.strip(), maximum=10.0)),
                            fmt=lambda v: "" if v is None else format_share(parse_share(v, maximum=10.0)),
                            placeholder=hint)
    if p.kind in ("number", "factor", "integer"):
        return QuantityEdit(parse=lambda t: None if not t.strip() and optional else
                            format_number(parse_number(t.strip(), integer=p.kind == "integer")),
                            fmt=lambda v: "" if v is None else str(v), placeholder=hint)
    if p.kind == "names" and p.choices:
        return SectionChecks([(c, c.replace("_", " ")) for c in p.choices])
    if p.kind == "names":
        edit = QuantityEdit(parse=_names_parse, fmt=_names_text, placeholder=hint, optional=optional)
        edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return edit
    if p.kind == "rules":
        edit = QuantityEdit(parse=_rules_parse, fmt=_rules_text, placeholder="e.g. 30 d: infrequent, 180 d: archive",
                            optional=True)
        edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return edit
    if p.kind in ("gpu", "tier", "choice"):
        combo = ChoiceCombo(none_label="" if p.required else hint)
        if p.kind == "gpu":
            combo.set_choices((k, k, "") for k in document.catalog.gpu_keys())
        elif p.kind == "tier":
            combo.set_choices((t, t, "") for t in document.catalog.storage_tiers(document.plan.provider))
        else:
            combo.set_choices((c, c.replace("_", " "), "") for c in p.choices)
        return combo
    if p.kind == "model":
        from gui.editors.services import search_models

        class _Holder:  # search_models reads the form's target line; any model matches here
            def target(self) -> None:
                return None
        return ModelPicker(lambda text: search_models(_Holder(), text))  # type: ignore[arg-type]
    if p.kind == "flag":
        return _Flag(p.meaning)
    edit = TextEdit(what=p.expected)
    edit.setPlaceholderText(hint)
    return edit


class _Flag(QCheckBox):
    from PySide6.QtCore import Signal
    edited = Signal(object)

    def __init__(self, text: str):
        super().__init__(text)
        self.toggled.connect(lambda on: self.edited.emit(on))

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self):
            self.setChecked(bool(value) and str(value).lower() not in ("false", "no", "0"))

    def set_error(self, message: str | None) -> None:
        mark_error(self, message)


# ---------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------


class StrategyRow(QFrame):
    """One strategy: on/off, what it saved, and its parameters when on."""

    def __init__(self, info: S.StrategyInfo, document: Any, panel: "SavingsPanel"):
        super().__init__()
        self.info = info
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.check = QCheckBox(info.title)
        self.check.setToolTip(f"<b>{info.title}</b><p>{info.description}</p>")
        self.check.setObjectName(f"strategy_{info.name}")
        self.check.toggled.connect(lambda on: panel.set_strategy(info.name, on))
        self.saving = QLabel("")
        self.saving.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        metrics = self.saving.fontMetrics()  # a fixed size: a new amount repaints the label, not the panel
        self.saving.setFixedSize(metrics.horizontalAdvance("saves $88,888,888"), metrics.height() + 2)
        top.addWidget(self.check, 1)
        top.addWidget(self.saving)
        layout.addLayout(top)
        self.params = QWidget()  # its inputs are built when the strategy is first turned on
        self.params.hide()
        layout.addWidget(self.params)
        self._document, self._panel = document, panel
        self._inputs: dict[str, QWidget] | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_COLOR};")
        self.message.hide()
        layout.addWidget(self.message)

    @property
    def inputs(self) -> dict[str, QWidget]:
        """The parameter inputs by name (built on first use)."""
        if self._inputs is None:
            self._inputs = self._build_inputs()
        return self._inputs

    def _build_inputs(self) -> dict[str, QWidget]:
        info, panel = self.info, self._panel
        grid = QGridLayout(self.params)
        grid.setContentsMargins(24, 0, 0, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        inputs: dict[str, QWidget] = {}
        for row, p in enumerate(info.params):
            w = param_input(p, self._document)
            tip = f"{p.meaning} Expected {p.expected}." + (f"\nDefault from: {p.source}" if p.source else "")
            w.setToolTip(tip)
            w.setAccessibleName(f"{info.title}: {p.name}")
            label = QLabel(p.name.replace("_", " ") + ":")
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("interruption overhead:") + 4)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setToolTip(tip)
            label.setBuddy(w)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(FieldRow(w), row, 1)
            w.edited.connect(lambda value, p=p: panel.set_param(info.name, p.name, value))  # type: ignore[attr-defined]
            inputs[p.name] = w
        grid.setColumnStretch(1, 1)
        return inputs

    def show_spec(self, spec: StrategySpec | None) -> None:
        with QSignalBlocker(self.check):
            self.check.setChecked(spec is not None)
        self.params.setVisible(spec is not None)
        if spec is None:
            set_text(self.saving, "")
            self.show_problems([])
            return
        values = dict(spec.params)
        for name, w in self.inputs.items():
            value = values.get(name)
            if name == "api" and value is None:
                value = values.get("lines")
            w.set_value(value)  # type: ignore[attr-defined]

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """(parameter or '', message) pairs of this strategy."""
        loose = []
        if self._inputs is None and not problems:
            self.message.hide()
            return
        for w in self.inputs.values():
            w.set_error(None)  # type: ignore[attr-defined]
        for param, message in problems:
            if param in self.inputs:
                self.inputs[param].set_error(message)  # type: ignore[attr-defined]
            else:
                loose.append(message)
        set_text(self.message, "\n".join(loose))
        self.message.setVisible(bool(loose))


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
