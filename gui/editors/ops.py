"""Plan edits the editors make, as pure functions Plan -> Plan (no Qt): set a field, add, copy, remove lines."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from pricing import fields
from pricing import plan as P
from pricing.plan import Plan

LINE_PATH = re.compile(r"^(?P<section>[a-z_.]+)\[(?P<index>\d+)\]$")

NOUNS: dict[str, str] = {s.path: s.noun for s in fields.LIST_SECTIONS}
"""What one line of each section is called in menus and undo texts (from the schema)."""


def noun_title(section: str) -> str:
    """A section's noun starting a menu item: ``API line``, ``MLOps line`` (not ``Api line``)."""
    noun = NOUNS[section]
    return noun[:1].upper() + noun[1:]


def split_key(key_path: str) -> tuple[str, int] | None:
    """``compute.training[2]`` -> (``compute.training``, 2); None for anything that isn't a list line."""
    m = LINE_PATH.match(key_path)
    return (m["section"], int(m["index"])) if m else None


def line_at(plan: Plan, key_path: str) -> Any:
    """The plan line (or the platform) at ``key_path``; None when there is none."""
    if key_path == "services.platform":
        return plan.services.platform
    parts = split_key(key_path)
    if parts is None:
        return None
    lines = plan.section(parts[0])
    return lines[parts[1]] if parts[1] < len(lines) else None


def with_line(plan: Plan, key_path: str, line: Any) -> Plan:
    """The plan with the line at ``key_path`` replaced (the platform included; ``None`` removes it)."""
    if key_path == "services.platform":
        return dataclasses.replace(plan, services=dataclasses.replace(plan.services, platform=line))
    parts = split_key(key_path)
    if parts is None:
        raise KeyError(key_path)
    section, index = parts
    lines = list(plan.section(section))
    lines[index] = line
    return plan.with_section(section, tuple(lines))


def set_field(obj: Any, key: str, value: Any, *, share: bool = False) -> Any:
    """``obj`` with one field changed. A range on that field follows the new likely value when it can.

    With ``likely +- X``, the spread moves with the value; with explicit low/high the range is kept
    when the value stays inside it and dropped otherwise (a likely value outside its range is no range).
    """
    changes: dict[str, Any] = {key: value}
    ranges = dict(getattr(obj, "ranges", ()) or ())
    rng = ranges.get(key)
    if rng is not None:
        if value is None or not isinstance(value, (int, float)):
            del ranges[key]
        elif rng.spread is not None:
            half = rng.spread if share else abs(value) * rng.spread
            ranges[key] = P.Range(value - half, value, value + half, rng.spread)
        elif rng.low <= value <= rng.high:
            ranges[key] = P.Range(rng.low, value, rng.high, None)
        else:
            del ranges[key]
        changes["ranges"] = tuple(ranges.items())
    return dataclasses.replace(obj, **changes)


def range_of(obj: Any, key: str) -> Any:
    """The Range of a field, if it has one."""
    return dict(getattr(obj, "ranges", ()) or ()).get(key)


def unique_name(plan: Plan, base: str) -> str:
    """``base``, or ``base 2``, ``base 3``... whichever no line of the plan is called yet."""
    taken = {line.name for _, _, line in plan.lines()}
    if base not in taken:
        return base
    stem = re.sub(r" \d+$", "", base)
    k = 2
    while f"{stem} {k}" in taken:
        k += 1
    return f"{stem} {k}"


def add_line(plan: Plan, section: str, line: Any) -> tuple[Plan, str]:
    """The plan with ``line`` appended to ``section``, and the new line's key path."""
    lines = plan.section(section) + (line,)
    return plan.with_section(section, lines), f"{section}[{len(lines) - 1}]"


def duplicate_line(plan: Plan, key_path: str) -> tuple[Plan, str]:
    """The plan with a copy of a line (renamed) right after it, and the copy's key path."""
    section, index = split_key(key_path)  # type: ignore[misc]
    lines = list(plan.section(section))
    copy = dataclasses.replace(lines[index], name=unique_name(plan, lines[index].name + " copy"))
    lines.insert(index + 1, copy)
    return plan.with_section(section, tuple(lines)), f"{section}[{index + 1}]"


def remove_line(plan: Plan, key_path: str) -> tuple[Plan, str]:
    """The plan without a line, and the key path best selected next (the next line, else the section)."""
    if key_path == "services.platform":
        return with_line(plan, key_path, None), key_path
    section, index = split_key(key_path)  # type: ignore[misc]
    lines = list(plan.section(section))
    del lines[index]
    new = plan.with_section(section, tuple(lines))
    if lines:
        return new, f"{section}[{min(index, len(lines) - 1)}]"
    return new, section


def move_line(plan: Plan, key_path: str, step: int) -> tuple[Plan, str]:
    """The plan with a line moved up (-1) or down (+1) its section, and its new key path."""
    section, index = split_key(key_path)  # type: ignore[misc]
    lines = list(plan.section(section))
    target = index + step
    if not 0 <= target < len(lines):
        return plan, key_path
    lines[index], lines[target] = lines[target], lines[index]
    return plan.with_section(section, tuple(lines)), f"{section}[{target}]"


def _pick(options: Any, *preferred: str) -> str:
    options = list(options or ())
    for p in preferred:
        for o in options:
            if o.lower() == p.lower():
                return o
    return options[0] if options else preferred[0]


def default_line(section: str, plan: Plan, catalog: Any) -> Any:
    """A sensible new line for ``section`` (the user edits it from there)."""
    name = unique_name(plan, noun_title(section))
    provider = plan.provider
    gpus = catalog.gpu_keys()
    if section in ("compute.training", "compute.fine_tuning"):
        return P.TrainingRun(name, _pick(gpus, "H100-80GB"), gpus=8, hours=100.0)
    if section == "compute.inference":
        # a model the GPU holds (8B in FP8 on an L4's 24 GB), sized by the serving model from the first keystroke
        return P.InferenceService(name, _pick(gpus, "L4"), requests_per_month=1e6, input_tokens=800.0,
                                  output_tokens=250.0, model_family="llama-3.1-8b", precision=P.Precision.FP8,
                                  min_gpus=1)
    if section == "compute.exploration":
        return P.ExplorationPool(name, _pick(gpus, "A10G"), people=2, hours_per_week=20.0)
    if section == "data.storage":
        return P.StorageLine(name, size_tb=1.0, tier=_pick(catalog.storage_tiers(provider), "standard"))
    if section == "data.egress":
        return P.EgressLine(name, tb_per_month=1.0)
    if section == "services.apis":
        return P.ApiLine(name, "openai", "gpt-4o-mini", requests_per_month=100_000.0, input_tokens=1000.0,
                         output_tokens=300.0)
    if section == "annotation":
        return P.AnnotationBatch(name, _pick(catalog.annotation_tasks(), "text_classification"), items=10_000.0)
    if section == "mlops":
        return P.MlopsLine(name, _pick(catalog.mlops_kinds(provider), "k8s_control_plane"))
    if section == "people":
        return P.PeopleLine(name, hours_per_month=20.0, hourly_rate=90.0)
    raise KeyError(section)


def default_platform(catalog: Any) -> P.Platform:
    return P.Platform(_pick(catalog.platform_names(), "sagemaker"))


def recount_samples(line: Any) -> Any:
    """An API line with its sample texts counted again for its (new) model: the counts follow the encoding.

    Mirrors what the plan loader does when it reads a sample (pricing.planfile); a public helper there
    would be the better home.
    """
    from pricing import tokens
    changes: dict[str, Any] = {}
    for key, target in (("sample_input", "input_tokens"), ("sample_output", "output_tokens")):
        sample = getattr(line, key, None)
        if sample is None:
            continue
        count = tokens.count_text(sample.text, line.model, line.provider)
        changes[key] = dataclasses.replace(sample, tokens=count.tokens, encoding=count.encoding,
                                           exact=count.exact, reason=count.reason)
        changes[target] = float(count.tokens)
    return dataclasses.replace(line, **changes) if changes else line
