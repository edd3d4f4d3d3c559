"""API lines billed the way providers bill (issue 15, items 4 and 5), checked against genai-prices' own calc_price
(the authority for API prices) at each month's mid-month timestamp, and against each provider's caching rule."""
from __future__ import annotations

import datetime
import textwrap

import numpy as np
import pytest
from genai_prices import Usage, calc_price

from pricing import apirules, engine
from pricing.errors import PlanFileError
from pricing.load import loads_checked

UTC = datetime.UTC


def plan_of(body: str, start: str = "2027-01", months: int = 3):
    head = f"format: aicost-plan/1\nname: API\nstart: {start}\nmonths: {months}\nprovider: aws\n"
    return loads_checked(head + "services:\n  apis:\n" + textwrap.indent(textwrap.dedent(body), "    "), file="a.yaml")


def line_item(body: str, **kw):
    return engine.project(plan_of(body, **kw)).line_items[0]


def genai(model: str, provider: str, day: datetime.date, *, hour: int = 12, context=None, **usage) -> float:
    """USD genai-prices charges one request with ``usage`` at ``hour`` UTC on ``day``."""
    calc = calc_price(Usage(**usage), model, provider_id=provider,
                      genai_request_timestamp=datetime.datetime.combine(day, datetime.time(hour), UTC),
                      price_context=context)
    return float(calc.total_price)


def mid(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 15)


# -- item 4: prices as of each month ----------------------------------------------------------------------------------


def test_each_month_is_priced_at_the_price_in_force_mid_month():
    # gemini-3.8-flash: genai-prices doubles its prices from 2027-01-01 (0.75 -> 1.50 input, 3.75 -> 7.50 output)
    li = line_item("- {name: Flash, provider: google, model: gemini-3.8-flash, requests_per_month: 1000, "
                   "input_tokens: 800, output_tokens: 200}\n", start="2026-11", months=4)
    expected = [1000 * genai("gemini-3.8-flash", "google", mid(y, m), input_tokens=800, output_tokens=200)
                for y, m in ((2026, 11), (2026, 12), (2027, 1), (2027, 2))]
    assert li.monthly == pytest.approx(expected, rel=1e-12)
    # by hand: (800 x 0.75 + 200 x 3.75) / 1e6 x 1000 = 1.35 a month, then (800 x 1.5 + 200 x 7.5) / 1e3 = 2.70
    assert li.monthly == pytest.approx([1.35, 1.35, 2.70, 2.70])
    assert any("price change from 2027-01 (in force 2027-01-01)" in n for n in li.notes)


def test_a_change_on_the_first_of_december_prices_december():
    # gemini-4-argon changes price from 2026-12-01: November at the old price, December at the new
    li = line_item("- {name: Argon, provider: google, model: gemini-4-argon, requests_per_month: 1000, "
                   "input_tokens: 1000, output_tokens: 100}\n", start="2026-11", months=2)
    expected = [1000 * genai("gemini-4-argon", "google", mid(2026, m), input_tokens=1000, output_tokens=100)
                for m in (11, 12)]
    assert li.monthly == pytest.approx(expected, rel=1e-12)
    assert expected[0] != expected[1]


def test_a_model_without_dated_prices_has_no_change_note():
    li = line_item("- {name: Mini, provider: openai, model: gpt-4o-mini, requests_per_month: 1000, "
                   "input_tokens: 100, output_tokens: 10}\n")
    assert not any("price change" in n for n in li.notes)


# -- item 5: caching rules ----------------------------------------------------------------------------------------


def test_openai_caches_1024_tokens_or_more_in_128_token_steps():
    li = line_item("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 2000, "
                   "output_tokens: 100, cached_input_share: 60%}\n")
    # 60% of 2,000 = 1,200 asked; 1,024 + one 128-token step = 1,152 cached
    assert li.monthly[0] == pytest.approx(1000 * genai("gpt-4o", "openai", mid(2027, 1), input_tokens=2000,
                                                       cache_read_tokens=1152, output_tokens=100), rel=1e-12)


def test_a_prompt_below_the_minimum_is_billed_uncached_with_a_note():
    li = line_item("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 1500, "
                   "output_tokens: 100, cached_input_share: 50%}\n")
    # 750 cached tokens < 1,024: no cache hit at all
    assert li.monthly[0] == pytest.approx(1000 * genai("gpt-4o", "openai", mid(2027, 1), input_tokens=1500,
                                                       output_tokens=100), rel=1e-12)
    assert any("below openai's 1,024-token minimum" in n for n in li.notes)
    assert "api_rules.openai.caching" in [s.key for s in li.sources]


@pytest.mark.parametrize("model, cached, minimum", [
    ("claude-haiku-4-5", 3000, 4096),   # Haiku 4.5 caches 4,096 tokens or more: 3,000 is not cached
    ("claude-sonnet-4-5", 1500, 1024),  # Sonnet 4.5: 1,024 or more, so 1,500 is
])
def test_anthropic_minimum_per_model(model, cached, minimum):
    assert apirules.caching("anthropic", model).min_tokens == minimum
    li = line_item(f"- {{name: A, provider: anthropic, model: {model}, requests_per_month: 1000, input_tokens: 5000, "
                   f"output_tokens: 300, cached_input_share: {cached / 5000:.0%}}}\n")
    read = cached if cached >= minimum else 0
    assert li.monthly[0] == pytest.approx(1000 * genai(model, "anthropic", mid(2027, 1), input_tokens=5000,
                                                       cache_read_tokens=read, output_tokens=300), rel=1e-12)


@pytest.mark.parametrize("ttl, writes, factor", [
    ("5m", {"cache_write_tokens": 400}, 1.25),
    ("1h", {"cache_write_tokens": 400, "cache_write_1h_tokens": 400}, 2.0),  # genai-prices: 1h writes are writes
])
def test_anthropic_cache_writes(ttl, writes, factor):
    li = line_item("- {name: A, provider: anthropic, model: claude-sonnet-4-5, requests_per_month: 1000, "
                   f"input_tokens: 5000, output_tokens: 300, cached_input_share: 80%, cache_write_share: 10%, "
                   f"cache_ttl: {ttl}}}\n")
    # 4,000 cached tokens a request: 10% (400) written, 3,600 read
    want = genai("claude-sonnet-4-5", "anthropic", mid(2027, 1), input_tokens=5000, cache_read_tokens=3600,
                 output_tokens=300, **writes)
    assert li.monthly[0] == pytest.approx(1000 * want, rel=1e-12)
    # by hand at 3 USD/Mtok input, 0.30 read, 3 x factor written, 15 output
    assert li.monthly[0] == pytest.approx(1000 * (1000 * 3 + 3600 * 0.3 + 400 * 3 * factor + 300 * 15) / 1e6)


def test_anthropic_writes_not_counted_are_said():
    li = line_item("- {name: A, provider: anthropic, model: claude-sonnet-4-5, requests_per_month: 1000, "
                   "input_tokens: 5000, output_tokens: 300, cached_input_share: 80%}\n")
    assert any("cache writes not counted" in n for n in li.notes)


# -- batch, tiers, off-peak -------------------------------------------------------------------------------------------


def test_batch_share_uses_genai_prices_batch_prices():
    li = line_item("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 1000, "
                   "output_tokens: 200, batch_share: 40%}\n")
    std = genai("gpt-4o", "openai", mid(2027, 1), input_tokens=1000, output_tokens=200)
    batch = genai("gpt-4o", "openai", mid(2027, 1), input_tokens=1000, output_tokens=200,
                  context={"processing": "batch"})
    assert batch == pytest.approx(std / 2)  # OpenAI's batch API: half price
    assert li.monthly[0] == pytest.approx(1000 * (0.6 * std + 0.4 * batch), rel=1e-12)


def test_priority_service_tier():
    li = line_item("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 1000, "
                   "output_tokens: 200, service_tier: priority}\n")
    assert li.monthly[0] == pytest.approx(1000 * genai("gpt-4o", "openai", mid(2027, 1), input_tokens=1000,
                                                       output_tokens=200, context={"service_tier": "priority"}),
                                          rel=1e-12)


def test_off_peak_share_at_the_off_peak_price():
    li = line_item("- {name: D, provider: deepseek, model: deepseek-chat, requests_per_month: 1000, "
                   "input_tokens: 1000, output_tokens: 200, off_peak_share: 25%}\n")
    # deepseek-chat: off-peak 16:30-00:30 UTC; peak at noon UTC, off-peak at 18:00 UTC
    peak = genai("deepseek-chat", "deepseek", mid(2027, 1), hour=12, input_tokens=1000, output_tokens=200)
    off = genai("deepseek-chat", "deepseek", mid(2027, 1), hour=18, input_tokens=1000, output_tokens=200)
    assert off < peak
    assert li.monthly[0] == pytest.approx(1000 * (0.75 * peak + 0.25 * off), rel=1e-12)


@pytest.mark.parametrize("extra, key, message", [
    ("batch_share: 50%", "batch_share", "deepseek offers no batch API"),
    ("service_tier: flex", "service_tier", "has no flex service tier"),
])
def test_what_a_provider_does_not_sell_is_a_visible_problem(extra, key, message):
    with pytest.raises(PlanFileError, match=message) as err:
        plan_of(f"- {{name: D, provider: deepseek, model: deepseek-chat, requests_per_month: 1000, "
                f"input_tokens: 100, {extra}}}\n")
    assert err.value.problems[0].key_path == f"services.apis[0].{key}"


def test_off_peak_on_a_model_without_time_of_day_prices_is_refused():
    with pytest.raises(PlanFileError, match="no off-peak"):
        plan_of("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 100, "
                "off_peak_share: 50%}\n")


def test_monte_carlo_samples_the_cached_share_through_the_rule():
    from pricing import uncertainty
    plan = plan_of("- {name: A, provider: openai, model: gpt-4o, requests_per_month: 1000, input_tokens: 2000, "
                   "output_tokens: 100, cached_input_share: {low: 10%, likely: 60%, high: 70%}}\n")
    mc = uncertainty.monte_carlo(plan, samples=2_000)
    base = engine.project(plan).total
    # shares under 51.2% (1,024 of 2,000 tokens) cache nothing: over 10% of the samples pay the uncached price, the
    # dearest; the cheapest cache up to 70% (1,400 tokens: 1,280 in 128-token steps)
    uncached = 3 * 1000 * genai("gpt-4o", "openai", mid(2027, 1), input_tokens=2000, output_tokens=100)
    assert mc.total_p90 == pytest.approx(uncached)
    assert mc.total_p10 < base < uncached
    assert np.isfinite(mc.total_p50)
