"""One strategy of a savings scenario in the panel: its on/off row and an input per parameter."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pricing import scenarios as S
from pricing.errors import PlanError
from pricing.plan import StrategySpec
from pricing.quantities import format_number, format_share, parse_number, parse_share

from gui import theme
from gui.editors.data import format_lifecycle, parse_lifecycle
from gui.widgets import (ChoiceCombo, FieldRow, ModelPicker, QuantityEdit, SectionChecks, TextEdit, mark_error,
                         set_text)

if TYPE_CHECKING:
    from gui.savings_panel import SavingsPanel

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
        from gui.editors.model_search import search_models

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
# One strategy's row
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
