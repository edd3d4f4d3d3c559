"""Forms of the compute sections: training and fine-tuning runs, inference services, notebook pools."""
from __future__ import annotations

import dataclasses
from typing import Any

from pricing.fields import FieldSpec, Kind, text_choices

from gui.editors.form import Field, Form, of, rest, section_fields

HOURS_MODE = FieldSpec(
    "hours_mode", Kind.ENUM, "Hours from",
    "Give the wall-clock hours of a run, or derive them from the model size and training tokens: "
    "hours = 6 x params x tokens / (GPUs x peak FLOP/s x MFU).",
    choices=text_choices(("hours", "hours per run"), ("flops", "model size x tokens")))
"""Not a plan field: the form's switch between ``hours`` and ``params`` + ``tokens`` + ``mfu``."""


def _hours_mode(form: Form, line: Any, mode: str) -> Any:
    """Switch a run between given hours and hours derived from 6 x params x tokens / (peak x MFU)."""
    if mode == "flops" and line.hours is not None:
        return dataclasses.replace(line, hours=None, params=line.params or 8e9, tokens=line.tokens or 2e10,
                                   mfu=line.mfu or 0.4)
    if mode == "hours" and line.hours is None:
        from pricing import engine
        from pricing.drivers.compute import run_hours
        from pricing.errors import PlanError
        try:  # keep the hours the derivation gave, so the cost doesn't jump
            hours = float(run_hours(line, engine.context(form.document.plan, form.document.catalog))[0])
        except PlanError:
            hours = 100.0
        return dataclasses.replace(line, hours=round(hours, 2) or 1.0, params=None, active_params=None, tokens=None,
                                   mfu=None)
    return line


def _given(line: Any) -> bool:
    return line.hours is not None


def _derived(line: Any) -> bool:
    return line.hours is None


def _training(section: str) -> tuple[Field, ...]:
    head = (
        of(section, "name"), of(section, "gpu"), of(section, "gpus"),
        Field(HOURS_MODE, get=lambda line: "hours" if line.hours is not None else "flops",
              put=lambda form, line, mode: _hours_mode(form, line, mode)),
        of(section, "hours", enabled=_given),
        of(section, "params", enabled=_derived), of(section, "active_params", enabled=_derived),
        of(section, "tokens", enabled=_derived), of(section, "mfu", enabled=_derived),
    ) + tuple(of(section, k) for k in ("runs", "month", "every", "pricing", "provider", "interruption_overhead",
                                       "goodput"))
    return head + rest(section, [f.key for f in head])


TRAINING: tuple[Field, ...] = _training("compute.training")
"""Training and fine-tuning runs (the same fields: one form serves both)."""

def _measured(line: Any) -> bool:
    return line.tokens_per_second_per_gpu is not None


INFERENCE: tuple[Field, ...] = section_fields(
    "compute.inference", "name", "gpu", "requests_per_month", "growth", "input_tokens", "output_tokens",
    "model_family", "params", "active_params", "precision", "tokens_per_second_per_gpu", "throughput_basis",
    "utilization", "peak_to_average", "min_replicas", "min_gpus", "max_gpus", "ttft_ms", "tpot_ms", "tensor_parallel",
    "instance_gpus", "start", "end", "pricing", "provider",
    throughput_basis={"enabled": _measured})
"""The model served first (family, size, precision), then what sizes the fleet; the architecture fields and the KV
cache precision (advanced) follow in the schema's order."""

EXPLORATION: tuple[Field, ...] = section_fields(
    "compute.exploration", "name", "gpu", "people", "hours_per_week", "idle_share", "gpus_per_instance", "start",
    "end", "pricing", "provider", "interruption_overhead")


class TrainingForm(Form):
    def describe(self, obj: Any) -> str:
        fine_tuning = self.key_path and self.key_path.startswith("compute.fine_tuning")
        return "Fine-tuning run" if fine_tuning else "Training run"


class InferenceForm(Form):
    """A serving line's inputs, and beside them what the engine sized from them (``pricing.series.serving_sizing``:
    GPUs, replicas, TP size, tokens/s per GPU, prefill/decode share, memory per replica), redrawn on every edit."""

    def __init__(self, document: Any, fields: Any, **kw: Any):
        super().__init__(document, fields, **kw)
        from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel
        box = QGroupBox("Sized by the engine")
        box.setObjectName("sizing")
        self.sizing_grid = QGridLayout(box)
        self.sizing_grid.setHorizontalSpacing(12)
        self.sizing_grid.setVerticalSpacing(2)
        self.sizing_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.sizing_box = box
        outer = self.layout()  # above the inputs (after the title, notes and rule): what they add up to, first
        outer.insertWidget(outer.indexOf(self.grid) if outer.indexOf(self.grid) >= 0 else 5, box)

    def describe(self, obj: Any) -> str:
        return "Self-hosted inference"

    def refresh_header(self, obj: Any) -> None:
        super().refresh_header(obj)
        from PySide6.QtWidgets import QLabel
        from pricing import series
        from gui.widgets import set_text
        rows = series.serving_sizing(series.line_item(self.document.projection, self.key_path or ""))
        shown = {r.label for r in rows}
        for label, (name, value) in self.sizing_labels.items():
            name.setVisible(label in shown)
            value.setVisible(label in shown)
        for r in rows:
            pair = self.sizing_labels.get(r.label)
            if pair is None:
                pair = (QLabel(r.label + ":"), QLabel())
                pair[1].setObjectName("sizing:" + r.label)
                pair[1].setTextInteractionFlags(pair[1].textInteractionFlags() | _selectable())
                self.sizing_labels[r.label] = pair
                n = len(self.sizing_labels) - 1
                self.sizing_grid.addWidget(pair[0], n // 2, 2 * (n % 2))
                self.sizing_grid.addWidget(pair[1], n // 2, 2 * (n % 2) + 1)
            pair[0].setToolTip(r.tip)
            pair[1].setToolTip(r.tip)
            set_text(pair[1], r.value)
        self.sizing_box.setVisible(bool(rows))


def _selectable() -> Any:
    from PySide6.QtCore import Qt
    return Qt.TextInteractionFlag.TextSelectableByMouse


class ExplorationForm(Form):
    def describe(self, obj: Any) -> str:
        return "Notebooks and dev instances"
