"""Forms of the annotation, MLOps and people sections."""
from __future__ import annotations

from typing import Any

from pricing import fields as schema

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

    def refresh_header(self, obj: Any) -> None:
        """The quantity's label says what it counts, from the kind's catalog unit (``Quantity (clusters)``); with
        a unit price of the plan's own, the schema's generic ``units/month``."""
        super().refresh_header(obj)
        label = self._labels.get("quantity")
        if label is None or obj is None:
            return
        unit = None
        if getattr(obj, "unit_price", None) is None:
            unit = self.document.catalog.mlops_quantity_unit(obj.kind)
        generic = schema.field("mlops", "quantity").label_for(self.document.plan.currency)
        text = f"Quantity ({unit}):" if unit else generic + ":"
        if label.text() != text:
            label.setText(text)


class PeopleForm(Form):
    def describe(self, obj: Any) -> str:
        return "People time (indirect cost)"
