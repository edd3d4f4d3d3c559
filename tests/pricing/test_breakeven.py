"""Self-hosting break-even against hand-computed cases (API and GPU prices pinned with overrides)."""
import math
import textwrap

import numpy as np
import pytest

from pricing import breakeven as be
from pricing.catalog import Catalog
from pricing.errors import PlanError, UnknownNameError
from pricing.load import loads_checked


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def plan_with(gpu_price: float, extra: str = "", api: str = "", platform: str = "") -> object:
    text = "\n".join([
        "format: aicost-plan/1", "name: Hand", "start: 2027-01", "months: 12", "provider: aws",
        "services:", f"  {platform}", "  apis:",
        "    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 1M, growth: 10%,"
        f" input_tokens: 0, output_tokens: 100{api}}}",
        "prices:", "  api.openai.gpt-4o.input: 0", "  api.openai.gpt-4o.output: 10",
        f"  gpu.L4.aws.on_demand: {gpu_price}", ""]) + extra
    return loads_checked(text, file="t.yaml")


# API: 100 output tokens x $10 per million = $0.001 a request. At 100 tok/s and 50% utilization one GPU
# makes 100 x 3600 x 730 x 0.5 = 131.4M tokens a month = 1,314,000 requests (u).


def test_break_even_volume_and_steps(catalog):
    # GPU $1.44/h -> c = $1,051.20 a month; a x u = $1,314 >= c, so self-hosting can win.
    r = be.breakeven(plan_with(1.44), "Answers", "L4", tokens_per_second_per_gpu=100, utilization=0.5,
                     catalog=catalog)
    assert r.cost_per_request == pytest.approx(0.001)
    assert r.gpu_month == pytest.approx(1051.2)
    assert r.requests_per_gpu == pytest.approx(1_314_000)
    # first crossing: c x 1 / a = 1,051,200 requests (within the first GPU's 1,314,000)
    assert r.breakeven == pytest.approx(1_051_200)
    # Past n full GPUs the API is cheaper again while a n u < c (n + 1): 1,314 n < 1,051.2 (n + 1) holds
    # for n <= 3 (n = 4 ties: 5,256 = 5,256). So the last window is step 4: self-hosting stays cheaper
    # from c x 4 / a = 4,204,800 requests.
    assert r.stays_cheaper_from == pytest.approx(4_204_800)
    assert r.api_at(4_000_000) < r.self_at(4_000_000)            # 3 GPUs + 1: $4,204.80 > $4,000
    assert r.self_at(4_300_000) < r.api_at(4_300_000)
    assert r.self_at(1_000_000) > r.api_at(1_000_000)            # below break-even
    # the grid
    assert np.all(np.diff(r.volumes) > 0) and r.breakeven in r.volumes
    assert r.api_cost == pytest.approx(0.001 * r.volumes)
    assert r.self_cost == pytest.approx(1051.2 * np.maximum(np.ceil(r.volumes / 1_314_000 - 1e-9), 1))
    assert r.volumes[0] <= r.current[0] / 10 and r.volumes[-1] >= r.stays_cheaper_from * 10
    # the line's own volumes: 1M in month 1, 1M x 1.1^11 in month 12
    assert r.current == pytest.approx((1e6, 1e6 * 1.1 ** 11))


def test_never_cheaper_when_a_full_gpu_costs_more_per_request(catalog):
    # GPU $2/h -> c = $1,460 > a x u = $1,314: self(V) >= c V / u > a V for every V.
    r = be.breakeven(plan_with(2.0), "Answers", "L4", tokens_per_second_per_gpu=100, utilization=0.5,
                     catalog=catalog)
    assert r.breakeven is None and r.stays_cheaper_from is None
    assert np.all(r.self_cost > r.api_cost)


def test_min_gpus_moves_the_crossing(catalog):
    # min 3 GPUs: first crossing 3 x c / a; with c = $730 (GPU $1/h), a u = $1,314: windows while
    # 1,314 n < 730 (n + 1), i.e. n < 1.25: none from n = 3 on -> stays cheaper from the crossing.
    r = be.breakeven(plan_with(1.0), "Answers", "L4", tokens_per_second_per_gpu=100, utilization=0.5,
                     min_gpus=3, catalog=catalog)
    assert r.breakeven == pytest.approx(3 * 730 / 0.001)
    assert r.stays_cheaper_from == pytest.approx(r.breakeven)
    assert r.gpus_at(10) == 3


def test_response_cache_and_platform_markup(catalog):
    # 50% of requests from the cache: a = $0.0005 per request of volume, u doubles to 2,628,000;
    # a 25% platform markup on inference: c = $1 x 730 x 1.25 = $912.50.
    plan = plan_with(1.0, api=", response_cache_hit_rate: 50%",
                     platform="platform: {name: sagemaker, markup: 25%, applies_to: [inference]}")
    r = be.breakeven(plan, "Answers", "L4", tokens_per_second_per_gpu=100, utilization=0.5, catalog=catalog)
    assert r.cost_per_request == pytest.approx(0.0005)
    assert r.requests_per_gpu == pytest.approx(2_628_000)
    assert r.gpu_month == pytest.approx(912.5)
    assert r.breakeven == pytest.approx(912.5 / 0.0005)


def test_crossing_edge_cases():
    assert be.crossing(0.0, 100.0, 1000.0, 1) == (None, None)          # a free API always wins
    assert be.crossing(0.001, 100.0, math.inf, 2) == (200_000, 200_000)  # no tokens: the GPU floor only
    first, stays = be.crossing(1.0, 10.0, 10.0, 1)                       # a u == c: ties at every full GPU
    assert first == 10 and stays is None


def test_unknown_api_line_and_bad_inputs(catalog):
    plan = plan_with(1.0)
    with pytest.raises(UnknownNameError, match="did you mean 'Answers'"):
        be.breakeven(plan, "Answer", "L4", tokens_per_second_per_gpu=100, catalog=catalog)
    with pytest.raises(UnknownNameError, match="unknown GPU"):
        be.breakeven(plan, "Answers", "H1OO", tokens_per_second_per_gpu=100, catalog=catalog)
    with pytest.raises(PlanError, match="utilization"):
        be.breakeven(plan, "Answers", "L4", tokens_per_second_per_gpu=100, utilization=1.5, catalog=catalog)
    with pytest.raises(PlanError, match="tokens per second"):
        be.breakeven(plan, "Answers", "L4", tokens_per_second_per_gpu=0, catalog=catalog)


def test_defaults_from_the_plans_self_host_scenario():
    plan = plan_with(1.0, textwrap.dedent("""\
    scenarios:
      - name: Own
        strategies:
          self_host: {api: Answers, gpu: L4, tokens_per_second_per_gpu: 1500, utilization: 70%, min_gpus: 2}
    """))
    assert be.self_host_defaults(plan, "Answers") == {"gpu": "L4", "tokens_per_second_per_gpu": 1500,
                                                      "utilization": 0.7, "min_gpus": 2}
    assert be.self_host_defaults(plan, "Other") == {}
