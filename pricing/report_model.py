"""The report model: everything a report of one plan shows, gathered once from one projection.

``gather(plan, catalog)`` projects the plan once (or takes the projection the window already has)
and computes, when asked, its scenarios, Monte Carlo percentiles and tornado, with progress and
cancel for the slow parts. The ``Report`` it returns is immutable and is what the PDF
(``gui.pdf``), the CSV files (``export_csv``), ``aicost report`` (text and JSON, ``report``) and
the window's exports read, so their figures cannot disagree:

- ``report_figures.summarize(projection)``: the projection rounded once to the currency's minor unit;
  every total is a sum of those cents (re-exported here).
- ``scenario_figures``: a scenario's cents and its strategies' parts of the saving (they add up).
- ``plan_inputs(plan)`` and ``prices_used(projection)``: every input and every price, as text.

Later parts (fiscal-year roll-ups, a cash/amortised view, actuals) are new fields of ``Report``
with defaults, filled by ``gather`` when asked, so the readers of today keep working.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pricing import engine, fields
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.fields import number_text, share_text
from pricing.plan import Plan
from pricing.report_figures import (CategoryTable, DriverFigure, LineFigures, Period, Summary, UncertaintyFigures,
                                    month_periods, summarize, uncertainty_figures, year_periods)

if TYPE_CHECKING:
    from pricing.engine import Projection
    from pricing.scenarios import RoundedAttribution, ScenarioResult
    from pricing.uncertainty import MonteCarlo, Tornado

# pricing.scenarios and pricing.uncertainty are imported where a report needs them (scenarios, Monte Carlo,
# tornado): `aicost report` (text, JSON, CSV) needs neither, and importing both adds ~20-30 ms to its start-up
# (benchmarks/bench_engine.py times it).

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


# ---------------------------------------------------------------------------------------------
# The report: gathered once from one projection
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrategyFigure:
    """One strategy's part of a scenario's saving over the horizon (cents; the parts sum to the saving)."""

    name: str
    total: int
    share_of_saving: float
    """Rounded to 6 decimals, as ``scenarios.summary_data`` gives it (0 when nothing is saved)."""
    share_of_baseline: float


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioFigures:
    """One savings scenario against the report's baseline, in cents that add up."""

    result: ScenarioResult
    summary: Summary
    """The scenario's projection in cents."""
    attribution: RoundedAttribution
    """Its saving (baseline cents minus scenario cents) and each strategy's part of it."""
    baseline_total: int
    """The baseline's horizon total (cents) the saving is measured against."""

    @property
    def name(self) -> str:
        return self.result.scenario.name

    @property
    def saving(self) -> int:
        """Cents saved over the horizon: the baseline's total minus the scenario's, as shown."""
        return self.attribution.saving_total

    @property
    def saving_share(self) -> float:
        """Of the baseline's total, rounded to 6 decimals (``scenarios.summary_data``'s figure)."""
        return round(self.saving / self.baseline_total, 6) if self.baseline_total else 0.0

    @property
    def strategies(self) -> tuple[StrategyFigure, ...]:
        s, b = self.saving, self.baseline_total
        return tuple(StrategyFigure(n, t, round(t / s, 6) if s else 0.0, t / b if b else 0.0)
                     for n, t in self.attribution.part_totals)


def scenario_figures(baseline: Summary, result: ScenarioResult) -> ScenarioFigures:
    """A scenario's figures against ``baseline`` (the summary of ``result.baseline``), rounded once each."""
    from pricing.scenarios import attribution_cents  # deferred: see the note on imports
    scen = summarize(result.projection)
    return ScenarioFigures(result, scen, attribution_cents(result, baseline.cells, scen.cells), baseline.total)


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    """Everything a report of one plan shows, computed once: the PDF, the CSV files, ``aicost report`` and
    the window's exports read it. Parts not asked for are empty (no scenarios, ``None``)."""

    plan: Plan
    """The plan as projected (its ``months`` is the horizon of the projection)."""
    projection: "Projection"
    summary: Summary
    """The projection in cents: lines, categories, months, drivers, total."""
    scenarios: tuple[ScenarioFigures, ...] = ()
    """The plan's scenarios that could be evaluated, in the plan's order."""
    skipped: tuple[str, ...] = ()
    """Scenarios that could not be evaluated, each ``name: reason``."""
    monte_carlo: MonteCarlo | None = None
    uncertainty: UncertaintyFigures | None = None
    """The Monte Carlo percentiles in cents (``None`` when it was not run)."""
    tornado: Tornado | None = None
    inputs: "PlanInputs | None" = None
    """Every input as text (``None`` unless gathered with ``texts=True``)."""
    prices: tuple["PriceUsed", ...] = ()
    dates: "PriceDates | None" = None
    generated: _dt.date = field(default_factory=_dt.date.today)
    """The day the report is dated."""

    @property
    def currency(self) -> str:
        return self.summary.currency

    @property
    def decimals(self) -> int:
        return self.summary.decimals

    def scenario(self, name: str) -> ScenarioFigures | None:
        return next((s for s in self.scenarios if s.name == name), None)

    def best_scenario(self) -> ScenarioFigures | None:
        """The scenario that saves the most (the first of equals), if any was evaluated."""
        best = None
        for s in self.scenarios:
            if best is None or s.saving > best.saving:
                best = s
        return best


def report_of(projection: "Projection", scenario_results: Iterable[ScenarioResult] = (), *,
              monte_carlo: MonteCarlo | None = None, uncertainty: UncertaintyFigures | None = None,
              tornado: Tornado | None = None, skipped: Iterable[str] = ()) -> Report:
    """A report assembled from parts already computed (nothing is projected or sampled again; no texts)."""
    base = summarize(projection)
    u = uncertainty
    if u is None and monte_carlo is not None:
        u = uncertainty_figures(monte_carlo, base.decimals)
    return Report(projection.plan, projection, base, tuple(scenario_figures(base, r) for r in scenario_results),
                  tuple(skipped), monte_carlo, u, tornado)


def evaluate_scenarios(plan: Plan, catalog: Any, baseline: "Projection",
                       cancel: CancelFn | None = None) -> tuple[list[ScenarioResult], list[str]]:
    """Each scenario of the plan against ``baseline``; those that can't be evaluated are listed, not raised."""
    from pricing.scenarios import evaluate as evaluate_scenario  # deferred: see the note on imports
    from pricing.uncertainty import Cancelled
    results, skipped = [], []
    for s in plan.scenarios:
        if cancel is not None and cancel():
            raise Cancelled()
        try:
            results.append(evaluate_scenario(plan, s, catalog, baseline))
        except PlanError as exc:
            skipped.append(f"{s.name}: {exc.problems[0] if exc.problems else exc}")
    return results, skipped


def scaled(progress: ProgressFn | None, low: int, high: int) -> ProgressFn | None:
    """``progress`` for a part of a longer job: its 0..100 mapped onto ``low``..``high`` of 100."""
    if progress is None:
        return None
    return lambda done, total: progress(low + (high - low) * done // max(total, 1), 100)


def gather(plan: Plan, catalog: "Catalog | None" = None, *, projection: "Projection | None" = None,
           months: int | None = None, scenarios: bool = True, monte_carlo: bool | None = None,
           tornado: bool | None = None, texts: bool = True, samples: int | None = None, seed: int | None = None,
           distribution: str = "pert", generated: _dt.date | None = None, progress: ProgressFn | None = None,
           cancel: CancelFn | None = None) -> Report:
    """Project ``plan`` once and compute every figure of its report.

    ``projection``: the plan's projection when the caller has it (the window's), used as is;
    ``months`` otherwise changes the horizon. ``scenarios``: evaluate the plan's scenarios (those
    that can't be are listed in ``skipped``). ``monte_carlo``: sample the plan's ranges (``None``:
    when it has ranges), with ``samples``, ``seed`` and ``distribution`` (seeded: the same plan
    gives the same figures). ``tornado``: each input at its low and high (``None``: when the
    Monte Carlo runs and the plan has ranges). ``texts``: every input and price as text (the PDF's
    appendix). ``progress(done, 100)`` and ``cancel()`` serve a progress dialog; cancelling raises
    ``uncertainty.Cancelled``.
    """
    step = progress or (lambda done, total: None)
    stop = cancel or (lambda: False)

    def check() -> None:
        if stop():
            from pricing.uncertainty import Cancelled
            raise Cancelled()
    if catalog is None:
        catalog = Catalog.load()
    proj = projection if projection is not None else engine.project(plan, catalog, months=months)
    plan = proj.plan
    base = summarize(proj)
    step(5, 100)
    check()
    figures: tuple[ScenarioFigures, ...] = ()
    skipped: tuple[str, ...] = ()
    if scenarios and plan.scenarios:
        results, skipped_list = evaluate_scenarios(plan, catalog, proj, cancel)
        figures, skipped = tuple(scenario_figures(base, r) for r in results), tuple(skipped_list)
    step(15, 100)
    check()
    ranged = False
    if monte_carlo is None or tornado is None:  # "when the plan has ranges"
        from pricing import uncertainty  # deferred: see the note on imports
        ranged = uncertainty.has_ranges(plan)
    mc = u = None
    if monte_carlo if monte_carlo is not None else ranged:
        from pricing import uncertainty
        mc = uncertainty.monte_carlo(plan, catalog, samples=samples or uncertainty.DEFAULT_SAMPLES,
                                     seed=uncertainty.DEFAULT_SEED if seed is None else seed,
                                     distribution=distribution, progress=scaled(progress, 15, 85), cancel=cancel,
                                     projection=proj if months is None else None)
        u = uncertainty_figures(mc, base.decimals)
    step(85, 100)
    check()
    tor = None
    if tornado if tornado is not None else (mc is not None and ranged):
        from pricing import uncertainty
        tor = uncertainty.tornado(plan, catalog, projection=proj if months is None else None, cancel=cancel)
    step(95, 100)
    check()
    inputs, prices, dates = (plan_inputs(plan), prices_used(proj, catalog), price_dates(proj)) if texts else \
        (None, (), None)
    step(100, 100)
    return Report(plan, proj, base, figures, skipped, mc, u, tor, inputs, prices, dates,
                  generated or _dt.date.today())


# ---------------------------------------------------------------------------------------------
# Inputs and prices as text
# ---------------------------------------------------------------------------------------------

SECTION_TITLES = {s.path: s.title for s in fields.SECTIONS}
"""How each section is titled in reports (from the schema)."""


def value_text(key: str, value: Any) -> str:
    """One input value for reading; ``key`` (the field name) tells shares from amounts and whole numbers."""
    spec = fields.by_key(key)
    if spec is None:
        return fields.value_text(value)
    if value is None:
        return "—"
    return spec.text(value)


@dataclass(frozen=True, slots=True)
class InputValue:
    """One input of a line, as text."""

    key: str
    """The plan-file key (``requests_per_month``)."""
    text: str
    is_default: bool
    """The plan does not set it: the model's default applies."""
    ranged: bool
    """The plan gives a range for it."""
    label: str = ""
    """The field's label from the schema (``Requests / month``), in the plan's currency."""


@dataclass(frozen=True, slots=True)
class InputLine:
    """A plan line with every input it has (set or defaulted; unset optional inputs are left out)."""

    section: str
    index: int
    name: str
    values: tuple[InputValue, ...]


@dataclass(frozen=True, slots=True)
class PlanInputs:
    settings: tuple[InputValue, ...]
    """Top-level settings and the managed platform."""
    lines: tuple[InputLine, ...]
    """Every line of every list section, in ``SECTIONS`` order."""
    prices: tuple[InputValue, ...]
    """The plan's price overrides, by catalog key."""
    scenarios: tuple[InputValue, ...]
    """Each scenario: key = its name, text = its strategies with their parameters."""


def line_values(section: str, line: Any, currency: str = "USD") -> tuple[InputValue, ...]:
    """Every input of a line in plan-file key order; unset optional inputs (``None``) are left out."""
    out = []
    ranges = dict(getattr(line, "ranges", ()))
    spec = fields.section(section)
    for f in spec.fields:
        key = f.key
        if key == "name":
            continue
        value = ranges.get(key, getattr(line, key))
        if value is None or value == ():  # not set (hours derived from FLOPs, no lifecycle rules)
            continue
        is_default = not f.required and key not in ranges and value == fields.dataclass_default(spec.cls, key)
        out.append(InputValue(key, f.text(value), is_default, key in ranges, f.label_for(currency)))
    return tuple(out)


_SAVED_ALWAYS = ("name", "start", "months", "provider")
"""Settings a plan file always states (a save writes them): never shown as defaults."""


def _settings(plan: Plan) -> tuple[InputValue, ...]:
    out = []
    for f in fields.SETTINGS.fields:
        value = getattr(plan, f.key)
        text = "none" if value is None else str(value) if f.kind in (fields.Kind.YEAR_MONTH, fields.Kind.INTEGER) \
            else f.text(value)
        is_default = f.key not in _SAVED_ALWAYS and value == fields.dataclass_default(Plan, f.key)
        out.append(InputValue(f.key, text, is_default, False, f.label_for(plan.currency)))
    p = plan.services.platform
    if p is not None:
        title = fields.section("services.platform").title   # "Managed platform: Markup" among the settings
        out.append(InputValue("services.platform.name", p.name, False, False, title))
        out += [dataclasses.replace(v, key=f"services.platform.{v.key}", label=f"{title}: {v.label}")
                for v in line_values("services.platform", p, plan.currency)]
    return tuple(out)


def _strategy_text(params: Iterable[tuple[str, Any]]) -> str:
    def text(v: Any) -> str:
        if isinstance(v, tuple) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            return "{" + ", ".join(f"{k}: {text(x)}" for k, x in v) + "}"
        if isinstance(v, (tuple, list)):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return str(v)
    return ", ".join(f"{k} {text(v)}" for k, v in params)


def scenario_text(scenario: Any) -> str:
    """``api_cache (hit_rate 20%); prompt_caching (cached_share 80%)``."""
    return "; ".join(f"{s.name} ({_strategy_text(s.params)})" if s.params else s.name
                     for s in scenario.strategies) or "no strategies"


def plan_inputs(plan: Plan) -> PlanInputs:
    """Every input of a plan as text: settings, every line of every section, overrides, scenarios."""
    lines = tuple(InputLine(section, i, line.name, line_values(section, line, plan.currency))
                  for section, i, line in plan.lines())
    prices = tuple(InputValue(k, number_text(v), False, False) for k, v in plan.prices)
    scen = tuple(InputValue(s.name, scenario_text(s), False, False) for s in plan.scenarios)
    return PlanInputs(_settings(plan), lines, prices, scen)


@dataclass(frozen=True, slots=True)
class PriceUsed:
    """A price the projection used: its value as text, where it comes from and how far to trust it."""

    key: str
    value: str
    """``3.9 USD per GPU-hour``; empty when the value can't be looked up again."""
    source: str
    as_of: str
    """ISO date, or the reference's words when undated."""
    dated: bool
    confidence: str
    overridden: bool
    notes: str


_KEY_PATH = re.compile(r"^(?P<section>[a-z_.]+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _price_value(key: str, plan: Plan, ctx_catalog: Any) -> str:
    m = _KEY_PATH.match(key)
    try:
        if m:  # a price written on the line itself (people[0].hourly_rate, annotation[1].price_per_item)
            value = getattr(plan.section(m["section"])[int(m["index"])], m["field"])
            spec = fields.at(key)  # in the plan's currency, in the field's unit (USD/h, EUR/item)
            unit = spec.unit.display(plan.currency) if spec is not None and spec.unit is not None else plan.currency
            return f"{number_text(value)} {unit}"
        if key == "services.platform.markup" and plan.services.platform is not None:
            return f"{share_text(plan.services.platform.markup or 0.0)} over compute"
        if key.startswith("api."):
            from pricing import apiprices
            _, provider, model = key.split(".", 2)
            am = apiprices.resolve(provider, model, plan.price_overrides)
            parts = [f"{label} {x:g}" for label, x in (("input", am.input_per_mtok),
                                                        ("cached input", am.cached_input_per_mtok),
                                                        ("output", am.output_per_mtok)) if x is not None]
            return " · ".join(parts) + " USD per M tokens" + (" (tiered)" if am.tiered else "")
        price = ctx_catalog.price(key)
        if price.unit.startswith("fraction"):
            return f"{share_text(price.value)} ({price.unit})"
        return f"{price.value:g} {price.unit}" + (" (volume-tiered)" if price.tiers else "")
    except (PlanError, LookupError, ValueError, AttributeError, TypeError):
        return ""


def prices_used(proj: "Projection", catalog: "Catalog | None" = None) -> tuple[PriceUsed, ...]:
    """Every distinct price the projection used, in first-use order, with its value (overrides applied)."""
    from pricing import engine
    ctx = engine.context(proj.plan, catalog)
    out = []
    for s in proj.sources():
        out.append(PriceUsed(s.key, _price_value(s.key, proj.plan, ctx.catalog), s.source,
                             s.as_of_date.isoformat() if s.as_of_date else (s.as_of or "undated"),
                             s.as_of_date is not None, s.confidence, s.overridden, s.notes))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PriceDates:
    """How current the prices behind a projection are."""

    oldest: _dt.date | None
    oldest_key: str | None
    undated: int
    """Catalog prices used that carry no date (plan overrides and line prices are not counted)."""
    api_data_date: _dt.date | None
    """genai-prices' data date, when the plan has API lines."""


def price_dates(proj: "Projection") -> PriceDates:
    oldest = proj.oldest_source()
    api = None
    if proj.plan.services.apis:
        from pricing import apiprices
        api = apiprices.data_date()
    return PriceDates(oldest.as_of_date if oldest else None, oldest.key if oldest else None,
                      len(proj.undated_sources()), api)


__all__ = ["CategoryTable", "DriverFigure", "InputLine", "InputValue", "LineFigures", "Period", "PlanInputs",
           "PriceDates", "PriceUsed", "Report", "SECTION_TITLES", "ScenarioFigures", "StrategyFigure", "Summary",
           "UncertaintyFigures", "evaluate_scenarios", "gather", "line_values", "month_periods", "number_text",
           "plan_inputs", "price_dates", "prices_used", "report_of", "scaled", "scenario_figures", "scenario_text",
           "share_text", "summarize", "uncertainty_figures", "value_text", "year_periods"]
