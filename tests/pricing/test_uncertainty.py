"""Ranges, Monte Carlo percentiles and the tornado, against cases with known answers."""
import textwrap

import numpy as np
import pytest

from pricing import engine, planfile, uncertainty
from pricing.load import loads_checked

HEAD = "format: aicost-plan/1\nname: U\nstart: 2027-01\nmonths: 12\nprovider: aws\n"


def plan(body):
    return loads_checked(HEAD + textwrap.dedent(body))


def test_ranges_parse_and_round_trip():
    p = plan("""\
    people:
      - {name: P, hours_per_month: {low: 10, likely: 20, high: 40}, hourly_rate: "100 ± 10%"}
    compute:
      inference:
        - {name: S, gpu: L4, requests_per_month: 2M ± 30%, utilization: 60% ± 10%}
    """)
    person = p.people[0]
    assert person.hours_per_month == 20 and dict(person.ranges)["hours_per_month"].high == 40
    rate = dict(person.ranges)["hourly_rate"]
    assert (rate.low, rate.likely, rate.high) == pytest.approx((90, 100, 110))
    util = dict(p.compute.inference[0].ranges)["utilization"]
    assert (util.low, util.likely, util.high) == pytest.approx((0.5, 0.6, 0.7))   # percentage points
    assert planfile.loads(planfile.dumps(p)) == p
    assert uncertainty.has_ranges(p)
    # the baseline uses likely
    assert engine.project(p).line_items[-1].monthly[0] == pytest.approx(20 * 100)


def test_collapsed_ranges_give_a_band_of_zero_width():
    p = plan("people:\n  - {name: P, hours_per_month: {low: 20, likely: 20, high: 20}, hourly_rate: 100}\n")
    mc = uncertainty.monte_carlo(p, samples=500)
    base = engine.project(p).monthly
    assert mc.monthly_p10 == pytest.approx(base) and mc.monthly_p90 == pytest.approx(base)
    assert mc.total_p10 == mc.total_p50 == mc.total_p90 == pytest.approx(12 * 2000)


def test_percentiles_of_a_uniform_input_driving_a_linear_cost():
    p = plan("people:\n  - {name: P, hours_per_month: {low: 10, likely: 20, high: 30}, hourly_rate: 100}\n")
    mc = uncertainty.monte_carlo(p, samples=20_000, distribution="uniform")
    # total = 12 x 100 x H with H ~ U(10, 30): the q-th percentile is 1200 x (10 + 20q)
    assert mc.total_p10 == pytest.approx(1200 * 12, rel=0.01)
    assert mc.total_p50 == pytest.approx(1200 * 20, rel=0.01)
    assert mc.total_p90 == pytest.approx(1200 * 28, rel=0.01)
    assert mc.monthly_p50 == pytest.approx(np.full(12, 2000), rel=0.01)


def test_pert_mean_and_budget_probability():
    p = plan("""\
    monthly_budget: 2.5k
    people:
      - {name: P, hours_per_month: {low: 10, likely: 20, high: 60}, hourly_rate: 100}
    """)
    mc = uncertainty.monte_carlo(p, samples=40_000)
    pert_mean = (10 + 4 * 20 + 60) / 6                          # 25 h
    assert mc.total_mean == pytest.approx(12 * 100 * pert_mean, rel=0.01)
    # P(H > 25) under PERT(10, 20, 60): Beta(a=1.8, b=5.0) on [10, 60], x = 0.3
    from math import comb
    a, b = 1 + 4 * 10 / 50, 1 + 4 * 40 / 50
    xs = np.linspace(0, 1, 200_001)
    pdf = xs ** (a - 1) * (1 - xs) ** (b - 1)
    cdf = np.cumsum(pdf) / pdf.sum()
    expected = 1 - cdf[int(0.3 * 200_000)]
    assert mc.budget_exceeded == pytest.approx(np.full(12, expected), abs=0.01)
    del comb


def test_same_seed_same_figures_other_seed_differs():
    p = plan("people:\n  - {name: P, hours_per_month: 20 ± 50%, hourly_rate: 100 ± 20%}\n")
    a = uncertainty.monte_carlo(p, samples=3000, seed=7)
    b = uncertainty.monte_carlo(p, samples=3000, seed=7)
    c = uncertainty.monte_carlo(p, samples=3000, seed=8)
    assert (a.monthly_p50 == b.monthly_p50).all() and a.total_p90 == b.total_p90
    assert a.total_p90 != c.total_p90


def test_progress_and_cancel():
    p = plan("people:\n  - {name: P, hours_per_month: 20 ± 50%, hourly_rate: 100}\n")
    seen = []
    uncertainty.monte_carlo(p, samples=5000, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5000, 5000) and len(seen) == 3
    with pytest.raises(uncertainty.Cancelled):
        uncertainty.monte_carlo(p, samples=5000, cancel=lambda: True)


def test_tornado_order_on_a_hand_made_plan():
    p = plan("""\
    people:
      - {name: Big, hours_per_month: {low: 50, likely: 100, high: 300}, hourly_rate: 100}
      - {name: Small, hours_per_month: 10, hourly_rate: 100}
    mlops:
      - {name: K8s, kind: k8s_control_plane, quantity: 1, unit_price: 500}
    """)
    t = uncertainty.tornado(p)
    base = 12 * (100 * 100 + 10 * 100 + 500)
    assert t.baseline_total == pytest.approx(base)
    labels = [b.input.label for b in t.bars]
    # Big hours range: 12 x 100 x (300 - 50) = 300,000 swing; Big rate +-20%: 12 x 100 x 40 = 48,000;
    # K8s quantity/unit price +-20%: 12 x 500 x 0.4 = 2,400; Small hours/rate +-20%: 12 x 1000 x 0.4 = 4,800
    # labels are the line's name and the field's label from the schema, with its unit in the plan's currency
    assert labels[0] == "Big: Hours per month"
    assert labels[1] == "Big: Hourly rate (USD/h)"
    assert set(labels[2:4]) == {"Small: Hours per month", "Small: Hourly rate (USD/h)"}
    assert set(labels[4:6]) == {"K8s: Quantity (units/month)", "K8s: Unit price (USD/unit)"}
    top = t.bars[0]
    assert (top.total_low, top.total_high) == pytest.approx((base - 12 * 100 * 50, base + 12 * 100 * 200))
    assert top.input.from_range and not t.bars[1].input.from_range
