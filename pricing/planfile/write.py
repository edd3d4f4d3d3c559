"""Writing a plan file: a ``Plan`` back to YAML in the public format (keys in the user's order), saved atomically."""
from __future__ import annotations

import os
from typing import Any

import yaml

from pricing import plan as P
from pricing import userfiles
from pricing.actuals_config import actuals_to_data
from pricing.atomic import _digest, write_atomically
from pricing.errors import PlanError, Problem
from pricing.planfile.read import _looks_like_path
from pricing import fields
from pricing.fields import FieldSpec, SectionSpec
from pricing.planfile.tables import GROUP_KEYS
from pricing.planfile.yamltree import MAX_BYTES
from pricing.quantities import format_number, format_share

# Saving
# ---------------------------------------------------------------------------------------------


def dumps(plan: P.Plan) -> str:
    """The plan as YAML text in the public format, keys in the order the user wrote them."""
    return yaml.dump(to_data(plan), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


class FileChangedError(PlanError):
    """The file on disk changed since it was read (another program wrote it): saving would lose that."""



def fingerprint(path: str | os.PathLike) -> str | None:
    """SHA-256 of a file's bytes (None when it doesn't exist): what was read, to detect changes before saving.

    None too for what is no plan file (a folder, a FIFO, a device, more than ``MAX_BYTES``): it is read
    the way the loader reads it, which then says what is wrong, and a FIFO never blocks the window."""
    try:
        return _digest(userfiles.read_bytes(path, MAX_BYTES))
    except (FileNotFoundError, IsADirectoryError, userfiles.UnreadableFile):
        return None


def save(plan: P.Plan, path: str | os.PathLike, *, backup: bool = True, expect: str | None | bool = False) -> str:
    """Write atomically (``write_atomically``), keeping ``<file>.bak``.

    ``expect`` is the file's ``fingerprint`` when it was opened (None: it did not exist); when
    the file on disk no longer matches, FileChangedError is raised and nothing is written (pass
    ``expect=False``, the default, to overwrite regardless). Returns the new file's fingerprint.
    """
    if expect is not False and fingerprint(path) != expect:
        raise FileChangedError(Problem("the file was changed on disk by another program since it was opened; "
                                       "saving now would overwrite those changes", file=str(path)))
    return write_atomically(path, dumps(plan), backup=backup)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def to_data(plan: P.Plan) -> dict:
    """The plan as plain YAML-ready data (the inverse of loading)."""
    order = dict(plan.key_order)
    out: dict[str, Any] = {"format": P.FORMAT, "name": plan.name}
    defaults = P.Plan(start=plan.start)
    if plan.currency != "USD":
        out["currency"] = plan.currency
    if plan.fx_range is not None:
        out["fx_rate"] = _range_data(fields.SETTINGS.field("fx_rate"), plan.fx_range)
    elif plan.fx_rate is not None:
        out["fx_rate"] = format_number(plan.fx_rate)
    out["start"] = str(plan.start)
    out["months"] = plan.months
    out["provider"] = plan.provider
    if plan.monthly_budget is not None:
        out["monthly_budget"] = format_number(plan.monthly_budget)
    if plan.fiscal_year_start != 1:
        out["fiscal_year_start"] = plan.fiscal_year_start
    if plan.unit is not None:
        out["unit"] = fields.yaml_value(fields.SETTINGS.field("unit"), plan.unit)
    for group, keys in GROUP_KEYS.items():
        sub: dict[str, Any] = {}
        for key in keys:
            if group == "services" and key == "platform":
                if plan.services.platform is not None:
                    sub["platform"] = _line_data(plan.services.platform, fields.section("services.platform"),
                                                 order.get("services.platform"))
                continue
            path = f"{group}.{key}"
            lines = plan.section(path)
            if lines:
                sub[key] = [_line_data(x, fields.section(path), order.get(f"{path}[{i}]"))
                            for i, x in enumerate(lines)]
        if sub:
            out[group] = _ordered(sub, order.get(group))
    for key in ("annotation", "mlops", "people", "commitments"):
        lines = plan.section(key)
        if lines:
            out[key] = [_line_data(x, fields.section(key), order.get(f"{key}[{i}]")) for i, x in enumerate(lines)]
    if plan.prices:
        out["prices"] = {k: format_number(v) for k, v in plan.prices}
    if plan.scenarios:
        out["scenarios"] = [{"name": s.name, "strategies": {st.name: _thaw(dict(st.params)) for st in s.strategies}}
                            for s in plan.scenarios]
    actuals = actuals_to_data(plan.actuals)
    if actuals:
        out["actuals"] = actuals
    if plan.priced_with is not None:
        out["priced_with"] = _priced_with_data(plan.priced_with)
    del defaults
    return _ordered(out, order.get(""))


def _priced_with_data(pw: P.PricedWith) -> dict:
    out: dict[str, Any] = {"catalog": pw.catalog, "catalog_hash": pw.catalog_hash}
    if pw.genai_prices:
        out["genai_prices"] = pw.genai_prices
        out["genai_prices_data"] = pw.genai_prices_data
    if pw.fx_date:
        out["fx_date"] = pw.fx_date
    if pw.fx_rate is not None:
        out["fx_rate"] = pw.fx_rate
    if pw.total is not None:
        out["total"] = round(pw.total, 2)
    out["figures"] = {k: v for k, v in pw.figures}  # full precision: these are what "Keep old prices" restores
    if pw.tiered:
        out["tiered"] = list(pw.tiered)
    return out


def _thaw(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _thaw(x) for k, x in v.items()}
    if isinstance(v, tuple):
        if v and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in v):
            return {k: _thaw(x) for k, x in v}
        return [_thaw(x) for x in v]
    return v


def _ordered(d: dict, order: tuple[str, ...] | None) -> dict:
    if not order:
        return d
    keys = [k for k in order if k in d] + [k for k in d if k not in order]
    return {k: d[k] for k in keys}


def _line_data(line: Any, section: SectionSpec, order: tuple[str, ...] | None) -> dict:
    out: dict[str, Any] = {}
    ranges = dict(getattr(line, "ranges", ()))
    for spec in section.fields:
        key = spec.key
        value = getattr(line, key)
        if key in ("input_tokens", "output_tokens") and getattr(line, "sample_" + key.removesuffix("_tokens"), None):
            continue  # derived from the sample
        rng = ranges.get(key)
        if rng is not None:
            out[key] = _range_data(spec, rng)
            continue
        if not spec.required and value == fields.dataclass_default(section.cls, key):
            continue
        out[key] = _value_data(spec, value)
    return _ordered(out, order)


def _range_data(spec: FieldSpec, rng: P.Range) -> Any:
    if spec.share:
        fmt = format_share
    else:
        def fmt(x: float) -> str:
            return repr(float(x)) if not float(x).is_integer() else str(int(x))
    if rng.spread is not None:
        return f"{fmt(rng.likely)} ± {format_share(rng.spread)}"
    if spec.share:
        return {"low": fmt(rng.low), "likely": fmt(rng.likely), "high": fmt(rng.high)}
    return {"low": format_number(rng.low), "likely": format_number(rng.likely), "high": format_number(rng.high)}


def _value_data(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, P.Sample):
        if value.path:
            return {"file": value.path} if _looks_like_path(value.path) is False else value.path
        return {"text": value.text} if _looks_like_path(value.text) else value.text
    return fields.yaml_value(spec, value)
