"""Mapping rules, variance (price and volume), re-forecast, currency, the actuals: section, FOCUS forecast rows."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from pricing import engine, planfile
from pricing.actuals import config as C
from pricing.actuals.analysis import ActualsError, allocate_cents, analyze
from pricing.actuals.store import ActualsStore
from pricing.actuals.summary import actuals_csv, actuals_data, actuals_text
from pricing.errors import PlanFileError

DATA = Path(__file__).resolve().parent.parent / "data" / "actuals"


def run(plan_text: str, files: list[str], cfg: C.ActualsConfig | None = None, **kw):
    plan = planfile.loads(textwrap.dedent(plan_text))
    proj = engine.project(plan)
    with ActualsStore() as store:
        store.import_files([str(DATA / f) if not f.startswith("/") else f for f in files])
        return proj, analyze(proj, store, cfg or C.ActualsConfig(), **kw)


def load_test_plan():
    plan = planfile.load(DATA / "plan.yaml")
    return plan, plan.actuals


def analysis_of(files: list[str], **kw):
    plan, cfg = load_test_plan()
    proj = engine.project(plan)
    with ActualsStore() as store:
        store.import_files([str(DATA / f) for f in files])
        return proj, analyze(proj, store, cfg, **kw)


# -- totals and mapping ---------------------------------------------------------------------


def test_imported_equals_mapped_plus_unmapped_to_the_cent():
    proj, a = analysis_of(["focus_ai_tokens.csv", "focus_infra.csv"])
    doc = actuals_data(a)
    # effective: 105.75 (AI tokens) + 604.70 (infra)
    assert doc["imported_total"] == 710.45
    # mapped: gpt-4o rows 25 + 20 + 30 + 25 + 5 = 105.00; p5 550.40; storage 23.00 + 25.30
    assert doc["mapped_total"] == 703.70
    # unmapped: gpt-4o-mini 0.75, commitment 0.00 (amortised), t3.micro 1.04, tax 4.96
    assert doc["unmapped_total"] == 6.75
    assert round(doc["mapped_total"] + doc["unmapped_total"], 2) == doc["imported_total"]
    groups = {(u["service"], u["sku"]): u["amount"] for u in doc["unmapped"]}
    assert groups == {("Tax", None): 4.96, ("Amazon Elastic Compute Cloud", "t3.micro-od"): 1.04,
                      ("Solora Generative AI API", "gpt-4o-mini-input"): 0.75, ("Solora Commitments", "commit-1y"): 0.0}
    assert sum(groups.values()) == pytest.approx(doc["unmapped_total"], abs=1e-9)
    assert doc["refused_rows"] == 2


def test_billed_cost_on_request():
    _, a = analysis_of(["focus_ai_tokens.csv"], cost=C.CostColumn.BILLED)
    doc = actuals_data(a)
    # billed: 218.25 = mapped gpt-4o 25 + 20 + 30 + 25 + 12.50 + 5 = 117.50, unmapped 0.75 + 100.00
    assert (doc["imported_total"], doc["mapped_total"], doc["unmapped_total"]) == (218.25, 117.50, 100.75)
    assert doc["refused_rows"] == 1  # only the undated row


def test_saved_rule_comes_first_and_proposals_fill_the_obvious():
    _, a = analysis_of(["focus_infra.csv"])
    rules = [(r.origin, r.line, r.cents) for r in a.rules]
    # the plan's rule {tags: {team: ml}, instance_type: p5.*} takes the 550.40 GPU row
    assert rules[0] == ("plan", "Fine-tune", 55040)
    # the only storage line is proposed for ServiceCategory Storage: 23.00 + 25.30
    assert ("proposed", "Raw images", 4830) in rules


def test_without_proposals_only_saved_rules_map():
    _, a = analysis_of(["focus_infra.csv"], propose=False)
    doc = actuals_data(a)
    assert (doc["mapped_total"], doc["unmapped_total"]) == (550.40, 54.30)  # 604.70 - 550.40


def test_model_rule_matches_dated_snapshots_not_siblings():
    proj, a = run("""
        format: aicost-plan/1
        start: 2027-01
        months: 3
        services:
          apis:
            - {name: Chat, provider: openai, model: gpt-4o, requests_per_month: 1k, input_tokens: 100,
               output_tokens: 10}
    """, ["focus_ai_tokens.csv"], propose=False,
        cfg=C.ActualsConfig(rules=(C.Rule((("model", ("gpt-4o",)),), (), "Chat"),)))
    doc = actuals_data(a)
    # gpt-4o-2024-08-06 and gpt-4o rows: 25 + 20 + 30 + 25 + 5; not gpt-4o-mini (0.75)
    assert doc["mapped_total"] == 105.0


def test_first_match_wins_and_globs_and_lists():
    cfg = C.ActualsConfig(rules=(
        C.Rule((("sku", ("gpt-4o-out*",)),), (), "Out"),
        C.Rule((("service", ("solora generative ai api",)),), (), "All"),   # case-insensitive
        C.Rule((("sku", ("commit-1y", "nothing")),), (), "Out"),             # a list: any of its values
    ))
    _, a = run("""
        format: aicost-plan/1
        start: 2027-01
        months: 2
        people:
          - {name: Out, hours_per_month: 1, hourly_rate: 1}
          - {name: All, hours_per_month: 1, hourly_rate: 1}
    """, ["focus_ai_tokens.csv"], cfg=cfg, propose=False, cost=C.CostColumn.BILLED)
    by = {ln.name: int(ln.actual.sum()) for ln in a.lines}
    # Out: output SKUs 20 + 25 + 5, plus the commitment 100 (third rule); All: the rest of the API rows
    assert by["Out"] == 15000
    assert by["All"] == 2500 + 75 + 3000 + 1250  # 25 + 0.75 + 30 + 12.50
    assert by["Unmapped"] == 0


def test_a_rule_naming_no_plan_line_is_a_problem():
    with pytest.raises(ActualsError, match=r"actuals.rules\[0\].line: no plan line 'Fine tune'; did you mean"):
        run("""
            format: aicost-plan/1
            start: 2027-01
            months: 2
            compute:
              training:
                - {name: Fine-tune, gpu: H100-80GB, gpus: 8, hours: 10}
        """, ["focus_infra.csv"], cfg=C.ActualsConfig(rules=(C.Rule((("sku", ("x",)),), (), "Fine tune"),)))


# -- variance and usage ----------------------------------------------------------------------


def test_monthly_variance_and_cumulative():
    proj, a = analysis_of(["focus_infra.csv"])
    doc = actuals_data(a)
    plan_cents = np.rint(proj.matrix * 100).sum(axis=0)  # the plan's cells (no half cents here)
    mo = doc["monthly"]
    assert doc["actual_months"] == ["2027-01", "2027-02"]
    assert mo["covered"][:2] == [1.0, 1.0]
    # January: 550.40 + 23.00 + 1.04 actual; February: 25.30 + 4.96
    assert mo["actual"][:2] == [574.44, 30.26] and mo["actual"][2] is None
    assert mo["plan_to_date"][:2] == [plan_cents[0] / 100, plan_cents[1] / 100]
    assert mo["variance"][0] == round(574.44 - plan_cents[0] / 100, 2)
    assert mo["cumulative_variance"][1] == round(574.44 + 30.26 - (plan_cents[0] + plan_cents[1]) / 100, 2)


def test_price_and_volume_effects_add_up_to_the_variance():
    proj, a = analysis_of(["focus_infra.csv"])
    lines = {ln.name: ln for ln in a.lines}
    gpu = lines["Fine-tune"].usage[0]
    # 10 instance-hours of p5.48xlarge x GpuCount 8 = 80 GPU-hours, as planned (8 GPUs x 10 hours)
    assert (gpu.unit, gpu.plan, gpu.actual) == ("GPU-hours", 80.0, 80.0)
    assert gpu.volume_effect == 0 and gpu.price_effect == lines["Fine-tune"].variance[0]
    storage = lines["Raw images"].usage[1]
    # February: 1,100 GB-months against the plan's 1,000 (1000 GiB: AWS bills 2^30-byte GB); the plan pays 2,300
    # cents for 1,000
    assert storage.plan == pytest.approx(1000.0) and storage.actual == 1100.0
    assert storage.volume_effect == pytest.approx(100 * 2300 / 1000)           # 230 cents
    assert storage.volume_effect + storage.price_effect == pytest.approx(2530 - 2300)


def test_usage_from_a_usage_only_export():
    _, a = analysis_of(["anthropic_costs.csv", "anthropic_usage.csv"])
    summaries = next(ln for ln in a.lines if ln.name == "Summaries")
    u = summaries.usage[0]
    assert u.actual == 1_300_000  # tokens from the usage CSV; the cost CSV has none
    expected = summaries.actual[0] - round(summaries.plan[0] * a.covered[0])
    assert u.volume_effect + u.price_effect == pytest.approx(expected)


def test_unknown_quantity_is_said_not_zero():
    _, a = analysis_of(["focus_ai_tokens.csv"])
    answers = next(ln for ln in a.lines if ln.name == "Answer generation")
    jan, feb = answers.usage[0], answers.usage[1]
    assert jan.actual == 10_000_000 + 2_000_000
    assert feb.actual is None and feb.price_effect is None  # one row's quantity is "n/a"


def test_currency_mismatch_needs_a_dated_rate():
    eur = """
        format: aicost-plan/1
        currency: EUR
        fx_rate: 0.9
        start: 2027-01
        months: 2
        mlops:
          - {name: Logs, kind: log_ingest_gb, quantity: 10}
    """
    with pytest.raises(ActualsError, match=r"the exports bill 604.70 in USD, the plan is in EUR: give a dated rate"):
        run(eur, ["focus_infra.csv"])
    rate = C.Rate("USD", 0.9, C.parse_date("2027-03-31"))
    _, a = run(eur, ["focus_infra.csv"], cfg=C.ActualsConfig(rates=(rate,)))
    # 604.70 USD x 0.9 = 544.23 EUR
    assert a.imported_cents == 54423 and a.rates_used == (rate,)


def test_allocate_cents_keeps_the_rounded_total():
    from decimal import Decimal as D
    parts = allocate_cents([D("0.005"), D("0.005"), D("0.005")])
    assert sum(parts) == 2 and parts == [1, 1, 0]  # 0.015 rounds half-even to 0.02
    assert allocate_cents([D("12.345"), D("2.50"), D("1.00")]) == [1234, 250, 100]  # 15.845 -> 15.84


def test_anthropic_cents_round_half_even_and_add_up():
    _, a = analysis_of(["anthropic_cost_report.json"])
    # 12.345 + 2.50 = 14.845 mapped to Summaries (rule on the model), 1.00 web search unmapped; 15.845 -> 15.84
    assert (a.imported_cents, a.mapped_cents, a.unmapped_cents) == (1584, 1484, 100)


# -- re-forecast ------------------------------------------------------------------------------

PEOPLE = """
    format: aicost-plan/1
    name: Toil
    start: 2027-01
    months: 6
    monthly_budget: 5600
    people:
      - {name: Contractors, hours_per_month: 100, hourly_rate: 50}
"""
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName\n"


def contractors(tmp_path, rows):
    f = tmp_path / "contractors.csv"
    f.write_text(HEADER + "".join(f"{c},{c},USD,{s},{e},Contractors\n" for c, s, e in rows))
    return str(f)


RULE = C.ActualsConfig(rules=(C.Rule((("service", ("Contractors",)),), (), "Contractors"),))


def test_run_rate_reforecast_with_the_plan_growth_and_budget(tmp_path):
    f = contractors(tmp_path, [(5500, "2027-01-01", "2027-02-01"), (6000, "2027-02-01", "2027-03-01")])
    _, a = run(PEOPLE, [f], cfg=RULE)
    fc = a.forecast
    # plan 5,000/month; window Jan-Feb: ratio = 11,500 / 10,000 = 1.15 -> 5,750 a month from March
    assert fc.ratios[0] == ("people[0]", 1.15)
    assert list(fc.monthly) == [550000, 600000, 575000, 575000, 575000, 575000]
    assert fc.total == 11500_00 + 4 * 5750_00
    # no ranges: the band is the spread of the monthly ratios 1.10 and 1.20 around their mean 1.15
    assert list(fc.p10[2:]) == [550000] * 4 and list(fc.p90[2:]) == [600000] * 4
    assert (fc.total_p10, fc.total_p90) == (11500_00 + 4 * 5500_00, 11500_00 + 4 * 6000_00)
    assert fc.first_over_budget == "2027-02" and fc.plan_first_over_budget is None


def test_partial_last_month_is_compared_and_forecast_pro_rata(tmp_path):
    f = contractors(tmp_path, [(5500, "2027-01-01", "2027-02-01"), (6000, "2027-02-01", "2027-03-01"),
                               (3000, "2027-03-01", "2027-03-16")])
    _, a = run(PEOPLE, [f], cfg=RULE)
    share = 15 / 31  # March covered to the 16th, 00:00
    assert a.covered[2] == pytest.approx(share)
    doc = actuals_data(a)
    assert doc["monthly"]["plan_to_date"][2] == round(5000 * share, 2)  # 2,419.35
    ratio = (5500 + 6000 + 3000) / (5000 + 5000 + 5000 * share)
    fc = a.forecast
    assert fc.monthly[2] == round((3000 + (1 - share) * 5000 * ratio) * 100)
    assert fc.monthly[3] == round(5000 * ratio * 100)


def test_rebase_falls_back_to_cost_for_lines_without_usage(tmp_path):
    f = contractors(tmp_path, [(5500, "2027-01-01", "2027-02-01"), (6000, "2027-02-01", "2027-03-01")])
    cfg = C.ActualsConfig(rules=RULE.rules, forecast=C.ForecastMethod.REBASE)
    _, a = run(PEOPLE, [f], cfg=cfg)
    assert a.forecast.total == 11500_00 + 4 * 5750_00
    assert any("re-based on cost instead" in n for n in a.notes)


def test_rebase_on_usage_keeps_plan_prices(tmp_path):
    # GPU line: plan 80 GPU-hours in month 1 of 1; actual 10 instance-hours x 8 GPUs
    _, a = analysis_of(["focus_infra.csv"], cost=C.CostColumn.EFFECTIVE)
    assert a.forecast.method is C.ForecastMethod.RUN_RATE
    plan, cfg = load_test_plan()
    import dataclasses
    cfg = dataclasses.replace(cfg, forecast=C.ForecastMethod.REBASE)
    proj = engine.project(plan)
    with ActualsStore() as store:
        store.import_files([str(DATA / "focus_infra.csv")])
        b = analyze(proj, store, cfg)
    ratios = dict(b.forecast.ratios)
    assert ratios["compute.training[0]"] == pytest.approx(1.0)       # 80 / 80 GPU-hours
    assert ratios["data.storage[0]"] == pytest.approx(2100 / 2000)    # (1,000 + 1,100) / (1,000 + 1,000) GB-months


def test_band_from_the_plan_ranges(tmp_path):
    f = contractors(tmp_path, [(5500, "2027-01-01", "2027-02-01")])
    ranged = PEOPLE.replace("hours_per_month: 100", "hours_per_month: 100 ± 20%")
    _, a = run(ranged, [f], cfg=RULE, samples=2000)
    fc = a.forecast
    assert "Monte Carlo" in fc.band
    assert all(lo <= mid <= hi for lo, mid, hi in zip(fc.p10[1:], fc.monthly[1:], fc.p90[1:]))
    assert fc.p10[1] < fc.monthly[1] < fc.p90[1]
    assert fc.p10[0] == fc.monthly[0] == fc.p90[0] == 550000  # the actual month has no band


# -- the actuals: section ---------------------------------------------------------------------


def test_section_round_trip():
    data = {"sources": ["exports/focus.csv.gz", {"file": "openai.json"}], "cost": "billed",
            "rates": [{"from": "usd", "rate": 0.92, "as_of": "2027-03-31"}],
            "rules": [{"match": {"model": "gpt-4o", "tags": {"team": ["search", "chat"]}},
                       "line": "Answer generation"}],
            "forecast": {"method": "rebase", "window": 2}}
    cfg = C.actuals_from_data(data)
    assert cfg.sources == ("exports/focus.csv.gz", "openai.json") and cfg.cost is C.CostColumn.BILLED
    assert cfg.rates[0].currency == "USD" and cfg.window == 2
    again = C.actuals_from_data(C.actuals_to_data(cfg))
    assert again == cfg


def test_section_problems_have_key_paths_and_lines():
    data = {"cost": "amortized", "rules": [{"match": {"skuu": "x"}, "line": "A"}, {"match": {}, "line": ""}],
            "rates": [{"from": "EUR", "rate": 0.9}], "forecst": {}}
    lines = {"actuals.cost": 3, "actuals.rules[0].match.skuu": 5}
    with pytest.raises(PlanFileError) as err:
        C.actuals_from_data(data, file="p.yaml", line_of=lines.get)
    found = {(p.key_path, p.line) for p in err.value.problems}
    assert ("actuals.cost", 3) in found and ("actuals.rules[0].match.skuu", 5) in found
    paths = {p.key_path for p in err.value.problems}
    assert {"actuals.forecst", "actuals.rules[1].match", "actuals.rules[1].line", "actuals.rates[0].as_of"} <= paths
    assert any("did you mean 'sku'" in p.message for p in err.value.problems)


def test_plan_file_with_actuals_section_loads_and_reports_lines(tmp_path):
    plan, cfg = load_test_plan()
    assert plan.name == "Actuals test plan" and len(cfg.rules) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "plan.yaml").read_text().replace("line: Summaries", "line: 12\n      lien: x"))
    with pytest.raises(PlanFileError) as err:
        planfile.load(bad)
    (p,) = [p for p in err.value.problems if p.key_path == "actuals.rules[1].lien"]
    assert p.line == (DATA / "plan.yaml").read_text().splitlines().index("      line: Summaries") + 2


# -- presentation ----------------------------------------------------------------------------


def test_text_and_csv_come_from_the_json_document():
    _, a = analysis_of(["focus_ai_tokens.csv", "focus_infra.csv"])
    doc = actuals_data(a)
    text = actuals_text(doc)
    assert "Imported  $710.45  = mapped $703.70 + unmapped $6.75" in text
    assert "2 rows refused" in text and "focus_ai_tokens.csv:7: EffectiveCost" in text
    rows = actuals_csv(doc).splitlines()
    assert rows[0].startswith("line,key_path,category,month,plan,actual,variance")
    totals = [r for r in rows if r.startswith("Total,")]
    # January 25 + 20 + 0.75 + 550.40 + 23 + 1.04; February 30 + 25 + 0 + 5 + 25.30 + 4.96
    assert [r.split(",")[5] for r in totals] == ["620.19", "90.26"]


def test_worker_entry_point_reports_progress_and_keeps_the_store(tmp_path):
    from pricing import actuals
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text((DATA / "plan.yaml").read_text())
    plan = planfile.load(plan_path)
    cfg = plan.actuals
    proj = engine.project(plan)
    seen = []
    outcomes, a = actuals.import_and_analyze(plan_path, proj, cfg, [str(DATA / "focus_infra.csv")],
                                             progress=lambda d, t: seen.append((d, t)), cancel=lambda: False)
    assert [o.record.rows for o in outcomes] == [5] and a.imported_cents == 60470
    assert seen[-1][0] == seen[-1][1]
    _, again = actuals.import_and_analyze(plan_path, proj, cfg)  # reopening: the store still holds the file
    assert again.imported_cents == 60470
    with pytest.raises(actuals.Cancelled):
        actuals.import_and_analyze(plan_path, proj, cfg, [str(DATA / "focus_ai_tokens.csv")], cancel=lambda: True)


def test_a_line_no_row_reaches_keeps_its_plan_in_the_forecast():
    proj, a = analysis_of(["focus_infra.csv"])
    apis = [i for i, li in enumerate(proj.line_items) if li.section == "services.apis"]
    plan_cents = np.rint(proj.matrix * 100)
    # the infra export has no API rows: both API lines' actual to date is 0, but the forecast keeps their plan
    assert all(a.lines[i].actual.sum() == 0 for i in apis)
    assert dict(a.forecast.ratios)["services.apis[1]"] is None
    reached = sum(ln.actual[:2].sum() for i, ln in enumerate(a.lines) if i not in apis)  # GPU, storage, unmapped
    assert a.forecast.monthly[:2].sum() == pytest.approx(reached + plan_cents[apis, :2].sum(), abs=2)
    assert any(n.startswith("Summaries: no billing rows are mapped to it") for n in a.notes)
