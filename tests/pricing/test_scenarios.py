"""Savings strategies against hand-computed cases (prices pinned with plan overrides), scenarios and attribution."""
import itertools
import textwrap

import numpy as np
import pytest

from pricing import engine, fields, planfile, rounding, scenarios
from pricing.fields import Kind
from pricing.scenarios import applying, attribution, transforms
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.plan import Pricing, Scenario, StrategySpec
from pricing.load import load_checked

HEAD = """\
format: aicost-plan/1
name: Hand
start: 2027-01
months: 12
provider: aws
"""

WEEKS = 52.0 / 12.0


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def load(body: str, prices: str = "", scen: str = ""):
    text = HEAD + textwrap.dedent(body)
    if prices:
        text += "prices:\n" + textwrap.indent(textwrap.dedent(prices), "  ")
    if scen:
        text += "scenarios:\n" + textwrap.indent(textwrap.dedent(scen), "  ")
    # scenario problems are checked here, explicitly (check_names=False keeps this test about them)
    return planfile.loads(text, file="t.yaml")


def scenario(**strategies):
    """A Scenario built in code, as the GUI builds one: strategy -> {param: value}."""
    return Scenario("S", tuple(StrategySpec(name, tuple(params.items())) for name, params in strategies.items()))


def monthly(plan, catalog, name):
    for li in engine.project(plan, catalog).line_items:
        if li.name == name:
            return li.monthly
    raise KeyError(name)


def by_name(proj):
    return {(li.section, li.name): li.monthly for li in proj.line_items}


# ---------------------------------------------------------------------------------------------
# Each strategy against a hand-computed case
# ---------------------------------------------------------------------------------------------

COMPUTE = """\
compute:
  training:
    - {name: Train, gpu: H100-80GB, gpus: 8, hours: 10, month: 1}
  fine_tuning:
    - {name: Tune, gpu: H100-80GB, gpus: 1, hours: 5, month: 2}
  inference:
    - {name: Serve, gpu: L4, requests_per_month: 40M, output_tokens: 100, tokens_per_second_per_gpu: 1000, utilization: 50%, min_gpus: 1}
  exploration:
    - {name: Notebooks, gpu: A10G, people: 2, hours_per_week: 30, idle_share: 40%}
"""  # noqa: E501 - a plan's line item on one line, as users write them
COMPUTE_PRICES = """\
gpu.H100-80GB.aws.on_demand: 4.0
gpu.H100-80GB.aws.spot: 1.5
gpu.L4.aws.on_demand: 1.0
gpu.T4.aws.on_demand: 0.5
gpu.A10G.aws.on_demand: 1.0
gpu.A10G.aws.spot: 0.5
"""
# Serving: capacity per L4 = 1000 tok/s x 3600 x 730 h x 50% = 1.314e9 tokens a month;
# 40M requests x 100 output tokens = 4e9 tokens -> ceil(3.04) = 4 GPUs -> 4 x 730 x $1 = $2,920.
SERVE_BASE = 4 * 730 * 1.0


def test_spot_training_and_exploration_with_interruption_overhead(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    new = scenarios.apply(plan, scenario(spot={"interruption_overhead": "10%"}), catalog)
    assert new.compute.training[0].pricing is Pricing.SPOT
    assert new.compute.training[0].interruption_overhead == pytest.approx(0.10)
    # 10 h x 1.1 x 8 GPUs (one p5.48xlarge) x $1.5 = $132 (was 10 x 8 x $4 = $320)
    assert monthly(plan, catalog, "Train")[0] == pytest.approx(320.0)
    assert monthly(new, catalog, "Train")[0] == pytest.approx(10 * 1.1 * 8 * 1.5)
    # month 2: 5 h x 1.1 x 1 x $1.5
    assert monthly(new, catalog, "Tune")[1] == pytest.approx(5 * 1.1 * 1.5)
    # exploration: 2 people x 30 h x 52/12 weeks x 1.1 (lost to interruptions) x $0.5
    assert monthly(new, catalog, "Notebooks") == pytest.approx(np.full(12, 2 * 30 * WEEKS * 1.1 * 0.5))
    # inference is not in spot's scope
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, SERVE_BASE))


def test_spot_applies_to_limits_sections(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    new = scenarios.apply(plan, scenario(spot={"applies_to": ["fine_tuning"], "interruption_overhead": 0.2}), catalog)
    assert new.compute.fine_tuning[0].pricing is Pricing.SPOT
    assert new.compute.training == plan.compute.training
    assert new.compute.exploration == plan.compute.exploration


def test_reserved_with_explicit_discount_sets_the_provider_discount(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    new = scenarios.apply(plan, scenario(reserved={"discount": "25%"}), catalog)
    assert new.compute.inference[0].pricing is Pricing.RESERVED
    assert dict(new.prices)["reserved_discount.aws"] == pytest.approx(0.25)
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, SERVE_BASE * 0.75))
    assert new.compute.training == plan.compute.training  # training is not in the default scope


def test_reserved_without_discount_uses_the_catalog_discount(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES + "reserved_discount.aws: 0.4\n")
    new = scenarios.apply(plan, scenario(reserved={}), catalog)
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, SERVE_BASE * 0.6))


def test_reserved_without_a_known_discount_is_a_located_problem(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES, """\
    - name: R
      strategies:
        reserved: {}
    """)
    problems = scenarios.check_scenarios(plan, catalog)
    assert [p.key_path for p in problems] == ["scenarios[0].strategies.reserved"]
    assert "reserved_discount.aws" in problems[0].message


def test_right_size_target_utilization_and_smaller_gpu(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    # 80% utilization: capacity 2.1024e9 -> ceil(1.90) = 2 GPUs -> $1,460
    new = scenarios.apply(plan, scenario(right_size={"target_utilization": "80%"}), catalog)
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, 2 * 730 * 1.0))
    # T4 at 500 tok/s, 50%: capacity 6.57e8 -> ceil(6.09) = 7 GPUs x 730 x $0.5 = $2,555
    new = scenarios.apply(plan, scenario(right_size={"gpu": "t4", "tokens_per_second_per_gpu": 500}), catalog)
    assert new.compute.inference[0].gpu == "T4"
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, 7 * 730 * 0.5))
    # both: capacity 1.0512e9 -> ceil(3.81) = 4 GPUs x 730 x $0.5 = $1,460
    new = scenarios.apply(plan, scenario(right_size={"gpu": "T4", "tokens_per_second_per_gpu": 500,
                                                     "target_utilization": 0.8}), catalog)
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, 4 * 730 * 0.5))


def test_right_size_never_lowers_utilization(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    with pytest.raises(PlanError, match="changes nothing"):
        scenarios.apply(plan, scenario(right_size={"target_utilization": "40%"}), catalog)


@pytest.mark.parametrize("name, params, gpus", [
    ("quantization", {}, 2),                             # default 1.6x: capacity 2.1024e9 -> ceil(1.90) = 2
    ("quantization", {"throughput_gain": 1.2}, 3),       # 1.5768e9 -> ceil(2.54) = 3
    ("distillation", {"throughput_gain": 4}, 1),         # 5.256e9 -> ceil(0.76) = 1
    ("efficient_architecture", {"throughput_gain": 1.5}, 3),  # 1.971e9 -> ceil(2.03) = 3
    ("batching", {"throughput_gain": "2"}, 2),           # 2.628e9 -> ceil(1.52) = 2
])
def test_throughput_strategies(catalog, name, params, gpus):
    plan = load(COMPUTE, COMPUTE_PRICES)
    new = scenarios.apply(plan, scenario(**{name: params}), catalog)
    assert monthly(new, catalog, "Serve") == pytest.approx(np.full(12, gpus * 730 * 1.0))


def test_quantization_default_comes_from_the_catalog_lever(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES + "lever.quantization.fp8_throughput: 1.2\n")
    new = scenarios.apply(plan, scenario(quantization={}), catalog)
    assert new.compute.inference[0].tokens_per_second_per_gpu == pytest.approx(1200)
    info = scenarios.STRATEGIES["quantization"].param("throughput_gain")
    assert info.default == 1.6 and "vllm" in info.source.lower()


def test_auto_shutdown_cuts_idle_hours(catalog):
    plan = load(COMPUTE, COMPUTE_PRICES)
    new = scenarios.apply(plan, scenario(auto_shutdown={"idle_cut": "50%"}), catalog)
    pool = new.compute.exploration[0]
    # hours 30 x (1 - 0.4 x 0.5) = 24; idle share 0.4 x 0.5 / 0.8 = 0.25 (6 idle hours of 24)
    assert pool.hours_per_week == pytest.approx(24.0)
    assert pool.idle_share == pytest.approx(0.25)
    assert monthly(new, catalog, "Notebooks") == pytest.approx(np.full(12, 2 * 24 * WEEKS * 1.0))


API = """\
services:
  apis:
    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 1M, input_tokens: 1000, output_tokens: 100, response_cache_hit_rate: 20%}
    - {name: Other, provider: openai, model: gpt-4o, requests_per_month: 1M, input_tokens: 1000, output_tokens: 100}
"""  # noqa: E501 - a plan's line item on one line, as users write them
API_PRICES = """\
api.openai.gpt-4o.input: 2.0
api.openai.gpt-4o.cached_input: 1.0
api.openai.gpt-4o.output: 8.0
api.openai.gpt-4o-mini.input: 0.5
api.openai.gpt-4o-mini.output: 2.0
"""
L4 = "gpu.L4.aws.on_demand: 1.0\n"
# per request: (1000 x $2 + 100 x $8) / 1e6 = $0.0028; 1M requests = $2,800 a month before any cache


def test_api_cache_combines_hit_rates(catalog):
    plan = load(API, API_PRICES + L4)
    new = scenarios.apply(plan, scenario(api_cache={"hit_rate": "30%", "lines": ["Answers"]}), catalog)
    assert new.services.apis[0].response_cache_hit_rate == pytest.approx(1 - 0.8 * 0.7)   # 0.44
    assert monthly(new, catalog, "Answers") == pytest.approx(np.full(12, 2800 * 0.56))
    assert new.services.apis[1] == plan.services.apis[1]


def test_prompt_caching_bills_the_cached_share_at_the_cached_price(catalog):
    plan = load(API.replace("input_tokens: 1000, output_tokens: 100}", "input_tokens: 2000, output_tokens: 100}"),
                API_PRICES + L4)
    new = scenarios.apply(plan, scenario(prompt_caching={"cached_share": "60%", "lines": "Other"}), catalog)
    # 60% of 2,000 = 1,200 tokens; OpenAI caches in 128-token steps from 1,024: 1,152 cached
    # (848 x $2 + 1,152 x $1 + 100 x $8) / 1e6 = $0.003648 per request
    assert monthly(new, catalog, "Other") == pytest.approx(np.full(12, 3648.0))
    # on the 1,000-token prompt, 60% (600 tokens) is below OpenAI's 1,024-token minimum: billed uncached, said so
    short = scenarios.apply(load(API, API_PRICES + L4), scenario(prompt_caching={"cached_share": "60%",
                                                                                  "lines": "Other"}), catalog)
    assert monthly(short, catalog, "Other") == pytest.approx(np.full(12, 2800.0))


def test_batch_api_sends_a_share_at_the_batch_price(catalog):
    plan = load(API, API_PRICES + L4)
    new = scenarios.apply(plan, scenario(batch_api={"share": "50%", "lines": ["Other"]}), catalog)
    assert new.services.apis[1].batch_share == 0.5 and new.services.apis[0] == plan.services.apis[0]
    # the plan's override ($0.0028 a request) is the interactive price; OpenAI's batch API halves it (genai-prices'
    # batch/standard ratio for gpt-4o): 1M requests x (50% x $0.0028 + 50% x $0.0014) = $2,100 a month
    assert monthly(new, catalog, "Other") == pytest.approx(np.full(12, 2100.0))


def test_model_switch(catalog):
    plan = load(API, API_PRICES + L4)
    new = scenarios.apply(plan, scenario(model_switch={"model": "gpt-4o-mini", "lines": ["Other"]}), catalog)
    assert new.services.apis[1].model == "gpt-4o-mini" and new.services.apis[1].provider == "openai"
    # (1000 x $0.5 + 100 x $2) / 1e6 = $0.0007 per request
    assert monthly(new, catalog, "Other") == pytest.approx(np.full(12, 700.0))


def test_self_host_replaces_the_api_line_with_serving(catalog):
    plan = load(API, API_PRICES + L4)
    new = scenarios.apply(plan, scenario(self_host={"api": "Other", "gpu": "L4", "tokens_per_second_per_gpu": 1000,
                                                    "utilization": "50%", "min_gpus": 2}), catalog)
    assert [x.name for x in new.services.apis] == ["Answers"]
    serve = new.compute.inference[0]
    assert (serve.name, serve.gpu, serve.requests_per_month, serve.input_tokens, serve.output_tokens) == \
        ("Other", "L4", 1e6, 1000, 100)
    # 1e8 output tokens < 1.314e9 capacity -> 1 GPU, but min_gpus 2 -> 2 x 730 x $1
    assert monthly(new, catalog, "Other") == pytest.approx(np.full(12, 2 * 730.0))


def test_self_host_serves_only_requests_the_response_cache_misses(catalog):
    plan = load(API, API_PRICES + L4)
    new = scenarios.apply(plan, scenario(self_host={"api": "Answers", "gpu": "L4", "tokens_per_second_per_gpu": 1}),
                          catalog)
    # 800k requests x 100 tokens = 8e7 tokens; 1 tok/s x 3600 x 730 x 60% = 1,576,800 a GPU -> ceil(50.7) = 51
    assert new.compute.inference[0].requests_per_month == pytest.approx(800_000)
    assert monthly(new, catalog, "Answers") == pytest.approx(np.full(12, 51 * 730.0))


DATA = """\
data:
  storage:
    - {name: Images, size_tb: 10, growth_tb_per_month: 1, tier: standard}
    - {name: Squeezed, size_tb: 10, tier: standard, compression: 20%}
  egress:
    - {name: Out, tb_per_month: 2, kind: internet}
    - {name: Zones, tb_per_month: 2, kind: inter_az}
"""
DATA_PRICES = """\
storage.aws.standard: 0.02
storage.aws.infrequent: 0.01
storage.aws.deep_archive: 0.001
egress.aws.internet: 0.05
egress.aws.inter_az: 0.01
gb_bytes.aws: 1000000000
"""


def test_lifecycle_tiers_by_data_age(catalog):
    plan = load(DATA, DATA_PRICES)
    new = scenarios.apply(plan, scenario(lifecycle={"after_days": 60, "tier": "infrequent", "lines": ["Images"]}),
                          catalog)
    # Ages from the middle of the arrival month, 30.44 days a month: 60 days is reached 2 months on.
    # Month 1: 10 TB initial + 0.5 TB arriving (standard)                  -> 10,500 GB x 0.02 = 210
    # Month 2: 10 + 1 + 0.5 TB standard                                    -> 11,500 GB x 0.02 = 230
    # Month 3: initial (2 months old) and cohort 1 move; cohorts 2, 3 stay -> 1.5 TB x 20 + 11 TB x 10 = 140
    # Month 4: standard: cohorts 3 (1) + 4 (0.5); infrequent: 10 + cohorts 1, 2    -> 30 + 120 = 150
    got = monthly(new, catalog, "Images")
    assert got[:4] == pytest.approx([210, 230, 140, 150])
    m = np.arange(2, 12)
    assert got[2:] == pytest.approx(1.5 * 20 + (10 + (m - 1)) * 10)
    assert monthly(plan, catalog, "Images")[:4] == pytest.approx([210, 230, 250, 270])


def test_lifecycle_rules(catalog):
    plan = load(DATA, DATA_PRICES)
    new = scenarios.apply(plan, scenario(lifecycle={"rules": [{"after_days": 90, "tier": "deep_archive"},
                                                              {"after_days": 30, "tier": "infrequent"}],
                                                    "lines": ["Images"]}), catalog)
    assert [r.tier for r in new.data.storage[0].lifecycle] == ["infrequent", "deep_archive"]
    # Month 4 (index 3): 30 days is 1 month of age, 90 days 3 months (91.3 days).
    # standard: cohort 3 (0.5 TB); infrequent: cohorts 1, 2 (2 TB); archive: initial 10 + cohort 0 (11 TB)
    assert monthly(new, catalog, "Images")[3] == pytest.approx(500 * 0.02 + 2000 * 0.01 + 11000 * 0.001)


def test_compression_combines_and_optionally_reduces_egress(catalog):
    plan = load(DATA, DATA_PRICES)
    new = scenarios.apply(plan, scenario(compression={"share": "50%", "egress": True,
                                                      "lines": ["Squeezed", "Out"]}), catalog)
    assert new.data.storage[1].compression == pytest.approx(0.6)
    assert monthly(new, catalog, "Squeezed") == pytest.approx(np.full(12, 10_000 * 0.4 * 0.02))   # was 160
    assert monthly(new, catalog, "Out") == pytest.approx(np.full(12, 1000 * 0.05))                # was 100
    assert new.data.storage[0] == plan.data.storage[0] and new.data.egress[1] == plan.data.egress[1]


def test_egress_reduction_by_kind(catalog):
    plan = load(DATA, DATA_PRICES)
    new = scenarios.apply(plan, scenario(egress_reduction={"share": "30%", "applies_to": ["internet"]}), catalog)
    assert monthly(new, catalog, "Out") == pytest.approx(np.full(12, 1400 * 0.05))
    assert new.data.egress[1] == plan.data.egress[1]


def test_annotation_reduction(catalog):
    plan = load("""\
    annotation:
      - {name: Boxes, task: bounding_box, items: 10k, price_per_item: 0.1, review_passes: 2, month: 1}
    """)
    new = scenarios.apply(plan, scenario(annotation_reduction={"share": "40%", "method": "semi-supervised"}), catalog)
    assert monthly(plan, catalog, "Boxes")[0] == pytest.approx(2000)
    assert monthly(new, catalog, "Boxes")[0] == pytest.approx(1200)


def test_ranges_follow_the_scaled_field(catalog):
    plan = load("""\
    compute:
      inference:
        - {name: Serve, gpu: L4, requests_per_month: 1M, output_tokens: 100, tokens_per_second_per_gpu: 1000 ± 20%}
    """, "gpu.L4.aws.on_demand: 1.0\n")
    new = scenarios.apply(plan, scenario(batching={"throughput_gain": 2}), catalog)
    r = dict(new.compute.inference[0].ranges)["tokens_per_second_per_gpu"]
    assert (r.low, r.likely, r.high) == pytest.approx((1600, 2000, 2400))


def test_strategies_are_pure(catalog):
    plan = load(COMPUTE + API + DATA, COMPUTE_PRICES + API_PRICES + DATA_PRICES)
    before = repr(plan)
    scenarios.apply(plan, scenario(spot={"interruption_overhead": 0.1}, quantization={}, api_cache={"hit_rate": 0.5},
                                   lifecycle={"after_days": 30, "tier": "infrequent"}), catalog)
    assert repr(plan) == before


# ---------------------------------------------------------------------------------------------
# No strategy touches a line it does not apply to
# ---------------------------------------------------------------------------------------------

# prompts of 2,400 tokens: long enough for OpenAI to cache half of them (1,024 tokens at least)
MIXED = COMPUTE + API.replace("input_tokens: 1000", "input_tokens: 2400") + DATA + """\
annotation:
  - {name: Boxes, task: bounding_box, items: 10k, price_per_item: 0.1, month: 1}
mlops:
  - {name: Logs, kind: log_ingest_gb, quantity: 100, unit_price: 0.5}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
"""
MIXED_PRICES = COMPUTE_PRICES + API_PRICES + DATA_PRICES

TOUCHES = [
    ("spot", {"interruption_overhead": 0.1}, {"Train", "Tune", "Notebooks"}),
    ("reserved", {"discount": 0.3}, {"Serve"}),
    ("right_size", {"target_utilization": 0.9}, {"Serve"}),
    ("quantization", {}, {"Serve"}),
    ("distillation", {"throughput_gain": 3}, {"Serve"}),
    ("efficient_architecture", {"throughput_gain": 3}, {"Serve"}),
    ("batching", {"throughput_gain": 3}, {"Serve"}),
    ("auto_shutdown", {"idle_cut": 0.5}, {"Notebooks"}),
    ("api_cache", {"hit_rate": 0.5, "lines": ["Other"]}, {"Other"}),
    ("prompt_caching", {"cached_share": 0.5}, {"Answers", "Other"}),
    ("batch_api", {"share": 0.5, "lines": ["Other"]}, {"Other"}),
    ("model_switch", {"model": "gpt-4o-mini", "lines": ["Answers"]}, {"Answers"}),
    ("self_host", {"api": "Other", "gpu": "L4", "tokens_per_second_per_gpu": 1000}, {"Other"}),
    ("lifecycle", {"after_days": 30, "tier": "infrequent", "lines": ["Images"]}, {"Images"}),
    ("compression", {"share": 0.5}, {"Images", "Squeezed"}),
    ("egress_reduction", {"share": 0.5, "applies_to": ["inter_az"]}, {"Zones"}),
    ("annotation_reduction", {"share": 0.5}, {"Boxes"}),
    ("move", {"cheapest": True, "lines": ["Serve"]}, {"Serve"}),  # serving reads no stored data: no transfer line
]


def test_every_strategy_is_covered():
    assert sorted({t[0] for t in TOUCHES}) == sorted(scenarios.STRATEGIES)


@pytest.mark.parametrize("name, params, touched", TOUCHES, ids=[t[0] for t in TOUCHES])
def test_strategy_changes_only_its_lines(catalog, name, params, touched):
    plan = load(MIXED, MIXED_PRICES)
    base = engine.project(plan, catalog)
    result = scenarios.evaluate(plan, scenario(**{name: params}), catalog, base)
    before = {li.name: li.monthly for li in base.line_items}
    after = {li.name: li.monthly for li in result.projection.line_items}
    assert set(before) == set(after)
    for line in before:
        if line in touched:
            assert not np.allclose(before[line], after[line]), f"{name} should change {line}"
        else:
            assert np.array_equal(before[line], after[line]), f"{name} changed {line}"
    assert result.saving_total > 0


# ---------------------------------------------------------------------------------------------
# Scenarios: baseline, attribution
# ---------------------------------------------------------------------------------------------


def test_a_scenario_without_strategies_is_the_baseline(catalog):
    plan = load(MIXED, MIXED_PRICES, "- {name: Nothing}\n")
    r = scenarios.evaluate(plan, plan.scenario("Nothing"), catalog)
    assert r.plan == plan
    assert np.array_equal(r.projection.matrix, r.baseline.matrix)
    assert r.saving_total == 0 and r.saving_share == 0 and r.attribution == ()
    assert not r.saving_monthly.any()
    cents = scenarios.attribution_cents(r)
    assert cents.saving_total == 0 and cents.parts == ()


def test_shapley_attribution_of_interacting_strategies(catalog):
    # Quantization alone: 4 -> 2 GPUs ($2,920 -> $1,460). Reserved 25% alone: $2,920 -> $2,190.
    # Both: $1,460 x 0.75 = $1,095, saving $1,825. Shapley: quantization (1,460 + 1,095) / 2 = 1,277.5,
    # reserved (730 + 365) / 2 = 547.5 a month.
    plan = load(COMPUTE, COMPUTE_PRICES, """\
    - name: Both
      strategies:
        reserved: {discount: 25%}
        quantization: {}
    - name: Reversed
      strategies:
        quantization: {}
        reserved: {discount: 25%}
    """)
    results = scenarios.evaluate_all(plan, catalog)
    for r in results:
        parts = dict(r.attribution)
        assert list(parts) == ["quantization", "reserved"]     # canonical order, whatever the file's
        assert parts["quantization"] == pytest.approx(np.full(12, 1277.5))
        assert parts["reserved"] == pytest.approx(np.full(12, 547.5))
        assert r.saving_monthly == pytest.approx(np.full(12, 1825.0))
        assert r.saving_total == pytest.approx(1825.0 * 12)
        assert r.method == "shapley"
    assert r.saving_share == pytest.approx(1825 * 12 / r.baseline.total)


def test_attribution_sums_to_the_saving_and_cents_add_up(catalog):
    plan = load(MIXED, MIXED_PRICES, """\
    - name: Many
      strategies:
        spot: {interruption_overhead: 13%}
        quantization: {throughput_gain: 1.37}
        reserved: {discount: 17%}
        auto_shutdown: {idle_cut: 33%}
        api_cache: {hit_rate: 11%}
        prompt_caching: {cached_share: 37%}
        lifecycle: {after_days: 45, tier: infrequent}
        compression: {share: 7%, egress: true}
    """)
    r = scenarios.evaluate(plan, plan.scenarios[0], catalog)
    assert r.method == "shapley" and len(r.attribution) == 8
    total = np.sum([m for _, m in r.attribution], axis=0)
    assert np.abs(total - r.saving_monthly).max() < 1e-9
    c = scenarios.attribution_cents(r)
    from pricing.rounding import rounded_matrix
    shown = rounded_matrix(r.baseline).sum(axis=0) - rounded_matrix(r.projection).sum(axis=0)
    assert np.array_equal(c.saving_monthly, shown)
    assert np.array_equal(np.sum([m for _, m in c.parts], axis=0), c.saving_monthly)
    assert sum(t for _, t in c.part_totals) == c.saving_total == int(shown.sum())
    for (_name, exact), (_, cents) in zip(r.attribution, c.parts):
        assert np.abs(cents - exact * 100).max() <= 1.0 + 1e-6   # each part moves by under a cent


def test_attribution_is_order_independent(catalog):
    params = {"quantization": {"throughput_gain": 1.37}, "reserved": {"discount": 0.17},
              "right_size": {"target_utilization": 0.7}}
    plan = load(COMPUTE, COMPUTE_PRICES)
    seen = []
    for order in itertools.permutations(params):
        r = scenarios.evaluate(plan, scenario(**{k: params[k] for k in order}), catalog)
        seen.append(dict(r.attribution))
    for other in seen[1:]:
        for k in params:
            assert other[k] == pytest.approx(seen[0][k])


def test_more_than_eight_strategies_fall_back_to_sequential(catalog, monkeypatch):
    text = """\
    - name: Ten
      strategies:
        spot: {interruption_overhead: 10%}
        reserved: {discount: 20%}
        quantization: {}
        batching: {throughput_gain: 1.2}
        auto_shutdown: {idle_cut: 50%}
        api_cache: {hit_rate: 10%}
        prompt_caching: {cached_share: 50%}
        lifecycle: {after_days: 30, tier: infrequent}
        egress_reduction: {share: 10%}
        annotation_reduction: {share: 10%}
    """
    plan = load(MIXED, MIXED_PRICES, text)
    r = scenarios.evaluate(plan, plan.scenarios[0], catalog)
    assert r.method == "sequential" and any("canonical order" in n for n in r.notes)
    assert np.abs(np.sum([m for _, m in r.attribution], axis=0) - r.saving_monthly).max() < 1e-9
    # independent strategies get the same part either way
    monkeypatch.setattr(attribution, "SHAPLEY_MAX", 10)
    exact = scenarios.evaluate(plan, plan.scenarios[0], catalog)
    assert exact.method == "shapley"
    assert dict(exact.attribution)["annotation_reduction"] == pytest.approx(dict(r.attribution)["annotation_reduction"])
    assert exact.saving_total == pytest.approx(r.saving_total)


def test_subset_costs_match_full_projections(catalog):
    """The fast per-line sum used for subsets equals engine.project (platform markup included)."""
    plan = load(COMPUTE + "services:\n  platform: {name: sagemaker, markup: 20%, applies_to: [training, inference]}\n",
                COMPUTE_PRICES)
    spec = scenario(spot={"interruption_overhead": 0.1}, quantization={}, reserved={"discount": 0.2})
    r = scenarios.evaluate(plan, spec, catalog)
    env = transforms._Env(catalog)
    parsed, _ = applying._parse(spec, "s", catalog)
    cost = attribution._SubsetCost(plan, parsed, env, r.baseline, r.projection)
    assert not cost.exact
    for mask in range(1 << len(parsed)):
        subset = [p for j, p in enumerate(parsed) if mask >> j & 1]
        want = engine.project(applying._run(plan, subset, env, check=False)[0], catalog).monthly
        assert cost(mask) == pytest.approx(want)


def test_strategy_that_saves_nothing_is_noted(catalog):
    plan = load("""\
    compute:
      inference:
        - {name: Small, gpu: L4, requests_per_month: 1k, output_tokens: 100, min_gpus: 2}
    """, "gpu.L4.aws.on_demand: 1.0\n")
    r = scenarios.evaluate(plan, scenario(quantization={}), catalog)
    assert r.saving_total == 0
    assert any("quantization" in n and "min_gpus" in n for n in r.notes)


def test_largest_remainder():
    lr = rounding.largest_remainder
    assert lr(np.array([33.34, 33.33, 33.33]), 100).tolist() == [34, 33, 33]
    assert lr(np.array([100 / 3] * 3), 100).tolist() == [34, 33, 33]
    assert lr(np.array([10.6, -3.2, 2.6]), 10).tolist() == [11, -3, 2]
    assert lr(np.array([-0.5, -0.5]), -1).tolist() == [0, -1]        # a tie goes to the first
    assert lr(np.array([1.0, 2.0, 3.0]), 12).tolist() == [2, 4, 6]   # a gap is spread in proportion to size
    # a rounding gap of -1.7 falls on the parts by size: the whole 22,500 keeps its value
    assert lr(np.array([22500.0, 100000.4, 50000.3]), 172499).tolist() == [22500, 99999, 50000]
    assert lr(np.array([0.0, 10.4, 20.4]), 31).tolist() == [0, 10, 21]     # a zero part stays zero
    assert lr(np.array([]), 0).tolist() == []


def test_evaluate_on_the_example_plans(catalog):
    from tests.conftest import EXAMPLES
    for path in sorted(EXAMPLES.glob("*.yaml")):
        plan = load_checked(path, catalog)
        assert scenarios.check_scenarios(plan, catalog) == []
        for r in scenarios.evaluate_all(plan, catalog):
            assert r.saving_total > 0
            c = scenarios.attribution_cents(r)
            assert sum(t for _, t in c.part_totals) == c.saving_total


# ---------------------------------------------------------------------------------------------
# Bad parameters: located problems with what is expected
# ---------------------------------------------------------------------------------------------


def problems_of(scen: str, body: str = MIXED, prices: str = MIXED_PRICES, catalog=None):
    plan = load(body, prices, scen)
    return [(p.key_path, p.message) for p in scenarios.check_scenarios(plan, catalog)]


@pytest.mark.parametrize("strategies, path, words", [
    ("spott: {}", "scenarios[0].strategies.spott", ["unknown savings strategy 'spott'", "'spot'"]),
    ("spot: {interruption_overhed: 10%}", "scenarios[0].strategies.spot.interruption_overhed",
     ["unknown parameter", "'interruption_overhead'"]),
    ("spot: {interruption_overhead: lots}", "scenarios[0].strategies.spot.interruption_overhead",
     ["found 'lots'", "expected"]),
    ("spot: {}", "scenarios[0].strategies.spot", ["missing 'interruption_overhead'"]),
    ("spot: {applies_to: [inference], interruption_overhead: 1%}", "scenarios[0].strategies.spot.applies_to",
     ["'inference'", "training, fine_tuning, exploration"]),
    ("api_cache: {hit_rate: 130%}", "scenarios[0].strategies.api_cache.hit_rate", ["at most 100%"]),
    ("api_cache: {hit_rate: 30, lines: [Answers]}", "scenarios[0].strategies.api_cache.hit_rate", ["30%"]),
    ("quantization: {throughput_gain: 0.8}", "scenarios[0].strategies.quantization.throughput_gain",
     ["factor above 1"]),
    ("distillation: {}", "scenarios[0].strategies.distillation", ["missing 'throughput_gain'"]),
    ("annotation_reduction: {share: 40%, method: magic}", "scenarios[0].strategies.annotation_reduction.method",
     ["active_learning, semi_supervised, synthetic"]),
    ("annotation_reduction: {method: synthetic}", "scenarios[0].strategies.annotation_reduction",
     ["missing 'share'", "up to 70%"]),
    ("api_cache: {hit_rate: 30%, lines: [Answerz]}", "scenarios[0].strategies.api_cache.lines[0]",
     ["no line named 'Answerz'", "'Answers'"]),
    ("api_cache: {hit_rate: 30%, lines: Serve}", "scenarios[0].strategies.api_cache.lines",
     ["'Serve' is a compute.inference line", "services.apis"]),
    ("self_host: {api: Nope, gpu: L4, tokens_per_second_per_gpu: 100}", "scenarios[0].strategies.self_host.api",
     ["no line named 'Nope'"]),
    ("self_host: {api: Other, gpu: H1OO, tokens_per_second_per_gpu: 100}", "scenarios[0].strategies.self_host.gpu",
     ["unknown GPU 'H1OO'"]),
    ("model_switch: {model: gpt-4q-mini}", "scenarios[0].strategies.model_switch.model", ["gpt-4o-mini"]),
    ("lifecycle: {after_days: 30, tier: glacierr}", "scenarios[0].strategies.lifecycle.tier",
     ["unknown storage tier 'glacierr'"]),
    ("lifecycle: {after_days: 30}", "scenarios[0].strategies.lifecycle", ["missing 'tier'"]),
    ("lifecycle: {rules: [{after_days: 30}]}", "scenarios[0].strategies.lifecycle.rules",
     ["rule 1", "{after_days: N, tier: NAME}"]),
    ("right_size: {gpu: T4}", "scenarios[0].strategies.right_size", ["tokens_per_second_per_gpu"]),
    ("right_size: {}", "scenarios[0].strategies.right_size", ["target_utilization"]),
    ("compression: {share: 40%, egress: yes please}", "scenarios[0].strategies.compression.egress",
     ["true or false"]),
    ("spot: {applies_to: [exploration], interruption_overhead: 1%, lines: [Train]}",
     "scenarios[0].strategies.spot.lines[0]", ["'Train' is a compute.training line"]),
])
def test_bad_parameters_are_located(catalog, strategies, path, words):
    got = problems_of(f"- name: Bad\n  strategies:\n    {strategies}\n", catalog=catalog)
    assert [p for p, _ in got] == [path], got
    for w in words:
        assert w in got[0][1], got[0][1]


def test_a_strategy_that_matches_no_line_is_reported(catalog):
    got = problems_of("- name: Idle\n  strategies:\n    auto_shutdown: {idle_cut: 50%}\n",
                      body=COMPUTE.replace("idle_share: 40%", "idle_share: 0"), prices=COMPUTE_PRICES,
                      catalog=catalog)
    assert got == [("scenarios[0].strategies.auto_shutdown",
                    "auto_shutdown changes nothing in this plan: no exploration line with idle time (idle_share)")]
    got = problems_of("- name: NoApi\n  strategies:\n    api_cache: {hit_rate: 50%}\n", body=COMPUTE,
                      prices=COMPUTE_PRICES, catalog=catalog)
    assert got[0][0] == "scenarios[0].strategies.api_cache" and "changes nothing" in got[0][1]


def test_lines_replaced_by_self_host_are_seen_by_later_strategies(catalog):
    # reserved runs after self_host, so it may name the serving line self_host created ...
    ok = problems_of("""\
    - name: Own
      strategies:
        reserved: {discount: 30%, lines: [Other]}
        self_host: {api: Other, gpu: L4, tokens_per_second_per_gpu: 1000}
    """, catalog=catalog)
    assert ok == []
    # ... and api_cache can no longer reach the API line self_host replaced
    bad = problems_of("""\
    - name: Own
      strategies:
        api_cache: {hit_rate: 30%, lines: [Other]}
        self_host: {api: Other, gpu: L4, tokens_per_second_per_gpu: 1000}
    """, catalog=catalog)
    assert bad == [("scenarios[0].strategies.api_cache.lines[0]",
                    "'Other' is a compute.inference line once earlier strategies ran (it was a services.apis line); "
                    "api_cache changes lines of services.apis")]


def test_problems_of_several_scenarios_at_once(catalog):
    got = problems_of("""\
    - name: A
      strategies:
        spot: {interruption_overhead: 10%}
    - name: B
      strategies:
        api_cache: {}
        batching: {throughput_gain: x}
    """, catalog=catalog)
    assert [p for p, _ in got] == ["scenarios[1].strategies.api_cache",
                                   "scenarios[1].strategies.batching.throughput_gain"]


def test_apply_and_evaluate_raise_located_plan_errors(catalog):
    plan = load(MIXED, MIXED_PRICES, "- name: Bad\n  strategies:\n    api_cache: {hit_rate: 2}\n")
    for call in (lambda: scenarios.apply(plan, plan.scenarios[0], catalog),
                 lambda: scenarios.evaluate(plan, plan.scenarios[0], catalog)):
        with pytest.raises(PlanError) as exc:
            call()
        assert exc.value.problems[0].key_path == "scenarios[0].strategies.api_cache.hit_rate"


def test_missing_spot_price_is_located_at_the_strategy(catalog):
    got = problems_of("- name: S\n  strategies:\n    spot: {interruption_overhead: 5%}\n", body="""\
    compute:
      exploration:
        - {name: Pool, gpu: L40S, people: 1, hours_per_week: 10}
    """, prices="gpu.L40S.aws.on_demand: 2.0\n", catalog=catalog)
    assert got[0][0] == "scenarios[0].strategies.spot"
    assert "gpu.L40S.aws.spot" in got[0][1] and "'Pool'" in got[0][1]


def test_strategy_info_for_forms():
    for name, info in scenarios.STRATEGIES.items():
        assert info.name == name and info.description and info.noop
        names = [p.key for p in info.params]   # parameters are field specs of the schema (pricing.fields)
        assert "lines" in names, name
        for p in info.params:
            assert p.label and p.help and p.example and p.kind
            if p.kind in (Kind.SHARE, Kind.FACTOR) and (p.required or isinstance(p.default, float)):
                assert p.source, (name, p.key)   # a figure's default says where it comes from, or why none
    assert scenarios.STRATEGIES["spot"].param("applies_to").default == ("training", "fine_tuning", "exploration")
    assert scenarios.STRATEGIES["batching"].param("throughput_gain").required
    assert scenarios.STRATEGIES["self_host"].params == fields.strategy_params("self_host")


def test_a_strategy_that_costs_more_is_negative_and_noted(catalog):
    # spot at $1.5 with 500% overhead: 10 h x 6 x 8 GPUs x $1.5 = $720 against $320 on demand
    plan = load(COMPUTE, COMPUTE_PRICES)
    r = scenarios.evaluate(plan, scenario(spot={"interruption_overhead": "500%", "applies_to": ["training"]}), catalog)
    assert r.saving_monthly[0] == pytest.approx(-400.0) and r.saving_total == pytest.approx(-400.0)
    assert dict(r.attribution)["spot"].sum() == pytest.approx(-400.0)
    assert any("costs more than it saves" in n for n in r.notes)
    assert scenarios.attribution_cents(r).saving_total == -40000


def test_lazy_evaluation_defers_the_split_and_gives_the_same_figures(catalog):
    plan = load_checked(str(__import__("pathlib").Path(__file__).resolve().parents[2] / "resources" / "examples"
                             / "support-assistant.yaml"), catalog)
    for s in plan.scenarios:
        eager = scenarios.evaluate(plan, s, catalog)
        lazy = scenarios.evaluate(plan, s, catalog, lazy=True)
        assert callable(lazy.split)                               # nothing split yet
        assert lazy.projection.monthly == pytest.approx(eager.projection.monthly)
        assert lazy.saving_total == eager.saving_total
        assert [n for n, _ in lazy.attribution] == [n for n, _ in eager.attribution]
        assert not callable(lazy.split)                           # computed on first read, kept
        for (_, a), (_, b) in zip(lazy.attribution, eager.attribution):
            assert a == pytest.approx(b)
        assert (lazy.method, lazy.notes) == (eager.method, eager.notes)
        assert scenarios.summary_data(lazy) == scenarios.summary_data(eager)
