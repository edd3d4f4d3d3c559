"""Plan files: YAML <-> Plan, with every problem reported at once (file, line, key path) and atomic saves."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import yaml

from pricing import plan as P
from pricing.errors import PlanError, PlanFileError, Problem, closest
from pricing.quantities import format_number, format_share, parse_number, parse_share

MAX_BYTES = 5 * 1024 * 1024
"""Largest plan file we read (a plan is a few KB; anything this big is not a plan)."""
MAX_DEPTH = 32
"""Deepest nesting accepted (plans nest 4 levels)."""
MAX_NODES = 200_000
"""Most YAML nodes accepted in one file."""

# ---------------------------------------------------------------------------------------------
# Reading YAML with line numbers, refusing aliases (no "billion laughs")
# ---------------------------------------------------------------------------------------------


class _Tree:
    """Plain Python values built from YAML nodes, plus the line of every key path."""

    def __init__(self, file: str | None):
        self.file = file
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.key_order: dict[str, tuple[str, ...]] = {}
        self._seen: set[int] = set()
        self._count = 0

    def build(self, node: yaml.Node, path: str, depth: int, loader: yaml.SafeLoader) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise PlanFileError(Problem(f"more than {MAX_NODES} YAML values: not a plan file", file=self.file))
        if depth > MAX_DEPTH:
            raise PlanFileError(Problem(f"nested deeper than {MAX_DEPTH} levels: not a plan file",
                                        path, node.start_mark.line + 1, self.file))
        if id(node) in self._seen:
            raise PlanFileError(Problem("YAML aliases (*name) are not supported in plan files; "
                                        "write the value out", path, node.start_mark.line + 1, self.file))
        self._seen.add(id(node))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            order = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem("a key must be plain text", path, key_node.start_mark.line + 1, self.file))
                    continue
                key = str(loader.construct_scalar(key_node))
                if key == "<<":
                    raise PlanFileError(Problem("YAML merge keys (<<) are not supported in plan files",
                                                path, key_node.start_mark.line + 1, self.file))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    self.problems.append(Problem(f"key {key!r} appears twice", sub, key_node.start_mark.line + 1, self.file))
                    continue
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, sub, depth + 1, loader)
                order.append(key)
            self.key_order[_pattern(path)] = tuple(order)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, f"{path}[{i}]", depth + 1, loader) for i, v in enumerate(node.value)]
        try:
            return loader.construct_object(node, deep=False)
        except (ValueError, OverflowError):  # e.g. 2027-02-30 read as a date: let the field say what's wrong
            return node.value


def _pattern(path: str) -> str:
    """Key path with list indexes kept (key order is remembered per line)."""
    return path


_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _prescan(text: str, file: str | None) -> None:
    """Refuse deep nesting, aliases and huge documents from the event stream, before building anything.

    (PyYAML composes nodes recursively, so a file of 5,000 nested brackets would exhaust the stack,
    and aliases let a few lines expand to billions of values.)
    """
    depth = count = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise PlanFileError(Problem(f"nested deeper than {MAX_DEPTH} levels: not a plan file",
                                                line=event.start_mark.line + 1, file=file))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                raise PlanFileError(Problem("YAML aliases (*name) are not supported in plan files; "
                                            "write the value out", line=event.start_mark.line + 1, file=file))
            count += 1
            if count > MAX_NODES:
                raise PlanFileError(Problem(f"more than {MAX_NODES} YAML values: not a plan file", file=file))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or exc.context)
        if "nesting depth" in problem:
            problem = f"nested deeper than {MAX_DEPTH} levels: not a plan file"
        else:
            problem = f"not valid YAML: {problem}"
        raise PlanFileError(Problem(problem, line=mark.line + 1 if mark else None, file=file)) from None
    except yaml.YAMLError as exc:
        raise PlanFileError(Problem(f"not valid YAML: {exc}", file=file)) from None


def _parse_yaml(text: str, file: str | None) -> tuple[Any, _Tree]:
    tree = _Tree(file)
    _prescan(text, file)
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PlanFileError(Problem(f"not valid YAML: {exc.problem or exc.context}", line=line, file=file)) from None
    except yaml.YAMLError as exc:
        raise PlanFileError(Problem(f"not valid YAML: {exc}", file=file)) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise PlanFileError(Problem("the file is empty; expected a plan (a YAML mapping with "
                                    "format, name, months...)", file=file))
    try:
        value = tree.build(node, "", 0, loader)
    except yaml.YAMLError as exc:  # e.g. a bad timestamp scalar
        raise PlanFileError(Problem(f"not valid YAML: {exc}", file=file)) from None
    return value, tree


# ---------------------------------------------------------------------------------------------
# Field readers
# ---------------------------------------------------------------------------------------------


class _Reader:
    """Reads values out of mappings, collecting problems instead of stopping at the first."""

    def __init__(self, tree: _Tree):
        self.tree = tree

    def problem(self, path: str, message: str) -> None:
        self.tree.problems.append(Problem(message, path, self._line(path), self.tree.file))

    def _line(self, path: str) -> int | None:
        while path:
            if path in self.tree.lines:
                return self.tree.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else (path.rsplit("[", 1)[0] if "[" in path else "")
        return None

    def mapping(self, value: Any, path: str, what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"found {_describe(value)}, expected {what} (a mapping of keys to values)")
            return None
        return value

    def sequence(self, value: Any, path: str, what: str) -> list | None:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"found {_describe(value)}, expected a list of {what} (lines starting with '-')")
            return None
        return value

    def unknown_keys(self, m: dict, path: str, known: list[str]) -> None:
        for key in m:
            if key not in known:
                sugg = closest(str(key), known, n=3)
                hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else f"; known keys: {', '.join(known)}"
                self.problem(_join(path, key), f"unknown key {key!r}{hint}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# Kinds of field: each turns a raw YAML value into a plan value or raises PlanError
def _text(v: Any) -> str:
    if isinstance(v, (dict, list)) or v is None or isinstance(v, bool):
        raise PlanError(f"found {_describe(v)}, expected text")
    s = str(v).strip()
    if not s:
        raise PlanError("found empty text, expected a name")
    return s


ABSURD = 1e15
"""No plan amount is this large (a quadrillion requests, tokens or dollars): it is a typo."""


def _num(**kw: Any) -> Callable[[Any], float]:
    kw.setdefault("maximum", ABSURD)
    return lambda v: parse_number(v, **kw)


def _int(minimum: int = 1) -> Callable[[Any], int]:
    return lambda v: int(parse_number(v, minimum=minimum, integer=True, maximum=1e9))


def _share(maximum: float = 1.0, allow_zero: bool = True) -> Callable[[Any], float]:
    return lambda v: parse_share(v, maximum=maximum, allow_zero=allow_zero)


def _enum(cls: type[enum.Enum]) -> Callable[[Any], enum.Enum]:
    def read(v: Any) -> enum.Enum:
        text = str(v).strip().lower().replace("-", "_") if isinstance(v, str) else v
        for member in cls:
            if member.value == text:
                return member
        known = [m.value for m in cls]
        raise PlanError(f"found {v!r}, expected one of {', '.join(known)}")
    return read


def _names(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise PlanError(f"found {_describe(v)}, expected a list of section names")
    return tuple(x.strip() for x in v)


_POS = _num(allow_zero=False)          # a positive amount
_NONNEG = _num()                       # zero or more
_MONTH = _int(1)                       # 1-based plan month
_GROWTH = _share(maximum=10.0)         # monthly growth up to 1000 %

# Each field: yaml key -> (dataclass field, reader, required)
_Field = tuple[str, Callable[[Any], Any], bool]

TRAINING: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True), "gpus": ("gpus", _int(1), False),
    "hours": ("hours", _POS, False), "params": ("params", _POS, False), "tokens": ("tokens", _POS, False),
    "mfu": ("mfu", _share(allow_zero=False), False), "runs": ("runs", _POS, False),
    "month": ("month", _MONTH, False), "every": ("every", _int(1), False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
    "interruption_overhead": ("interruption_overhead", _share(maximum=10.0), False),
}
INFERENCE: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True),
    "requests_per_month": ("requests_per_month", _NONNEG, True),
    "input_tokens": ("input_tokens", _NONNEG, False), "output_tokens": ("output_tokens", _NONNEG, False),
    "tokens_per_second_per_gpu": ("tokens_per_second_per_gpu", _POS, False),
    "throughput_basis": ("throughput_basis", _enum(P.ThroughputBasis), False),
    "utilization": ("utilization", _share(allow_zero=False), False), "growth": ("growth", _GROWTH, False),
    "min_gpus": ("min_gpus", _int(0), False), "max_gpus": ("max_gpus", _int(1), False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
}
EXPLORATION: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True), "people": ("people", _int(0), False),
    "hours_per_week": ("hours_per_week", _num(maximum=168), False),
    "idle_share": ("idle_share", _share(), False), "gpus_per_instance": ("gpus_per_instance", _int(1), False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
    "interruption_overhead": ("interruption_overhead", _share(maximum=10.0), False),
}
STORAGE: dict[str, _Field] = {
    "name": ("name", _text, True), "size_tb": ("size_tb", _NONNEG, False),
    "growth_tb_per_month": ("growth_tb_per_month", _NONNEG, False), "tier": ("tier", _text, False),
    "kind": ("kind", _text, False), "compression": ("compression", _share(maximum=0.99), False),
    "start": ("start", _MONTH, False), "provider": ("provider", _text, False),
    "lifecycle": ("lifecycle", None, False),  # read by _lifecycle
}
EGRESS: dict[str, _Field] = {
    "name": ("name", _text, True), "tb_per_month": ("tb_per_month", _NONNEG, True),
    "kind": ("kind", _enum(P.EgressKind), False), "growth": ("growth", _GROWTH, False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False), "provider": ("provider", _text, False),
}
PLATFORM: dict[str, _Field] = {
    "name": ("name", _text, True), "markup": ("markup", _share(maximum=10.0), False),
    "applies_to": ("applies_to", _names, False),
}
API: dict[str, _Field] = {
    "name": ("name", _text, True), "provider": ("provider", _text, True), "model": ("model", _text, True),
    "requests_per_month": ("requests_per_month", _NONNEG, True),
    "input_tokens": ("input_tokens", _NONNEG, False), "output_tokens": ("output_tokens", _NONNEG, False),
    "cached_input_share": ("cached_input_share", _share(), False), "growth": ("growth", _GROWTH, False),
    "response_cache_hit_rate": ("response_cache_hit_rate", _share(), False),
    "sample_input": ("sample_input", None, False), "sample_output": ("sample_output", None, False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
}
ANNOTATION: dict[str, _Field] = {
    "name": ("name", _text, True), "task": ("task", _text, True), "items": ("items", _NONNEG, True),
    "price_per_item": ("price_per_item", _NONNEG, False),
    "review_passes": ("review_passes", _num(minimum=1.0, maximum=20), False),
    "month": ("month", _MONTH, False), "over_months": ("over_months", _int(1), False),
    "every": ("every", _int(1), False),
}
MLOPS: dict[str, _Field] = {
    "name": ("name", _text, True), "kind": ("kind", _text, True), "quantity": ("quantity", _NONNEG, False),
    "unit_price": ("unit_price", _NONNEG, False), "start": ("start", _MONTH, False),
    "end": ("end", _MONTH, False), "provider": ("provider", _text, False),
}
PEOPLE: dict[str, _Field] = {
    "name": ("name", _text, True), "hours_per_month": ("hours_per_month", _num(maximum=744), True),
    "hourly_rate": ("hourly_rate", _NONNEG, True), "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
}

LIST_SECTIONS: dict[str, tuple[type, dict[str, _Field]]] = {
    "compute.training": (P.TrainingRun, TRAINING),
    "compute.fine_tuning": (P.TrainingRun, TRAINING),
    "compute.inference": (P.InferenceService, INFERENCE),
    "compute.exploration": (P.ExplorationPool, EXPLORATION),
    "data.storage": (P.StorageLine, STORAGE),
    "data.egress": (P.EgressLine, EGRESS),
    "services.apis": (P.ApiLine, API),
    "annotation": (P.AnnotationBatch, ANNOTATION),
    "mlops": (P.MlopsLine, MLOPS),
    "people": (P.PeopleLine, PEOPLE),
}
TOP_KEYS = ["format", "name", "currency", "fx_rate", "start", "months", "provider", "monthly_budget",
            "compute", "data", "services", "annotation", "mlops", "people", "prices", "scenarios"]
GROUP_KEYS = {"compute": ["training", "fine_tuning", "inference", "exploration"],
              "data": ["storage", "egress"], "services": ["platform", "apis"]}
MAX_MONTHS = 240


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load(path: str | os.PathLike, catalog: Any = None, *, check_names: bool = True) -> P.Plan:
    """Read a plan file; raises PlanFileError listing every problem (file, line, key path)."""
    p = Path(path)
    shown = str(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise PlanFileError(Problem("no such file", file=shown)) from None
    except OSError as exc:
        raise PlanFileError(Problem(f"cannot read the file: {exc.strerror}", file=shown)) from None
    if p.is_dir():
        raise PlanFileError(Problem("this is a folder, expected a plan file (.yaml)", file=shown))
    if size > MAX_BYTES:
        raise PlanFileError(Problem(f"the file is {size / 1e6:.1f} MB; a plan file is at most "
                                    f"{MAX_BYTES // (1024 * 1024)} MB", file=shown))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PlanFileError(Problem(f"cannot read the file: {exc.strerror}", file=shown)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanFileError(Problem("the file is not UTF-8 text (a plan file is YAML in UTF-8)",
                                    line=line, file=shown)) from None
    return loads(text, file=shown, base_dir=p.resolve().parent, catalog=catalog, check_names=check_names)


def loads(text: str, *, file: str | None = None, base_dir: str | os.PathLike | None = None,
          catalog: Any = None, check_names: bool = True) -> P.Plan:
    """Parse plan text; ``base_dir`` resolves sample files; names are checked against ``catalog``."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PlanFileError(Problem(f"more than {MAX_BYTES // (1024 * 1024)} MB: not a plan file", file=file))
    if "\x00" in text:
        raise PlanFileError(Problem("the file holds binary data (NUL bytes), expected YAML text", file=file))
    value, tree = _parse_yaml(text, file)
    r = _Reader(tree)
    if not isinstance(value, dict):
        raise PlanFileError(Problem(f"found {_describe(value)} at the top of the file, expected a plan "
                                    "(a YAML mapping with format, name, months...)", line=1, file=file))
    plan = _read_plan(value, r, Path(base_dir) if base_dir else None)
    if tree.problems:
        raise PlanFileError(tree.problems)
    if check_names:
        from pricing.checks import check
        problems = check(plan, catalog)
        if problems:
            raise PlanFileError([Problem(p.message, p.key_path, r._line(p.key_path), file) for p in problems])
    return plan


def _read_plan(m: dict, r: _Reader, base_dir: Path | None) -> P.Plan:
    r.unknown_keys(m, "", TOP_KEYS)
    kw: dict[str, Any] = {}
    fmt = m.get("format", P.FORMAT)
    if fmt != P.FORMAT:
        r.problem("format", f"found {fmt!r}, expected {P.FORMAT!r} (this version reads format "
                  f"{P.FORMAT} only)")

    def get(key: str, reader: Callable[[Any], Any], target: str | None = None) -> None:
        if key in m and m[key] is not None:
            try:
                kw[target or key] = reader(m[key])
            except PlanError as exc:
                r.problem(key, exc.problems[0].message)

    get("name", _text)
    get("currency", _currency)
    get("fx_rate", _POS)
    get("start", _year_month)
    get("months", lambda v: int(parse_number(v, minimum=1, integer=True, maximum=MAX_MONTHS)))
    get("provider", lambda v: _text(v).lower())
    get("monthly_budget", _POS)
    if kw.get("currency", "USD") != "USD" and "fx_rate" not in m:
        r.problem("fx_rate", f"currency is {kw['currency']}: give fx_rate, the {kw['currency']} per USD "
                  "(catalog prices are in USD)")

    groups: dict[str, dict] = {}
    for group, keys in GROUP_KEYS.items():
        sub = m.get(group)
        if sub is None:
            groups[group] = {}
            continue
        sub = r.mapping(sub, group, f"the {group} section")
        if sub is not None:
            r.unknown_keys(sub, group, keys)
        groups[group] = sub or {}

    sections: dict[str, tuple] = {}
    for path, (cls, fields) in LIST_SECTIONS.items():
        head, _, tail = path.partition(".")
        raw = groups[head].get(tail) if tail else m.get(head)
        items = r.sequence(raw, path, f"{tail or head} lines")
        lines = []
        for i, item in enumerate(items or []):
            line = _read_line(item, f"{path}[{i}]", cls, fields, r, base_dir)
            if line is not None:
                lines.append(line)
        sections[path] = tuple(lines)

    platform = None
    raw_platform = groups["services"].get("platform")
    if raw_platform is not None:
        platform = _read_line(raw_platform, "services.platform", P.Platform, PLATFORM, r, base_dir)

    prices = _read_prices(m.get("prices"), r)
    scenarios = _read_scenarios(m.get("scenarios"), r)

    plan = P.Plan(
        **kw,
        compute=P.Compute(*(sections[f"compute.{k}"] for k in GROUP_KEYS["compute"])),
        data=P.Data(sections["data.storage"], sections["data.egress"]),
        services=P.Services(platform, sections["services.apis"]),
        annotation=sections["annotation"], mlops=sections["mlops"], people=sections["people"],
        prices=prices, scenarios=scenarios,
        key_order=tuple(r.tree.key_order.items()),
    )
    _check_months(plan, r)
    return plan


def _currency(v: Any) -> str:
    s = _text(v).upper()
    if len(s) != 3 or not s.isalpha():
        raise PlanError(f"found {v!r}, expected a 3-letter currency code such as USD, EUR, GBP")
    return s


def _year_month(v: Any) -> P.YearMonth:
    if isinstance(v, _dt.date):
        return P.YearMonth(v.year, v.month)
    text = str(v).strip()
    parts = text.split("-")
    try:
        if len(parts) in (2, 3) and len(parts[0]) == 4:
            year, month = int(parts[0]), int(parts[1])
            if len(parts) == 3:
                _dt.date(year, month, int(parts[2]))
            return P.YearMonth(year, month)
    except ValueError:
        raise PlanError(f"found {v!r}, which is not a real month; expected a month such as 2027-01") from None
    raise PlanError(f"found {v!r}, expected a month such as 2027-01")


def _read_line(item: Any, path: str, cls: type, fields: dict[str, _Field], r: _Reader,
               base_dir: Path | None) -> Any:
    m = r.mapping(item, path, "a line (name and its values)")
    if m is None:
        return None
    r.unknown_keys(m, path, list(fields))
    kw: dict[str, Any] = {}
    ranges: list[tuple[str, P.Range]] = []
    ok = True
    for key, (target, reader, required) in fields.items():
        if key not in m or m[key] is None:
            if required:
                r.problem(path, f"missing {key!r}")
                ok = False
            continue
        try:
            if _is_range(m[key]):
                if key not in RANGEABLE:
                    raise PlanError(f"{key} cannot be a range (ranges are for amounts, not names or schedule months)")
                rng = _range(m[key], reader, key in _SHARE_FIELDS)
                kw[target] = rng.likely
                if rng.low != rng.high:
                    ranges.append((target, rng))
            elif key == "lifecycle":
                kw[target] = _lifecycle(m[key])
            elif key in ("sample_input", "sample_output"):
                kw[target] = _sample(m[key], base_dir)
            else:
                kw[target] = reader(m[key])
        except PlanError as exc:
            r.problem(_join(path, key), exc.problems[0].message)
            ok = False
    if not ok:
        return None
    if ranges:
        kw["ranges"] = tuple(ranges)
    if cls is P.TrainingRun:
        derived = [k for k in ("params", "tokens", "mfu") if k in kw]
        if "hours" in kw and derived:
            r.problem(path, "give either hours, or params + tokens + mfu to derive them, not both")
            return None
        if "hours" not in kw and len(derived) != 3:
            missing = [k for k in ("params", "tokens", "mfu") if k not in kw]
            r.problem(path, "missing hours: give hours per run, or params, tokens and mfu to derive them "
                      f"(missing {', '.join(missing)})")
            return None
    if cls is P.ApiLine:
        if "sample_input" in kw and "input_tokens" in m:
            r.problem(path, "give either input_tokens or sample_input, not both")
            return None
        if "sample_output" in kw and "output_tokens" in m:
            r.problem(path, "give either output_tokens or sample_output, not both")
            return None
        kw = _count_samples(kw, r, path)
    if "end" in kw and kw["end"] < kw.get("start", 1):
        r.problem(_join(path, "end"), f"found {kw['end']}, expected a month at or after start ({kw.get('start', 1)})")
        return None
    if cls is P.InferenceService and kw.get("max_gpus") is not None and kw["max_gpus"] < kw.get("min_gpus", 1):
        r.problem(_join(path, "max_gpus"), "expected max_gpus at least min_gpus")
        return None
    return cls(**kw)


RANGEABLE = {"gpus", "hours", "params", "tokens", "mfu", "runs", "interruption_overhead", "requests_per_month",
             "input_tokens", "output_tokens", "tokens_per_second_per_gpu", "utilization", "growth", "min_gpus",
             "people", "hours_per_week", "idle_share", "gpus_per_instance", "size_tb", "growth_tb_per_month",
             "compression", "tb_per_month", "cached_input_share", "response_cache_hit_rate", "items",
             "price_per_item", "review_passes", "quantity", "unit_price", "hours_per_month", "hourly_rate"}
"""Fields that may be written as a range (amounts; not names, enums or schedule months)."""
INTEGER_FIELDS = {"gpus", "min_gpus", "people", "gpus_per_instance"}
"""Rangeable fields whose samples are rounded to whole numbers."""

_PLUS_MINUS = ("±", "+/-", "+-")


def _is_range(v: Any) -> bool:
    if isinstance(v, dict):
        return bool(set(v) & {"low", "likely", "high"})
    return isinstance(v, str) and any(t in v for t in _PLUS_MINUS)


def _range(v: Any, reader: Callable[[Any], Any], share: bool = False) -> P.Range:
    """``{low, likely, high}``, or ``likely ± 30%`` (relative for amounts, percentage points for
    shares such as utilization: ``60% ± 10%`` is 50%..70%), or ``likely ± 500k`` (absolute)."""
    if isinstance(v, dict):
        missing = [k for k in ("low", "likely", "high") if k not in v]
        extra = [k for k in v if k not in ("low", "likely", "high")]
        if missing or extra:
            raise PlanError("a range is {low: N, likely: N, high: N}"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + (f"; unknown {', '.join(map(str, extra))}" if extra else ""))
        low, likely, high = (float(reader(v[k])) for k in ("low", "likely", "high"))
        spread = None
    else:
        for token in _PLUS_MINUS:
            if token in v:
                centre, _, spread_text = v.partition(token)
                break
        likely = float(reader(centre.strip()))
        spread_text = spread_text.strip()
        if spread_text.endswith("%") and share:
            spread = parse_share(spread_text, maximum=1.0)  # shares: ± percentage points
            low, high = max(likely - spread, 0.0), likely + spread
        elif spread_text.endswith("%"):
            spread = parse_share(spread_text, maximum=1.0)  # amounts: ± a share of the likely value
            low, high = likely * (1.0 - spread), likely * (1.0 + spread)
        else:
            half = parse_number(spread_text)
            low, high, spread = likely - half, likely + half, None
        low, high = float(reader(_plain(low))), float(reader(_plain(high)))
    if not low <= likely <= high:
        raise PlanError(f"a range needs low <= likely <= high; found low {low:g}, likely {likely:g}, high {high:g}")
    return P.Range(low, likely, high, spread)


def _plain(x: float) -> float | int:
    """A computed bound handed back to a field reader (which checks it against the field's limits)."""
    return format_number(x)


def _lifecycle(v: Any) -> tuple[P.LifecycleRule, ...]:
    if not isinstance(v, list):
        raise PlanError(f"found {_describe(v)}, expected a list of rules such as "
                        "[{after_days: 30, tier: infrequent}]")
    rules = []
    for i, rule in enumerate(v):
        if not isinstance(rule, dict) or set(rule) != {"after_days", "tier"}:
            raise PlanError(f"rule {i + 1}: expected {{after_days: N, tier: NAME}}")
        rules.append(P.LifecycleRule(parse_number(rule["after_days"], allow_zero=False), _text(rule["tier"])))
    if [x.after_days for x in rules] != sorted(x.after_days for x in rules):
        raise PlanError("lifecycle rules must be in order of after_days")
    return tuple(rules)


def _sample(v: Any, base_dir: Path | None) -> P.Sample:
    """Inline text, or a path relative to the plan file (read now, counted by _count_samples)."""
    if isinstance(v, dict) and set(v) <= {"file", "text"} and len(v) == 1:
        v, is_file = (v.get("file") or v.get("text")), "file" in v
    else:
        is_file = None
    if not isinstance(v, str) or not v:
        raise PlanError(f"found {_describe(v)}, expected a file path (relative to the plan) or inline text")
    if is_file or (is_file is None and _looks_like_path(v)):
        target = Path(v)
        if not target.is_absolute():
            if base_dir is None:
                raise PlanError(f"sample file {v!r} is relative but the plan has no folder (save the plan first)")
            target = base_dir / target
        try:
            if target.stat().st_size > MAX_BYTES * 4:
                raise PlanError(f"sample file {v!r} is over 20 MB; use `aicost tokens` for big corpora")
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlanError(f"sample file {v!r} not found (looked for {target})") from None
        except UnicodeDecodeError:
            raise PlanError(f"sample file {v!r} is not UTF-8 text") from None
        except OSError as exc:
            raise PlanError(f"cannot read sample file {v!r}: {exc.strerror}") from None
        return P.Sample(text=text, path=v)
    return P.Sample(text=v)


def _looks_like_path(v: str) -> bool:
    """A sample value written as a bare string is a file when it looks like a file name."""
    return "\n" not in v and len(v) < 400 and Path(v).suffix.lower() in _SAMPLE_SUFFIXES


_SAMPLE_SUFFIXES = (".txt", ".md", ".json", ".prompt", ".jsonl", ".csv", ".html", ".xml", ".yaml", ".yml")


def _count_samples(kw: dict, r: _Reader, path: str) -> dict:
    from pricing import tokens
    for key, target in (("sample_input", "input_tokens"), ("sample_output", "output_tokens")):
        sample = kw.get(key)
        if sample is None:
            continue
        count = tokens.count_sample(sample.text, kw["model"], kw["provider"])
        kw[key] = dataclasses.replace(sample, tokens=count.tokens, encoding=count.encoding,
                                      exact=count.exact, reason=count.reason)
        kw[target] = float(count.tokens)
    return kw


def _read_prices(v: Any, r: _Reader) -> tuple[tuple[str, float], ...]:
    if v is None:
        return ()
    m = r.mapping(v, "prices", "price overrides (catalog key: price)")
    if m is None:
        return ()
    out = []
    for key, value in m.items():
        try:
            if isinstance(value, str) and value.strip().endswith("%"):
                out.append((str(key), parse_share(value, maximum=100.0)))  # e.g. reserved_discount.aws: 40%
            else:
                out.append((str(key), parse_number(value)))
        except PlanError as exc:
            r.problem(f"prices.{key}", exc.problems[0].message)
    return tuple(out)


def _read_scenarios(v: Any, r: _Reader) -> tuple[P.Scenario, ...]:
    items = r.sequence(v, "scenarios", "scenarios")
    out: list[P.Scenario] = []
    names: set[str] = set()
    for i, item in enumerate(items or []):
        path = f"scenarios[{i}]"
        m = r.mapping(item, path, "a scenario (name and strategies)")
        if m is None:
            continue
        r.unknown_keys(m, path, ["name", "strategies"])
        try:
            name = _text(m.get("name"))
        except PlanError:
            r.problem(path, "missing 'name'")
            continue
        if name in names:
            r.problem(_join(path, "name"), f"scenario {name!r} appears twice")
            continue
        names.add(name)
        strategies = []
        raw = m.get("strategies") or {}
        raw = r.mapping(raw, _join(path, "strategies"), "strategies (strategy name: parameters)")
        for sname, params in (raw or {}).items():
            spath = f"{path}.strategies.{sname}"
            if params is None:
                params = {}
            if not isinstance(params, dict):
                r.problem(spath, f"found {_describe(params)}, expected the strategy's parameters as a mapping "
                          "(or {} for its defaults)")
                continue
            strategies.append(P.StrategySpec(str(sname), tuple((str(k), _freeze(x)) for k, x in params.items())))
        out.append(P.Scenario(name, tuple(strategies)))
    return tuple(out)


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple((str(k), _freeze(x)) for k, x in v.items())
    return v


def _check_months(plan: P.Plan, r: _Reader) -> None:
    from pricing.checks import month_problems
    for p in month_problems(plan):
        r.problem(p.key_path, p.message)


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------


def dumps(plan: P.Plan) -> str:
    """The plan as YAML text in the public format, keys in the order the user wrote them."""
    return yaml.dump(to_data(plan), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


class FileChangedError(PlanError):
    """The file on disk changed since it was read (another program wrote it): saving would lose that."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(path: str | os.PathLike) -> str | None:
    """SHA-256 of a file's bytes (None when it doesn't exist): what was read, to detect changes before saving."""
    try:
        return _digest(Path(path).read_bytes())
    except FileNotFoundError:
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


def write_atomically(path: str | os.PathLike, text: str | bytes, *, backup: bool = False) -> str:
    """Write ``text`` (str as UTF-8, or bytes) to a temporary file in the same folder, fsync, then rename it
    over ``path``: a crash or a full disk mid-write leaves the previous file whole. The file keeps the mode
    of the one it replaces (a new one gets the umask's). ``backup`` first copies the previous file to
    ``<file>.bak``. Returns the new file's ``fingerprint``."""
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _keep_mode(tmp, target)
        if backup and target.exists():
            bak = target.with_name(target.name + ".bak")
            try:
                _copy(target, bak)
            except OSError:
                pass  # a failed backup must not stop the save itself; the save is still atomic
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return _digest(data)


def _keep_mode(tmp: str, target: Path) -> None:
    """Give the temporary file the replaced file's mode (mkstemp makes it 0600), or the umask's for a new file."""
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(tmp, mode)
    except OSError:
        pass  # a file system without modes (some network shares): the save goes on


def _copy(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)

_SHARE_FIELDS = {"mfu", "utilization", "growth", "idle_share", "compression", "markup", "cached_input_share",
                 "response_cache_hit_rate", "interruption_overhead"}


def to_data(plan: P.Plan) -> dict:
    """The plan as plain YAML-ready data (the inverse of loading)."""
    order = dict(plan.key_order)
    out: dict[str, Any] = {"format": P.FORMAT, "name": plan.name}
    defaults = P.Plan(start=plan.start)
    if plan.currency != "USD" or plan.fx_rate != 1.0:
        out["currency"] = plan.currency
        out["fx_rate"] = format_number(plan.fx_rate)
    out["start"] = str(plan.start)
    out["months"] = plan.months
    out["provider"] = plan.provider
    if plan.monthly_budget is not None:
        out["monthly_budget"] = format_number(plan.monthly_budget)
    for group, keys in GROUP_KEYS.items():
        sub: dict[str, Any] = {}
        for key in keys:
            if group == "services" and key == "platform":
                if plan.services.platform is not None:
                    sub["platform"] = _line_data(plan.services.platform, PLATFORM, order.get("services.platform"))
                continue
            path = f"{group}.{key}"
            lines = plan.section(path)
            if lines:
                sub[key] = [_line_data(x, LIST_SECTIONS[path][1], order.get(f"{path}[{i}]"))
                            for i, x in enumerate(lines)]
        if sub:
            out[group] = _ordered(sub, order.get(group))
    for key in ("annotation", "mlops", "people"):
        lines = plan.section(key)
        if lines:
            out[key] = [_line_data(x, LIST_SECTIONS[key][1], order.get(f"{key}[{i}]")) for i, x in enumerate(lines)]
    if plan.prices:
        out["prices"] = {k: format_number(v) for k, v in plan.prices}
    if plan.scenarios:
        out["scenarios"] = [{"name": s.name, "strategies": {st.name: _thaw(dict(st.params)) for st in s.strategies}}
                            for s in plan.scenarios]
    del defaults
    return _ordered(out, order.get(""))


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


def _line_data(line: Any, fields: dict[str, _Field], order: tuple[str, ...] | None) -> dict:
    out: dict[str, Any] = {}
    cls = type(line)
    ranges = dict(getattr(line, "ranges", ()))
    for key, (target, _, required) in fields.items():
        value = getattr(line, target)
        f = next(f for f in dataclasses.fields(cls) if f.name == target)
        default = f.default if f.default is not dataclasses.MISSING else None
        if key in ("input_tokens", "output_tokens") and getattr(line, "sample_" + key.removesuffix("_tokens"), None):
            continue  # derived from the sample
        rng = ranges.get(target)
        if rng is not None:
            out[key] = _range_data(key, rng)
            continue
        if not required and value == default:
            continue
        out[key] = _value_data(key, value)
    return _ordered(out, order)


def _range_data(key: str, rng: P.Range) -> Any:
    fmt = (lambda x: format_share(x)) if key in _SHARE_FIELDS else (lambda x: repr(float(x)) if not float(x).is_integer() else str(int(x)))
    if rng.spread is not None:
        return f"{fmt(rng.likely)} ± {format_share(rng.spread)}"
    if key in _SHARE_FIELDS:
        return {"low": fmt(rng.low), "likely": fmt(rng.likely), "high": fmt(rng.high)}
    return {"low": format_number(rng.low), "likely": format_number(rng.likely), "high": format_number(rng.high)}


def _value_data(key: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, P.Sample):
        if value.path:
            return {"file": value.path} if _looks_like_path(value.path) is False else value.path
        return {"text": value.text} if _looks_like_path(value.text) else value.text
    if isinstance(value, tuple) and value and isinstance(value[0], P.LifecycleRule):
        return [{"after_days": format_number(x.after_days), "tier": x.tier} for x in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if key in _SHARE_FIELDS:
        return format_share(value)
    return format_number(value)
