"""A plan's commitments: the engine's line item per commitment (cash vs amortised, stacking, what it covers), their
problems, the Monte Carlo and tornado with them, and the `commit` savings strategy: savings at 100/75/50%
utilisation computed by hand, its Shapley split with another strategy, coverage sizing, auto = the planner's pick."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from pricing import commitments as cm
from pricing import engine, planfile, rounding, scenarios, uncertainty
from pricing.catalog import Catalog
from pricing.catalog.offers import default_directory
from pricing.checks import check
from pricing.errors import PlanError

ROOT = Path(__file__).resolve().parent.parent.parent

OFFERS = """\
offers:
  test.l4.1y.none:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: l4.test, gpus_per_instance: 1, region: test,
     term_months: 12, upfront: none, on_demand: 10.0, effective_rate: 6.0, source: 'https://example.test/ri',
     as_of: '2026-12-01', confidence: verified_primary}
  test.l4.1y.all:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: l4.test, gpus_per_instance: 1, region: test,
     term_months: 12, upfront: all, on_demand: 10.0, effective_rate: 5.5, source: 'https://example.test/ri',
     as_of: '2026-12-01', confidence: verified_primary}
  test.l4.1y.partial:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: l4.test, gpus_per_instance: 1, region: test,
     term_months: 12, upfront: partial, on_demand: 10.0, effective_rate: 5.8, source: 'https://example.test/ri',
     as_of: '2026-12-01', confidence: verified_primary}
  test.l4x4.1y.none:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: l4x4.test, gpus_per_instance: 4, region: test,
     term_months: 12, upfront: none, on_demand: 40.0, effective_rate: 24.0, source: 'https://example.test/ri',
     as_of: '2026-12-01', confidence: verified_primary}
  test.l4.3y.all:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: l4.test, gpus_per_instance: 1, region: test,
     term_months: 36, upfront: all, on_demand: 10.0, effective_rate: 4.0, source: 'https://example.test/ri',
     as_of: '2026-12-01', confidence: verified_primary}
  test.l4.gap:
    {provider: aws, kind: cud, gpu: L4, instance: l4.test, gpus_per_instance: 1, region: test, term_months: 12,
     upfront: none, on_demand: null, effective_rate: null, gap: 'not published anywhere we could read',
     source: 'https://example.test/none', as_of: '2026-12-01'}
"""
"""Round offers on a 10.00 on-demand rate: 1y no upfront 40% off, 1y all upfront 45% off, 1y partial 42% off (its
source does not split it), 4-GPU steps 40% off, 3y all upfront 60% off, and a gap."""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Catalog:
    """The shipped catalog with the test offers as its commitments.yaml."""
    d = tmp_path_factory.mktemp("catalog")
    for f in default_directory().glob("*.yaml"):
        shutil.copy(f, d / f.name)
    (d / "commitments.yaml").write_text(OFFERS, encoding="utf-8")
    return Catalog.load(d)


def steady(gpus: int, *, months: int = 12, extra: str = "", commitments: str = "", scenarios_: str = "") -> str:
    """L4 serving at a steady ``gpus`` GPUs all month (min_gpus, a trickle of requests), at $2.00/GPU-hour."""
    text = f"""\
format: aicost-plan/1
name: Steady
start: 2027-01
months: {months}
provider: aws
compute:
  inference:
    - {{name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: {gpus}}}
{extra}prices:
  gpu.L4.aws.on_demand: 2.0
"""
    if commitments:
        text += "commitments:\n" + commitments
    if scenarios_:
        text += "scenarios:\n" + scenarios_
    return text


def items(proj, section: str = "commitments"):
    return [li for li in proj.line_items if li.section == section]


# ---------------------------------------------------------------------------------------------
# The engine's line item
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("used, saving", [
    # 4 GPUs committed for the 12 months at 40% off $2.00 = $1.20/GPU-hour: 4 x 730 x 12 x 1.20 = 42,048 whatever
    # is used. 100%: 4 GPUs used would cost 4 x 730 x 12 x 2.00 = 70,080 on demand -> 28,032 saved
    (4, 28_032.0),
    # 75%: 3 GPUs -> 52,560 on demand no longer billed - 42,048 = 10,512 saved
    (3, 10_512.0),
    # 50%: 2 GPUs -> 35,040 - 42,048 = -7,008: a loss (break-even at 60% = 1 - 40%)
    (2, -7_008.0),
])
def test_a_commitment_line_item_is_its_charge_less_the_on_demand_cost_it_covers(catalog, used, saving):
    text = steady(used, commitments="  - {name: RI, offer: test.l4.1y.none, gpus: 4}\n")
    plan = planfile.loads(text)
    proj = engine.project(plan, catalog)
    base = engine.project(dataclasses.replace(plan, commitments=()), catalog)
    (ri,) = items(proj)
    assert (ri.key_path, ri.category.value, ri.name) == ("commitments[0]", "Compute", "RI")
    assert ri.monthly == pytest.approx([4 * 730 * 1.2 - used * 730 * 2.0] * 12)
    assert base.total - proj.total == pytest.approx(saving)
    assert ri.quantity("GPU-hours covered") == pytest.approx([used * 730.0] * 12)
    assert ri.quantity("committed GPU-hours") == pytest.approx([4 * 730.0] * 12)
    # its sources: the offer's, then the on-demand price it is measured against (the plan's override)
    assert ri.sources[0].key == "commitment.test.l4.1y.none" and ri.sources[1].overridden
    assert proj.view is engine.View.AMORTISED


def test_all_upfront_is_paid_in_the_month_paid_in_the_cash_view_only(catalog):
    # 2 GPUs used and committed from month 3, all upfront at 45% off $2.00 = $1.10/GPU-hour, 18-month plan:
    # the 12-month term costs 2 x 730 x 12 x 1.10 = 19,272 -> cash: all in month 3; amortised: 1,606 a month
    # in months 3..14. The on-demand cost covered, 2 x 730 x 2.00 = 2,920 a month in the term, leaves both.
    text = steady(2, months=18, commitments="  - {name: RI, offer: test.l4.1y.all, gpus: 2, start: 3}\n")
    plan = planfile.loads(text)
    credit = np.r_[[0, 0], [2_920.0] * 12, [0] * 4]
    cash = items(engine.project(plan, catalog, view="cash"))[0].monthly
    amortised = items(engine.project(plan, catalog, view="amortised"))[0].monthly
    assert cash + credit == pytest.approx(np.r_[[0, 0, 19_272.0], [0] * 15])
    assert amortised + credit == pytest.approx(np.r_[[0, 0], [1_606.0] * 12, [0] * 4])
    assert cash.sum() == pytest.approx(amortised.sum())   # the same money, in other months
    # ... and it agrees with the planner's own figures for the same commitment
    offer = cm.catalog_offers(catalog)["test.l4.1y.all"]
    assert np.allclose(cm.monthly(engine.project(dataclasses.replace(plan, commitments=()), catalog),
                                  [cm.Commitment(offer, 2, 3)], "cash", catalog),
                       engine.project(plan, catalog, view="cash").monthly)


def test_a_term_past_the_horizon_is_noted_on_its_line_item(catalog):
    # 6-month plan, 12-month term, all upfront: amortised holds 6 x 1,606 = 9,636 of the 19,272; cash all of it
    text = steady(2, months=6, commitments="  - {name: RI, offer: test.l4.1y.all, gpus: 2}\n")
    plan = planfile.loads(text)
    amortised = items(engine.project(plan, catalog))[0]
    cash = items(engine.project(plan, catalog, view="cash"))[0]
    assert amortised.monthly.sum() == pytest.approx(6 * 1_606.0 - 6 * 2_920.0)
    assert cash.monthly.sum() == pytest.approx(19_272.0 - 6 * 2_920.0)
    assert any("runs 6 months past the horizon ($9,636.00 of its charge): billed after" in n for n in amortised.notes)
    assert any("paid upfront, so in this projection" in n for n in cash.notes)


def test_commitments_of_a_pool_cover_it_in_plan_order_and_only_on_demand_lines(catalog):
    # 3 L4 GPUs used on demand + a spot run the commitments must not cover. Two commitments of 2 GPUs each:
    # the first covers 2 x 730 = 1,460 GPU-hours a month, the second the 730 left (3 - 2 = 1 GPU)
    extra = "  training:\n    - {name: Spot run, gpu: L4, gpus: 8, hours: 100, month: 1, every: 1, pricing: spot}\n"
    text = steady(3, extra=extra, commitments="  - {name: A, offer: test.l4.1y.none, gpus: 2}\n"
                                              "  - {name: B, offer: test.l4.1y.none, gpus: 2}\n")
    text = text.replace("prices:\n", "prices:\n  gpu.L4.aws.spot: 1.0\n")
    proj = engine.project(planfile.loads(text), catalog)
    a, b = items(proj)
    assert a.quantity("GPU-hours covered") == pytest.approx([1_460.0] * 12)
    assert b.quantity("GPU-hours covered") == pytest.approx([730.0] * 12)
    # B: charge 2 x 730 x 1.20 = 1,752, covers 730 x 2.00 = 1,460: costs 292 more a month than it saves
    assert b.monthly == pytest.approx([292.0] * 12)


def test_a_commitment_of_a_pool_nobody_uses_is_a_cost_and_says_so(catalog):
    text = steady(2, commitments="  - {name: Idle RI, offer: test.l4.1y.none, gpus: 1}\n").replace(
        "gpu: L4, requests", "gpu: A10G, requests")
    (ri,) = items(engine.project(planfile.loads(text), catalog))
    assert ri.monthly == pytest.approx([730 * 1.2] * 12)
    assert any(n.startswith("covers no usage") for n in ri.notes)


def test_plan_file_round_trip_and_key_order():
    text = steady(2, commitments="  - {name: RI, offer: test.l4.1y.partial, gpus: 2, start: 2, upfront_share: 30%,"
                                 " gpu: l4, provider: AWS}\n")
    plan = planfile.loads(text)
    (c,) = plan.commitments
    assert (c.name, c.offer, c.gpus, c.start, c.upfront_share, c.gpu, c.provider) == \
        ("RI", "test.l4.1y.partial", 2, 2, 0.3, "l4", "aws")
    assert planfile.loads(planfile.dumps(plan)) == plan
    assert "commitments:\n- name: RI\n  offer: test.l4.1y.partial\n  gpus: 2\n" in planfile.dumps(plan)


def test_partial_upfront_with_its_share_in_the_cash_view(catalog):
    # 42% off $2.00 = $1.16/GPU-hour; 2 GPUs x 730 x 12 x 1.16 = 20,323.20 for the term; 30% upfront in month 2
    text = steady(2, commitments="  - {name: RI, offer: test.l4.1y.partial, gpus: 2, start: 2, upfront_share: 30%}\n")
    (ri,) = items(engine.project(planfile.loads(text), catalog, view="cash"))
    monthly = 2 * 730 * 1.16
    credit = np.r_[0, [2 * 730 * 2.0] * 11]
    assert ri.monthly + credit == pytest.approx(np.r_[0, 0.3 * 20_323.2 + 0.7 * monthly, [0.7 * monthly] * 10])


@pytest.mark.parametrize("line, where, words", [
    ("{name: X, offer: test.l4.1y.nonee, gpus: 1}", "commitments[0].offer", "did you mean 'test.l4.1y.none'"),
    ("{name: X, offer: test.l4.gap, gpus: 1}", "commitments[0].offer", "no published rate (not published anywhere"),
    ("{name: X, offer: test.l4.1y.none, gpus: 1, gpu: H100}", "commitments[0].gpu", "covers L4"),
    ("{name: X, offer: test.l4.1y.none, gpus: 1, provider: gcp}", "commitments[0].provider", "sold by aws"),
    ("{name: X, offer: test.l4x4.1y.none, gpus: 6}", "commitments[0].gpus", "commit a multiple of 4"),
    ("{name: X, offer: test.l4.1y.partial, gpus: 1}", "commitments[0].upfront_share", "give upfront_share"),
    ("{name: X, offer: test.l4.1y.all, gpus: 1, upfront_share: 50%}", "commitments[0].upfront_share",
     "paid all upfront (100% at purchase)"),
])
def test_bad_commitments_are_located(catalog, line, where, words):
    plan = planfile.loads(steady(2, commitments=f"  - {line}\n"))
    found = [p for p in check(plan, catalog) if p.key_path == where]
    assert found and words in found[0].message, check(plan, catalog)
    with pytest.raises(PlanError):
        engine.project(plan, catalog)


def test_a_commitment_after_the_horizon_is_refused_by_the_reader():
    with pytest.raises(PlanError) as refused:
        planfile.loads(steady(2, commitments="  - {name: X, offer: test.l4.1y.all, gpus: 1, start: 13}\n"))
    (p,) = refused.value.problems
    assert p.key_path == "commitments[0].start" and "the plan covers 12 months" in p.message and p.line == 12


# ---------------------------------------------------------------------------------------------
# Monte Carlo and tornado: each sample's commitments cover that sample's usage
# ---------------------------------------------------------------------------------------------

RANGED = steady(4, commitments="  - {name: RI, offer: test.l4.1y.all, gpus: 4}\n",
                extra="  training:\n    - {name: Run, gpu: L4, gpus: 8, hours: 100 ± 50%, month: 2, every: 1}\n"
                ).replace("min_gpus: 4", "min_gpus: {low: 1, likely: 4, high: 4}")


def _sampled_plans(plan, samples):
    """Each Monte Carlo sample as a plain plan, drawn as ``uncertainty.monte_carlo`` draws them (one block)."""
    rng = np.random.default_rng(uncertainty.DEFAULT_SEED)
    ranged = [(s, i, line) for s, i, line in plan.lines() if line.ranges]
    draws = [{f: uncertainty.draw(rng, r.low, r.likely, r.high, samples) for f, r in line.ranges}
             for _, _, line in ranged]
    for k in range(samples):
        q = plan
        for (s, i, _line), d in zip(ranged, draws):
            values = {f: (int(np.rint(a[k])) if f in uncertainty._INTEGER else float(a[k])) for f, a in d.items()}
            q = q.with_section(s, tuple(dataclasses.replace(x, **values, ranges=()) if j == i else x
                                        for j, x in enumerate(q.section(s))))
        yield q


@pytest.mark.parametrize("view", ["amortised", "cash"])
def test_monte_carlo_with_commitments_equals_projecting_every_sample(catalog, view):
    plan = planfile.loads(RANGED)
    mc = uncertainty.monte_carlo(plan, catalog, samples=200, view=view)
    monthly = np.array([engine.project(q, catalog, view=view).monthly for q in _sampled_plans(plan, 200)])
    assert mc.monthly_p10 == pytest.approx(np.percentile(monthly, 10, axis=0))
    assert mc.monthly_p90 == pytest.approx(np.percentile(monthly, 90, axis=0))
    assert mc.total_p50 == pytest.approx(np.percentile(monthly.sum(axis=1), 50))
    # the commitment matters here: without it the same samples cost more at P50
    bare = uncertainty.monte_carlo(dataclasses.replace(plan, commitments=()), catalog, samples=200)
    assert bare.total_p50 != pytest.approx(mc.total_p50)


# the serving line the commitment covers has no range: the Monte Carlo prices it once, and each sample's commitment
# must still cover it (with the sampled training run of the same L4 pool above it)
FIXED_COVERED = steady(4, commitments="  - {name: RI, offer: test.l4.1y.all, gpus: 4}\n",
                       extra="  training:\n    - {name: Run, gpu: L4, gpus: 8, hours: 100 ± 50%, month: 2, every: 1}\n")


@pytest.mark.parametrize("view", ["amortised", "cash"])
def test_monte_carlo_commitments_cover_the_lines_without_ranges(catalog, view):
    plan = planfile.loads(FIXED_COVERED)
    mc = uncertainty.monte_carlo(plan, catalog, samples=200, view=view)
    monthly = np.array([engine.project(q, catalog, view=view).monthly for q in _sampled_plans(plan, 200)])
    assert mc.monthly_p10 == pytest.approx(np.percentile(monthly, 10, axis=0))
    assert mc.monthly_p90 == pytest.approx(np.percentile(monthly, 90, axis=0))
    assert mc.total_p50 == pytest.approx(np.percentile(monthly.sum(axis=1), 50))


def test_tornado_moves_what_the_commitments_cover(catalog):
    plan = planfile.loads(RANGED)
    t = uncertainty.tornado(plan, catalog)
    assert t.bars
    for bar in t.bars:
        path, _, field = bar.input.key_path.rpartition(".")
        section, _, idx = path.rpartition("[")
        i = int(idx[:-1])
        for value, total in ((bar.input.low, bar.total_low), (bar.input.high, bar.total_high)):
            line = plan.section(section)[i]
            moved = dataclasses.replace(line, **{field: value}, ranges=tuple((k, r) for k, r in line.ranges
                                                                           if k != field))
            q = plan.with_section(section, tuple(moved if j == i else x for j, x in enumerate(plan.section(section))))
            assert total == pytest.approx(engine.project(q, catalog).total), (bar.input.key_path, value)


def test_projecting_an_edit_reuses_the_lines_and_reprices_the_commitments(catalog):
    """``project(previous=)`` keeps the unchanged lines' items (the same objects) while the commitment, the markup
    and the account-wide shares are priced again, in the view asked for (not the previous projection's): the same
    figures as projecting the edited plan afresh."""
    plan = planfile.loads(WITH_MARKUP_AND_TIERS)
    run = plan.compute.training[0]
    edited = plan.with_section("compute.training", (dataclasses.replace(run, gpus=2, ranges=()),))
    for old, new in (("amortised", "amortised"), ("amortised", "cash"), ("cash", "amortised")):
        before = engine.project(plan, catalog, view=old)
        again = engine.project(edited, catalog, view=new, previous=before)
        fresh = engine.project(edited, catalog, view=new)
        assert again.line_items[1] is before.line_items[1]  # Serving: unchanged, reused
        assert again.line_items[0] is not before.line_items[0]  # Run: edited, priced again
        assert again.view is fresh.view
        assert np.array_equal(again.matrix, fresh.matrix)
        assert [li.name for li in again.line_items] == [li.name for li in fresh.line_items]


# a commitment with the platform's markup (its item is not the last row any more) and two egress lines sharing the
# account-wide internet tier (each moves the other's share)
WITH_MARKUP_AND_TIERS = steady(
    4, commitments="  - {name: RI, offer: test.l4.1y.all, gpus: 4}\n",
    extra="  training:\n    - {name: Run, gpu: L4, gpus: 8, hours: 100 ± 50%, month: 2, every: 1}\n"
          "data:\n  egress:\n    - {name: Out, provider: aws, kind: internet, tb_per_month: 0.05}\n"
          "    - {name: Out2, provider: aws, kind: internet, tb_per_month: 3 ± 50%}\n"
          "services:\n  platform: {name: sagemaker, applies_to: [training]}\n")


@pytest.mark.parametrize("view", ["amortised", "cash"])
def test_tornado_with_commitments_markup_and_account_tiers_is_the_report(catalog, view):
    plan = planfile.loads(WITH_MARKUP_AND_TIERS)
    assert [li.section for li in engine.project(plan, catalog).line_items][-2:] == ["services.platform", "commitments"]
    t = uncertainty.tornado(plan, catalog, view=view)
    assert {b.input.key_path.rpartition(".")[0] for b in t.bars} >= {"compute.training[0]", "data.egress[1]"}
    for bar in t.bars:
        path, _, field = bar.input.key_path.rpartition(".")
        section, _, idx = path.rpartition("[")
        i = int(idx[:-1])
        for value, total in ((bar.input.low, bar.total_low), (bar.input.high, bar.total_high)):
            line = plan.section(section)[i]
            moved = dataclasses.replace(line, **{field: value}, ranges=tuple((k, r) for k, r in line.ranges
                                                                           if k != field))
            q = plan.with_section(section, tuple(moved if j == i else x for j, x in enumerate(plan.section(section))))
            report_cents = int(rounding.rounded_matrix(engine.project(q, catalog, view=view)).sum())
            assert round(total * 100) == report_cents, (bar.input.key_path, value)


# ---------------------------------------------------------------------------------------------
# The commit strategy
# ---------------------------------------------------------------------------------------------


def commit(**params) -> str:
    inner = ", ".join(f"{k}: {v}" for k, v in params.items())
    return f"  - name: Commit\n    strategies:\n      commit: {{{inner}}}\n"


@pytest.mark.parametrize("used, utilisation, saving", [
    (4, 1.00, 28_032.0),   # as the line item above: 70,080 - 42,048
    (3, 0.75, 10_512.0),   # 52,560 - 42,048
    (2, 0.50, -7_008.0),   # 35,040 - 42,048: a loss
])
@pytest.mark.parametrize("view", ["amortised", "cash"])
def test_commit_saves_what_the_offer_implies_at_100_75_50_percent(catalog, used, utilisation, saving, view):
    plan = planfile.loads(steady(used, scenarios_=commit(offer="test.l4.1y.none", gpus=4, start=1)))
    base = engine.project(plan, catalog, view=view)
    r = scenarios.evaluate(plan, plan.scenario("Commit"), catalog, base)
    (added,) = r.plan.commitments
    assert (added.offer, added.gpus, added.start, added.gpu, added.provider) == ("test.l4.1y.none", 4, 1, "L4", "aws")
    assert r.saving_total == pytest.approx(saving)
    assert r.projection.view is engine.View(view)
    assert dict(r.attribution)["commit"].sum() == pytest.approx(saving)
    (li,) = items(r.projection)
    assert li.quantity("GPU-hours covered").sum() / li.quantity("committed GPU-hours").sum() == \
        pytest.approx(utilisation)
    if saving < 0:
        assert any("commit costs more than it saves" in n for n in r.notes)
    # the planner evaluates the same commitment to the same figure
    pool = cm.pools(engine.project(plan, catalog), catalog)[0][0]
    e = cm.evaluate(pool, cm.Commitment(cm.catalog_offers(catalog)["test.l4.1y.none"], 4, 1))
    assert e.saving == pytest.approx(saving) and e.utilisation == pytest.approx(utilisation)


QUANTIZED = """\
format: aicost-plan/1
name: Quantize or commit
start: 2027-01
months: 12
provider: aws
compute:
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 5.256M, output_tokens: 1000, tokens_per_second_per_gpu: 1000,
       utilization: 50%, min_gpus: 1}
prices:
  gpu.L4.aws.on_demand: 2.0
scenarios:
  - name: Both
    strategies:
      quantization: {throughput_gain: 2}
      commit: {offer: test.l4.1y.none, gpus: 4, start: 1}
"""


def test_shapley_split_of_commit_and_quantization(catalog):
    # One L4 serves 1000 tok/s x 3600 x 730 x 50% = 1.314e9 tokens a month; 5.256M x 1000 tokens = 4 GPUs,
    # 2 once quantized (x2). A month: baseline 4 x 730 x 2.00 = 5,840. Quantization alone: 2,920 (saves 2,920).
    # Commit alone: 4 GPUs at 1.20 = 3,504 (saves 2,336). Both: 2 GPUs used, 4 still paid: 3,504 (saves 2,336).
    # Shapley: quantization (2,920 + (2,336 - 2,336)) / 2 = 1,460; commit (2,336 + (2,336 - 2,920)) / 2 = 876.
    plan = planfile.loads(QUANTIZED)
    r = scenarios.evaluate(plan, plan.scenario("Both"), catalog)
    parts = dict(r.attribution)
    assert r.method == "shapley"
    assert parts["quantization"] == pytest.approx([1_460.0] * 12)
    assert parts["commit"] == pytest.approx([876.0] * 12)
    assert r.saving_total == pytest.approx(12 * 2_336.0)
    # committing sizes on what the strategies before it leave: auto-sized, it buys 2 GPUs, not 4
    auto = dataclasses.replace(plan, scenarios=(dataclasses.replace(
        plan.scenarios[0], strategies=tuple(s if s.name != "commit" else dataclasses.replace(
            s, params=(("offer", "test.l4.1y.none"),)) for s in plan.scenarios[0].strategies)),))
    r2 = scenarios.evaluate(auto, auto.scenarios[0], catalog)
    assert r2.plan.commitments[0].gpus == 2 and r2.saving_total == pytest.approx(12 * (5_840 - 2 * 730 * 1.2))


BURSTY = steady(4, extra="  training:\n    - {name: Run, gpu: L4, gpus: 8, hours: 100, month: 1, every: 1}\n")


@pytest.mark.parametrize("coverage, gpus", [
    # a month: serving 4 GPUs all month + a run of 8 GPUs for 100 h = 2,920 + 800 = 3,720 GPU-hours; running
    # together the load is 12 GPUs for 100 h, then 4. c GPUs cover min(12, c) x 100 + min(4, c) x 630:
    # 4 -> 400 + 2,520 = 2,920 (78.5%); 5 -> 500 + 2,520 = 3,020 (81.2%); 1 -> 100 + 630 = 730 (19.6%)
    ("80%", 5), ("78%", 4), ("19%", 1), ("100%", 12),
])
def test_commit_sized_by_coverage(catalog, coverage, gpus):
    plan = planfile.loads(BURSTY + "scenarios:\n" + commit(offer="test.l4.1y.none", coverage=coverage))
    new = scenarios.apply(plan, plan.scenario("Commit"), catalog)
    assert new.commitments[0].gpus == gpus and new.commitments[0].start == 1


def test_commit_lines_and_applies_to_choose_the_usage_it_is_sized_on(catalog):
    # sized on the training run alone (8 GPUs for 100 h a month: 800 GPU-hours), c GPUs cover c x 100: 80% takes 7
    # (700 GPU-hours, 87.5%; 6 cover 75%), where sized on the whole pool it took 5 (below)
    plan = planfile.loads(BURSTY + "scenarios:\n" + commit(offer="test.l4.1y.none", coverage="80%", lines="[Run]"))
    assert scenarios.apply(plan, plan.scenario("Commit"), catalog).commitments[0].gpus == 7
    plan = planfile.loads(BURSTY + "scenarios:\n" + commit(offer="test.l4.1y.none", gpus=1,
                                                           applies_to="[exploration]"))
    with pytest.raises(PlanError, match="commit changes nothing in this plan"):
        scenarios.apply(plan, plan.scenario("Commit"), catalog)


def test_commit_auto_takes_the_planners_pick(catalog):
    # 24 months of 3 steady GPUs: the planner compares every offer (size, start) and recommends one
    plan = planfile.loads(steady(3, months=24, scenarios_=commit()))
    report = cm.plan_commitments(plan, catalog)
    rec = report.pools[0].recommended
    new = scenarios.apply(plan, plan.scenario("Commit"), catalog)
    (c,) = new.commitments
    assert (c.offer, c.gpus, c.start) == (rec.commitment.offer.key, rec.commitment.gpus, rec.commitment.start)
    # 3y all upfront at 60% off: 36 months x 3 x 730 x 0.80 = 63,072 charged for 24 months of 3 x 730 x 2.00 =
    # 105,120 of use: it saves 105,120 - 2/3 x 63,072 = 63,072 in the horizon, less the 21,024 still owed:
    # 42,048. The 1y offers, one term each, save at most 12 x 3 x 730 x 0.90 = 23,652: the 3y wins
    assert c.offer == "test.l4.3y.all" and rec.saving == pytest.approx(42_048.0)
    r = scenarios.evaluate(plan, plan.scenario("Commit"), catalog)
    assert r.saving_total == pytest.approx(63_072.0)     # the projection's saving, within the horizon ...
    assert any("past the horizon" in n for n in r.notes)  # ... says what is still owed after it


@pytest.mark.parametrize("params, where, words", [
    ({"offer": "test.l4.1y.nonee"}, "offer", "did you mean 'test.l4.1y.none'"),
    ({"offer": "test.l4.gap"}, "offer", "no published rate"),
    ({"offer": "test.l4x4.1y.none", "gpus": 6}, "gpus", "commit a multiple of 4"),
    ({"offer": "test.l4.1y.partial", "gpus": 2}, "", "give upfront_share"),
    ({"offer": "test.l4.1y.none", "pools": "[H100]"}, "pools", "covers L4, not H100-80GB"),
    ({"offer": "test.l4.1y.none", "gpus": 2, "coverage": "50%"}, "", "either gpus or coverage"),
    ({"offer": "test.l4.1y.none", "start": 13}, "start", "the plan covers 12 months"),
])
def test_commit_parameters_that_cannot_be_met_are_located(catalog, params, where, words):
    plan = planfile.loads(steady(3, scenarios_=commit(**params)))
    problems = scenarios.check_scenarios(plan, catalog)
    at = "scenarios[0].strategies.commit" + (f".{where}" if where else "")
    assert [p.key_path for p in problems] == [at] and words in problems[0].message, problems


def test_commit_with_a_partial_offer_and_its_upfront_share(catalog):
    plan = planfile.loads(steady(3, scenarios_=commit(offer="test.l4.1y.partial", gpus=3, upfront_share="25%")))
    (c,) = scenarios.apply(plan, plan.scenario("Commit"), catalog).commitments
    assert c.upfront_share == 0.25
    # auto with an upfront share looks at partial-upfront offers only
    plan = planfile.loads(steady(3, scenarios_=commit(upfront_share="25%")))
    (c,) = scenarios.apply(plan, plan.scenario("Commit"), catalog).commitments
    assert c.offer == "test.l4.1y.partial" and c.upfront_share == 0.25


def test_what_commitments_leave_is_covered_by_the_next_one_alone():
    """``residual``: for any capacity c0 held and any c added, what c covers of the usage c0 leaves is what c0 + c
    covers less what c0 covers (a bursty pool: serving, and two runs of different lengths)."""
    gpus = np.array([[2.0, 8.0, 3.0]] * 3)
    hours = np.array([[730.0, 100.0, 400.0]] * 3)
    pool = cm.Pool("aws", "L4", 1.0, None, (), gpus, hours)
    for c0 in range(14):
        held = np.array([c0, c0 + 1, max(c0 - 2, 0)], dtype=float)
        left = cm.residual(pool, held)
        for c in range(14):
            more = cm.covered_hours(gpus, hours, held + c) - cm.covered_hours(gpus, hours, held)
            assert cm.covered_hours(left.gpus, left.hours, np.full(3, float(c))) == pytest.approx(more)


def test_commit_buys_what_the_plans_own_commitments_leave(catalog):
    # 4 GPUs used, 3 already committed: auto sizes on the 1 GPU left (1y all upfront at 45% off wins for a
    # 12-month plan: 730 x 12 x (2.00 - 1.10) = 7,884 more saved), and the planner ranks on it too
    plan = planfile.loads(steady(4, commitments="  - {name: Held, offer: test.l4.1y.none, gpus: 3}\n",
                                 scenarios_=commit()))
    report = cm.plan_commitments(plan, catalog)
    (pp,) = report.pools
    assert pp.committed == pytest.approx([3.0] * 12) and pp.usage_pool.usage == pytest.approx([4 * 730.0] * 12)
    assert pp.recommended.commitment.gpus == 1
    new = scenarios.apply(plan, plan.scenario("Commit"), catalog)
    assert [(c.offer, c.gpus) for c in new.commitments] == [("test.l4.1y.none", 3), ("test.l4.1y.all", 1)]
    r = scenarios.evaluate(plan, plan.scenario("Commit"), catalog)
    assert r.saving_total == pytest.approx(730 * 12 * (2.0 - 1.1))


def test_the_provider_comparison_keeps_the_plans_commitments(catalog):
    """A commitment is owed wherever the lines run; it covers only what runs at its own cloud."""
    from pricing import providers
    plan = planfile.loads(steady(4, commitments="  - {name: RI, offer: test.l4.1y.none, gpus: 4}\n"))
    cmp = providers.compare(plan, catalog, ("aws", "gcp"))
    (ri,) = [lc for lc in cmp.lines if lc.section == "commitments"]
    # at aws (home): 4 x 730 x 12 x 1.20 = 42,048 charged, 4 x 730 x 12 x 2.00 = 70,080 on demand covered -> -28,032
    assert ri.cells["aws"].total == pytest.approx(-28_032.0)
    # the serving line at gcp leaves the aws commitment nothing to cover: its whole charge, 42,048
    assert ri.cells["gcp"].total == pytest.approx(42_048.0)
    # the home column is the plan as projected (70,080 on demand - 28,032)
    assert cmp.totals["aws"].priced == pytest.approx(engine.project(plan, catalog).total) == pytest.approx(42_048.0)
    serving = next(lc for lc in cmp.lines if lc.key_path == "compute.inference[0]")
    assert cmp.totals["gcp"].priced == pytest.approx(serving.cells["gcp"].total + 42_048.0)
    # the placement keeps it too, priced against the lines it leaves at aws
    where = cmp.placement.providers["compute.inference[0]"]
    placed = dict(cmp.placement.lines)["commitments[0]"]
    assert placed.total == pytest.approx(-28_032.0 if where == "aws" else 42_048.0)
