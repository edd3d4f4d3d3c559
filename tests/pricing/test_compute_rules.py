"""Compute billed the way providers bill (issue 15 items 1, 2, 3 and 10): mixture-of-experts training, runs across
months, goodput, spot notebooks and GPUs bought in instance shapes. Every figure is computed by hand here."""
import numpy as np
import pytest

from pricing import engine
from pricing.catalog import Catalog, MissingPriceError
from pricing.drivers.compute import automatic_goodput, spread
from pricing.errors import PlanError
from pricing.load import loads, loads_checked

HOURS = 730.0
H100_PEAK = 989e12  # dense BF16 FLOP/s of the catalog's H100 (gpus.yaml)


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def project(body: str, catalog, months: int = 6, prices: str = "") -> engine.Projection:
    text = (f"format: aicost-plan/1\nname: C\nstart: 2027-01\nmonths: {months}\nprovider: aws\n{body}"
            + (f"prices:\n{prices}" if prices else ""))
    return engine.project(loads_checked(text, catalog=catalog), catalog)


# -- 1. mixture-of-experts training -------------------------------------------------------------------------------

DEEPSEEK = ("compute:\n  training:\n    - {name: V3, gpu: H100-80GB, gpus: 2048, params: 671B, ACTIVE tokens: 14.8T, "
            "mfu: 40%, goodput: 100%}\n")


def test_deepseek_v3_trains_on_its_active_parameters(catalog):
    # 6 x 37e9 active x 14.8e12 tokens = 3.2856e24 FLOPs; 2,048 H100s x 989e12 x 40% = 8.10189e17 FLOP/s
    # -> 4.05533e6 s = 1,126.48 h per run (the total, 671B, would give 18.1x as many: 20,429 h)
    hours = 6 * 37e9 * 14.8e12 / (2048 * H100_PEAK * 0.40) / 3600
    assert hours == pytest.approx(1126.48, abs=0.01)
    moe = project(DEEPSEEK.replace("ACTIVE", "active_params: 37B,"), catalog, months=3,
                  prices="  gpu.H100-80GB.aws.on_demand: 2.0\n").line_items[0]
    dense = project(DEEPSEEK.replace("ACTIVE", ""), catalog, months=60,
                    prices="  gpu.H100-80GB.aws.on_demand: 2.0\n").line_items[0]
    # 2,048 GPUs = 256 p5.48xlarge; the run spans two months: 730 h, then 396.48 h
    assert moe.quantity("GPU-hours")[:2] == pytest.approx([730 * 2048, (hours - 730) * 2048])
    assert moe.total == pytest.approx(hours * 2048 * 2.0)
    assert dense.total / moe.total == pytest.approx(671 / 37)
    assert any("compute from the 3.7e+10 active of 6.71e+11 parameters" in n for n in moe.notes)


def test_active_params_with_given_hours_is_refused():
    _, problems = loads("format: aicost-plan/1\nname: C\nstart: 2027-01\nmonths: 3\ncompute:\n  training:\n"
                        "    - {name: T, gpu: H100-80GB, hours: 10, active_params: 8B}\n", file="p.yaml")
    assert [(p.key_path, p.line) for p in problems] == [("compute.training[0].active_params", 7)]


# -- 2. runs longer than a month ----------------------------------------------------------------------------------

def test_a_1625_hour_run_falls_in_the_three_months_it_covers(catalog):
    li = project("compute:\n  training:\n    - {name: T, gpu: H100-80GB, gpus: 8, hours: 1625, month: 2}\n", catalog,
                 prices="  gpu.H100-80GB.aws.on_demand: 3.0\n").line_items[0]
    # 1,625 h = 730 + 730 + 165, from month 2; 8 GPUs (one p5.48xlarge) at $3
    assert li.quantity("GPU-hours") == pytest.approx([0, 730 * 8, 730 * 8, 165 * 8, 0, 0])
    assert li.total == pytest.approx(1625 * 8 * 3.0)
    assert not any("outside the horizon" in n for n in li.notes)


def test_repeated_runs_spread_and_overlap(catalog):
    within, after = spread(np.float64(1000.0), 1, 1, 4)  # a 1,000-h run starting every month of 4
    # month 1: 730 (run 1); month 2: 270 (run 1) + 730 (run 2); months 3, 4 likewise; run 4 ends 270 h past month 4
    assert within == pytest.approx([730, 1000, 1000, 1000])
    assert after == pytest.approx(270)


def test_what_falls_after_the_horizon_is_said_with_its_amount(catalog):
    li = project("compute:\n  training:\n    - {name: T, gpu: H100-80GB, gpus: 8, hours: 1625, month: 5}\n", catalog,
                 prices="  gpu.H100-80GB.aws.on_demand: 3.0\n").line_items[0]
    # months 5 and 6 hold 730 h each; 165 h x 8 GPUs = 1,320 GPU-hours ($3,960) fall after month 6
    assert li.quantity("GPU-hours")[4:] == pytest.approx([5840, 5840])
    assert li.total == pytest.approx(1460 * 8 * 3.0)
    note = next(n for n in li.notes if "outside the horizon" in n)
    assert "1,320 GPU-hours (3,960 USD)" in note and "ends after month 6" in note


def test_monte_carlo_hours_spread_per_sample(catalog):
    within, after = spread(np.array([[100.0], [900.0]]), 1, None, 3)
    assert within == pytest.approx(np.array([[100, 0, 0], [730, 170, 0]]))
    assert after == pytest.approx(np.array([[0.0], [0.0]]))


# -- 3. goodput -------------------------------------------------------------------------------------------------------

def test_automatic_goodput_is_llama3s_record_scaled_with_the_gpus():
    # Llama 3: >90% effective training time on 16,384 GPUs: lost hours per useful hour (1/0.9 - 1) x N / 16,384
    assert automatic_goodput(16_384) == pytest.approx(0.90)
    assert automatic_goodput(1024) == pytest.approx(1 / (1 + (1 / 0.9 - 1) / 16))     # 99.31%
    assert automatic_goodput(1023) == 1.0 and automatic_goodput(8) == 1.0             # off for small runs
    assert automatic_goodput(100_000) == pytest.approx(1 / (1 + (1 / 0.9 - 1) * 100_000 / 16_384))


def test_goodput_divides_the_hours_and_says_so(catalog):
    body = "compute:\n  training:\n    - {name: T, gpu: H100-80GB, gpus: 8, hours: 100, goodput: 80%}\n"
    li = project(body, catalog, prices="  gpu.H100-80GB.aws.on_demand: 3.0\n").line_items[0]
    assert li.monthly[0] == pytest.approx(100 / 0.8 * 8 * 3.0)  # 125 h x 8 GPUs x $3 = $3,000
    assert any(n.startswith("goodput 80%: 1.25 x the hours") for n in li.notes)


def test_automatic_goodput_applies_to_big_derived_runs_only(catalog):
    derived = ("compute:\n  training:\n    - {name: T, gpu: H100-80GB, gpus: GPUS, params: 70B, tokens: 2T, "
               "mfu: 40%}\n")
    big = project(derived.replace("GPUS", "2048"), catalog, months=3,
                  prices="  gpu.H100-80GB.aws.on_demand: 2.0\n").line_items[0]
    hours = 6 * 70e9 * 2e12 / (2048 * H100_PEAK * 0.40) / 3600          # 115.2 h
    good = 1 / (1 + (1 / 0.9 - 1) * 2048 / 16_384)                       # 98.63%
    assert big.monthly[0] == pytest.approx(hours / good * 2048 * 2.0)
    assert any("goodput 98.6% assumed for 2,048 GPUs" in n and "466 interruptions in 54 days" in n for n in big.notes)
    small = project(derived.replace("GPUS", "512"), catalog, months=3,
                    prices="  gpu.H100-80GB.aws.on_demand: 2.0\n").line_items[0]
    # 512 GPUs: 1,152 h (730 in month 1, 422 in month 2), no allowance
    assert small.total == pytest.approx(6 * 70e9 * 2e12 / (512 * H100_PEAK * 0.40) / 3600 * 512 * 2.0)
    assert not any("goodput" in n for n in small.notes)
    given = project("compute:\n  training:\n    - {name: T, gpu: H100-80GB, gpus: 2048, hours: 100}\n", catalog,
                    months=3, prices="  gpu.H100-80GB.aws.on_demand: 2.0\n").line_items[0]
    assert given.monthly[0] == pytest.approx(100 * 2048 * 2.0)  # given hours are wall-clock: no allowance added


# -- 10. spot notebooks, instance shapes ---------------------------------------------------------------------------

def test_spot_notebooks_take_their_interruption_overhead(catalog):
    body = ("compute:\n  exploration:\n    - {name: N, gpu: A10G, people: 3, hours_per_week: 20, pricing: spot, "
            "interruption_overhead: 10%}\n")
    li = project(body, catalog).line_items[0]
    # 3 people x 20 h x 52/12 weeks x 1 GPU x 1.10 x $0.436 (g5.xlarge spot, us-east-1 median)
    assert li.monthly[0] == pytest.approx(3 * 20 * 52 / 12 * 1.10 * 0.436)
    assert any("10% extra hours for interruptions" in n for n in li.notes)


def test_a_four_gpu_notebook_pays_the_four_gpu_instance(catalog):
    body = "compute:\n  exploration:\n    - {name: N, gpu: L40S, people: 2, hours_per_week: 20, gpus_per_instance: 4}\n"
    li = project(body, catalog).line_items[0]
    # g6e.12xlarge, $10.49264 an hour for 4 L40S = $2.62316 per GPU-hour (g6e.xlarge's $1.861 is for one GPU)
    assert li.monthly[0] == pytest.approx(2 * 20 * 52 / 12 * 4 * 10.49264 / 4)
    assert "g6e.12xlarge" in li.sources[0].notes


def test_a_one_gpu_job_on_an_eight_gpu_only_instance_pays_the_instance(catalog):
    li = project("compute:\n  training:\n    - {name: T, gpu: A100-80GB, gpus: 1, hours: 10}\n", catalog).line_items[0]
    # AWS sells the A100 80GB as p4de.24xlarge only: 8 GPUs x 10 h x $3.4309
    assert li.monthly[0] == pytest.approx(8 * 10 * 3.4309)
    assert any("1 GPU takes a whole 8-GPU instance, 8 GPUs billed" in n for n in li.notes)


def test_a_run_bigger_than_a_machine_takes_several(catalog):
    li = project("compute:\n  training:\n    - {name: T, gpu: L4, gpus: 12, hours: 10}\n", catalog).line_items[0]
    # 12 GPUs > 8: two g6.48xlarge (8 L4, $13.3504) = 16 GPUs billed at $1.6688
    assert li.monthly[0] == pytest.approx(16 * 10 * 13.3504 / 8)


def test_a_size_the_catalog_lacks_is_a_gap_placed_at_the_field_and_filled_by_the_plan(catalog):
    body = "compute:\n  exploration:\n    - {name: N, gpu: L40S, people: 1, gpus_per_instance: 4, provider: nebius}\n"
    text = f"format: aicost-plan/1\nname: C\nstart: 2027-01\nmonths: 3\nprovider: aws\n{body}"
    _, problems = loads(text, file="p.yaml", catalog=catalog)
    assert [p.key_path for p in problems] == ["compute.exploration[0].gpus_per_instance"]
    assert "gpu.L40S.nebius.on_demand.4gpu" in problems[0].message and "1-GPU price is not used" in problems[0].message
    filled = loads_checked(text + "prices:\n  gpu.L40S.nebius.on_demand.4gpu: 1.9\n", catalog=catalog)
    assert engine.project(filled, catalog).line_items[0].monthly[0] == pytest.approx(40 * 52 / 12 * 4 * 1.9)


def test_instance_prices_of_the_catalog(catalog):
    a10g = catalog.gpu_instance("A10G", "aws", "on_demand", gpus=3)
    assert (a10g.gpus_per_instance, a10g.instances, a10g.price.value) == (4, 1, pytest.approx(5.672 / 4))
    assert catalog.gpu_price("A10G", "aws", "on_demand", gpus_per_instance=8).value == pytest.approx(16.288 / 8)
    assert catalog.gpu_price("A10G", "aws", "on_demand").value == 1.006   # the catalog's own figure, unchanged
    # reserved of a size: its on-demand x (1 - the plan's discount)
    disc = catalog.with_overrides({"reserved_discount.aws": 0.3})
    assert disc.gpu_price("L4", "aws", "reserved", gpus_per_instance=4).value == pytest.approx(4.6016 / 4 * 0.7)
    # a plan's price for the GPU at the provider moves every size with it, in proportion to the catalog's figures:
    # p5.4xlarge lists the same $6.88 per GPU as p5.48xlarge, so a negotiated $3.90 is its price too
    plan_price = catalog.with_overrides({"gpu.H100-80GB.aws.on_demand": 3.9})
    one = plan_price.gpu_instance("H100-80GB", "aws", gpus=1)
    assert (one.instance.split(" ")[0], one.price.value) == ("p5.4xlarge", 3.9) and one.price.source.overridden
    # g6.12xlarge lists $1.1504 per GPU against g6.xlarge's $0.8048: at a plan price of $0.50, 1.1504 x 0.5 / 0.8048
    l4 = catalog.with_overrides({"gpu.L4.aws.on_demand": 0.5}).gpu_price("L4", "aws", gpus_per_instance=4)
    assert l4.value == pytest.approx(1.1504 * 0.5 / 0.8048) and l4.source.overridden
    # RunPod bills pods per GPU: any count, no rounding
    pod = catalog.gpu_instance("H100-80GB", "runpod", gpus=3)
    assert (pod.billed_gpus, pod.price.value) == (3, 3.99)
    # a spot size the catalog has no record for leaves the list of spot sizes open: per GPU of the 8-GPU spot price
    spot = catalog.gpu_instance("H100-80GB", "aws", "spot", gpus=1)
    assert (spot.billed_gpus, spot.price.value) == (1, 2.5255) and "not in the catalog" in spot.note


def test_a_job_of_more_gpus_than_a_one_gpu_only_list_holds_is_a_gap(catalog):
    with pytest.raises(MissingPriceError, match="gpu.L40S.nebius.on_demand.2gpu"):
        catalog.gpu_instance("L40S", "nebius", gpus=2)
    with pytest.raises(PlanError):
        catalog.gpu_instance("L40S", "nebius", gpus=0)
