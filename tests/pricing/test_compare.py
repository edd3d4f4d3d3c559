"""Plans and scenarios side by side: figures in cents, deltas against hand-computed ones, and input diffs."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pricing import compare as C
from pricing import report_model as RM
from pricing import engine
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.plan import YearMonth
from pricing.load import load_checked, loads_checked

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "resources" / "examples"

# Prices are pinned (an override, or unit prices on the lines), so every amount below is hand-computed (the run is
# priced at RunPod, whose pods bill per GPU: 2 and 4 GPUs are 2 and 4 GPUs billed, no instance shape to round up to):
# A: training 2 GPUs x 10 h x $4 = $80 in month 1; logs 100 GB x $0.50 = $50/mo; toil 10 h x $100 = $1,000/mo.
PLAN_A = """\
format: aicost-plan/1
name: Pinned A
start: 2027-01
months: 3
provider: aws
compute:
  training:
    - {name: Run, gpu: H100-80GB, gpus: 2, hours: 10, month: 1, provider: runpod}
mlops:
  - {name: Logs, kind: log_ingest_gb, quantity: 100, unit_price: 0.5}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
prices:
  gpu.H100-80GB.runpod.on_demand: 4.0
"""
# B: 4 GPUs (training $160), toil at $120 ($1,200/mo), logs removed, CI added (1,000 min x $0.01 = $10/mo).
PLAN_B = """\
format: aicost-plan/1
name: Pinned B
start: 2027-01
months: 3
provider: aws
compute:
  training:
    - {name: Run, gpu: H100-80GB, gpus: 4, hours: 10, month: 1, provider: runpod}
mlops:
  - {name: CI, kind: ci_minutes, quantity: 1000, unit_price: 0.01}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 120}
prices:
  gpu.H100-80GB.runpod.on_demand: 4.0
"""


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def entry(text: str, catalog, label: str, scenario: str | None = None) -> C.Entry:
    return C.entry_from_plan(loads_checked(text, catalog=catalog), catalog, label=label, scenario=scenario)


@pytest.fixture(scope="module")
def ab(catalog):
    return C.compare([entry(PLAN_A, catalog, "a.yaml"), entry(PLAN_B, catalog, "b.yaml")])


# ---------------------------------------------------------------------------------------------
# Figures against hand-computed ones
# ---------------------------------------------------------------------------------------------


def test_figures_and_deltas_match_hand_computed_ones(ab):
    f = {row.key: row for row in ab.figures}
    assert f["run_rate_first"].values == (113000, 137000) and f["run_rate_first"].deltas == (None, 24000)
    assert f["run_rate_last"].values == (105000, 121000) and f["run_rate_last"].deltas == (None, 16000)
    assert f["total"].values == (323000, 379000) and f["total"].deltas == (None, 56000)
    assert f["total"].ratios[1] == pytest.approx(560 / 3230)
    assert f["cost_per_1k_requests"].values == (None, None) and f["cost_per_1k_requests"].deltas == (None, None)
    assert f["category.Compute"].deltas[1] == 8000
    assert f["category.MLOps"].values == (15000, 3000) and f["category.MLOps"].deltas[1] == -12000
    assert f["category.People"].deltas[1] == 60000
    assert "category.Data" not in f  # a category no entry uses is left out


def test_line_costs_and_their_deltas(ab):
    lines = {(lc.section, lc.name): lc for lc in ab.lines}
    run = lines[("compute.training", "Run")]
    assert (run.last_month_delta(1), run.horizon_delta(1), run.status(1)) == (0, 8000, "same")
    logs = lines[("mlops", "Logs")]
    assert (logs.status(1), logs.last_month_delta(1), logs.horizon_delta(1)) == ("removed", -5000, -15000)
    ci = lines[("mlops", "CI")]
    assert (ci.status(1), ci.last_month_delta(1), ci.horizon_delta(1)) == ("added", 1000, 3000)
    toil = lines[("people", "Toil")]
    assert (toil.last_month_delta(1), toil.horizon_delta(1)) == (20000, 60000)
    # the line deltas add up to the total's, to the cent
    assert sum(lc.horizon_delta(1) for lc in ab.lines) == 56000
    assert sum(lc.last_month_delta(1) for lc in ab.lines) == 16000
    assert [lc.name for lc in ab.lines] == ["Run", "Logs", "Toil", "CI"]  # A's order, then what B adds


def test_monthly_series_share_one_axis(ab):
    assert ab.months == (YearMonth(2027, 1), YearMonth(2027, 2), YearMonth(2027, 3))
    assert ab.monthly == ((113000, 105000, 105000), (137000, 121000, 121000))


def test_input_diff_per_key_added_and_removed_lines(ab):
    d = ab.inputs[1]
    assert ab.inputs[0] is None
    changes = {(c.section, c.name): c for c in d.lines}
    assert changes[("compute.training", "Run")].change == "changed"
    assert [(v.key, v.before, v.after) for v in changes[("compute.training", "Run")].values] == [("gpus", "2", "4")]
    assert [(v.key, v.before, v.after) for v in changes[("people", "Toil")].values] == [("hourly_rate", "100", "120")]
    assert changes[("mlops", "Logs")].change == "removed"
    assert changes[("mlops", "CI")].change == "added"
    assert ("unit_price", "—", "0.01") in [(v.key, v.before, v.after) for v in changes[("mlops", "CI")].values]
    assert [(c.key, c.before, c.after) for c in d.settings] == [("name", "Pinned A", "Pinned B")]
    assert d.prices == () and d.scenarios == ()


def test_settings_overrides_and_scenarios_diff(catalog):
    a = loads_checked(PLAN_A, catalog=catalog)
    b_text = PLAN_A.replace("months: 3", "months: 4").replace("provider: aws", "provider: aws\nmonthly_budget: 2k") \
        .replace("gpu.H100-80GB.runpod.on_demand: 4.0",
                 "gpu.H100-80GB.runpod.on_demand: 4.5\n  storage.aws.standard: 0.02")
    b_text += ("  gpu.H100-80GB.runpod.spot: 2.0\n"
               "scenarios:\n  - name: Spot\n    strategies:\n"
               "      spot: {applies_to: [training], interruption_overhead: 10%}\n")
    b = loads_checked(b_text, catalog=catalog)
    d = C.input_diff(a, b)
    assert ("months", "3", "4") in [(c.key, c.before, c.after) for c in d.settings]
    assert ("monthly_budget", "none (default)", "2,000") in [(c.key, c.before, c.after) for c in d.settings]
    assert [(c.key, c.before, c.after) for c in d.prices] == [
        ("gpu.H100-80GB.runpod.on_demand", "4", "4.5"), ("storage.aws.standard", "(catalog)", "0.02"),
        ("gpu.H100-80GB.runpod.spot", "(catalog)", "2")]
    assert [(c.key, c.before) for c in d.scenarios] == [("Spot", "—")]
    assert "spot" in d.scenarios[0].after
    assert d.lines == ()  # the lines are the same


def test_a_plan_compared_with_itself_shows_no_differences(catalog):
    e = C.load_entry(str(EXAMPLES / "support-assistant.yaml"), catalog)
    cmp = C.compare([e, e])
    assert cmp.is_identical()
    assert all(d in (None, 0) for f in cmp.figures for d in f.deltas)
    assert cmp.changed_lines(1) == ()
    assert cmp.inputs[1].empty
    text = C.compare_text(cmp)
    assert "no differences" in text
    assert "~ " not in text and "+ " not in text.split("B vs A")[1]
    assert C.compare_data(cmp)["identical"] is True


def test_scenarios_of_a_plan_as_entries(catalog):
    path = str(EXAMPLES / "support-assistant.yaml")
    base, frugal = C.load_entry(path, catalog), C.load_entry(path + "#Frugal", catalog)
    assert frugal.scenario == "Frugal" and frugal.label == "support-assistant.yaml#Frugal"
    cmp = C.compare([base, frugal])
    total = next(f for f in cmp.figures if f.key == "total")
    from pricing import scenarios
    result = scenarios.evaluate(base.plan, base.plan.scenario("Frugal"), catalog)
    assert -total.deltas[1] == scenarios.attribution_cents(result).saving_total  # the saving the app shows
    # the input diff says what the scenario changed
    changed = {c.name for c in cmp.inputs[1].lines}
    assert "Answer generation" in changed
    assert not cmp.is_identical()


def test_bad_entries_raise_plan_errors(catalog, tmp_path):
    path = str(EXAMPLES / "support-assistant.yaml")
    with pytest.raises(PlanError, match="unknown scenario 'Nope'") as err:
        C.load_entry(path + "#Nope", catalog)
    assert err.value.problems[0].file == path
    with pytest.raises(PlanError, match="no such file"):
        C.load_entry(str(tmp_path / "missing.yaml"), catalog)
    e = C.load_entry(path, catalog)
    with pytest.raises(C.CompareError, match="at least two"):
        C.compare([e])
    eur = loads_checked(PLAN_A.replace("start:", "currency: EUR\nfx_rate: 0.9\nstart:"), catalog=catalog)
    with pytest.raises(C.CompareError, match="different currencies"):
        C.compare([entry(PLAN_A, catalog, "a"), C.entry_from_plan(eur, catalog, label="eur")])


def test_a_path_with_a_hash_that_exists_is_a_file(tmp_path):
    odd = tmp_path / "plan#1.yaml"
    odd.write_text(PLAN_A)
    assert C.split_spec(str(odd)) == (str(odd), None)
    assert C.split_spec(str(tmp_path / "plan.yaml#Frugal")) == (str(tmp_path / "plan.yaml"), "Frugal")


def test_different_horizons_share_a_calendar_axis(catalog):
    later = PLAN_B.replace("start: 2027-01", "start: 2027-02")
    cmp = C.compare([entry(PLAN_A, catalog, "a"), entry(later, catalog, "b")])
    assert [str(m) for m in cmp.months] == ["2027-01", "2027-02", "2027-03", "2027-04"]
    assert cmp.monthly[0][-1] is None and cmp.monthly[1][0] is None
    assert cmp.notes


def test_lines_with_the_same_name_match_in_order(catalog):
    two = PLAN_A.replace("people:\n", "people:\n  - {name: Toil, hours_per_month: 5, hourly_rate: 100}\n")
    cmp = C.compare([entry(two, catalog, "a"), entry(two, catalog, "b")])
    assert [lc.name for lc in cmp.lines].count("Toil") == 2
    assert cmp.is_identical()


def test_compare_data_is_json_and_its_sums_hold(ab):
    data = json.loads(json.dumps(C.compare_data(ab)))
    assert [e["id"] for e in data["entries"]] == ["A", "B"]
    total = next(f for f in data["figures"] if f["key"] == "total")
    assert total["deltas"] == [None, 560.0]
    assert round(sum(x["horizon_deltas"][1] for x in data["lines"]) * 100) == 56000
    assert data["monthly"]["series"]["B"] == [1370.0, 1210.0, 1210.0]


def test_cost_diff_text_reads_like_a_diff(ab):
    text = C.compare_text(ab)
    assert "~ Run (compute.training)" in text and "gpus: 2 -> 4" in text
    assert "- Logs (mlops)" in text and "-$50.00" in text and "-$150.00" in text
    assert "+ CI (mlops)" in text and "+$10.00" in text and "+$30.00" in text
    total = [ln for ln in text.splitlines() if ln.strip().startswith("= Total")][0]
    assert "+$160.00" in total and "+$560.00" in total
    assert "Horizon total" in text and "+$560.00" in text and "+17.3%" in text


# ---------------------------------------------------------------------------------------------
# A projection in cents
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["support-assistant", "finetuned-open-model", "vision-inhouse"])
def test_every_total_is_the_sum_of_its_parts(catalog, name):
    proj = engine.project(load_checked(EXAMPLES / f"{name}.yaml", catalog), catalog)
    s = RM.summarize(proj)
    assert s.total == sum(li.total for li in s.lines) == int(s.monthly.sum())
    assert all(li.total == int(li.monthly.sum()) for li in s.lines)
    assert np.array_equal(s.monthly, np.sum([row for _, row in s.categories], axis=0))
    for periods in (RM.year_periods(s.months), RM.month_periods(s.months)):
        t = s.category_table(periods)
        assert t.total == s.total == int(t.column_totals.sum()) == sum(t.row_totals)
        assert np.array_equal(t.column_totals, np.sum([r for _, r in t.rows], axis=0))
    drivers = s.drivers(5)
    assert sum(d.total for d in drivers) == sum(li.total for li in s.lines if li.total > 0)
    from pricing.report import report_data
    assert s.total / 100 == report_data(proj)["total"]


def test_year_periods_label_partial_years():
    months = [YearMonth(2026, 7).plus(k) for k in range(24)]
    assert [(p.label, p.start, p.stop) for p in RM.year_periods(months)] == [
        ("2026 (6 mo)", 0, 6), ("2027", 6, 18), ("2028 (6 mo)", 18, 24)]


@pytest.mark.parametrize("key, value, text", [
    ("requests_per_month", 1_200_000.0, "1.2M"),
    ("items", 20_000.0, "20k"),
    ("tokens_per_second_per_gpu", 2400.0, "2,400"),
    ("items", 1_234_567.0, "1,234,567"),
    ("price_per_item", 0.06, "0.06"),
    ("growth", 0.08, "8%"),
    ("cached_input_share", 0.125, "12.5%"),
    ("gpu", "H100-80GB", "H100-80GB"),
    ("hours", None, "—"),
])
def test_value_text(key, value, text):
    assert RM.value_text(key, value) == text


def test_ranges_and_defaults_in_plan_inputs(catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", catalog)
    inputs = RM.plan_inputs(plan)
    answer = next(line for line in inputs.lines if line.name == "Answer generation")
    values = {v.key: v for v in answer.values}
    assert values["requests_per_month"].ranged and values["requests_per_month"].text.startswith("1.2M ± 30% (range")
    assert values["output_tokens"].text == "350 (range 250 – 600)"
    assert values["response_cache_hit_rate"].is_default
    assert sum(1 for _ in plan.lines()) == len(inputs.lines)
    assert [s.key for s in inputs.scenarios] == ["Frugal", "Self-host answers"]


def test_prices_used_say_value_source_and_date(catalog):
    plan = loads_checked(PLAN_A, catalog=catalog)
    prices = {p.key: p for p in RM.prices_used(engine.project(plan, catalog), catalog)}
    gpu = prices["gpu.H100-80GB.runpod.on_demand"]
    assert gpu.overridden and gpu.value.startswith("4 USD per GPU-hour") and gpu.confidence == "override"
    # a price written on a line is in the plan's currency and its field's unit (the schema's "{cur}/h")
    assert prices["people[0].hourly_rate"].value == "100 USD/h"
    eur = loads_checked(PLAN_A.replace("start:", "currency: EUR\nfx_rate: 0.9\nstart:"), catalog=catalog)
    eur_prices = {p.key: p for p in RM.prices_used(engine.project(eur, catalog), catalog)}
    assert eur_prices["people[0].hourly_rate"].value == "100 EUR/h"     # not "USD": the rate is the plan's
    dates = RM.price_dates(engine.project(plan, catalog))
    assert dates.api_data_date is None  # no API lines
