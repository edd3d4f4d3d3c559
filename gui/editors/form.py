"""The form that edits one object of the plan (a line, the platform, the plan's settings), built from field specs."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pricing import fields as schema
from pricing import series
from pricing.errors import Problem
from pricing.fields import FieldSpec, Kind, NameList
from pricing.plan import beyond_horizon

from gui import theme
from gui.editors import ops
from gui.editors.names import Choices, choices_for
from gui.widgets import (ChoiceCombo, FieldRow, IntSpin, ModelPicker, MoneyFormat, MonthEdit, QuantityEdit,
                         SectionChecks, TextEdit, quantity_text, set_text, share_text)


@dataclass(frozen=True)
class Field:
    """One input of a form: the schema's spec of the field (key, label, help, unit, limits, what empty means)
    and what only the form knows (the choices' source, how to show and set it, when it is enabled)."""

    spec: FieldSpec
    choices: Choices | None = None
    """(form, object) -> choices, when not the schema's name list or enum (``names.choices_for``)."""
    get: Callable[[Any], Any] | None = None
    """Value shown, when it isn't simply the attribute."""
    put: Callable[["Form", Any, Any], Any] | None = None
    """(form, object, value) -> new object, when it isn't simply replacing the attribute."""
    enabled: Callable[[Any], bool] | None = None
    check: Callable[["Form", Any], str | None] | None = None
    """A problem with the current object worth marking on this field (beyond what the engine reports)."""
    wide: bool = False
    """Takes a whole row of the form."""
    parse: Callable[[str], Any] | None = None
    """Text -> value, for a field typed in the form's own syntax (lifecycle rules); raises PlanError."""
    fmt: Callable[[Any], str] | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def tip(self) -> str:
        return self.spec.help

    @property
    def none_text(self) -> str:
        return self.spec.none_means


def of(section: str, key: str, **gui: Any) -> Field:
    """The form input of field ``key`` of ``section``, from the schema (``gui``: the form-only parts)."""
    return Field(schema.field(section, key), **gui)


def section_fields(section: str, *keys: str, **by_key: dict[str, Any]) -> tuple[Field, ...]:
    """Inputs of a section: ``keys`` first, in that order (the form's layout), then every other field of the
    section a form can edit, in the schema's order, so a field added to the schema has its input at once.
    ``by_key[key]`` holds a key's form-only parts."""
    return tuple(of(section, k, **by_key.get(k, {})) for k in keys) + rest(section, keys)


def rest(section: str, shown: Sequence[str]) -> tuple[Field, ...]:
    """Inputs of the section's fields not in ``shown`` (samples are counted from text, not typed in a box)."""
    return tuple(Field(f) for f in schema.section(section).fields
                 if f.key not in shown and f.kind is not Kind.SAMPLE)


def _unit_free(label: str) -> str:
    """``Hourly rate ({cur}/h)`` -> ``Hourly rate`` (undo texts name the field, not its unit)."""
    return label.split(" (", 1)[0]


class Form(QWidget):
    """Edits one object of the plan; every edit is ``document.apply(new_plan, text, merge_key)``.

    ``key_path`` says which object: ``compute.training[0]``, ``services.platform`` or ``""`` (the plan).
    """

    def __init__(self, document: Any, fields: Sequence[Field], *, noun: str = "line", columns: int = 2,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.fields = tuple(fields)
        self.noun = noun
        self.key_path: str | None = None
        self.inputs: dict[str, QWidget] = {}
        self.rows: dict[str, FieldRow] = {}
        self._labels: dict[str, QLabel] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(6)
        self.title = QLabel()
        self.title.setFont(theme.headline_font(self.font(), 1.25))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        # two lines, whatever the amounts: typing repaints the subtitle without re-laying out the dock
        self.subtitle.setFixedHeight(2 * self.subtitle.fontMetrics().lineSpacing() + 2)
        self.subtitle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.marker = QLabel()  # overridden prices, notes
        self.marker.setWordWrap(True)
        self.marker.hide()
        self.message = QLabel()  # problems of the object that no field owns
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_COLOR};")
        self.message.hide()
        for w in (self.title, self.subtitle, self.marker, self.message):
            outer.addWidget(w)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(rule)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.grid = grid
        row = col = 0
        for f in self.fields:
            editor = self._make_input(f)
            holder = FieldRow(editor)  # the label says the unit: "New data (TB/month)"
            label = QLabel(f.spec.label_for(document.plan.currency) + ":")
            label.setBuddy(editor)
            label.setToolTip(f.tip)
            editor.setToolTip(f.tip)
            editor.setWhatsThis(f.tip)
            editor.setAccessibleName(_unit_free(f.label))
            editor.setObjectName(f.key)
            self.inputs[f.key] = editor
            self.rows[f.key] = holder
            self._labels[f.key] = label
            editor.edited.connect(lambda value, f=f: self._on_field_edited(f, value))  # type: ignore[attr-defined]
            if f.wide:
                if col:
                    row, col = row + 1, 0
                grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                grid.addWidget(holder, row, 1, 1, 2 * columns - 1, Qt.AlignmentFlag.AlignTop)
                row += 1
                continue
            grid.addWidget(label, row, 2 * col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(holder, row, 2 * col + 1, Qt.AlignmentFlag.AlignTop)
            col += 1
            if col == columns:
                row, col = row + 1, 0
        for c in range(columns):
            grid.setColumnStretch(2 * c + 1, 1)
        outer.addLayout(grid)
        self.extra = QVBoxLayout()  # subclasses add rows here
        outer.addLayout(self.extra)
        outer.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        document.plan_changed.connect(self._on_plan_changed)
        document.problems_changed.connect(self._on_problems_changed)

    # -- inputs ------------------------------------------------------------------------------

    def _make_input(self, f: Field) -> QWidget:
        """The widget for a field, by its kind in the schema; numbers are read by the schema's own reader, so a
        value the plan file refuses is refused here with the same message."""
        spec = f.spec
        kind = spec.kind
        if f.parse is not None:
            edit = QuantityEdit(parse=f.parse, fmt=f.fmt, optional=spec.optional, placeholder=spec.none_means)
            edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return edit
        if kind is Kind.TEXT:
            return TextEdit()
        if kind in (Kind.AMOUNT, Kind.INTEGER, Kind.SHARE, Kind.FACTOR):
            return QuantityEdit(parse=lambda text: spec.read(text.strip()),
                                fmt=share_text if spec.share else quantity_text,
                                optional=spec.optional, placeholder=spec.none_means)
        if kind is Kind.MONTH:
            lim = spec.limits
            spin = IntSpin(int(lim.minimum or 1), int(spec.maximum or schema.MAX_MONTHS), none_text=spec.none_means,
                           check=lambda text: spec.read(text),
                           beyond=lambda month: beyond_horizon(month, self.document.plan.months))
            return spin
        if kind is Kind.NAME and spec.names is NameList.API_MODEL:
            from gui.editors.model_search import search_models
            return ModelPicker(lambda text: search_models(self, text))
        if kind in (Kind.NAME, Kind.ENUM, Kind.CURRENCY):
            return ChoiceCombo()
        if kind is Kind.NAMES:
            return SectionChecks([(c.text, c.label) for c in spec.choices])
        if kind is Kind.YEAR_MONTH:
            return MonthEdit()
        if kind is Kind.WORK_UNIT:  # typed as 'ticket: Answer generation' or 'ticket: 100k/month', read by the schema
            edit = QuantityEdit(parse=lambda text: spec.read(text.strip()), fmt=spec.text, optional=True,
                                placeholder=spec.none_means)
            edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return edit
        raise ValueError(f"no form input for {spec.key!r} ({kind.value})")

    def choices_of(self, f: Field) -> Choices | None:
        return f.choices or choices_for(f.spec)

    # -- the object edited -------------------------------------------------------------------

    def target(self) -> Any:
        """The object this form edits in the current plan (None when it is gone)."""
        plan = self.document.plan
        if self.key_path == "":
            return plan
        return ops.line_at(plan, self.key_path) if self.key_path is not None else None

    def replaced(self, obj: Any) -> Any:
        """The current plan with the edited object replaced by ``obj``."""
        if self.key_path == "":
            return obj
        return ops.with_line(self.document.plan, self.key_path, obj)

    def show_target(self, key_path: str) -> None:
        self.key_path = key_path
        for w in self.inputs.values():  # a new object: forget half-typed text of the previous one
            if hasattr(w, "set_error"):
                w.set_error(None)
        self._on_plan_changed(force=True)

    def value_of(self, f: Field, obj: Any) -> Any:
        return f.get(obj) if f.get else getattr(obj, f.key)

    # -- view -> model -----------------------------------------------------------------------

    def _on_field_edited(self, f: Field, value: Any) -> None:
        obj = self.target()
        if obj is None:
            return
        new = f.put(self, obj, value) if f.put is not None else ops.set_field(obj, f.key, value, share=f.spec.share)
        if new is obj:
            return
        what = getattr(obj, "name", None) if self.key_path else None
        text = f"Change {_unit_free(f.label).lower()}" + (f" of {what}" if what else "")
        self.document.apply(self.replaced(new), text, merge_key=f"{self.key_path}.{f.key}")

    # -- model -> view -----------------------------------------------------------------------

    def _on_plan_changed(self, force: bool = False) -> None:
        if self.key_path is None or (not force and not self.isVisible()):
            return
        obj = self.target()
        if obj is None:
            return
        last_month = max(self.document.plan.months, 1)
        currency = self.document.plan.currency
        for f in self.fields:
            w = self.inputs[f.key]
            with QSignalBlocker(w):
                choices = self.choices_of(f)
                if choices is not None and isinstance(w, ChoiceCombo):
                    w.set_choices(choices(self, obj))
                if f.spec.kind is Kind.MONTH and w.maximum() != last_month:  # type: ignore[attr-defined]
                    w.setMaximum(last_month)  # type: ignore[attr-defined]
                w.set_value(self.value_of(f, obj))  # type: ignore[attr-defined]
            if "{cur}" in f.label:
                set_text(self._labels[f.key], f.spec.label_for(currency) + ":")
            enabled = f.enabled(obj) if f.enabled else True
            w.setEnabled(enabled)
            self._labels[f.key].setEnabled(enabled)
            rng = ops.range_of(obj, f.key)
            if rng is not None:
                w.setToolTip(f"{f.tip}\n\nUncertain: low {rng.low:g}, likely {rng.likely:g}, high {rng.high:g} "
                             "(Monte Carlo samples between them; editing the value moves the likely value).")
        self.refresh_header(obj)
        self._on_problems_changed()

    def refresh_header(self, obj: Any) -> None:
        name = getattr(obj, "name", "")
        set_text(self.title, name if self.key_path else "Plan settings")
        projection = self.document.projection
        li = series.line_item(projection, self.key_path or "")
        if li is None:
            set_text(self.subtitle, self.describe(obj))
            self.marker.hide()
            return
        row = series.line_rows(projection).row(self.key_path or "")
        fmt = MoneyFormat(self.document.plan.currency)
        if row is not None:
            set_text(self.subtitle, f"{self.describe(obj)} · {row.category.value} · {fmt.auto(row.first_month)} in "
                     f"the first month, {fmt.auto(row.total)} over {len(projection.months)} months "
                     f"({fmt.percent(row.share, 1)} of the plan)")
        notes = list(li.notes)
        overridden = [s for s in li.sources if s.overridden]
        parts = []
        if overridden:
            parts.append("<b>★ Price overridden by the plan</b>: " + ", ".join(s.key for s in overridden))
        parts += notes
        set_text(self.marker, "<br>".join(parts))
        self.marker.setToolTip("\n".join(f"{s.key}: {s.source}" + (f" (as of {s.as_of})" if s.as_of else "")
                                         for s in li.sources))
        self.marker.setVisible(bool(parts))

    def describe(self, obj: Any) -> str:
        return self.noun.capitalize()

    def _on_problems_changed(self) -> None:
        if self.key_path is None:
            return
        prefix = self.key_path
        mine: list[Problem] = []
        for p in self.document.problems:
            settings = prefix == "" and p.key_path and (p.key_path.split(".")[0].split("[")[0] in self.inputs
                                                        or p.key_path.startswith("prices"))
            own = prefix and (p.key_path == prefix or p.key_path.startswith(prefix + "."))
            if settings or own:
                mine.append(p)
        obj = self.target()
        by_field: dict[str, str] = {}
        loose: list[str] = []
        for p in mine:
            rest = p.key_path[len(prefix):].lstrip(".") if prefix else p.key_path
            key = rest.split(".")[0].split("[")[0]
            if key in self.inputs:
                by_field[key] = p.message
            else:
                loose.append(p.message)
        for f in self.fields:
            extra = f.check(self, obj) if (f.check and obj is not None) else None
            if f.key in by_field or extra:
                self.inputs[f.key].set_error(by_field.get(f.key) or extra)  # type: ignore[attr-defined]
            elif not getattr(self.inputs[f.key], "error", None) or not self.inputs[f.key].hasFocus():
                self.inputs[f.key].set_error(None)  # type: ignore[attr-defined]
        set_text(self.message, "\n".join(loose))
        self.message.setVisible(bool(loose))

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._on_plan_changed(force=True)


def replace_fields(obj: Any, **changes: Any) -> Any:
    return dataclasses.replace(obj, **changes)
