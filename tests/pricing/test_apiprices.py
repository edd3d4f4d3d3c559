"""API prices: resolving models, per-request costs equal to genai-prices' own, overrides, search, data date."""
from __future__ import annotations

import datetime
import time
import warnings
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price, data_snapshot
from genai_prices.types import ModelPrice, StartDateConstraint, TimeOfDateConstraint

from pricing import apiprices
from pricing.apiprices import ApiModel, request_cost, resolve
from pricing.errors import PlanError, UnknownNameError

UTC = datetime.UTC
TODAY = datetime.date.today()


def genai_cost(provider: str | None, model: str, inp: int, out: int, cached: int = 0,
               on: datetime.date = TODAY, hour: int = 12) -> float:
    """What genai-prices itself charges for the request (at ``hour`` UTC on ``on``)."""
    usage = Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached)
    calc = calc_price(usage, model, provider_id=provider,
                      genai_request_timestamp=datetime.datetime.combine(on, datetime.time(hour), UTC))
    return float(calc.total_price)


# --------------------------------------------------------------------------- resolve


def test_resolve_gpt_4o():
    m = resolve("openai", "gpt-4o")
    assert isinstance(m, ApiModel)
    assert (m.provider, m.model) == ("openai", "gpt-4o")
    info = data_snapshot.get_snapshot().find_provider_model("gpt-4o", None, "openai", None)[1]
    assert m.input_per_mtok == float(info.prices.input_mtok)
    assert m.cached_input_per_mtok == float(info.prices.cache_read_mtok)
    assert m.output_per_mtok == float(info.prices.output_mtok)
    assert not m.tiered
    src = m.source
    assert src.key == "api.openai.gpt-4o"
    assert src.source == f"genai-prices {apiprices.package_version()} price data"
    assert src.as_of == apiprices.data_date().isoformat() and src.as_of_date == apiprices.data_date()
    assert src.confidence == "verified_package" and not src.overridden


@pytest.mark.parametrize("provider, model, expected", [
    ("OpenAI", "GPT-4o", ("openai", "gpt-4o")),             # case-insensitive
    (None, "gpt-4o", ("openai", "gpt-4o")),                 # provider guessed by genai-prices
    ("openai", "gpt-4o-2024-08-06", ("openai", "gpt-4o")),  # genai-prices' own alias matching
    (None, "claude-3-5-sonnet-latest", ("anthropic", "claude-3-5-sonnet")),
    (None, "text-embedding-3-small", ("openai", "text-embedding-3-small")),  # no provider pattern for it
    ("azure", "gpt-4o", ("azure", "gpt-4o")),               # azure falls back to openai's prices
    ("  google ", " gemini-2.5-pro ", ("google", "gemini-2.5-pro")),
])
def test_resolve_names(provider, model, expected):
    m = resolve(provider, model)
    assert (m.provider, m.model) == expected


def test_unknown_model_suggests_closest():
    with pytest.raises(UnknownNameError) as exc:
        resolve("openai", "gpt-4oo")
    assert exc.value.kind == "model"
    assert exc.value.suggestions[0] == "gpt-4o"
    assert "did you mean 'gpt-4o'" in str(exc.value)


def test_unknown_model_without_provider_suggests_closest():
    with pytest.raises(UnknownNameError) as exc:
        resolve(None, "gpt-4oo")
    assert exc.value.suggestions[0] == "gpt-4o"


def test_unknown_provider():
    with pytest.raises(UnknownNameError) as exc:
        resolve("opnai", "gpt-4o")
    assert exc.value.kind == "API provider"
    assert "openai" in exc.value.suggestions


def test_every_model_resolves_by_its_own_id():
    """Ids the model picker shows must resolve, even those genai-prices' match rules skip."""
    for prov in data_snapshot.get_snapshot().providers:
        for info in prov.models:
            m = resolve(prov.id, info.id)
            assert m.model.lower() == info.id.lower() or info.is_match(info.id), (prov.id, info.id)


# --------------------------------------------------------------------------- costs


@pytest.mark.parametrize("provider, model, inp, out, cached", [
    ("openai", "gpt-4o", 1_200, 350, 600),            # cached input at the cache-read price
    ("openai", "gpt-4o-mini", 5_000, 0, 0),
    ("openai", "gpt-4", 1_000, 1_000, 500),           # no cache price: cached tokens billed as input
    ("openai", "text-embedding-3-small", 8_000, 0, 0),
    ("anthropic", "claude-3-5-sonnet", 5_000, 100, 1_000),
    ("anthropic", "claude-sonnet-4-5", 150_000, 2_000, 50_000),   # below its 200k tier
    ("anthropic", "claude-sonnet-4-5", 300_000, 2_000, 50_000),   # above: every part at the tier price
    ("google", "gemini-2.5-pro", 100_000, 1_000, 20_000),
    ("google", "gemini-2.5-pro", 250_000, 1_000, 100_000),        # long-context tier
    ("google", "gemini-1.5-pro", 150_000, 1_000, 0),              # tier above 128k
    ("perplexity", "sonar", 100, 100, 0),                         # per-request fee
    ("mistral", "mistral-large-latest", 3_000, 500, 0),
    (None, "gpt-4o", 0, 0, 0),
])
def test_request_cost_equals_genai_prices(provider, model, inp, out, cached):
    m = resolve(provider, model)
    assert request_cost(m, inp, out, cached) == pytest.approx(genai_cost(provider, model, inp, out, cached),
                                                              rel=1e-12, abs=1e-15)


def test_tiers_are_cliffs_on_total_input():
    m = resolve("google", "gemini-2.5-pro")
    assert m.tiered and m.input_tiers and m.output_tiers
    start, tier_input = m.input_tiers[0]
    below = request_cost(m, start, 0)
    above = request_cost(m, start + 1, 0)
    assert below == pytest.approx(start * m.input_per_mtok / 1e6)
    assert above == pytest.approx((start + 1) * tier_input / 1e6)
    assert tier_input > m.input_per_mtok
    assert "long-context" in m.source.notes


@pytest.mark.parametrize("provider_id", ["openai", "anthropic", "google", "perplexity", "x-ai", "mistral"])
def test_every_model_of_a_provider_costs_what_genai_prices_says(provider_id):
    prov = next(p for p in data_snapshot.get_snapshot().providers if p.id == provider_id)
    checked = 0
    for info in prov.models:
        try:
            m = resolve(provider_id, info.id)
        except UnknownNameError:
            pytest.fail(f"{info.id} does not resolve")
        for inp, out, cached in ((1_000, 500, 0), (300_000, 2_000, 100_000), (1_500_000, 10, 1_000_000)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    want = genai_cost(provider_id, info.id, inp, out, cached)
                except (LookupError, ValueError):  # ids genai-prices can't look up by themselves
                    continue
            assert request_cost(m, inp, out, cached) == pytest.approx(want, rel=1e-12, abs=1e-15), info.id
            checked += 1
    assert checked > 0


def test_prices_on_a_date():
    """A model whose price changed on a start date: before and after both match genai-prices."""
    for prov in data_snapshot.get_snapshot().providers:
        for info in prov.models:
            if isinstance(info.prices, ModelPrice) or len(info.prices) < 2:
                continue
            if any(isinstance(c.constraint, TimeOfDateConstraint) for c in info.prices):
                continue
            starts = [c.constraint.start_date for c in info.prices if isinstance(c.constraint, StartDateConstraint)]
            if not starts or not info.is_match(info.id):
                continue
            day = max(starts)
            before, after = day - datetime.timedelta(days=1), day
            costs = []
            for on in (before, after):
                m = resolve(prov.id, info.id, on=on)
                got = request_cost(m, 10_000, 1_000)
                assert got == pytest.approx(genai_cost(prov.id, info.id, 10_000, 1_000, on=on), rel=1e-12)
                costs.append(got)
            if costs[0] != costs[1]:
                return  # found a real change and both sides agree
    pytest.skip("no dated price change in this genai-prices data")


def test_time_of_day_prices_use_the_peak():
    m = resolve("deepseek", "deepseek-chat")
    info = data_snapshot.get_snapshot().find_provider_model("deepseek-chat", None, "deepseek", None)[1]
    assert not isinstance(info.prices, ModelPrice)
    inputs = [float(c.prices.input_mtok) for c in info.prices]
    assert m.input_per_mtok == max(inputs) > min(inputs)
    assert "peak" in m.source.notes
    # equal to genai-prices during the peak window (00:30-16:30 UTC for deepseek-chat)
    assert request_cost(m, 1_000, 100) == pytest.approx(genai_cost("deepseek", "deepseek-chat", 1_000, 100, hour=12))


def test_request_cost_rejects_impossible_usage():
    m = resolve("openai", "gpt-4o")
    with pytest.raises(ValueError):
        request_cost(m, 100, 0, 200)
    with pytest.raises(ValueError):
        request_cost(m, -1, 0)


# --------------------------------------------------------------------------- overrides


def test_override_keys():
    assert apiprices.override_keys("OpenAI", "GPT-4o") == (
        "api.openai.gpt-4o.input", "api.openai.gpt-4o.cached_input", "api.openai.gpt-4o.output")


def test_override_one_part():
    base = resolve("openai", "gpt-4o")
    m = resolve("openai", "gpt-4o", {"api.openai.gpt-4o.input": 5.0, "gpu.H100-80GB.aws.on_demand": 3.9})
    assert m.input_per_mtok == 5.0
    assert (m.cached_input_per_mtok, m.output_per_mtok) == (base.cached_input_per_mtok, base.output_per_mtok)
    assert request_cost(m, 1_000, 100, 400) == pytest.approx((600 * 5.0 + 400 * base.cached_input_per_mtok
                                                              + 100 * base.output_per_mtok) / 1e6)
    assert m.source.overridden and m.source.source == "plan override"
    assert m.source.key == "api.openai.gpt-4o"
    assert m.source.as_of_date == apiprices.data_date()  # the other parts still come from the data
    assert "input 5 USD/Mtok" in m.source.notes


def test_override_every_part_is_the_plans_word():
    keys = apiprices.override_keys("openai", "gpt-4o")
    m = resolve("openai", "gpt-4o", dict(zip(keys, (1.0, 0.1, 2.0))))
    assert (m.input_per_mtok, m.cached_input_per_mtok, m.output_per_mtok) == (1.0, 0.1, 2.0)
    assert request_cost(m, 1_000_000, 1_000_000, 500_000) == pytest.approx(0.5 + 0.05 + 2.0)
    assert m.source.confidence == "override" and m.source.as_of == "plan" and m.source.as_of_date is None


def test_override_is_a_flat_price_replacing_tiers():
    m = resolve("google", "gemini-2.5-pro", {"api.google.gemini-2.5-pro.input": 1.0})
    assert m.input_tiers == () and m.output_tiers  # output keeps its tiers
    start, tier_output = m.output_tiers[0]
    cost = request_cost(m, 300_000, 1_000)
    assert cost == pytest.approx((300_000 * 1.0 + 1_000 * tier_output) / 1e6)


def test_overrides_for_other_models_are_ignored():
    base = resolve("openai", "gpt-4o")
    assert resolve("openai", "gpt-4o", {"api.openai.gpt-4o-mini.input": 9.0}) == base


def test_bad_override_value():
    with pytest.raises(PlanError) as exc:
        resolve("openai", "gpt-4o", {"api.openai.gpt-4o.output": -1})
    assert exc.value.problems[0].key_path == "prices.api.openai.gpt-4o.output"


def test_check_overrides_lists_every_unused_key():
    with pytest.raises(PlanError) as exc:
        apiprices.check_overrides({
            "api.openai.gpt-4o.input": 3.0,                # fine
            "api.openai.gpt-4oo.input": 1.0,               # unknown model
            "api.openai.gpt-4o.cache": 1.0,                # unknown part
            "api.openai.gpt-4o-2024-08-06.output": 1.0,    # an alias: the key would be ignored
            "gpu.H100-80GB.aws.on_demand": 3.9,            # not ours
        })
    paths = [p.key_path for p in exc.value.problems]
    assert paths == ["prices.api.openai.gpt-4oo.input", "prices.api.openai.gpt-4o.cache",
                     "prices.api.openai.gpt-4o-2024-08-06.output"]
    assert "'gpt-4o'" in exc.value.problems[0].message
    assert "api.openai.gpt-4o.output" in exc.value.problems[2].message
    apiprices.check_overrides({"api.openai.gpt-4o.input": 3.0, "api.openai.gpt-4.1.output": 7})


# --------------------------------------------------------------------------- search and data


def test_list_models_exact_first():
    found = apiprices.list_models("gpt-4o", limit=10)
    assert (found[0].provider, found[0].model) == ("openai", "gpt-4o")
    assert len(found) == 10
    assert all("gpt-4o" in m.model.lower() or "gpt-4o" in m.name.lower() for m in found)


def test_list_models_by_provider_and_words():
    found = apiprices.list_models("claude sonnet", provider="anthropic", limit=100)
    assert found and all(m.provider == "anthropic" for m in found)
    assert any(m.model == "claude-3-5-sonnet" for m in found)


def test_list_models_fuzzy():
    assert any(m.model == "gpt-4o" for m in apiprices.list_models("gpt4o", limit=10))


def test_listed_models_resolve_to_themselves():
    for m in apiprices.list_models("", limit=300):
        assert resolve(m.provider, m.model) == m


def test_providers():
    assert {"openai", "anthropic", "google", "mistral"} <= set(apiprices.providers())


def test_data_date():
    d = apiprices.data_date()
    assert isinstance(d, datetime.date)
    # the data records nothing after its date except announced future changes
    assert d in apiprices._dates_in_data()
    if apiprices.package_version() == "0.2.3":
        assert d == datetime.date(2026, 11, 9)
        # the estimator agrees for any release day between the last recorded change and the
        # first announced future one (2026-11-30)
        for bound in (datetime.date(2026, 11, 9), datetime.date(2026, 11, 20), datetime.date(2026, 11, 29)):
            assert apiprices._estimate_data_date(bound) == d


def test_resolve_and_price_200_lines_in_a_few_ms():
    overrides = {"api.openai.gpt-4o.input": 5.0, **{f"gpu.x{i}": 1.0 for i in range(50)}}
    lines = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet"),
             ("google", "gemini-2.5-pro")] * 50
    for p, m in lines:  # warm the caches, as the engine's first projection does
        resolve(p, m, overrides)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for p, m in lines:
            request_cost(resolve(p, m, overrides), 1_200, 350, 600)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.010, f"{best * 1000:.1f} ms for 200 lines"


def test_decimal_prices_become_floats():
    m = resolve("openai", "gpt-4o")
    assert all(isinstance(x, float) for x in (m.input_per_mtok, m.output_per_mtok))
    assert not isinstance(request_cost(m, 1, 1), Decimal)
