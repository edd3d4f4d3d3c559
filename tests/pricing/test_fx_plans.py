"""Plans in other currencies: the dated ECB rate by default, a pinned fx_rate, the rate stated in reports, a range."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pricing import engine, fx, planfile, report, uncertainty
from pricing.catalog import Catalog
from pricing.load import loads_checked
from pricing.uncertainty import draw

# One training run of 8 GPUs x 100 hours at a plan-set USD 4.00 per GPU-hour: USD 3,200 in month 1.
PLAN = """\
format: aicost-plan/1
name: Euro plan
{currency}start: {start}
months: 2
provider: aws
compute:
  training:
    - {{name: FT, gpu: H100-80GB, gpus: 8, hours: 100, month: 1}}
prices:
  gpu.H100-80GB.aws.on_demand: 4.00
"""


def plan(currency: str = "EUR", start: str = "2026-03", extra: str = ""):
    text = PLAN.format(currency=f"currency: {currency}\n" + extra if currency else "", start=start)
    return loads_checked(text, catalog=Catalog.load())


def test_a_eur_plan_converts_at_the_dated_ecb_rate_of_its_first_month():
    p = plan()
    assert p.fx_rate is None  # no fx_rate in the file: no longer required
    proj = engine.project(p)
    # ecb-rates.csv, the last row on or before 2026-03-01: "2026-02-27,1.1805,..." (USD per EUR)
    # EUR per USD = 1 / 1.1805 = 0.84709868...; 3,200 USD x 0.84709868 = 2,710.7158 EUR
    assert proj.total == pytest.approx(3200 / 1.1805)
    d = report.report_data(proj)
    assert d["total"] == 2710.72
    assert d["fx"] == {"currency": "EUR", "rate": pytest.approx(1 / 1.1805), "date": "2026-02-27",
                       "source": fx.RateTable.load().source, "pinned": False}
    text = report.text_report(proj)
    assert "Exchange rate: 0.847099 EUR per USD (ECB reference rate of 2026-02-27)" in text


def test_a_gbp_plan_goes_through_the_euro_cross_rate():
    # same row: GBP 0.8763 per EUR, USD 1.1805 per EUR -> 0.8763 / 1.1805 = 0.742312... GBP per USD
    proj = engine.project(plan("GBP"))
    assert proj.total == pytest.approx(3200 * 0.8763 / 1.1805)
    assert report.report_data(proj)["total"] == 2375.40  # 3,200 x 0.742312579 = 2,375.400...


def test_the_start_month_picks_the_rate():
    # a plan starting 2026-11 (after the snapshot's last day, 2026-10-30) takes the newest row: 1.1172 USD per EUR
    proj = engine.project(plan(start="2026-11"))
    assert proj.total == pytest.approx(3200 / 1.1172)
    assert report.report_data(proj)["fx"]["date"] == "2026-10-30"


def test_a_pinned_rate_wins_and_is_stated_as_pinned():
    p = plan(extra="fx_rate: 0.9\n")
    proj = engine.project(p)
    assert proj.total == pytest.approx(3200 * 0.9)  # 2,880.00
    d = report.report_data(proj)
    assert d["fx"]["pinned"] is True and d["fx"]["date"] is None and d["fx"]["rate"] == 0.9
    assert "0.9 EUR per USD (pinned by the plan's fx_rate)" in report.text_report(proj)


def test_old_files_with_fx_rate_stay_valid_and_new_ones_write_none():
    pinned = plan(extra="fx_rate: 0.92\n")
    assert "fx_rate: 0.92" in planfile.dumps(pinned)
    dated = planfile.dumps(plan())
    assert "currency: EUR" in dated and "fx_rate" not in dated
    assert planfile.loads(dated).fx_rate is None


@pytest.mark.parametrize("extra, where, needle", [
    ("", "fx_rate", "no ECB reference rate for EUR on or before 2024-03-01"),
])
def test_a_rate_the_snapshot_cannot_give_is_a_located_problem(extra, where, needle):
    from pricing.errors import PlanError
    with pytest.raises(PlanError) as exc:
        plan(start="2024-03", extra=extra)
    p = exc.value.problems[0]
    assert p.key_path == where and needle in p.message and "set fx_rate" in p.message


def test_an_unknown_currency_asks_for_a_pinned_rate():
    from pricing.errors import PlanError
    with pytest.raises(PlanError) as exc:
        plan("XAF")
    p = exc.value.problems[0]
    assert p.key_path == "fx_rate" and "set fx_rate (the XAF per USD)" in p.message
    assert engine.project(plan("XAF", extra="fx_rate: 600\n")).total == pytest.approx(3200 * 600)


def test_the_window_headline_names_the_rate():
    from pricing import series
    h = series.headline(engine.project(plan()))
    assert h.fx_note == ("Catalog and API prices (USD) converted at 0.847099 EUR per USD (ECB reference rate of "
                         "2026-02-27).")
    assert series.headline(engine.project(plan(currency=""))).fx_note == ""


def test_a_range_on_fx_rate_feeds_the_monte_carlo_and_leaves_own_currency_amounts_alone():
    # 0.9 ± 10%: PERT on [0.81, 0.99], likely 0.9; the people line (100 h x 50 EUR = 5,000 EUR in each of the two
    # months) is in the plan's currency and does not move with the rate.
    p = plan(extra="fx_rate: 0.9 ± 10%\n")
    p = loads_checked(planfile.dumps(p).replace("prices:", "people:\n- {name: Ops, hours_per_month: 100, "
                                                          "hourly_rate: 50}\nprices:"), catalog=Catalog.load())
    assert p.fx_rate == 0.9 and (p.fx_range.low, p.fx_range.high) == pytest.approx((0.81, 0.99))
    assert "fx_rate: 0.9 ± 10%" in planfile.dumps(p)  # written back as written
    assert engine.project(p).total == pytest.approx(3200 * 0.9 + 10_000)
    mc = uncertainty.monte_carlo(p, samples=2000, seed=7)
    # the only draw of the one block is the rate: every sample is 10,000 + 3,200 x rate
    rates = draw(np.random.default_rng(7), 0.81, 0.9, 0.99, 2000)
    totals = 10_000 + 3200 * rates
    assert mc.total_p10 == pytest.approx(np.percentile(totals, 10))
    assert mc.total_p90 == pytest.approx(np.percentile(totals, 90))
    assert mc.inputs[0].key_path == "fx_rate"
    assert json.dumps(report.uncertainty_data(mc, engine.project(p)))  # the input is reported too
