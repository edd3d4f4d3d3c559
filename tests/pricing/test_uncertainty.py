"""Ranges, Monte Carlo percentiles and the tornado, against cases with known answers."""
import dataclasses
import glob
import textwrap

import numpy as np
import pytest

from pricing import engine, planfile, rounding, uncertainty
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.load import load_checked, loads_checked
from tests.conftest import EXAMPLES
from tests.plangen import plan_text

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


# ---------------------------------------------------------------------------------------------
# At scale (issue 13): the tornado re-prices only the moved line, the Monte Carlo holds bounded memory
# ---------------------------------------------------------------------------------------------

_PLANS = [*sorted(glob.glob(str(EXAMPLES / "*.yaml"))), "generated"]


def _load(name):
    return loads_checked(plan_text(40, 7)) if name == "generated" else load_checked(name)


def _report_cents(p, catalog) -> int:
    """What ``aicost report`` shows as the total, in cents: every cell rounded, then summed."""
    return int(rounding.rounded_matrix(engine.project(p, catalog)).sum())


def _moved(p, key_path, value):
    line_path, _, field = key_path.rpartition(".")
    section, _, idx = line_path.rpartition("[")
    i = int(idx[:-1])
    lines = list(p.section(section))
    lines[i] = dataclasses.replace(lines[i], **{field: value})
    return p.with_section(section, tuple(lines))


@pytest.mark.parametrize("name", _PLANS, ids=lambda n: n.rsplit("/", 1)[-1])
def test_tornado_equals_projecting_each_moved_plan_to_the_cent(name):
    """Every bar is the report's total of the plan with that one input moved, recomputed in full."""
    catalog = Catalog.load()
    p = _load(name)
    t = uncertainty.tornado(p, catalog)
    assert round(t.baseline_total * 100) == _report_cents(p, catalog)  # the drivers baseline is the report's
    assert len(t.bars) == len(uncertainty.tornado_inputs(p))              # none left out
    for bar in t.bars:
        low = _report_cents(_moved(p, bar.input.key_path, bar.input.low), catalog)
        high = _report_cents(_moved(p, bar.input.key_path, bar.input.high), catalog)
        assert (round(bar.total_low * 100), round(bar.total_high * 100)) == (low, high), bar.input.key_path


def test_tornado_prices_each_line_once_whatever_its_inputs(monkeypatch):
    """Linear in the inputs: one pricing per line that has inputs, all its inputs at once (no total recomputed)."""
    catalog = Catalog.load()
    p = loads_checked(plan_text(60, 3))
    proj = engine.project(p, catalog)
    calls = []
    real = engine.price_line
    monkeypatch.setattr(engine, "price_line", lambda *a: calls.append(a[:2]) or real(*a))
    t = uncertainty.tornado(p, catalog, projection=proj)
    lines = {b.input.key_path.rpartition(".")[0] for b in t.bars}
    assert len(calls) == len(lines) and len(t.bars) > 2 * len(lines)


def test_an_input_that_cannot_be_priced_is_left_out_and_the_others_kept(monkeypatch):
    p = plan("people:\n  - {name: P, hours_per_month: 100, hourly_rate: 50}\n")
    real = engine.DRIVERS["people"]

    def fussy(line, key, ctx):  # as a driver refusing a rate under 45 (the rate's low is 50 x 0.8 = 40)
        if np.any(np.asarray(line.hourly_rate) < 45):
            raise PlanError("rate too low")
        return real(line, key, ctx)
    monkeypatch.setitem(engine.DRIVERS, "people", fussy)
    t = uncertainty.tornado(p)
    assert [b.input.key_path for b in t.bars] == ["people[0].hours_per_month"]
    # 12 months x 50 x (80 .. 120) hours
    assert (t.bars[0].total_low, t.bars[0].total_high) == (12 * 50 * 80, 12 * 50 * 120)


def test_tornado_progress_and_cancel():
    p = loads_checked(plan_text(40, 1))
    seen = []
    t = uncertainty.tornado(p, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(t.bars), len(t.bars)) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    asked = []

    def cancel():  # the caller gives up once the first line is done
        asked.append(1)
        return len(asked) > 1
    with pytest.raises(uncertainty.Cancelled):
        uncertainty.tornado(p, cancel=cancel)
    assert len(asked) == 2  # returned at the next line, not at the end


@pytest.mark.parametrize("name", _PLANS, ids=lambda n: n.rsplit("/", 1)[-1])
def test_monte_carlo_in_passes_equals_holding_every_sample(name):
    """Above the memory budget the samples are redrawn from the seed each pass: the same figures (the mean
    to float rounding: it is summed block by block instead of over one array)."""
    p = dataclasses.replace(_load(name), months=36)
    if not uncertainty.has_ranges(p):
        pytest.skip("no ranges")
    held = uncertainty.monte_carlo(p, samples=3_000, seed=11)
    passes = uncertainty.monte_carlo(p, samples=3_000, seed=11, memory=50_000)  # 3,000 x 37 x 8 = 888 kB > 50 kB
    for f in ("monthly_p10", "monthly_p50", "monthly_p90", "budget_exceeded"):
        assert np.array_equal(getattr(held, f), getattr(passes, f)), f
    assert (held.total_p10, held.total_p50, held.total_p90) == (passes.total_p10, passes.total_p50, passes.total_p90)
    assert passes.total_mean == pytest.approx(held.total_mean, rel=1e-12)


def test_monte_carlo_memory_is_bounded_whatever_the_samples():
    """Beyond its memory budget the Monte Carlo holds a block of samples and its histograms, not every sample:
    six times the samples, the same peak (the direct way would hold 60,000 x 121 x 8 = 58 MB)."""
    import tracemalloc
    p = plan("people:\n  - {name: P, hours_per_month: {low: 10, likely: 20, high: 60}, hourly_rate: 100 ± 10%}\n")
    p = dataclasses.replace(p, months=120)
    peaks = []
    for samples in (10_000, 60_000):
        tracemalloc.start()
        try:
            mc = uncertainty.monte_carlo(p, samples=samples, memory=2 * 2**20)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert mc.total_p10 < mc.total_p50 < mc.total_p90
    assert peaks[1] < 1.25 * peaks[0] and peaks[1] < 60_000 * 121 * 8 / 2


def test_monte_carlo_progress_counts_every_pass_and_cancel_stops_it_mid_block():
    p = plan("people:\n  - {name: P, hours_per_month: 20 ± 50%, hourly_rate: 100 ± 5%}\n"
             "mlops:\n  - {name: L, kind: log_ingest_gb, quantity: 100 ± 20%, unit_price: 0.5}\n")
    seen = []
    uncertainty.monte_carlo(p, samples=5_000, memory=10_000, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] >= 2 * 5_000          # at least two passes over the 5,000 samples
    asked = []
    with pytest.raises(uncertainty.Cancelled):
        uncertainty.monte_carlo(p, samples=5_000, cancel=lambda: asked.append(1) or len(asked) > 1)
    assert len(asked) == 2  # asked before each ranged line: the second line of the first block stopped it
