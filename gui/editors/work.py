"""Forms of the annotation, MLOps and people sections."""
from __future__ import annotations

from typing import Any

from gui.editors.form import Form, section_fields

ANNOTATION = section_fields("annotation", "name", "task", "items", "price_per_item", "review_passes",
                            "workers_per_item", "service", "month", "over_months", "every")
MLOPS = section_fields("mlops", "name", "kind", "quantity", "unit_price", "start", "end", "provider")
PEOPLE = section_fields("people", "name", "hours_per_month", "hourly_rate", "headcount", "fte", "annual_cost",
                        "start", "end")


class AnnotationForm(Form):
    def describe(self, obj: Any) -> str:
        return "Human labelling"


class MlopsForm(Form):
    def describe(self, obj: Any) -> str:
        return "MLOps infrastructure"


class PeopleForm(Form):
    def describe(self, obj: Any) -> str:
        return "People time (indirect cost)"
