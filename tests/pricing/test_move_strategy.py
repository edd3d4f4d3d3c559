"""The `move` savings strategy: lines re-placed on another provider, with the egress the move implies, by hand."""
from __future__ import annotations

import pytest

from pricing import engine, providers, scenarios
from pricing.catalog import Catalog
from pricing.load import loads, loads_checked

# Prices set in the plan so every figure below is computed by hand from them:
# H100 at aws 4.00 and at gcp 3.00 USD per GPU-hour, aws internet egress 0.09 USD/GB (flat), aws storage 0.02.
# The run takes 8 GPUs: the catalog lists gcp's H100 only as a 1-GPU machine, so the 8-GPU machine's price is set too
# (without it the moved run is a visible gap, never priced at the 1-GPU rate).
PLAN = """\
format: aicost-plan/1
name: Move
start: 2027-01
months: 4
provider: aws
compute:
  training:
    - {{name: Train, gpu: H100-80GB, gpus: 8, hours: 100, month: 2}}
data:
  storage:
    - {{name: Corpus, size_tb: 10, growth_tb_per_month: 2{kind}}}
{extra}prices:
  gpu.H100-80GB.gcp.on_demand: 3.00
  gpu.H100-80GB.gcp.on_demand.8gpu: 3.00
  gpu.H100-80GB.aws.on_demand: 4.00
  egress.aws.internet: 0.09
  egress.gcp.internet: 0.12
  storage.aws.standard: 0.02
  gb_bytes.aws: 1000000000   # decimal GB keeps round numbers (clouds bill 2^30-byte GB: tests/pricing/test_engine.py)
  gb_bytes.gcp: 1000000000
scenarios:
  - name: Moved
    strategies:
      move: {move}
"""


def plan(move="{to: gcp}", kind="", extra=""):
    return loads_checked(PLAN.format(move=move, kind=kind, extra=extra), catalog=Catalog.load())


def located(text):
    """The problems the loader reports for a plan text (scenarios are checked at load)."""
    _, problems = loads(text, catalog=Catalog.load())
    return problems


def test_moving_training_to_gcp_adds_the_data_copy_and_its_sync_as_egress_lines():
    p = plan()
    moved = scenarios.apply(p, p.scenario("Moved"))
    assert moved.compute.training[0].provider == "gcp"
    legs = [(e.name, e.tb_per_month, e.start, e.end, e.provider) for e in moved.data.egress]
    # the corpus held in month 2 (the run's month): 10 TB + 1.5 x 2 TB (month 2's growth counts half) = 13 TB,
    # copied once from aws; then each month's 2 TB growth, kept in sync
    assert legs == [("Corpus: aws -> gcp (copy, month 2)", 13.0, 2, 2, "aws"),
                    ("Corpus: aws -> gcp (sync)", 2.0, 3, None, "aws")]
    proj = engine.project(moved)
    by = {li.key_path: li.monthly.tolist() for li in proj.line_items}
    assert by["compute.training[0]"] == pytest.approx([0, 800 * 3.00, 0, 0])          # 2,400
    assert by["data.egress[0]"] == pytest.approx([0, 13_000 * 0.09, 0, 0])           # 1,170
    assert by["data.egress[1]"] == pytest.approx([0, 0, 2_000 * 0.09, 2_000 * 0.09])  # 180 a month
    # storage stays at aws: (11 + 13 + 15 + 17) TB-months x 1000 x 0.02 = 1,120
    base = engine.project(p).total  # 3,200 training at aws + 1,120 storage = 4,320
    assert base == pytest.approx(4320.0)
    assert proj.total == pytest.approx(2400 + 1120 + 1170 + 360)  # 5,050: the copy costs more than the GPUs save
    r = scenarios.evaluate(p, p.scenario("Moved"))
    assert r.saving_total == pytest.approx(4320.0 - 5050.0)


def test_checkpoints_flow_from_the_gpus():
    moved = scenarios.apply(p := plan(kind=", kind: checkpoints"), p.scenario("Moved"))
    assert [(e.name, e.provider) for e in moved.data.egress] == [
        ("Corpus: gcp -> aws (copy, month 2)", "gcp"), ("Corpus: gcp -> aws (sync)", "gcp")]
    # billed at gcp's internet egress: 13,000 GB x 0.12 = 1,560 in month 2
    assert engine.project(moved).line_items[2].monthly[1] == pytest.approx(1560.0)


def test_moving_the_data_with_the_gpus_needs_no_transfer():
    p = plan(move="{to: gcp, applies_to: [training, storage]}")
    moved = scenarios.apply(p, p.scenario("Moved"))
    assert moved.data.storage[0].provider == "gcp" and moved.data.egress == ()
    storage = engine.project(moved).line_items[1]
    # the catalog's gcp price (not aws's) and gcp's billed GB
    assert [s.key for s in storage.sources] == ["storage.gcp.standard", "gb_bytes.gcp"]


def test_cheapest_places_like_aicost_providers_and_adds_the_same_transfer():
    p = plan(move="{cheapest: true, applies_to: [training, storage]}")
    moved = scenarios.apply(p, p.scenario("Moved"))
    cmp = providers.compare(p)
    where = cmp.placement.providers
    assert (moved.compute.training[0].provider, moved.data.storage[0].provider) == (
        where["compute.training[0]"], where["data.storage[0]"])
    assert where["compute.training[0]"] != where["data.storage[0]"]  # split: the data must travel
    # the placement's transfer leg and the move's egress lines: the same GB from the same provider, the same cost
    (leg,) = cmp.placement.legs
    lines = [li for li in engine.project(moved).line_items if li.section == "data.egress"]
    assert leg.from_provider == moved.data.egress[0].provider == where["data.storage[0]"]
    assert sum(e.tb_per_month * ((e.end or 4) - e.start + 1) for e in moved.data.egress) * 1000 == leg.gb.sum()
    assert sum(li.total for li in lines) == pytest.approx(leg.cell.total)


@pytest.mark.parametrize("move, needle", [
    ("{to: gcp, cheapest: true}", "either to"),
    ("{applies_to: [training]}", "missing 'to'"),
    ("{to: gcq}", "gcp"),
    ("{to: gcp, lines: [Nope]}", "no line named 'Nope'"),
])
def test_bad_parameters_are_located_problems(move, needle):
    problems = located(PLAN.format(move=move, kind="", extra=""))
    assert problems and needle in problems[0].message
    assert problems[0].key_path.startswith("scenarios[0].strategies.move")


def test_a_gap_at_the_target_is_a_problem_not_a_zero():
    text = PLAN.format(move="{to: lambda}", kind="", extra="").replace("  gpu.H100-80GB.gcp.on_demand: 3.00\n", "")
    problems = located(text.replace("gpu: H100-80GB", "gpu: T4"))
    assert problems and "lambda" in problems[0].message


def test_a_platform_markup_keeps_its_lines_at_its_cloud():
    problems = located(PLAN.format(move="{to: gcp}", kind="", extra="services:\n  platform: {name: sagemaker}\n"))
    assert problems and "sagemaker runs on aws only" in problems[0].message
