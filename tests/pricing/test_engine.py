"""Each driver's formula against a case computed by hand (prices pinned with plan overrides)."""
import math
import textwrap

import numpy as np
import pytest

from pricing import engine, report, rounding
from pricing.plan import Category
from pricing.load import loads_checked

HEAD = """\
format: aicost-plan/1
name: Hand
start: 2027-01
months: 12
provider: aws
"""


def project(body: str, prices: str = ""):
    text = HEAD + textwrap.dedent(body) + (("prices:\n" + prices) if prices else "")
    plan = loads_checked(text, file="t.yaml")
    return engine.project(plan)


def only(proj):
    assert len(proj.line_items) == 1
    return proj.line_items[0]


def test_training_hours_runs_and_every():
    li = only(project("""\
    compute:
      training:
        - {name: T, gpu: H100-80GB, gpus: 8, hours: 120, runs: 2, month: 2, every: 3}
    """, "  gpu.H100-80GB.aws.on_demand: 4.0\n"))
    expected = np.zeros(12)
    expected[[1, 4, 7, 10]] = 120 * 8 * 2 * 4.0
    assert li.monthly == pytest.approx(expected)
    assert li.quantity("GPU-hours")[1] == 120 * 8 * 2
    assert li.category is Category.COMPUTE and li.key_path == "compute.training[0]"
    assert li.sources[0].overridden and li.sources[0].key == "gpu.H100-80GB.aws.on_demand"


def test_training_hours_from_flops():
    li = only(project("""\
    compute:
      fine_tuning:
        - {name: FT, gpu: h100, gpus: 8, params: 8B, tokens: 20B, mfu: 40%, month: 1}
    """, "  gpu.H100-80GB.aws.on_demand: 4.0\n  gpu.H100-80GB.peak_tflops: 1000\n"))
    hours = 6 * 8e9 * 20e9 / (8 * 1000e12 * 0.4) / 3600      # 83.33 h
    assert li.monthly[0] == pytest.approx(hours * 8 * 4.0)
    assert li.monthly[1:].sum() == 0
    assert li.section == "compute.fine_tuning"


def test_spot_training_with_interruption_overhead():
    li = only(project("""\
    compute:
      training:
        - {name: T, gpu: H100-80GB, gpus: 8, hours: 10, pricing: spot, interruption_overhead: 10%}
    """, "  gpu.H100-80GB.aws.spot: 1.5\n"))
    assert li.monthly[0] == pytest.approx(10 * 1.1 * 8 * 1.5)  # one p5.48xlarge of 8 GPUs


def test_inference_gpus_follow_tokens_with_floor():
    li = only(project("""\
    compute:
      inference:
        - name: S
          gpu: L4
          requests_per_month: 1M
          growth: 50%
          input_tokens: 900
          output_tokens: 250
          tokens_per_second_per_gpu: 1000
          utilization: 50%
          min_gpus: 2
    """, "  gpu.L4.aws.on_demand: 0.8\n"))
    capacity = 1000 * 3600 * 730 * 0.5
    for k in range(12):
        tokens = 1e6 * 1.5 ** k * 250
        gpus = max(2, math.ceil(tokens / capacity))
        assert li.quantity("GPUs")[k] == gpus
        assert li.monthly[k] == pytest.approx(gpus * 730 * 0.8)
    assert li.quantity("GPUs")[-1] > 2   # growth outran the floor


def test_inference_start_month_and_total_basis():
    li = only(project("""\
    compute:
      inference:
        - {name: E, gpu: L4, requests_per_month: 10M, input_tokens: 400, output_tokens: 0,
           tokens_per_second_per_gpu: 5000, throughput_basis: total, utilization: 100%, min_gpus: 0, start: 4}
    """, "  gpu.L4.aws.on_demand: 1.0\n"))
    gpus = math.ceil(10e6 * 400 / (5000 * 3600 * 730))
    assert (li.monthly[:3] == 0).all()
    assert li.monthly[3] == pytest.approx(gpus * 730)


def test_exploration_bills_idle_time():
    li = only(project("""\
    compute:
      exploration:
        - {name: NB, gpu: A10G, people: 4, hours_per_week: 25, idle_share: 35%}
    """, "  gpu.A10G.aws.on_demand: 1.0\n"))
    hours = 4 * 25 * 52 / 12
    assert li.monthly == pytest.approx(np.full(12, hours * 1.0))
    assert li.quantity("idle GPU-hours")[0] == pytest.approx(hours * 0.35)


def test_storage_grows_and_tiers_by_age():
    li = only(project("""\
    data:
      storage:
        - name: Raw
          size_tb: 10
          growth_tb_per_month: 2
          lifecycle: [{after_days: 60, tier: infrequent}]
    """, "  storage.aws.standard: 0.02\n  storage.aws.infrequent: 0.01\n"))
    days = 365.25 / 12
    for k in range(12):
        hot = cold = 0.0
        # data held at the start: age k months
        (cold if k * days >= 60 else 0) and None
        if k * days >= 60:
            cold += 10_000
        else:
            hot += 10_000
        for j in range(k + 1):                         # cohort arriving in month j
            gb = 2_000 * (0.5 if j == k else 1.0)
            if (k - j) * days >= 60:
                cold += gb
            else:
                hot += gb
        # AWS bills binary GB: a decimal GB (10^9 bytes) is 10^9 / 2^30 = 0.9313225746 billed GB
        assert li.monthly[k] == pytest.approx((hot * 0.02 + cold * 0.01) * 1e9 / 2**30), k


def test_egress_tiers_and_flat_override():
    li = only(project("""\
    data:
      egress:
        - {name: E, tb_per_month: 1.5, kind: internet, growth: 10%}
    """, "  egress.aws.internet: 0.05\n"))
    # 1.5 TB = 1.5e12 bytes = 1,396.98 billed GB (2^30 bytes each, AWS's GB) x 0.05 USD, growing 10% a month
    assert li.monthly == pytest.approx(1.5e12 / 2**30 * 0.05 * 1.1 ** np.arange(12))


def test_api_cost_from_model_prices():
    li = only(project("""\
    services:
      apis:
        - {name: A, provider: openai, model: gpt-4o, requests_per_month: 300k, growth: 10%,
           input_tokens: 2400, output_tokens: 350, cached_input_share: 50%, response_cache_hit_rate: 20%}
    """, "  api.openai.gpt-4o.input: 2.5\n  api.openai.gpt-4o.cached_input: 1.25\n  api.openai.gpt-4o.output: 10\n"))
    # 50% of 2,400 = 1,200 cached tokens; OpenAI caches 1,024 tokens or more in 128-token steps: 9 x 128 = 1,152
    per_request = ((2400 - 1152) * 2.5 + 1152 * 1.25 + 350 * 10) / 1e6
    expected = 300e3 * 1.1 ** np.arange(12) * 0.8 * per_request
    assert li.monthly == pytest.approx(expected)
    assert li.quantity("requests")[0] == 300e3


def test_annotation_review_passes_spread():
    li = only(project("""\
    annotation:
      - {name: Boxes, task: bounding_box, items: 120k, price_per_item: 0.06, review_passes: 1.25, month: 3,
         over_months: 2}
    """))
    expected = np.zeros(12)
    expected[[2, 3]] = 120e3 * 0.06 * 1.25 / 2
    assert li.monthly == pytest.approx(expected)


def test_annotation_catalog_rate():
    li = only(project("""\
    annotation:
      - {name: Boxes, task: bounding_box, items: 1000, month: 1}
    """, "  annotation.bounding_box: 0.05\n"))
    assert li.monthly[0] == pytest.approx(1000 * 0.05)


def test_mlops_and_people_and_platform_markup():
    proj = project("""\
    compute:
      training:
        - {name: T, gpu: H100-80GB, gpus: 1, hours: 100, month: 1, every: 1}
    services:
      platform: {name: sagemaker, markup: 20%, applies_to: [training]}
    mlops:
      - {name: K8s, kind: k8s_control_plane, quantity: 2, start: 3, end: 5}
    people:
      - {name: Toil, hours_per_month: 80, hourly_rate: 95}
    """, "  gpu.H100-80GB.aws.on_demand: 4.0\n  mlops.aws.k8s_control_plane: 73\n")
    by = {li.name: li for li in proj.line_items}
    assert by["sagemaker markup"].monthly == pytest.approx(np.full(12, 100 * 4.0 * 0.2))
    k8s = np.zeros(12)
    k8s[2:5] = 2 * 73
    assert by["K8s"].monthly == pytest.approx(k8s)
    assert by["Toil"].monthly == pytest.approx(np.full(12, 80 * 95))
    assert proj.category_totals[Category.SERVICES] == pytest.approx(np.full(12, 80.0))


def test_currency_conversion_applies_to_catalog_prices_only():
    text = HEAD.replace("provider: aws\n", "provider: aws\ncurrency: EUR\nfx_rate: 0.9\n") + textwrap.dedent("""\
    compute:
      training:
        - {name: T, gpu: H100-80GB, gpus: 1, hours: 10}
    people:
      - {name: Toil, hours_per_month: 10, hourly_rate: 80}
    prices:
      gpu.H100-80GB.aws.on_demand: 4.0
    """)
    proj = engine.project(loads_checked(text))
    by = {li.name: li for li in proj.line_items}
    assert by["T"].monthly[0] == pytest.approx(10 * 4.0 * 0.9)
    assert by["Toil"].monthly[0] == pytest.approx(800)


def test_totals_drivers_and_budget():
    proj = project("""\
    monthly_budget: 9k
    people:
      - {name: Toil, hours_per_month: 80, hourly_rate: 95}
    mlops:
      - {name: K8s, kind: k8s_control_plane, quantity: 1, start: 6}
    """.replace("    monthly_budget: 9k\n", ""), "  mlops.aws.k8s_control_plane: 2000\n")
    assert proj.total == pytest.approx(80 * 95 * 12 + 2000 * 7)
    assert proj.cumulative[-1] == pytest.approx(proj.total)
    d = proj.drivers()
    assert [x.name for x in d] == ["Toil", "K8s"]
    assert sum(x.share for x in d) == pytest.approx(1.0)
    import dataclasses
    over = engine.project(dataclasses.replace(proj.plan, monthly_budget=9000))
    assert over.first_month_over_budget() == 5       # month 6: 7600 + 2000 > 9000
    assert over.run_rate_now == pytest.approx(7600) and over.run_rate_end == pytest.approx(9600)


def test_presentation_totals_equal_sum_of_displayed_parts():
    proj = project("""\
    people:
      - {name: A, hours_per_month: 1, hourly_rate: 0.005}
      - {name: B, hours_per_month: 1, hourly_rate: 0.005}
      - {name: C, hours_per_month: 3, hourly_rate: 33.333333}
    """)
    d = report.report_data(proj)
    cents = lambda xs: sum(round(x * 100) for x in xs)  # noqa: E731
    assert round(d["total"] * 100) == sum(round(li["total"] * 100) for li in d["line_items"])
    assert round(d["total"] * 100) == cents(d["monthly"])
    for k in range(12):
        assert round(d["monthly"][k] * 100) == sum(round(li["monthly"][k] * 100) for li in d["line_items"])
    # half-even: 0.005 rounds to 0.00, not 0.01
    assert d["line_items"][0]["monthly"][0] == 0.0


def test_unknown_names_are_located_with_suggestions():
    from pricing.errors import PlanFileError
    with pytest.raises(PlanFileError) as exc:
        loads_checked(HEAD + "compute:\n  training:\n    - {name: T, gpu: H10, hours: 3}\n", file="x.yaml")
    p = exc.value.problems[0]
    assert p.key_path == "compute.training[0].gpu" and p.line == 8 and "H100-80GB" in p.message
    with pytest.raises(PlanFileError) as exc:
        loads_checked(HEAD.replace("aws", "awz"))
    assert "aws" in exc.value.problems[0].message and exc.value.problems[0].key_path == "provider"
    with pytest.raises(PlanFileError) as exc:
        loads_checked(HEAD + "services:\n  apis:\n"
                      "    - {name: A, provider: openai, model: gpt-4oo, requests_per_month: 1}\n")
    assert exc.value.problems[0].key_path == "services.apis[0].model" and "gpt-4o" in exc.value.problems[0].message
    with pytest.raises(PlanFileError) as exc:
        loads_checked(HEAD + "prices:\n  gpu.H100-80GB.aws.on_demnd: 3\n")
    assert "gpu.H100-80GB.aws.on_demand" in exc.value.problems[0].message


def test_inter_az_transfer_counts_both_directions():
    li = only(project("""\
    data:
      egress:
        - {name: AZ, tb_per_month: 20, kind: inter_az}
    """, "  egress.aws.inter_az: 0.01\n"))
    # 20 TB = 2e13 bytes = 18,626.45 billed GB (2^30 bytes), x 0.01 USD, in each direction
    assert li.monthly == pytest.approx(np.full(12, 2e13 / 2**30 * 0.01 * 2))


def test_api_override_keys_are_checked():
    from pricing.errors import PlanFileError
    with pytest.raises(PlanFileError) as exc:
        loads_checked(HEAD + "prices:\n  api.openai.gpt-4o.inptu: 2\n", file="x.yaml")
    p = exc.value.problems[0]
    assert p.key_path.startswith("prices.api.openai.gpt-4o") and "input" in p.message and p.line == 7


def test_to_cents_matches_decimal_half_even_of_the_shortest_decimal_form():
    from decimal import ROUND_HALF_EVEN, Decimal
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.uniform(0, 1e6, 5000), np.round(rng.uniform(0, 1e4, 2000), 3),
                             np.arange(0, 20, 0.005), [0.005, 0.015, 0.025, 1.005, 2.675, 1e9 + 0.005, 0.0]])
    expected = [int(Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100) for x in values]
    assert rounding.to_cents(values).tolist() == expected
    assert rounding.to_cents(2.675).tolist() == [268]       # 2.675 is 2.67499999... in binary; its decimal form ties
