"""Where a name field's choices come from (catalog GPUs, tiers, providers, genai-prices providers), by NameList."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from pricing.fields import FieldSpec, NameList

Choices = Callable[[Any, Any], Sequence[tuple[Any, str, str]]]
"""(form, object) -> (value, label, tooltip) triples."""


def gpu_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(k, k, "") for k in form.document.catalog.gpu_keys()]


def provider_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    """The catalog's clouds, after "plan default" (a line's provider may be empty: the plan's)."""
    plan = form.document.plan
    out: list[tuple[Any, str, str]] = [(None, f"plan default ({plan.provider})",
                                        "Priced at the plan's provider (Plan settings)")]
    out += [(p, p, "") for p in form.document.catalog.providers]
    return out


def plan_provider_choices(form: Any, plan: Any) -> Sequence[tuple[Any, str, str]]:
    return [(p, p, "") for p in form.document.catalog.providers]


def _provider_of(form: Any, line: Any) -> str:
    return (getattr(line, "provider", None) or form.document.plan.provider) if line is not None \
        else form.document.plan.provider


def tier_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(t, t.replace("_", " "), "") for t in form.document.catalog.storage_tiers(_provider_of(form, line))]


def task_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(t, t.replace("_", " "), "") for t in form.document.catalog.annotation_tasks()]


def mlops_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(k, k.replace("_", " "), "") for k in form.document.catalog.mlops_kinds(_provider_of(form, line))]


def platform_choices(form: Any, platform: Any) -> Sequence[tuple[Any, str, str]]:
    return [(n, n, "") for n in form.document.catalog.platform_names()]


def api_provider_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    from pricing import apiprices
    return [(p, p, "") for p in apiprices.providers()]


def schema_choices(spec: FieldSpec) -> Choices:
    """The choices the schema itself lists (an enum, or an open list's suggestions); an enum that may be empty
    offers its empty value first, named by what it means ("automatic")."""
    def choices(form: Any, obj: Any) -> Sequence[tuple[Any, str, str]]:
        empty = [(None, spec.none_means, "")] if spec.optional else []
        return empty + [(c.value, c.label, c.help) for c in spec.choices]
    return choices


def model_family_choices(form: Any, line: Any) -> Sequence[tuple[Any, str, str]]:
    """The catalog's model families (resources/catalog/models.yaml), after "given by params"."""
    from pricing.drivers.serving_line import model_data
    models = model_data(form.document.catalog)[0]
    return [(None, "given by params", "No family: the model is described by its params (and architecture fields)")] + \
        [(k, f.spec.name, f.spec.notes) for k, f in models.families.items()]


_BY_LIST: dict[NameList, Choices] = {
    NameList.GPU: gpu_choices,
    NameList.PROVIDER: provider_choices,
    NameList.STORAGE_TIER: tier_choices,
    NameList.ANNOTATION_TASK: task_choices,
    NameList.MLOPS_KIND: mlops_choices,
    NameList.PLATFORM: platform_choices,
    NameList.API_PROVIDER: api_provider_choices,
    NameList.MODEL_FAMILY: model_family_choices,
}


def choices_for(spec: FieldSpec) -> Choices | None:
    """The choices of a name or enum field; None when it has no fixed set (API models are searched as typed)."""
    if spec.names is NameList.PROVIDER and not spec.optional:
        return plan_provider_choices
    if spec.names in _BY_LIST:
        return _BY_LIST[spec.names]  # type: ignore[index]
    if spec.choices:
        return schema_choices(spec)
    return None
