"""The plan's ``actuals:`` section as immutable values: which exports, which cost column, dated rates, mapping rules.

A model-layer module (``Plan.actuals`` holds an ``ActualsConfig``; it imports nothing but
``pricing.errors``). Plain data in, plain data out (``actuals_from_data`` / ``actuals_to_data``):
the plan-file reader (``pricing.planfile.read``) and writer call them like any other section, and
every problem is reported at once with its key path (``actuals.rules[2].match.sku``) and line.
What the rules do with billing rows is ``pricing.actuals`` (the analyses layer). Documented in
docs/plan-format.md, "Actuals".
"""
from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable

from pricing.errors import PlanFileError, Problem, closest


class CostColumn(Enum):
    """Which FOCUS cost an import totals."""

    EFFECTIVE = "effective"   # EffectiveCost: amortised (upfront commitments spread over the usage they cover)
    BILLED = "billed"         # BilledCost: what the invoice charges for the period


class ForecastMethod(Enum):
    """How the months without actuals are re-forecast."""

    RUN_RATE = "run_rate"     # recent actual cost per line x the plan's own month-to-month growth
    REBASE = "rebase"         # the plan's cost scaled by actual / planned usage (GPU-hours, tokens, GB-months)


MATCH_KEYS: dict[str, str] = {
    "service": "ServiceName (OpenAI API / Anthropic API for provider exports)",
    "service_category": "ServiceCategory (Compute, Storage, AI and Machine Learning, ...)",
    "provider": "ServiceProviderName / ProviderName",
    "sku": "SkuId (OpenAI: the line item, Anthropic: model and token type)",
    "meter": "SkuMeter (OpenAI: input/output, Anthropic: the token type)",
    "region": "RegionId / RegionName",
    "resource": "ResourceName or ResourceId (OpenAI: the project, Anthropic: the workspace)",
    "model": "the model id (SkuPriceDetails.ModelId; the OpenAI line item's model; the Anthropic model)",
    "instance_type": "SkuPriceDetails.InstanceType (p5.48xlarge, a3-highgpu-8g, ...)",
    "charge_category": "ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment)",
    "unit": "ConsumedUnit (Hours, Tokens, GB-Months, ...)",
    "tags": "Tags, as {key: value} (OpenAI: project_id, project_name; Anthropic: workspace, api_key, ...)",
}
"""What a rule can match on, and which export column each key reads."""

TOP_KEYS = ("sources", "cost", "rates", "rules", "forecast")
DEFAULT_WINDOW = 3
"""Months of actuals the re-forecast's run-rate averages (the most recent complete ones)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Billing rows that match every key go to ``line``; rules are tried in order, the first match wins."""

    match: tuple[tuple[str, tuple[str, ...]], ...]
    """Key -> accepted patterns (any of them; ``*`` and ``?`` wildcards, case-insensitive)."""
    tags: tuple[tuple[str, tuple[str, ...]], ...]
    """Tag key -> accepted patterns."""
    line: str
    """The plan line: its key path (``services.apis[0]``) or its name."""

    def data(self) -> dict:
        m: dict[str, Any] = {k: (v[0] if len(v) == 1 else list(v)) for k, v in self.match}
        if self.tags:
            m["tags"] = {k: (v[0] if len(v) == 1 else list(v)) for k, v in self.tags}
        return {"match": m, "line": self.line}


@dataclass(frozen=True, slots=True)
class Rate:
    """A dated conversion rate into the plan's currency."""

    currency: str
    """The export's currency (BillingCurrency), e.g. USD."""
    rate: float
    """Units of the plan's currency per unit of ``currency``."""
    as_of: _dt.date
    """The day the rate was read (stated, so a converted actual says which rate it used)."""


@dataclass(frozen=True, slots=True)
class ActualsConfig:
    """Everything the plan says about its actuals."""

    sources: tuple[str, ...] = ()
    """Export files, as written (relative to the plan file's folder)."""
    cost: CostColumn = CostColumn.EFFECTIVE
    rates: tuple[Rate, ...] = ()
    rules: tuple[Rule, ...] = ()
    forecast: ForecastMethod = ForecastMethod.RUN_RATE
    window: int = DEFAULT_WINDOW

    def rate(self, currency: str) -> Rate | None:
        for r in self.rates:
            if r.currency == currency.upper():
                return r
        return None

    def source_paths(self, base_dir: str | os.PathLike | None) -> tuple[str, ...]:
        """``sources`` resolved against the plan file's folder."""
        if base_dir is None:
            return self.sources
        return tuple(s if os.path.isabs(s) else str(Path(base_dir) / s) for s in self.sources)


def store_path_for(plan_path: str | os.PathLike) -> Path:
    """Where a plan's imported actuals live: ``<plan file>.actuals.duckdb`` beside it (``pricing.actuals.store``)."""
    p = Path(plan_path)
    return p.with_name(p.name + ".actuals.duckdb")


def rule_text(rule: Rule) -> str:
    """A rule's match as one line: ``model: gpt-4o · tags.team: ml, search``."""
    parts = [f"{k}: {', '.join(v)}" for k, v in rule.match]
    parts += [f"tags.{k}: {', '.join(v)}" for k, v in rule.tags]
    return " · ".join(parts)


LineOf = Callable[[str], "int | None"]


def actuals_from_data(data: Any, *, file: str | None = None, line_of: LineOf | None = None,
                      path: str = "actuals") -> ActualsConfig:
    """Read the ``actuals:`` section (plain YAML data); raises PlanFileError listing every problem."""
    problems: list[Problem] = []

    def problem(key_path: str, message: str) -> None:
        problems.append(Problem(message, key_path, _line(line_of, key_path), file))

    if data is None:
        return ActualsConfig()
    if not isinstance(data, dict):
        raise PlanFileError(Problem(f"found {_describe(data)}, expected a mapping with sources, cost, rates, rules, "
                                    "forecast", path, _line(line_of, path), file))
    _unknown(data, path, TOP_KEYS, problem)
    sources = _sources(data.get("sources"), f"{path}.sources", problem)
    cost = CostColumn.EFFECTIVE
    if data.get("cost") is not None:
        try:
            cost = CostColumn(str(data["cost"]).strip().lower())
        except ValueError:
            problem(f"{path}.cost", f"found {data['cost']!r}, expected effective (EffectiveCost, amortised) or billed "
                    "(BilledCost)")
    rates = _rates(data.get("rates"), f"{path}.rates", problem)
    rules = _rules(data.get("rules"), f"{path}.rules", problem)
    method, window = ForecastMethod.RUN_RATE, DEFAULT_WINDOW
    fc = data.get("forecast")
    if fc is not None:
        if not isinstance(fc, dict):
            problem(f"{path}.forecast", f"found {_describe(fc)}, expected {{method: run_rate | rebase, window: N}}")
        else:
            _unknown(fc, f"{path}.forecast", ("method", "window"), problem)
            if fc.get("method") is not None:
                try:
                    method = ForecastMethod(str(fc["method"]).strip().lower())
                except ValueError:
                    problem(f"{path}.forecast.method", f"found {fc['method']!r}, expected run_rate or rebase")
            if fc.get("window") is not None:
                w = fc["window"]
                if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= 24:
                    problem(f"{path}.forecast.window", f"found {w!r}, expected a whole number of months from 1 to 24")
                else:
                    window = w
    if problems:
        raise PlanFileError(problems)
    return ActualsConfig(sources, cost, rates, rules, method, window)


def actuals_to_data(cfg: ActualsConfig) -> dict:
    """The section as plain YAML-ready data (defaults left out); ``actuals_from_data`` reads it back."""
    out: dict[str, Any] = {}
    if cfg.sources:
        out["sources"] = list(cfg.sources)
    if cfg.cost is not CostColumn.EFFECTIVE:
        out["cost"] = cfg.cost.value
    if cfg.rates:
        out["rates"] = [{"from": r.currency, "rate": r.rate, "as_of": r.as_of.isoformat()} for r in cfg.rates]
    if cfg.rules:
        out["rules"] = [r.data() for r in cfg.rules]
    if cfg.forecast is not ForecastMethod.RUN_RATE or cfg.window != DEFAULT_WINDOW:
        out["forecast"] = {"method": cfg.forecast.value, "window": cfg.window}
    return out


def _line(line_of: LineOf | None, key_path: str) -> int | None:
    if line_of is None:
        return None
    while key_path:
        line = line_of(key_path)
        if line is not None:
            return line
        key_path = key_path.rsplit(".", 1)[0] if "." in key_path else (
            key_path.rsplit("[", 1)[0] if "[" in key_path else "")
    return None


def _describe(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return repr(v)


def _unknown(m: dict, path: str, known: tuple[str, ...] | list[str], problem: Callable[[str, str], None]) -> None:
    for key in m:
        if key not in known:
            sugg = closest(str(key), known, n=3)
            hint = (f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg
                    else f"; known keys: {', '.join(known)}")
            problem(f"{path}.{key}", f"unknown key {key!r}{hint}")


def _sources(v: Any, path: str, problem: Callable[[str, str], None]) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        problem(path, f"found {_describe(v)}, expected a list of export files")
        return ()
    out = []
    for i, item in enumerate(v):
        if isinstance(item, dict) and set(item) == {"file"}:
            item = item["file"]
        if not isinstance(item, str) or not item.strip():
            problem(f"{path}[{i}]", f"found {_describe(item)}, expected a file path (relative to the plan file)")
            continue
        out.append(item.strip())
    return tuple(out)


def _rates(v: Any, path: str, problem: Callable[[str, str], None]) -> tuple[Rate, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        problem(path, f"found {_describe(v)}, expected a list of {{from: USD, rate: 0.92, as_of: 2027-03-31}}")
        return ()
    out: list[Rate] = []
    for i, item in enumerate(v):
        ip = f"{path}[{i}]"
        if not isinstance(item, dict):
            problem(ip, f"found {_describe(item)}, expected {{from: USD, rate: 0.92, as_of: 2027-03-31}}")
            continue
        _unknown(item, ip, ("from", "rate", "as_of"), problem)
        cur = str(item.get("from", "")).strip().upper()
        if len(cur) != 3 or not cur.isalpha():
            problem(f"{ip}.from", f"found {item.get('from')!r}, expected the export's 3-letter currency (USD, EUR...)")
        rate = item.get("rate")
        if not _positive(rate):
            problem(f"{ip}.rate", f"found {rate!r}, expected a positive number: units of the plan's currency per "
                    f"1 {cur or 'unit'}")
            rate = None
        as_of = parse_date(item.get("as_of"))
        if as_of is None:
            problem(f"{ip}.as_of", f"found {item.get('as_of')!r}, expected the date the rate was read (2027-03-31): "
                    "an actual converted with an undated rate could not say which rate it used")
        if any(r.currency == cur for r in out):
            problem(f"{ip}.from", f"a second rate from {cur}; give one rate per currency")
        elif rate is not None and as_of is not None and len(cur) == 3:
            out.append(Rate(cur, float(rate), as_of))
    return tuple(out)


def _positive(v: Any) -> bool:
    """A finite number above zero (an integer too big for a float is not: YAML reads any length of digits)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v)) and v > 0
    except OverflowError:
        return False


def parse_date(v: Any) -> _dt.date | None:
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v.strip())
        except ValueError:
            return None
    return None


def _patterns(v: Any) -> tuple[str, ...] | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (str, int, float)):
        text = str(v).strip()
        return (text,) if text else None
    if isinstance(v, list) and v and all(isinstance(x, (str, int, float)) and not isinstance(x, bool)
                                         and str(x).strip() for x in v):
        return tuple(str(x).strip() for x in v)
    return None


def _rules(v: Any, path: str, problem: Callable[[str, str], None]) -> tuple[Rule, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        problem(path, f"found {_describe(v)}, expected a list of {{match: {{...}}, line: ...}}")
        return ()
    out = []
    for i, item in enumerate(v):
        ip = f"{path}[{i}]"
        if not isinstance(item, dict):
            problem(ip, f"found {_describe(item)}, expected {{match: {{model: gpt-4o}}, line: Answer generation}}")
            continue
        _unknown(item, ip, ("match", "line"), problem)
        line = item.get("line")
        if not isinstance(line, str) or not line.strip():
            problem(f"{ip}.line", f"found {_describe(line)}, expected the plan line (its name or key path such as "
                    "services.apis[0])")
        m = item.get("match")
        if not isinstance(m, dict) or not m:
            problem(f"{ip}.match", f"found {_describe(m)}, expected what the rows must have, e.g. {{model: gpt-4o}} "
                    f"(keys: {', '.join(MATCH_KEYS)})")
            continue
        match, tags, ok = [], [], True
        for key, value in m.items():
            kp = f"{ip}.match.{key}"
            if key not in MATCH_KEYS:
                sugg = closest(str(key), MATCH_KEYS, n=3)
                problem(kp, f"unknown match key {key!r}" + (f"; did you mean {', '.join(repr(s) for s in sugg)}?"
                                                             if sugg else f"; keys: {', '.join(MATCH_KEYS)}"))
                ok = False
            elif key == "tags":
                if not isinstance(value, dict) or not value:
                    problem(kp, f"found {_describe(value)}, expected tag keys and values, e.g. {{team: search}}")
                    ok = False
                    continue
                for tag, tv in value.items():
                    pats = _patterns(tv)
                    if pats is None:
                        problem(f"{kp}.{tag}", f"found {_describe(tv)}, expected a value or a list of values")
                        ok = False
                    else:
                        tags.append((str(tag), pats))
            else:
                pats = _patterns(value)
                if pats is None:
                    problem(kp, f"found {_describe(value)}, expected a value (wildcards * and ?) or a list of values")
                    ok = False
                else:
                    match.append((key, pats))
        if ok and isinstance(line, str) and line.strip():
            out.append(Rule(tuple(match), tuple(tags), line.strip()))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# A rule as the window's form shows it: one text per match key, values separated by commas
# ---------------------------------------------------------------------------------------------


def rule_fields(rule: Rule) -> tuple[dict[str, str], str]:
    """(match key -> ``a, b``, tags as ``team=ml; env=prod, staging``): what the rule form shows."""
    match = {k: ", ".join(v) for k, v in rule.match}
    tags = "; ".join(f"{k}={', '.join(v)}" for k, v in rule.tags)
    return match, tags


def rule_from_fields(match: dict[str, str], tags: str, line: str) -> Rule:
    """The rule a form describes (``rule_fields`` read back); PlanFileError says what is wrong, by key path.

    The texts are turned into the plan file's data and read by ``actuals_from_data``, so the form
    accepts exactly what the file accepts, with the same messages.
    """
    m: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in match.items():
        values = _split(text)
        if values:
            m[key] = values if len(values) > 1 else values[0]
    if tags.strip():
        t: dict[str, Any] = {}
        for part in tags.split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            values = _split(value)
            if not sep or not key.strip() or not values:
                problems.append(Problem(f"found {part.strip()!r}, expected tag=value (several: team=ml; env=prod, "
                                        "staging)", "rule.match.tags"))
                continue
            t[key.strip()] = values if len(values) > 1 else values[0]
        if t:
            m["tags"] = t
    if not m and not problems:
        problems.append(Problem("give at least one thing the billing rows must have (a model, a SKU, a service...)",
                                "rule.match"))
    if problems:
        raise PlanFileError(problems)
    try:
        cfg = actuals_from_data({"rules": [{"match": m, "line": line}]}, path="rule")
    except PlanFileError as exc:
        raise PlanFileError([Problem(p.message, p.key_path.replace("rule.rules[0]", "rule"), p.line, p.file)
                             for p in exc.problems]) from None
    return cfg.rules[0]


def _split(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]
