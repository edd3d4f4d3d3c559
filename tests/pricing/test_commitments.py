"""Commitment planner: savings and losses at 100/75/50% utilisation as the offer's terms imply, cash vs
amortised, coverage of bursty usage, the offers file (sources, bad entries located), the planner's choices."""
from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest

from pricing import commitments as cm
from pricing import engine, planfile
from pricing.load import load_checked
from pricing.catalog import Catalog, PriceSource
from pricing.errors import CatalogError

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


SRC = PriceSource("commitment.test", "test offer", "2026-12", datetime.date(2026, 12, 1), "verified_primary")


def offer(*, discount: float = 0.4, term: int = 12, upfront: str = "none", share: float | None = None,
          gpu: str = "L4", per_instance: int = 1) -> cm.Offer:
    """An offer of ``discount`` off an on-demand rate of 10 per instance-hour (effective rate 10 x (1 - d))."""
    up = cm.Upfront(upfront)
    if share is None and up is not cm.Upfront.PARTIAL:
        share = 0.0 if up is cm.Upfront.NONE else 1.0
    return cm.Offer(f"test.{gpu}.{term}.{upfront}", "aws", cm.Kind.RESERVED_INSTANCE, "standard", gpu, "test",
                    per_instance, "us-east-1", term, up, 10.0, 10.0 * (1 - discount), share, SRC)


def steady_plan(gpus: int, months: int = 12, start: int = 1) -> str:
    """L4 serving at a steady ``gpus`` GPUs all month (min_gpus, a trickle of requests), at $2.00/GPU-hour."""
    return f"""\
format: aicost-plan/1
name: Steady
start: 2027-01
months: {months}
provider: aws
compute:
  inference:
    - {{name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: {gpus}, start: {start}}}
prices:
  gpu.L4.aws.on_demand: 2.0
"""


def pool_for(text: str, catalog) -> tuple[cm.Pool, object]:
    plan = planfile.loads(text)
    proj = engine.project(plan, catalog)
    found, _ = cm.pools(proj, catalog)
    assert len(found) == 1
    return found[0], proj


@pytest.mark.parametrize("used_gpus, utilisation, saving", [
    # 4 GPUs committed for 12 months at 40% off $2.00: the commitment costs 4 x 730 x 12 x 1.20 = 42,048.
    # 100%: 4 GPUs used -> on demand they'd cost 4 x 730 x 12 x 2.00 = 70,080; saving 70,080 - 42,048 = 28,032
    (4, 1.00, 28_032.0),
    # 75%: 3 GPUs used -> 3 x 730 x 12 x 2.00 = 52,560 avoided; 52,560 - 42,048 = 10,512 saved
    (3, 0.75, 10_512.0),
    # 50%: 2 GPUs used -> 35,040 avoided; 35,040 - 42,048 = -7,008: a loss (break-even is 60% = 1 - 40%)
    (2, 0.50, -7_008.0),
])
def test_saving_or_loss_at_100_75_50_percent_utilisation(used_gpus, utilisation, saving, catalog):
    pool, proj = pool_for(steady_plan(used_gpus), catalog)
    e = cm.evaluate(pool, cm.Commitment(offer(discount=0.4), gpus=4, start=1))
    assert e.utilisation == pytest.approx(utilisation)
    assert e.break_even_utilisation == pytest.approx(0.60)
    assert e.saving == pytest.approx(saving) and e.saving_in_horizon == pytest.approx(saving)
    assert e.expected_saving == e.p10_saving == pytest.approx(saving)  # no ranges: every case is the likely one
    assert e.coverage == pytest.approx(1.0)  # every GPU-hour used is covered (usage <= commitment)
    # the same through the bill: the plan's total with the commitment = on-demand total - saving
    assert cm.monthly(proj, [e.commitment]).sum() == pytest.approx(proj.total - saving)


@pytest.mark.parametrize("used_gpus, saving", [
    # the shipped g6.xlarge 1-year Standard no-upfront RI: 0.52392 vs 0.8048 on demand (the catalog's L4 price),
    # 4 GPUs committed: 4 x 730 x 12 = 35,040 GPU-hours x 0.52392 = 18,358.1568 whatever is used
    (4, 35_040 * 0.8048 - 18_358.1568),   # 100%: 28,200.192 avoided -> 9,842.0352 saved
    (3, 26_280 * 0.8048 - 18_358.1568),   # 75%: 21,150.144 avoided -> 2,791.9872 saved
    (2, 17_520 * 0.8048 - 18_358.1568),   # 50%: 14,100.096 avoided -> 4,258.0608 lost (break-even 65.1%)
])
def test_a_shipped_offer_at_100_75_50_percent(used_gpus, saving, catalog):
    ri = next(o for o in cm.load_offers() if o.key == "aws.g6.xlarge.ri_standard.1y.none_upfront")
    pool, _ = pool_for(steady_plan(used_gpus).replace("prices:\n  gpu.L4.aws.on_demand: 2.0\n", ""), catalog)
    assert pool.price == pytest.approx(0.8048)
    e = cm.evaluate(pool, cm.Commitment(ri, gpus=4, start=1))
    assert e.saving == pytest.approx(saving)
    assert e.break_even_utilisation == pytest.approx(0.52392 / 0.8048)
    assert e.charges.cash == pytest.approx(e.charges.amortised)  # no upfront: cash = amortised, month by month


def test_all_upfront_paid_in_the_month_paid_in_cash_only(catalog):
    # 2 GPUs used, 2 committed from month 3 for 12 months, all upfront, 40% off $2.00 -> 1.20 per GPU-hour;
    # the term costs 2 x 730 x 12 x 1.20 = 21,024: cash puts it all in month 3, amortised 1,752 a month
    plan = planfile.loads(steady_plan(2, months=18))
    proj = engine.project(plan, catalog)
    c = cm.Commitment(offer(upfront="all"), gpus=2, start=3)
    base = proj.monthly
    credit = np.r_[[0, 0], [2 * 730 * 2.0] * 12, [0] * 4]  # on-demand 2,920 a month no longer billed in the term
    cash = cm.monthly(proj, [c], "cash", catalog) - base + credit
    amortised = cm.monthly(proj, [c], "amortised", catalog) - base + credit
    assert cash == pytest.approx(np.r_[[0, 0, 21_024.0], [0] * 15])
    assert amortised == pytest.approx(np.r_[[0, 0], [1_752.0] * 12, [0] * 4])
    assert cash.sum() == pytest.approx(amortised.sum())  # the same money, in different months


def test_a_term_past_the_horizon_is_an_obligation_counted_as_a_cost(catalog):
    # 6-month plan, 12-month term from month 1, 2 GPUs used and committed, all upfront:
    # amortised within the horizon 6 x 1,752 = 10,512; still owed after it 6 x 1,752 = 10,512
    plan = planfile.loads(steady_plan(2, months=6))
    proj = engine.project(plan, catalog)
    pool = cm.pools(proj, catalog)[0][0]
    e = cm.evaluate(pool, cm.Commitment(offer(upfront="all"), 2, 1))
    assert e.charges.amortised.sum() == pytest.approx(10_512.0)
    assert e.charges.obligation_after_horizon == pytest.approx(10_512.0) and e.charges.months_after_horizon == 6
    assert e.charges.cash.sum() == pytest.approx(21_024.0)  # cash pays the whole term in month 1
    # in the horizon: 6 x 2 x 730 x (2.00 - 1.20) = 7,008 saved; less the 10,512 still owed: -3,504
    assert e.saving_in_horizon == pytest.approx(7_008.0)
    assert e.saving == pytest.approx(7_008.0 - 10_512.0)
    # if usage went on at 2 GPUs it would save 12 x 2 x 730 x 0.80 = 14,016
    assert e.saving_if_usage_continues == pytest.approx(14_016.0)


def test_partial_upfront_without_a_split_is_a_gap_in_the_cash_view_only(catalog):
    plan = planfile.loads(steady_plan(2))
    proj = engine.project(plan, catalog)
    c = cm.Commitment(offer(upfront="partial"), 2, 1)
    assert cm.monthly(proj, [c], "amortised", catalog).sum() < proj.total
    with pytest.raises(CatalogError, match="upfront_share"):
        cm.monthly(proj, [c], "cash", catalog)
    # with the split given: 30% upfront of 21,024 x ... here 2 x 730 x 12 x 1.20 = 21,024 -> 6,307.20 in month 1
    c2 = cm.Commitment(offer(upfront="partial"), 2, 1, upfront_share=0.3)
    cash = cm.effect(proj, [c2], catalog).cash
    assert cash[0] == pytest.approx(0.3 * 21_024 + 0.7 * 1_752) and cash[1] == pytest.approx(0.7 * 1_752)


BURSTY = """\
format: aicost-plan/1
name: Bursty
start: 2027-01
months: 3
provider: aws
compute:
  training:
    - {name: Run, gpu: L4, gpus: 8, hours: 100, month: 1, every: 1}
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: 2}
prices:
  gpu.L4.aws.on_demand: 2.0
"""


def test_bursty_usage_is_not_spread_over_the_month(catalog):
    # each month: serving 2 GPUs x 730 h plus a run of 8 GPUs for 100 h = 1,460 + 800 = 2,260 GPU-hours
    # (3.1 GPUs on average). Running together from the start of the month, the load is 10 GPUs for 100 h,
    # then 2. A commitment of 4 GPUs covers 4 x 100 + 2 x 630 = 1,660 GPU-hours, not min(2,260, 2,920)
    pool, _ = pool_for(BURSTY, catalog)
    assert pool.usage == pytest.approx([2_260.0] * 3)
    covered = cm.covered_hours(pool.gpus, pool.hours, np.array([4.0, 4.0, 4.0]))
    assert covered == pytest.approx([1_660.0] * 3)
    e = cm.evaluate(pool, cm.Commitment(offer(term=12), 4, 1))
    # utilisation within the horizon: 1,660 / 2,920
    assert e.utilisation == pytest.approx(1_660 / 2_920)


def test_best_commitment_follows_the_ramp(catalog):
    # serving starts in month 7 of 24 at 3 GPUs: a 1-year term is best bought in month 7 for 3 GPUs
    pool, _ = pool_for(steady_plan(3, months=24, start=7), catalog)
    e = cm.best_commitment(pool, offer(term=12))
    assert (e.commitment.gpus, e.commitment.start) == (3, 7)
    # 12 x 3 x 730 x (2.00 - 1.20) = 21,024
    assert e.expected_saving == pytest.approx(21_024.0) and e.utilisation == pytest.approx(1.0)
    # a 3-year term on 18 months of use leaves 18 months owed: 3 x 730 x 18 x 1.20 = 47,304 against
    # 18 x 3 x 730 x 0.80 = 31,536 saved -> it loses, so the planner commits nothing
    e3 = cm.best_commitment(pool, offer(term=36))
    assert e3.commitment.gpus == 0 and e3.expected_saving == pytest.approx(0.0)


def test_p10_saving_when_usage_may_fall_short(catalog):
    # serving on {low 1, likely 4, high 4} GPUs, sampled PERT: x ~ Beta(5, 1) on [1, 4], rounded to whole GPUs.
    # P(GPUs <= 2) = P(x < 0.5) = 0.5^5 = 3%; P(GPUs <= 3) = P(x < 5/6) = (5/6)^5 = 40%: the 10th percentile
    # sample runs 3 GPUs. With 4 committed that is the 75% case above: P10 saving = 10,512 exactly.
    text = steady_plan(4).replace("min_gpus: 4", "min_gpus: {low: 1, likely: 4, high: 4}")
    plan = planfile.loads(text)
    proj = engine.project(plan, catalog)
    pool = cm.pools(proj, catalog, samples=2000, seed=11)[0][0]
    assert pool.samples.shape == (2000, 12)
    e = cm.evaluate(pool, cm.Commitment(offer(discount=0.4), 4, 1))
    assert e.saving == pytest.approx(28_032.0)          # likely: 4 GPUs, 100%
    assert e.p10_saving == pytest.approx(10_512.0)      # P10: 3 GPUs, 75%
    assert e.p10_utilisation == pytest.approx(0.75)
    # expected: between the 3-GPU and 4-GPU cases, 60% of the samples running 4 (1 - (5/6)^5)
    share4 = float((pool.samples[:, 0] == 4 * 730).mean())
    assert share4 == pytest.approx(1 - (5 / 6) ** 5, abs=0.03)
    assert 10_512.0 < e.expected_saving < 28_032.0
    # the planner reports the same uncertainty for its choice
    report = cm.plan_commitments(plan, catalog, offers=[offer(discount=0.4)], samples=2000, seed=11)
    assert report.samples == 2000 and report.pools[0].best[0].p10_saving <= report.pools[0].best[0].saving


def test_lines_that_cannot_be_committed_are_left_out_with_the_reason(catalog):
    plan = load_checked(ROOT / "resources" / "examples" / "vision-inhouse.yaml", catalog)
    proj = engine.project(plan, catalog)
    found, excluded = cm.pools(proj, catalog)
    assert {x.name for x in excluded} == {"Monthly detector retrain", "Architecture sweep"}
    assert all("sagemaker" in x.reason for x in excluded)
    spot = planfile.loads(steady_plan(2).replace(
        "compute:\n",
        "compute:\n  training:\n    - {name: Spot run, gpu: H100-80GB, gpus: 1, hours: 5, pricing: spot}\n"))
    _, excluded = cm.pools(engine.project(spot, catalog), catalog)
    assert [x.name for x in excluded] == ["Spot run"] and "spot" in excluded[0].reason


def test_shipped_offers_have_sources_and_figures_from_their_snapshot():
    offers = {o.key: o for o in cm.load_offers()}
    priced = [o for o in offers.values() if o.discount is not None]
    assert len(priced) >= 60
    for o in priced:
        assert o.source.source.startswith("https://") and o.source.as_of_date is not None
        assert 0 < o.discount < 1 and o.term_months in (12, 36)
    # p5.48xlarge 3-year Standard all upfront: 20.695053 vs 55.04 on demand -> 1 - 20.695053 / 55.04 = 62.4% off
    p5 = offers["aws.p5.48xlarge.ri_standard.3y.all_upfront"]
    assert p5.discount == pytest.approx(1 - 20.695053 / 55.04) and p5.gpus_per_instance == 8
    assert p5.upfront_share == 1.0
    # the catalog's on-demand price is the snapshot's instance price per GPU (55.04 / 8 = 6.88)
    assert Catalog.load().gpu_price("H100-80GB", "aws").value == pytest.approx(p5.on_demand / 8)
    # what was not found is a gap with its reason, never a number
    gaps = [o for o in offers.values() if o.discount is None]
    assert {o.provider for o in gaps} >= {"aws", "azure", "gcp", "lambda", "coreweave"}
    assert all(len(o.gap) > 30 for o in gaps)
    assert offers["aws.p5.48xlarge.ri_standard.1y.all_upfront"].discount is None  # not offered in the snapshot


def test_bad_offers_are_reported_with_file_line_and_key_path(tmp_path):
    path = tmp_path / "commitments.yaml"
    path.write_text("""\
offers:
  good:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: g6.xlarge, gpus_per_instance: 1, term_months: 12,
     upfront: all, on_demand: 1.0, effective_rate: 0.6, source: x, as_of: '2026-12'}
  bad_term:
    {provider: aws, kind: reserved_instance, gpu: L4, instance: g6.xlarge, gpus_per_instance: 1, term_months: 24,
     upfront: all, on_demand: 1.0, effective_rate: 0.6, source: x, as_of: '2026-12'}
  dearer:
    {provider: aws, kind: savings, gpu: L4, instance: g6.xlarge, gpus_per_instance: 1, term_months: 12,
     upfront: all, on_demand: 1.0, effective_rate: 1.6, source: x, as_of: '2026-12', colour: red}
  silent_gap:
    {provider: aws, kind: cud, gpu: L4, instance: g6.xlarge, gpus_per_instance: 1, term_months: 12,
     upfront: none, on_demand: null, effective_rate: null, source: x, as_of: '2026-12'}
""")
    offers, problems = cm.read_offers(path)
    assert [o.key for o in offers] == ["good"]
    text = [str(p) for p in problems]
    assert any(f"{path}:6: offers.bad_term.term_months: found 24, expected 12 or 36" in t for t in text), text
    assert any("offers.dearer.kind: found 'savings', expected one of" in t for t in text)
    assert any("offers.dearer: unknown field(s) colour" in t for t in text)
    assert any("offers.dearer.effective_rate: found 1.6, above the on-demand rate 1" in t for t in text)
    assert any("offers.silent_gap: has no effective_rate" in t for t in text)
    assert all(p.file == str(path) and p.line for p in problems)
    with pytest.raises(CatalogError):
        cm.load_offers(path)
    missing = cm.read_offers(tmp_path / "nope.yaml")[1]
    assert "cannot read" in str(missing[0])


def test_planner_on_the_examples_explains_itself(catalog):
    plan = load_checked(ROOT / "resources" / "examples" / "vision-inhouse.yaml", catalog)
    report = cm.plan_commitments(plan, catalog, samples=200)
    l4 = next(p for p in report.pools if p.pool.gpu == "L4")
    rec = l4.recommended
    # 2 L4 GPUs serve all 36 months: the 3-year all-upfront Standard RI, both GPUs, from month 1, fully used
    assert rec.commitment.offer.key == "aws.g6.xlarge.ri_standard.3y.all_upfront"
    assert (rec.commitment.gpus, rec.commitment.start, rec.utilisation) == (2, 1, pytest.approx(1.0))
    d = rec.commitment.offer.discount
    # saving = 36 x 2 x 730 x 0.8048 x d, the whole usage at the discount
    assert rec.saving == pytest.approx(36 * 2 * 730 * 0.8048 * d)
    text = cm.report_text(report)
    assert "Recommended: 2 GPUs of" in text and "gap:" in text and "Left out: Monthly detector retrain" in text
    data = cm.report_data(report)
    assert data["pools"][0]["offers"][0]["source"]["source"].startswith("https://")
