"""Services: third-party model APIs and the managed-platform markup."""
from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing import apiprices, apirules
from pricing.catalog import PriceSource, parse_as_of
from pricing.context import Context, LineItem
from pricing.drivers import given
from pricing.errors import PlanError, Problem
from pricing.plan import ApiLine, Category, Platform


@dataclass(frozen=True, slots=True, eq=False)
class ApiPricing:
    """What one request of an API line costs each month, and why."""

    per_request: Any
    """USD per request sent, per month: shape (n,), or (S, n) with sampled inputs."""
    model: apiprices.ApiModel
    """The model's standard prices in the first month (for its ids, source and the workbook's rates)."""
    notes: tuple[str, ...]
    sources: tuple[PriceSource, ...]
    simple: bool
    """One price all horizon, standard requests, the cached share as written: the workbook's linear formula holds."""


BATCH = (("processing", "batch"),)


def _mid_month(ctx: Context, k: int) -> datetime.date:
    """Mid-month of plan month k (0-based): the day whose price prices the month."""
    ym = ctx.plan.start.plus(k)
    return datetime.date(ym.year, ym.month, 15)


def _periods(ctx: Context, changes: tuple[datetime.date, ...]) -> list[tuple[datetime.date, np.ndarray]]:
    """The horizon's distinct price periods: (mid-month day of the period's first month, 0/1 mask of its months)."""
    out: dict[int, tuple[datetime.date, np.ndarray]] = {}
    for k in range(ctx.n):
        day = _mid_month(ctx, k)
        p = bisect.bisect_right(changes, day)
        if p not in out:
            out[p] = (day, np.zeros(ctx.n))
        out[p][1][k] = 1.0
    return list(out.values())


def _cost(m: apiprices.ApiModel, i: Any, o: Any, read: Any, written: Any, ttl_1h: bool) -> Any:
    """USD per request, for scalars or sampled arrays (linear in each kind of token unless the model is tiered)."""
    args = (i, o, read, written)
    if not any(isinstance(a, np.ndarray) for a in args):
        return apiprices.request_cost(m, float(i), float(o), float(read), float(written), ttl_1h=ttl_1h)
    # sampled token counts (Monte Carlo, tornado): request_cost's own arithmetic on arrays, so each row is the
    # figure its values get alone (a tornado bar equals projecting the moved plan, to the cent)
    i, o, read, written = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    return apiprices.request_costs(m, i, o, read, written, ttl_1h=ttl_1h)


def _rule_source(rule: Any, provider: str, what: str) -> PriceSource:
    return PriceSource(key=f"api_rules.{provider}.{what}", source=rule.source, as_of=rule.as_of,
                       as_of_date=parse_as_of(rule.as_of), confidence="verified_docs", notes=getattr(rule, "notes", ""))


def api_pricing(line: ApiLine, ctx: Context, key: str = "services.apis") -> ApiPricing:
    """Per-request cost of an API line each month: the price in force mid-month (genai-prices' dated prices, one
    resolve per distinct price period), the provider's caching rule (api_rules.yaml) applied to the cached share,
    cache writes, the batch share, the service tier and the off-peak share. PlanError where a line asks for what
    the model or provider does not sell."""
    overrides = ctx.catalog.overrides
    first = _mid_month(ctx, 0)
    tier = () if line.service_tier == "default" else (("service_tier", line.service_tier),)
    base = apiprices.resolve(line.provider, line.model, overrides, on=first)
    provider, model = base.provider, base.model
    notes: list[str] = []
    sources: list[PriceSource] = [base.source]
    simple = True
    if tier and not apiprices.has_variant(provider, model, tier):
        raise PlanError(Problem(f"{provider}/{model} has no {line.service_tier} service tier in "
                                f"{apiprices.source_name()}; use default", f"{key}.service_tier"))
    batch_share, off_share = line.batch_share, line.off_peak_share
    uses_batch = isinstance(batch_share, np.ndarray) or batch_share > 0
    uses_off = isinstance(off_share, np.ndarray) or off_share > 0
    batch_variant = apiprices.has_variant(provider, model, BATCH) if uses_batch else False
    batch_rule = apirules.batch(provider) if uses_batch else None
    if uses_batch and not batch_variant:
        if batch_rule is None or batch_rule.discount is None:
            why = (f"{provider} offers no batch API ({batch_rule.source})" if batch_rule is not None
                   else f"{apiprices.source_name()} has no batch price for {provider}/{model} and no batch rule is on "
                        "file for the provider (resources/catalog/api_rules.yaml)")
            raise PlanError(Problem(f"{why}; set batch_share to 0%", f"{key}.batch_share"))
        notes.append(f"batch requests at {batch_rule.discount:.0%} off the interactive price ({provider}'s batch API: "
                     "genai-prices has no batch price for this model)")
        sources.append(_rule_source(batch_rule, provider, "batch"))
    if uses_off and not apiprices.has_time_of_day(provider, model):
        raise PlanError(Problem(f"{provider}/{model} has no off-peak (time-of-day) prices in "
                                f"{apiprices.source_name()}; set off_peak_share to 0%", f"{key}.off_peak_share"))
    # the tokens billed at the cache price: the provider's caching rule on the share the line gives
    i, o = line.input_tokens, line.output_tokens
    asked = i * line.cached_input_share
    rule = apirules.caching(provider, model)
    if rule is None:
        cached = asked
        if _positive(line.cached_input_share):
            notes.append(f"no prompt-caching rule on file for {provider} (resources/catalog/api_rules.yaml): the "
                         "cached share is billed as given")
    else:
        cached = _rule_cached(rule, i, asked)
        if _positive(line.cached_input_share):
            sources.append(_rule_source(rule, provider, "caching"))
            if not isinstance(cached, np.ndarray) and cached == 0:
                length = asked if rule.basis == "prefix" else i
                what = "cached prefix" if rule.basis == "prefix" else "prompt"
                notes.append(f"billed uncached: the {length:,.0f}-token {what} is below {provider}'s "
                             f"{rule.min_tokens:,}-token minimum for prompt caching ({model})")
                simple = False
            elif not isinstance(cached, np.ndarray) and cached != asked:
                notes.append(f"cached tokens counted in {rule.increment}-token steps ({provider}): "
                             f"{cached:,.0f} of {asked:,.0f} per request")
                simple = False
            elif isinstance(cached, np.ndarray):
                simple = False
    written = cached * line.cache_write_share
    ttl_1h = line.cache_ttl == "1h"
    if _positive(line.cache_write_share):
        simple = False
        if ttl_1h and base.cache_write_1h_per_mtok is None:
            raise PlanError(Problem(f"{provider}/{model} sells no 1-hour cache in {apiprices.source_name()}; use 5m",
                                    f"{key}.cache_ttl"))
        if base.cache_write_per_mtok is None:
            notes.append("cache writes billed as ordinary input (the provider charges nothing extra to write)")
    elif rule is not None and rule.writes == "priced" and not isinstance(cached, np.ndarray) and cached > 0:
        notes.append(f"cache writes not counted: {provider} bills each write above the input price "
                     "(set cache_write_share)")
    read = cached - written
    changes = apiprices.change_dates(provider, model)
    periods = _periods(ctx, changes)
    per_request: Any = 0.0
    first_prices = None
    prefix = f"api.{provider}.{model}."
    overridden = any(str(k).lower().startswith(prefix.lower()) for k in overrides)
    if overridden and (tier or uses_batch or uses_off):
        notes.append("the plan's price override is the interactive price; batch, tier and off-peak prices keep "
                     "genai-prices' ratio to it")

    def variant(day: datetime.date, context: tuple[tuple[str, str], ...] = (), off_peak: bool = False) -> Any:
        """USD per request at a variant: genai-prices' own, or with the plan's override, scaled by the data's ratio."""
        data = _cost(apiprices.resolve(provider, model, {}, on=day, context=context, off_peak=off_peak),
                     i, o, read, written, ttl_1h)
        if not overridden:
            return data
        own = _cost(apiprices.resolve(provider, model, overrides, on=day), i, o, read, written, ttl_1h)
        if not context and not off_peak:
            return own
        plain = _cost(apiprices.resolve(provider, model, {}, on=day), i, o, read, written, ttl_1h)
        return own * np.where(plain > 0, data / np.where(plain > 0, plain, 1.0), 1.0)

    for day, mask in periods:
        std = apiprices.resolve(provider, model, overrides, on=day, context=tier)
        cost = variant(day, tier)
        if uses_off:
            cost = cost * (1.0 - off_share) + variant(day, tier, off_peak=True) * off_share
        if uses_batch:
            b_cost = variant(day, BATCH) if batch_variant else variant(day, tier) * (1.0 - batch_rule.discount)
            cost = cost * (1.0 - batch_share) + b_cost * batch_share
        per_request = per_request + cost * mask  # a sampled cost is (S, 1): per month (S, n)
        if first_prices is None:
            first_prices = std
        elif (std.input_per_mtok, std.cached_input_per_mtok, std.output_per_mtok) != (
                first_prices.input_per_mtok, first_prices.cached_input_per_mtok, first_prices.output_per_mtok):
            notes.append(f"price change from {day:%Y-%m} (in force {_effective(changes, day)}): input "
                         f"{_p(first_prices.input_per_mtok)} -> {_p(std.input_per_mtok)}, output "
                         f"{_p(first_prices.output_per_mtok)} -> {_p(std.output_per_mtok)} USD per million tokens")
            simple = False
            first_prices = std
    if tier or uses_batch or uses_off:
        simple = False
    if tier:
        notes.append(f"{line.service_tier} service tier prices")
    return ApiPricing(per_request, base, tuple(dict.fromkeys(notes)), tuple({s.key: s for s in sources}.values()),
                      simple)


def _effective(changes: tuple[datetime.date, ...], day: datetime.date) -> str:
    past = [c for c in changes if c <= day]
    return past[-1].isoformat() if past else "?"


def _p(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def _positive(x: Any) -> bool:
    return bool(np.any(np.asarray(x) > 0))


def _rule_cached(rule: Any, i: Any, asked: Any) -> Any:
    """``rule.cached_tokens`` for scalars or sampled arrays."""
    if not isinstance(i, np.ndarray) and not isinstance(asked, np.ndarray):
        return rule.cached_tokens(float(i), float(asked))
    i, asked = np.broadcast_arrays(np.asarray(i, dtype=float), np.asarray(asked, dtype=float))
    length = asked if rule.basis == "prefix" else i
    cached = np.where((length >= rule.min_tokens) & (asked > 0), asked, 0.0)
    if rule.increment:  # floor division as Python's // (rule.cached_tokens): the same figure as a scalar line
        cached = np.floor_divide(cached, rule.increment) * rule.increment
    return cached


def api_request_cost(line: ApiLine, ctx: Context) -> tuple[Any, apiprices.ApiModel]:
    """USD per request sent in the line's first month (every rule applied), and the model."""
    p = api_pricing(line, ctx)
    return p.per_request[..., 0], p.model


def api(line: ApiLine, key: str, ctx: Context) -> LineItem:
    pricing = api_pricing(line, ctx, key)
    requests = line.requests_per_month * ctx.growth(line.growth, line.start, line.end)
    sent = requests * (1.0 - line.response_cache_hit_rate)
    monthly = sent * pricing.per_request * ctx.fx
    notes = list(pricing.notes)
    for sample in (line.sample_input, line.sample_output):
        if sample is not None and not sample.exact:
            notes.append(f"token count approximate: {sample.reason}")
    if not isinstance(line.response_cache_hit_rate, np.ndarray) and line.response_cache_hit_rate:
        notes.append(f"{line.response_cache_hit_rate:.0%} of requests answered from a response cache")
    return LineItem(line.name, Category.SERVICES, "services.apis", key, monthly,
                    (("requests", requests), ("API requests", sent),
                     ("input tokens", sent * line.input_tokens), ("output tokens", sent * line.output_tokens)),
                    pricing.sources, tuple(notes))


def platform_markup(platform: Platform, items: list[LineItem], ctx: Context) -> LineItem:
    """The platform's markup on the compute sections it runs, as its own line item."""
    if platform.markup is not None:
        markup, source = platform.markup, given("services.platform.markup")
    else:
        price = ctx.catalog.platform_markup(platform.name)
        markup, source = price.value, price.source
    sections = markup_sections(platform)
    base = np.zeros(ctx.n)
    for li in items:
        if li.section in sections:
            base = base + li.monthly
    return LineItem(f"{platform.name} markup", Category.SERVICES, "services.platform", "services.platform",
                    base * markup, (("marked-up compute", base),), (source,),
                    (f"{markup:.0%} over {', '.join(platform.applies_to)}",))


def markup_sections(platform: Platform) -> frozenset[str]:
    """The plan sections whose cost the platform marks up (``compute.<section>`` of its ``applies_to``)."""
    return frozenset(f"compute.{s}" for s in platform.applies_to)


def markup_rate(platform: Platform, ctx: Context) -> float:
    """The platform's markup as a fraction (the plan's, else the catalog's)."""
    return platform.markup if platform.markup is not None else ctx.catalog.platform_markup(platform.name).value
