"""Reading a plan file: YAML into a frozen ``Plan``, every problem reported at once (file, line, key path)."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from pricing import fields, userfiles
from pricing import plan as P
from pricing.actuals_config import ActualsConfig, actuals_from_data
from pricing.errors import PlanError, PlanFileError, Problem, closest, shorten
from pricing.fields import Kind, SectionSpec
from pricing.planfile.tables import GROUP_KEYS, TOP_KEYS, _describe
from pricing.planfile.yamltree import MAX_BYTES, _parse_yaml, _Tree
from pricing.fields.ranges import is_range, read_range
from pricing.quantities import parse_number, parse_share

# ---------------------------------------------------------------------------------------------
# Field readers
# ---------------------------------------------------------------------------------------------


class _Reader:
    """Reads values out of mappings, collecting problems instead of stopping at the first."""

    def __init__(self, tree: _Tree):
        self.tree = tree
        self._yaml_problems = {p.key_path for p in tree.problems}
        """Key paths whose YAML was refused (a tag): the value read there is its bare text, not worth a second
        problem."""

    def problem(self, path: str, message: str) -> None:
        if path in self._yaml_problems:
            return
        self.tree.problems.append(Problem(message, path, self._line(path), self.tree.file))

    def _line(self, path: str) -> int | None:
        return _line_of(self.tree.lines, path)

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
                hint = (f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg
                        else f"; known keys: {', '.join(known)}")
                self.problem(_join(path, key), f"unknown key {key!r}{hint}")


def _line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of ``path``, or of its nearest parent key path that has one (the plan's first line for "")."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path.rsplit(".", 1)[0] if "." in path else (path.rsplit("[", 1)[0] if "[" in path else "")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanText:
    """A plan read from its file, with the line of every key path (to place problems found later, by checks)."""

    plan: P.Plan
    file: str | None
    """The file as the user named it (None for text that came from elsewhere)."""
    lines: Mapping[str, int]
    """Key path (``compute.training[0].gpu``) -> line in the file."""

    def line(self, key_path: str) -> int | None:
        """The line of a key path, or of its nearest parent that has one."""
        return _line_of(self.lines, key_path)


def load(path: str | os.PathLike) -> P.Plan:
    """Read a plan file (no catalog, no prices); raises PlanFileError listing every problem of its format
    (file, line, key path). ``pricing.load`` reads and then checks the plan against the catalog."""
    return read(path).plan


def read(path: str | os.PathLike) -> PlanText:
    """``load``, keeping the line of every key path."""
    p = Path(path)
    shown = str(path)
    try:  # a regular file only, read to at most MAX_BYTES (a device's stat size is 0; a FIFO would block)
        raw = userfiles.read_bytes(p, MAX_BYTES)
    except FileNotFoundError:
        raise PlanFileError(Problem("no such file", file=shown)) from None
    except IsADirectoryError:
        raise PlanFileError(Problem("this is a folder, expected a plan file (.yaml)", file=shown)) from None
    except userfiles.FileTooBig:
        raise PlanFileError(Problem(f"the file holds more than {userfiles.size_text(MAX_BYTES)}; a plan file is at "
                                    f"most {userfiles.size_text(MAX_BYTES)}", file=shown)) from None
    except userfiles.UnreadableFile as exc:
        raise PlanFileError(Problem(f"{exc}; expected a plan file (.yaml)", file=shown)) from None
    except OSError as exc:
        raise PlanFileError(Problem(f"cannot read the file: {exc.strerror or exc}", file=shown)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanFileError(Problem("the file is not UTF-8 text (a plan file is YAML in UTF-8)",
                                    line=line, file=shown)) from None
    return reads(text, file=shown, base_dir=p.resolve().parent)


def loads(text: str, *, file: str | None = None, base_dir: str | os.PathLike | None = None) -> P.Plan:
    """Read plan text (no catalog, no prices); ``base_dir`` resolves sample files; PlanFileError lists every
    problem of its format."""
    return reads(text, file=file, base_dir=base_dir).plan


def reads(text: str, *, file: str | None = None, base_dir: str | os.PathLike | None = None) -> PlanText:
    """``loads``, keeping the line of every key path."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PlanFileError(Problem(f"more than {MAX_BYTES // (1024 * 1024)} MB: not a plan file", file=file))
    if "\x00" in text:
        raise PlanFileError(Problem("the file holds binary data (NUL bytes), expected YAML text",
                                    line=text.count("\n", 0, text.index("\x00")) + 1, file=file))
    value, tree = _parse_yaml(text, file)
    r = _Reader(tree)
    if not isinstance(value, dict):
        raise PlanFileError(Problem(f"found {_describe(value)} at the top of the file, expected a plan "
                                    "(a YAML mapping with format, name, months...)", line=1, file=file))
    plan = _read_plan(value, r, Path(base_dir) if base_dir else None)
    if tree.problems:
        raise PlanFileError(tree.problems)
    return PlanText(plan, file, MappingProxyType(tree.lines))


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

    for spec in fields.SETTINGS.fields:
        if spec.rangeable and _is_range(m.get(spec.key)):  # fx_rate: 0.92 ± 5% (a pinned rate the Monte Carlo samples)
            try:
                rng = _range(m[spec.key], spec.read, spec.share)
                kw[spec.key], kw["fx_range"] = rng.likely, (rng if rng.low != rng.high else None)
            except PlanError as exc:
                r.problem(spec.key, exc.problems[0].message)
            continue
        get(spec.key, spec.read)
    if kw.get("currency", "USD") == "USD" and kw.get("fx_rate") not in (None, 1.0):
        r.problem("fx_rate", f"found {kw['fx_rate']:g}, but a USD plan converts at 1 USD per USD (set currency "
                  "to the plan's own currency)")
    priced_with = _read_priced_with(m.get("priced_with"), r)
    if priced_with is not None:
        kw["priced_with"] = priced_with

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
    for section in fields.LIST_SECTIONS:
        path = section.path
        head, _, tail = path.partition(".")
        raw = groups[head].get(tail) if tail else m.get(head)
        items = r.sequence(raw, path, f"{tail or head} lines")
        lines = []
        for i, item in enumerate(items or []):
            line = _read_line(item, f"{path}[{i}]", section, r, base_dir)
            if line is not None:
                lines.append(line)
        sections[path] = tuple(lines)

    platform = None
    raw_platform = groups["services"].get("platform")
    if raw_platform is not None:
        platform = _read_line(raw_platform, "services.platform", fields.section("services.platform"), r, base_dir)

    prices = _read_prices(m.get("prices"), r)
    scenarios = _read_scenarios(m.get("scenarios"), r)
    actuals = _read_actuals(m.get("actuals"), r)

    plan = P.Plan(
        **kw,
        compute=P.Compute(*(sections[f"compute.{k}"] for k in GROUP_KEYS["compute"])),
        data=P.Data(sections["data.storage"], sections["data.egress"]),
        services=P.Services(platform, sections["services.apis"]),
        annotation=sections["annotation"], mlops=sections["mlops"], people=sections["people"],
        commitments=sections["commitments"], prices=prices, scenarios=scenarios, actuals=actuals,
        key_order=tuple(r.tree.key_order.items()),
    )
    _check_months(plan, r)
    return plan


def _read_line(item: Any, path: str, section: SectionSpec, r: _Reader, base_dir: Path | None) -> Any:
    m = r.mapping(item, path, "a line (name and its values)")
    if m is None:
        return None
    r.unknown_keys(m, path, list(section.keys()))
    cls = section.cls
    kw: dict[str, Any] = {}
    ranges: list[tuple[str, P.Range]] = []
    ok = True
    for spec in section.fields:
        key = spec.key
        if key not in m or m[key] is None:
            if spec.required:
                r.problem(path, f"missing {key!r}")
                ok = False
            continue
        try:
            if _is_range(m[key]):
                if not spec.rangeable:
                    raise PlanError(f"{key} cannot be a range (ranges are for amounts, not names or schedule months)")
                rng = _range(m[key], spec.read, spec.share)
                kw[key] = rng.likely
                if rng.low != rng.high:
                    ranges.append((key, rng))
            elif spec.kind is Kind.SAMPLE:
                kw[key] = _sample(m[key], base_dir)
            else:
                kw[key] = spec.read(m[key])
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
        if "active_params" in kw and "hours" in kw:
            r.problem(_join(path, "active_params"),
                      "active_params derives the hours with params, tokens and mfu; give those, or hours alone")
            return None
    if cls is P.ApiLine:
        if "sample_input" in kw and "input_tokens" in m:
            r.problem(path, "give either input_tokens or sample_input, not both")
            return None
        if "sample_output" in kw and "output_tokens" in m:
            r.problem(path, "give either output_tokens or sample_output, not both")
            return None
        kw = _count_samples(kw, r, path)
    if cls is P.PeopleLine:
        hourly = [k for k in ("hours_per_month", "hourly_rate") if k in kw]
        budgeted = [k for k in ("headcount", "fte", "annual_cost") if k in kw]
        if hourly and budgeted:
            r.problem(path, "give either hours_per_month and hourly_rate, or headcount, fte and annual_cost "
                      f"(found {', '.join(hourly + budgeted)})")
            return None
        if not budgeted and len(hourly) != 2:
            missing = [k for k in ("hours_per_month", "hourly_rate") if k not in kw]
            if len(missing) == 2:
                r.problem(path, "missing hours_per_month and hourly_rate: give them, or headcount, fte and "
                          "annual_cost (e.g. {headcount: 2, fte: 50%, annual_cost: 220k})")
            else:
                r.problem(path, f"missing {missing[0]!r}")
            return None
        if budgeted and "annual_cost" not in kw:
            r.problem(path, "missing annual_cost: headcount x fte x annual_cost (the loaded cost of one full-time "
                      "person a year, e.g. 220k)")
            return None
    if "end" in kw and kw["end"] < kw.get("start", 1):
        r.problem(_join(path, "end"), f"found {kw['end']}, expected a month at or after start ({kw.get('start', 1)})")
        return None
    if cls is P.InferenceService and kw.get("max_gpus") is not None and kw["max_gpus"] < kw.get("min_gpus", 1):
        r.problem(_join(path, "max_gpus"), "expected max_gpus at least min_gpus")
        return None
    return cls(**kw)


# ranges (``2M ± 30%``, ``1M..2M``, ``{low, likely, high}``) are read by the schema's one range reader, which the
# editors use too
_is_range, _range = is_range, read_range


def _sample(v: Any, base_dir: Path | None) -> P.Sample:
    """Inline text, or a path relative to the plan file (read now, counted by _count_samples)."""
    if isinstance(v, dict) and set(v) <= {"file", "text"} and len(v) == 1:
        v, is_file = (v.get("file") or v.get("text")), "file" in v
    else:
        is_file = None
    if not isinstance(v, str) or not v:
        raise PlanError(f"found {_describe(v)}, expected a file path (relative to the plan) or inline text")
    if is_file or (is_file is None and _looks_like_path(v)):
        shown = shorten(v)
        target = Path(v)
        if not target.is_absolute():
            if base_dir is None:
                raise PlanError(f"sample file {shown} is relative but the plan has no folder (save the plan first)")
            target = base_dir / target
        try:  # a regular file only, read to at most MAX_SAMPLE_BYTES (a FIFO or /dev/zero must not hang the load)
            text = userfiles.read_text(target, MAX_SAMPLE_BYTES)
        except FileNotFoundError:
            raise PlanError(f"sample file {shown} not found (looked for {target})") from None
        except UnicodeDecodeError:
            raise PlanError(f"sample file {shown} is not UTF-8 text") from None
        except userfiles.FileTooBig:
            raise PlanError(f"sample file {shown} is larger than {userfiles.size_text(MAX_SAMPLE_BYTES)}; "
                            "use `aicost tokens` for big corpora") from None
        except userfiles.UnreadableFile as exc:
            raise PlanError(f"sample file {shown}: {exc}") from None
        except OSError as exc:
            raise PlanError(f"cannot read sample file {shown}: {exc.strerror or exc}") from None
        return P.Sample(text=text, path=v)
    return P.Sample(text=v)


MAX_SAMPLE_BYTES = 4 * MAX_BYTES
"""Largest sample file a plan names (20 MB): a typical prompt is a few KB; a corpus is counted with
``aicost tokens``, not in a plan."""


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


PRICED_WITH_KEYS = ("catalog", "catalog_hash", "genai_prices", "genai_prices_data", "fx_date", "fx_rate", "total",
                    "figures", "tiered")
"""Keys of ``priced_with:`` (written on save; docs/plan-format.md)."""


def _read_priced_with(v: Any, r: _Reader) -> P.PricedWith | None:
    """The price snapshot the plan was saved with; a damaged record is reported, never guessed."""
    if v is None:
        return None
    m = r.mapping(v, "priced_with", "the price snapshot the plan was saved with (written on save)")
    if m is None:
        return None
    r.unknown_keys(m, "priced_with", list(PRICED_WITH_KEYS))
    text = {k: "" if m.get(k) is None else str(m[k]) for k in ("catalog", "catalog_hash", "genai_prices",
                                                               "genai_prices_data", "fx_date")}
    if not text["catalog"] or not text["catalog_hash"]:
        r.problem("priced_with", "expected at least catalog and catalog_hash (the app writes them on save)")
        return None
    nums: dict[str, float | None] = {}
    for key in ("fx_rate", "total"):
        try:
            nums[key] = None if m.get(key) is None else parse_number(m[key])
        except PlanError as exc:
            r.problem(f"priced_with.{key}", exc.problems[0].message)
            nums[key] = None
    figures = []
    fm = r.mapping(m.get("figures") or {}, "priced_with.figures", "price figures (catalog key: USD price)") or {}
    for key, value in fm.items():
        try:
            figures.append((str(key), parse_number(value)))
        except PlanError as exc:
            r.problem(f"priced_with.figures.{key}", exc.problems[0].message)
    tiered = r.sequence(m.get("tiered"), "priced_with.tiered", "price keys") or []
    return P.PricedWith(text["catalog"], text["catalog_hash"], text["genai_prices"], text["genai_prices_data"],
                        text["fx_date"], nums["fx_rate"], nums["total"], tuple(figures),
                        tuple(str(k) for k in tiered))


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
            name = fields.NAME.read(m.get("name"))
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


def _read_actuals(v: Any, r: _Reader) -> ActualsConfig:
    """The ``actuals:`` section (pricing.actuals_config reads it; its problems carry this file's lines)."""
    try:
        return actuals_from_data(v, file=r.tree.file, line_of=r._line)
    except PlanError as exc:
        r.tree.problems.extend(exc.problems)
        return ActualsConfig()


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple((str(k), _freeze(x)) for k, x in v.items())
    return v


def _check_months(plan: P.Plan, r: _Reader) -> None:
    for p in P.month_problems(plan):
        r.problem(p.key_path, p.message)


# ---------------------------------------------------------------------------------------------
