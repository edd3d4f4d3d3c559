"""Chart and headline series against hand-computed cases (prices pinned with plan overrides), no Qt."""
import textwrap

import numpy as np
import pytest

from pricing import engine, report, series
from pricing.plan import Category
from pricing.load import loads_checked

HEAD = """\
format: aicost-plan/1
name: Series
start: 2027-11
months: 4
provider: aws
"""
BODY = """\
compute:
  training:
    - {name: Train, gpu: H100-80GB, gpus: 1, hours: 100, month: 2}
data:
  storage:
    - {name: Lake, size_tb: 1, tier: standard}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 50}
prices:
  gpu.H100-80GB.aws.on_demand: 4.0
  storage.aws.standard: 0.02
  gb_bytes.aws: 1000000000   # decimal GB keeps round numbers (AWS bills 2^30-byte GB: tests/pricing/test_engine.py)
"""


@pytest.fixture(scope="module")
def catalog():
    from pricing.catalog import Catalog
    return Catalog.load()


def project(catalog, body=BODY, head=HEAD):
    plan = loads_checked(head + textwrap.dedent(body), file="t.yaml", catalog=catalog)
    return engine.project(plan, catalog)


# Train: 400 in month 2; Lake: 1 TB x 1000 GB x 0.02 = 20 a month; Toil: 500 a month
MONTHLY = {Category.COMPUTE: [0, 400, 0, 0], Category.DATA: [20, 20, 20, 20], Category.PEOPLE: [500] * 4}


def test_stacked_layers_in_category_order_bottom_to_top(catalog):
    st = series.stacked_by_category(project(catalog))
    assert [layer.category for layer in st.layers] == [Category.COMPUTE, Category.DATA, Category.PEOPLE]
    assert st.months == ("Nov 2027", "Dec 2027", "Jan 2028", "Feb 2028")
    bottom = np.zeros(4)
    for layer in st.layers:
        assert layer.bottom == pytest.approx(bottom)
        assert layer.values == pytest.approx(MONTHLY[layer.category])
        bottom = layer.top
    assert st.total == pytest.approx([520, 920, 520, 520])


def test_stacked_can_keep_empty_categories(catalog):
    st = series.stacked_by_category(project(catalog), include_empty=True)
    assert [layer.category for layer in st.layers] == list(Category)


@pytest.mark.parametrize("x, y, expected", [
    (1, 200, (Category.COMPUTE, 400)),      # inside the compute band of month 2
    (1.2, 410, (Category.DATA, 20)),        # a little off the bar's centre, data band (400..420)
    (1, 900, (Category.PEOPLE, 500)),
    (1, 950, None),                         # above the stack
    (1.5, 200, None),                       # between two bars
    (-1, 10, None), (4, 10, None),          # outside the horizon
    (0, 200, (Category.PEOPLE, 500)),       # month 1 has no compute: its bottom band is data (0..20)
])
def test_hover_names_month_category_amount(catalog, x, y, expected):
    st = series.stacked_by_category(project(catalog))
    h = series.hover(st, x, y)
    if expected is None:
        assert h is None
        return
    assert (h.category, h.amount) == (expected[0], pytest.approx(expected[1]))
    assert h.month == st.months[round(x)]
    assert h.month_total == pytest.approx(st.total[round(x)])


def test_cumulative_and_budget(catalog):
    proj = project(catalog, head=HEAD + "monthly_budget: 600\n")
    assert series.cumulative(proj) == pytest.approx([520, 1440, 1960, 2480])
    assert series.cumulative_budget(proj) == pytest.approx([600, 1200, 1800, 2400])
    marker = series.budget_marker(proj)
    assert (marker.budget, marker.first_over, marker.first_over_label) == (600, 1, "Dec 2027")
    assert marker.first_over_amount == pytest.approx(920)


def test_no_budget_no_marker_and_never_over(catalog):
    assert series.budget_marker(project(catalog)) is None
    assert series.cumulative_budget(project(catalog)) is None
    marker = series.budget_marker(project(catalog, head=HEAD + "monthly_budget: 1M\n"))
    assert marker.first_over is None and marker.first_over_label is None


def test_top_drivers_ranked_with_the_rest_in_one_bar(catalog):
    proj = project(catalog)
    bars = series.top_drivers(proj, 2)
    assert [b.name for b in bars] == ["Toil", "Train", "1 other lines"]
    assert [b.total for b in bars] == pytest.approx([2000, 400, 80])
    assert sum(b.share for b in bars) == pytest.approx(1.0)
    assert bars[-1].key_path == "" and bars[-1].category is None
    assert len(series.top_drivers(proj, 8)) == 3


def test_headline_matches_the_report(catalog):
    proj = project(catalog, head=HEAD + "monthly_budget: 600\n")
    h = series.headline(proj)
    d = report.report_data(proj)
    assert (h.run_rate_now, h.run_rate_end, h.total) == (d["run_rate_now"], d["run_rate_end"], d["total"])
    assert h.months == 4 and h.top_driver == "Toil" and h.top_driver_share == pytest.approx(2000 / 2480)
    assert h.cost_per_1k_requests is None  # no requests in this plan
    assert (h.budget, h.first_over_budget) == (600, "Dec 2027")
    assert h.scenario is None and h.scenario_saving_total is None


def test_line_rows_add_up_to_the_displayed_total(catalog):
    proj = project(catalog)
    rows = series.line_rows(proj)
    assert [r.key_path for r in rows] == ["compute.training[0]", "data.storage[0]", "people[0]"]
    assert round(sum(r.total for r in rows), 2) == report.report_data(proj)["total"]
    train = rows[0]
    assert (train.first_month, train.last_month, train.total) == (0.0, 0.0, 400.0)
    assert train.overridden and train.overridden[0].key == "gpu.H100-80GB.aws.on_demand"
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    assert series.line_item(proj, "people[0]").name == "Toil"
    assert series.line_item(proj, "people[9]") is None and series.line_item(None, "people[0]") is None


def test_comparison_of_a_scenario(catalog):
    base = project(catalog)
    cheaper = project(catalog, BODY.replace("hourly_rate: 50", "hourly_rate: 40"))
    c = series.comparison(base, cheaper)
    assert c.saving == pytest.approx([100] * 4)
    assert c.baseline_cumulative[-1] - c.scenario_cumulative[-1] == pytest.approx(400)


def test_scenario_saving_in_headline_and_per_strategy(catalog):
    from pricing import scenarios
    body = BODY + "scenarios:\n  - name: Spot\n    strategies:\n      spot: {interruption_overhead: 10%}\n"
    body = body.replace("  gpu.H100-80GB.aws.on_demand: 4.0\n", "  gpu.H100-80GB.aws.on_demand: 4.0\n"
                        "  gpu.H100-80GB.aws.spot: 2.0\n")
    proj = project(catalog, body)
    result = scenarios.evaluate(proj.plan, proj.plan.scenarios[0], catalog, proj)
    h = series.headline(proj, "Spot", result)
    # spot: 100 h x 1.1 x 2.0 = 220 instead of 400
    assert h.scenario == "Spot" and h.scenario_saving_total == pytest.approx(180)
    assert h.scenario_saving_share == pytest.approx(180 / 2480, abs=1e-6)
    parts = series.strategy_savings(result)
    assert [(p.strategy, p.total) for p in parts] == [("spot", pytest.approx(180))]


@pytest.mark.parametrize("n, step", [(4, 1), (12, 1), (24, 2), (36, 3), (60, 6), (240, 24)])
def test_axis_ticks_thin_out_month_labels(n, step):
    labels = [str(i) for i in range(n)]
    ticks = series.axis_ticks(labels, max_ticks=12)
    assert ticks[0] == (0, "0") and ticks[1][0] - ticks[0][0] == step if len(ticks) > 1 else True
    assert len(ticks) <= 12


@pytest.mark.parametrize("top, end, step", [
    (38_900, 40_000, 10_000), (162_000, 200_000, 50_000), (9.5, 10, 2.5), (1, 1, 0.25), (0, 1, 0.25),
    (31_200, 40_000, 10_000), (1_450_000, 1_500_000, 250_000),
])
def test_nice_scale_ends_on_round_numbers(top, end, step):
    assert series.nice_scale(top) == (pytest.approx(end), pytest.approx(step))


# ---------------------------------------------------------------------------------------------
# Uncertainty band and tornado rows
# ---------------------------------------------------------------------------------------------


def test_band_of_a_uniform_input_has_hand_computed_percentiles(catalog):
    from pricing import uncertainty
    # Toil: H ~ U(10, 30) hours at 50 an hour -> month p-th percentile 50 x (10 + 20p); Lake adds 20 a month
    plan = loads_checked(HEAD + "people:\n  - {name: Toil, hours_per_month: {low: 10, likely: 20, high: 30}, "
                          "hourly_rate: 50}\n" + "data:\n  storage:\n    - {name: Lake, size_tb: 1, tier: standard}\n"
                          "prices:\n  storage.aws.standard: 0.02\n  gb_bytes.aws: 1000000000\n", catalog=catalog)
    proj = engine.project(plan, catalog)
    mc = uncertainty.monte_carlo(plan, catalog, samples=20_000, distribution="uniform")
    b = series.band(proj, mc)
    assert b.months == ("Nov 2027", "Dec 2027", "Jan 2028", "Feb 2028")
    assert b.likely == pytest.approx([20 + 1000] * 4)
    assert b.p10 == pytest.approx([20 + 50 * 12] * 4, rel=0.01)
    assert b.p50 == pytest.approx([20 + 50 * 20] * 4, rel=0.01)
    assert b.p90 == pytest.approx([20 + 50 * 28] * 4, rel=0.01)
    assert b.total_likely == 4 * 1020
    assert b.total_p50 == pytest.approx(4 * 1020, rel=0.01)
    assert (b.samples, b.inputs, b.over_budget) == (20_000, 1, None)
    # amounts are whole cents, as shown
    assert np.all(np.round(b.p90 * 100) == b.p90 * 100)


def test_no_band_without_ranges(catalog):
    from pricing import uncertainty
    proj = project(catalog)
    plan = loads_checked(HEAD + BODY, catalog=catalog)
    assert series.band(proj, None) is None
    assert series.band(proj, uncertainty.monte_carlo(plan, catalog, samples=100)) is None


def test_tornado_rows_widest_first_with_plan_values(catalog):
    from pricing import uncertainty
    plan = loads_checked(HEAD + textwrap.dedent(BODY).replace("hours_per_month: 10", "hours_per_month: 5 ± 100%"),
                          catalog=catalog)
    rows = series.tornado_rows(uncertainty.tornado(plan, catalog), n=3)
    assert len(rows) == 3
    # Toil hours 0..10 at 50/h over 4 months: totals 4x(20)+400 and 4x(20+500)+400; swing 2000 (the widest)
    assert rows[0].label == "Toil: Hours per month" and not rows[0].estimated   # the schema's label
    assert (rows[0].low_text, rows[0].high_text) == ("0", "10")
    assert (rows[0].total_low, rows[0].total_high) == (480.0, 2480.0)
    assert rows[0].swing == 2000.0
    assert [r.swing for r in rows] == sorted((r.swing for r in rows), reverse=True)
    assert all(r.estimated for r in rows[1:])   # no range given: +-20%


@pytest.mark.parametrize("lo,hi", [(0, 1), (387_000, 599_000), (-5, 5), (0.1, 0.13), (1e6, 1e6)])
def test_nice_ticks_cover_the_span_with_round_steps(lo, hi):
    ticks = series.nice_ticks(lo, hi, 5)
    assert ticks[0] <= lo and ticks[-1] >= hi
    steps = np.diff(ticks)
    assert steps == pytest.approx(np.full(len(steps), steps[0]))
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-9
    assert 2 <= len(ticks) <= 11
