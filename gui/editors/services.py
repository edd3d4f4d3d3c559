"""Forms of the services sections: third-party model APIs (with the model picker) and the managed platform."""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton

from gui.editors import ops
from gui.editors.form import Field, Form, section_fields
# the model picker's search moved to gui.editors.model_search (form.py uses it: no cycle); importable from here
from gui.editors.model_search import search_models  # noqa: F401
from gui.widgets import set_text


def _recounted(form: Form, line: Any, **changes: Any) -> Any:
    """The line with a new model or provider, its sample texts counted again in that model's encoding."""
    return ops.recount_samples(dataclasses.replace(line, **changes))


def _no_sample(key: str):
    return lambda line: getattr(line, key) is None


APIS: tuple[Field, ...] = section_fields(
    "services.apis", "name", "provider", "model", "requests_per_month", "growth", "input_tokens", "output_tokens",
    "cached_input_share", "cache_write_share", "cache_ttl", "response_cache_hit_rate", "batch_share", "service_tier",
    "off_peak_share", "start", "end",
    provider={"put": lambda form, line, v: _recounted(form, line, provider=v)},
    model={"put": lambda form, line, v: _recounted(form, line, model=v)},
    input_tokens={"enabled": _no_sample("sample_input")}, output_tokens={"enabled": _no_sample("sample_output")})

PLATFORM: tuple[Field, ...] = section_fields("services.platform", "name", "markup", "applies_to",
                                             applies_to={"wide": True})


class ApiForm(Form):
    """API line: plus where its token counts come from (a sample text counted exactly, or typed)."""

    def __init__(self, document: Any, fields: Sequence[Field], **kw: Any):
        super().__init__(document, fields, **kw)
        row = QHBoxLayout()
        self.sample_label = QLabel()
        self.sample_label.setWordWrap(True)
        self.forget = QPushButton("Type counts instead")
        self.forget.setToolTip("Forget the sample texts and keep their token counts as typed numbers "
                               "(you can then edit them).")
        self.forget.clicked.connect(self.forget_samples)
        row.addWidget(self.sample_label, 1)
        row.addWidget(self.forget)
        self.extra.addLayout(row)

    def describe(self, obj: Any) -> str:
        return "Model API calls"

    def refresh_header(self, obj: Any) -> None:
        super().refresh_header(obj)
        parts = []
        for key, what in (("sample_input", "Input"), ("sample_output", "Output")):
            s = getattr(obj, key)
            if s is not None:
                where = f"the file {s.path}" if s.path else "inline text"
                how = f"exact ({s.encoding})" if s.exact else f"approximate ({s.encoding}): {s.reason}"
                parts.append(f"{what} tokens: {s.tokens:,} counted from {where}, {how}.")
        set_text(self.sample_label, "\n".join(parts))
        self.sample_label.setVisible(bool(parts))
        self.forget.setVisible(bool(parts))

    def forget_samples(self) -> None:
        line = self.target()
        if line is None:
            return
        new = dataclasses.replace(line, sample_input=None, sample_output=None)
        self.document.apply(self.replaced(new), f"Type token counts of {line.name}")


class PlatformForm(Form):
    """The managed platform: one optional object, switched on and off with a check box."""

    def __init__(self, document: Any, fields: Sequence[Field], **kw: Any):
        super().__init__(document, fields, **kw)
        self.use = QCheckBox("Run compute on a managed ML platform")
        self.use.setToolTip("A managed platform (SageMaker, Vertex AI, Azure ML...) adds a markup over the GPU "
                            "cost of the sections it runs.")
        self.use.toggled.connect(self.set_used)
        self.layout().insertWidget(2, self.use)

    def describe(self, obj: Any) -> str:
        return "Managed ML platform"

    def set_used(self, on: bool) -> None:
        plan = self.document.plan
        if on and plan.services.platform is None:
            new = ops.with_line(plan, "services.platform", ops.default_platform(self.document.catalog))
            self.document.apply(new, "Use a managed platform")
        elif not on and plan.services.platform is not None:
            self.document.apply(ops.with_line(plan, "services.platform", None), "Stop using a managed platform")

    def _on_plan_changed(self, force: bool = False) -> None:
        if self.key_path is None:
            return
        platform = self.document.plan.services.platform
        with QSignalBlocker(self.use):
            self.use.setChecked(platform is not None)
        for w in self.inputs.values():
            w.setEnabled(platform is not None)
        if platform is None:
            set_text(self.title, "Managed ML platform")
            set_text(self.subtitle, "None: compute is billed at the cloud's GPU prices.")
            self.marker.hide()
            return
        super()._on_plan_changed(force)
