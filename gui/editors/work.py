"""Forms of the annotation, MLOps and people sections."""
from __future__ import annotations

from typing import Any, Sequence

from gui.editors.compute import provider_choices
from gui.editors.form import Field, Form


def task_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(t, t.replace("_", " "), "") for t in form.document.catalog.annotation_tasks()]


def mlops_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    provider = (line.provider or form.document.plan.provider) if line is not None else form.document.plan.provider
    return [(k, k.replace("_", " "), "") for k in form.document.catalog.mlops_kinds(provider)]


ANNOTATION: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("task", "Task", "choice", "Kind of labelling; sets the catalog price per item when no price is given.",
          choices=task_choices),
    Field("items", "Items", "number", "Items labelled in the batch (e.g. 120k). Cost = items x passes x price.",
          unit="items"),
    Field("price_per_item", "Price per item", "number", "Price per item per pass, in the plan's currency; empty uses "
          "the catalog rate for the task.", unit="{cur}/item", none_text="catalog rate"),
    Field("review_passes", "Passes per item", "number", "Average labelling passes per item: 1.25 means every "
          "item once and a quarter of them reviewed. Multiplies the cost.", limits={"minimum": 1.0, "maximum": 20}),
    Field("month", "First month", "month", "Plan month the batch is labelled.", limits={"minimum": 1}),
    Field("over_months", "Spread over", "int", "The batch is labelled evenly over this many months.",
          unit="months", limits={"minimum": 1, "maximum": 240}),
    Field("every", "Repeat every", "int", "Label a new batch every N months; 'once' labels one batch.",
          unit="months", none_text="once", limits={"minimum": 1, "maximum": 240}),
)

MLOPS: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("kind", "Kind", "choice", "What is bought (cluster control plane, load balancer, log GB, CI minutes...); "
          "sets the catalog unit price.", choices=mlops_choices),
    Field("quantity", "Quantity / month", "number", "Units of that kind every month. Cost = quantity x unit "
          "price.", unit="units"),
    Field("unit_price", "Unit price", "number", "Price per unit, in the plan's currency; empty uses the catalog's "
          "price for the kind.", unit="{cur}/unit", none_text="catalog price"),
    Field("start", "First month", "month", "Plan month it starts.", limits={"minimum": 1}),
    Field("end", "Last month", "month", "Last plan month; 'horizon' runs to the end of the plan.",
          none_text="horizon", limits={"minimum": 1}),
    Field("provider", "Provider", "choice", "Cloud whose prices apply; the plan's provider unless set here.",
          choices=provider_choices),
)

PEOPLE: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("hours_per_month", "Hours / month", "number", "Hours people spend each month keeping the "
          "infrastructure running (toil). Cost = hours x rate.", unit="h/month", limits={"maximum": 744}),
    Field("hourly_rate", "Hourly rate", "number", "Loaded cost of an hour of their time, in the plan's currency.",
          unit="{cur}/h"),
    Field("start", "First month", "month", "Plan month it starts.", limits={"minimum": 1}),
    Field("end", "Last month", "month", "Last plan month; 'horizon' runs to the end of the plan.",
          none_text="horizon", limits={"minimum": 1}),
)


class AnnotationForm(Form):
    def describe(self, obj: Any) -> str:
        return "Human labelling"


class MlopsForm(Form):
    def describe(self, obj: Any) -> str:
        return "MLOps infrastructure"


class PeopleForm(Form):
    def describe(self, obj: Any) -> str:
        return "People time (indirect cost)"
