"""Services: third-party model APIs and the managed-platform markup."""
from __future__ import annotations

import numpy as np

from pricing import apiprices
from pricing.drivers import given
from pricing.context import Context, LineItem
from pricing.plan import ApiLine, Category, Platform


def api_request_cost(line: ApiLine, ctx: Context) -> tuple[float, "ApiModel"]:  # noqa: F821
    """USD per request sent to the API (tiered and cached-input prices applied)."""
    model = apiprices.resolve(line.provider, line.model, ctx.catalog.overrides)
    args = (line.input_tokens, line.output_tokens, line.input_tokens * line.cached_input_share)
    if not any(isinstance(a, np.ndarray) for a in args):
        return apiprices.request_cost(model, *args), model
    # sampled token counts (Monte Carlo, tornado): the same arithmetic on arrays
    i, o, c = np.broadcast_arrays(*args)
    return apiprices.request_costs(model, i, o, c), model


def api(line: ApiLine, key: str, ctx: Context) -> LineItem:
    per_request, model = api_request_cost(line, ctx)
    requests = line.requests_per_month * ctx.growth(line.growth, line.start, line.end)
    sent = requests * (1.0 - line.response_cache_hit_rate)
    monthly = sent * per_request * ctx.fx
    notes = []
    for sample in (line.sample_input, line.sample_output):
        if sample is not None and not sample.exact:
            notes.append(f"token count approximate: {sample.reason}")
    if not isinstance(line.response_cache_hit_rate, np.ndarray) and line.response_cache_hit_rate:
        notes.append(f"{line.response_cache_hit_rate:.0%} of requests answered from a response cache")
    return LineItem(line.name, Category.SERVICES, "services.apis", key, monthly,
                    (("requests", requests), ("API requests", sent),
                     ("input tokens", sent * line.input_tokens), ("output tokens", sent * line.output_tokens)),
                    (model.source,), tuple(notes))


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
