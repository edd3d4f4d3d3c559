"""The editor area: the form of whatever is selected in the plan tree (a line, a section, the settings)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from pricing import fields
from pricing.wording import plural

from gui import theme
from gui.editors import compute, data, ops, services, work
from gui.editors.form import Form
from gui.editors.plan_settings import PlanSettingsForm
from gui.editors.tree import GROUPS

SECTION_LABELS = {path: label for _, _, sections in GROUPS for path, label in sections}
SECTION_HELP: dict[str, str] = {s.path: s.help for s in fields.SECTIONS}
"""What each section holds (from the schema)."""


class SectionPage(QWidget):
    """What a section holds, and a button to add a line to it."""

    def __init__(self, add: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self._add = add
        self.section = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.title = QLabel()
        self.title.setFont(theme.headline_font(self.font(), 1.25))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(lambda: self._add(self.section))
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def show_section(self, section: str, count: int) -> None:
        self.section = section
        noun = ops.NOUNS[section]
        self.title.setText(f"{SECTION_LABELS.get(section, section)} ({plural(count, 'line')})")
        self.text.setText(SECTION_HELP.get(section, ""))
        self.button.setText(f"Add {noun}")
        self.button.setToolTip(f"Add a {noun} with typical values, then edit them")


class EditorStack(QScrollArea):
    """Shows one form at a time; ``show_key(key_path)`` picks it from what the key path points at."""

    def __init__(self, document: Any, add_line: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.stack = QStackedWidget()
        self.setWidget(self.stack)
        self.key_path: str | None = None
        # forms are built the first time they are shown (start-up builds only the first one)
        def noun(path: str) -> str:
            return fields.section(path).noun
        self._factories: dict[str, Callable[[], Form]] = {
            "": lambda: PlanSettingsForm(document, noun="plan"),
            "compute.training": lambda: compute.TrainingForm(document, compute.TRAINING, noun=noun("compute.training")),
            "compute.inference": lambda: compute.InferenceForm(document, compute.INFERENCE,
                                                               noun=noun("compute.inference")),
            "compute.exploration": lambda: compute.ExplorationForm(document, compute.EXPLORATION,
                                                                   noun=noun("compute.exploration")),
            "data.storage": lambda: data.StorageForm(document, data.STORAGE, noun=noun("data.storage")),
            "data.egress": lambda: data.EgressForm(document, data.EGRESS, noun=noun("data.egress")),
            "services.platform": lambda: services.PlatformForm(document, services.PLATFORM,
                                                               noun=noun("services.platform")),
            "services.apis": lambda: services.ApiForm(document, services.APIS, noun=noun("services.apis")),
            "annotation": lambda: work.AnnotationForm(document, work.ANNOTATION, noun=noun("annotation")),
            "mlops": lambda: work.MlopsForm(document, work.MLOPS, noun=noun("mlops")),
            "people": lambda: work.PeopleForm(document, work.PEOPLE, noun=noun("people")),
            "commitments": lambda: compute.CommitmentForm(document, compute.COMMITMENTS, noun=noun("commitments")),
        }
        self._factories["compute.fine_tuning"] = self._factories["compute.training"]
        self._built: dict[Callable[[], Form], Form] = {}  # by factory: training and fine-tuning share one form
        self.section_page = SectionPage(add_line)
        self.stack.addWidget(self.section_page)
        document.plan_changed.connect(self._on_plan_changed)

    @property
    def forms(self) -> dict[str, Form]:
        """Every form by section (building the ones not built yet)."""
        return {key: self._form(key) for key in self._factories}

    def _form(self, key: str) -> Form:
        factory = self._factories[key]
        form = self._built.get(factory)
        if form is None:
            form = self._built[factory] = factory()
            self.stack.addWidget(form)
            form.reflow(self.viewport().width())
        return form

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """Forms take one column when the dock is too narrow for two (gui/screen_fit: every view fits 1024x700)."""
        super().resizeEvent(event)
        for form in self._built.values():
            form.reflow(self.viewport().width())

    def form_for(self, key_path: str) -> Form | None:
        if key_path == "" or key_path == "services.platform":
            return self._form(key_path)
        parts = ops.split_key(key_path)
        return self._form(parts[0]) if parts else None

    def current_form(self) -> Form | None:
        w = self.stack.currentWidget()
        return w if isinstance(w, Form) else None

    def show_key(self, key_path: str) -> None:
        self.key_path = key_path
        form = self.form_for(key_path)
        if form is not None:
            self.stack.setCurrentWidget(form)
            form.show_target(key_path)
        elif key_path in ops.NOUNS:
            self.section_page.show_section(key_path, len(self.document.plan.section(key_path)))
            self.stack.setCurrentWidget(self.section_page)

    def _on_plan_changed(self) -> None:
        key = self.key_path
        if key in ops.NOUNS:
            self.section_page.show_section(key, len(self.document.plan.section(key)))
