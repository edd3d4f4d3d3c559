"""One strategy of a savings scenario in the panel: its on/off row and an input per parameter."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pricing import scenarios as S
from pricing.errors import PlanError
from pricing.plan import StrategySpec
from pricing.fields import FieldSpec, Kind, NameList
from pricing.quantities import format_number, format_share

from gui import theme
from gui.editors.data import format_lifecycle, parse_lifecycle
from gui.widgets import (ChoiceCombo, FieldRow, ModelPicker, QuantityEdit, SectionChecks, TextEdit, mark_error,
                         set_text)

if TYPE_CHECKING:
    from gui.savings_panel import SavingsPanel

# ---------------------------------------------------------------------------------------------
# Parameter inputs
# ---------------------------------------------------------------------------------------------


def _stored(p: FieldSpec, value: Any) -> Any:
    """A parameter's value as the plan file stores it (``30%``, ``1.6``): a scenario keeps what was written."""
    return format_share(value) if p.share else format_number(value)


def _default_text(p: FieldSpec) -> str:
    if p.required:
        return "required"
    d = p.default
    if d is None:
        return p.none_means or "not set"
    if isinstance(d, tuple):
        return "default: " + ", ".join(c.label if (c := p.choice(x)) else str(x) for x in d)
    choice = p.choice(d) if p.choices else None
    if choice is not None:
        return f"default: {choice.label}"
    return f"default {p.text(d)}" + (" (catalog)" if p.lever else "")


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


def _rules_text(p: FieldSpec, value: Any) -> str:
    try:
        return format_lifecycle(p.read(value)) if value else ""
    except PlanError:
        return str(value)


def param_input(p: FieldSpec, document: Any) -> QWidget:
    """The input of one strategy parameter, by its kind in the schema; its ``edited`` value is what the plan file
    stores, read by the same reader as the scenario (so the panel refuses what the plan would, saying the same)."""
    optional = not p.required
    hint = _default_text(p)
    if p.numeric:
        from gui.editors.form import unusual

        def read(t: str) -> Any:  # units and money in the plan's currency, as in the line editor
            return None if not t.strip() and optional else _stored(p, p.read(t.strip(),
                                                                            currency=document.plan.currency))
        return QuantityEdit(parse=read, fmt=lambda v: "" if v is None else str(_stored(p, p.read(v))),
                            placeholder=hint, unusual=lambda v: None if v is None else
                            unusual(p, document.plan, p.read(v)))
    if p.kind is Kind.NAMES and p.choices:
        return SectionChecks([(c.text, c.label) for c in p.choices])
    if p.kind is Kind.NAMES:
        edit = QuantityEdit(parse=_names_parse, fmt=_names_text, placeholder=hint, optional=optional)
        edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return edit
    if p.kind is Kind.RULES:
        edit = QuantityEdit(parse=_rules_parse, fmt=lambda v: _rules_text(p, v),
                            placeholder="e.g. 30 d: infrequent, 180 d: archive", optional=True)
        edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return edit
    if p.names is NameList.API_MODEL:
        from gui.editors.model_search import search_models

        class _Holder:  # search_models reads the form's target line; any model matches here
            def target(self) -> None:
                return None
        return ModelPicker(lambda text: search_models(_Holder(), text))  # type: ignore[arg-type]
    if p.names is NameList.OFFER:  # commit: a priced offer of the catalog, or the default (auto: the planner's)
        from pricing.catalog.offers import catalog_offers
        combo = ChoiceCombo(none_label=hint)
        combo.set_choices((o.key, o.label, f"{o.key}: {o.discount:.1%} off on demand")
                          for o in catalog_offers(document.catalog).values() if o.discount is not None)
        return combo
    if p.kind is Kind.ENUM or p.names in (NameList.GPU, NameList.STORAGE_TIER):
        combo = ChoiceCombo(none_label="" if p.required else hint)
        if p.names is NameList.GPU:
            combo.set_choices((k, k, "") for k in document.catalog.gpu_keys())
        elif p.names is NameList.STORAGE_TIER:
            combo.set_choices((t, t, "") for t in document.catalog.storage_tiers(document.plan.provider))
        else:  # the file stores an enum's text (on_demand), not the member
            combo.set_choices((c.text, c.label, c.help) for c in p.choices)
        return combo
    if p.kind is Kind.FLAG:
        return _Flag(p.help)
    edit = TextEdit(what=p.example)
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
# Strategy row
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
        currency = self._document.plan.currency
        labels = [QLabel(p.label_for(currency) + ":") for p in info.params]  # the schema's labels
        widest = max((lb.fontMetrics().horizontalAdvance(lb.text()) + 4 for lb in labels), default=0)
        for row, (p, label) in enumerate(zip(info.params, labels)):
            w = param_input(p, self._document)
            tip = f"{p.help} Expected {p.example}." + (f"\nDefault from: {p.source}" if p.source else "")
            w.setToolTip(tip)
            w.setAccessibleName(f"{info.title}: {p.label_for(currency)}")
            label.setMinimumWidth(widest)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setToolTip(tip)
            label.setBuddy(w)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(FieldRow(w), row, 1)
            w.edited.connect(lambda value, p=p: panel.set_param(info.name, p.key, value))  # type: ignore[attr-defined]
            if isinstance(w, QuantityEdit):  # leaving the field ends the edit: one undo step per edit
                w.finished.connect(self._document.end_edit)
            inputs[p.key] = w
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
        params = {p.key: p for p in self.info.params}
        for name, w in self.inputs.items():
            value = values.get(name)
            if name == "api" and value is None:
                value = values.get("lines")
            if value is None and isinstance(w, (SectionChecks, _Flag)):
                value = params[name].default  # boxes have no placeholder: they show what applies when unset
                if value is None and isinstance(w, SectionChecks):
                    value = ()
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
