"""The `aicost` command: exit codes, messages without tracebacks, JSON shape, CSV."""
import csv
import io
import json
import subprocess
import sys

import pytest

from gui import cli
from tests.conftest import EXAMPLES, ROOT
from pricing.load import load_checked

SUPPORT = str(EXAMPLES / "support-assistant.yaml")


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_report_text(capsys):
    code, out, err = run(["report", SUPPORT], capsys)
    assert code == 0, err
    assert "Support assistant" in out and "Top drivers" in out and "Horizon total" in out
    assert "Prices:" in out


def test_report_json_shape_and_sums(capsys):
    code, out, _ = run(["report", SUPPORT, "--json", "--months", "6"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["name"] == "Support assistant" and d["currency"] == "USD"
    assert d["months"] == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]
    for key in ("total", "categories", "line_items", "drivers"):
        assert key in d
    li = d["line_items"][0]
    for key in ("name", "category", "section", "monthly", "total", "quantities", "sources"):
        assert key in li
    assert all({"key", "source", "as_of"} <= set(s) for x in d["line_items"] for s in x["sources"])
    total_cents = round(d["total"] * 100)
    assert total_cents == sum(round(x["total"] * 100) for x in d["line_items"])
    assert total_cents == sum(round(v * 100) for c in d["categories"].values() for v in c)
    assert sum(x["share"] for x in d["drivers"]) == pytest.approx(1.0, abs=1e-5)


def test_report_csv(tmp_path, capsys):
    out_csv = tmp_path / "r.csv"
    code, out, _ = run(["report", SUPPORT, "--csv", str(out_csv)], capsys)
    assert code == 0 and str(out_csv) in out
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["month", "category", "section", "line_item", "scenario", "amount", "currency"]
    code, out, _ = run(["report", SUPPORT, "--json"], capsys)
    d = json.loads(out)
    assert round(sum(float(r["amount"]) for r in rows) * 100) == round(d["total"] * 100)


def test_validate_good_and_bad(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: aicost-plan/1\nname: B\nmonths: 0\n"
                   "compute:\n  training:\n    - {name: T, gpu: H10, hours: 2}\n")
    code, out, err = run(["validate", SUPPORT, str(bad)], capsys)
    assert code == 2
    assert f"{SUPPORT}: ok" in out
    assert f"{bad}:3: months: found 0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args, needle", [
    (["report", "/nonexistent/plan.yaml"], "no such file"),
    (["report", SUPPORT, "--scenario", "Nope"], "unknown scenario 'Nope'"),
    (["catalog", "gpus", "--provider", "awz"], "did you mean 'aws'"),
])
def test_errors_exit_2_without_traceback(args, needle, capsys):
    code, out, err = run(args, capsys)
    assert code == 2
    assert needle in err and "Traceback" not in err


def test_catalog_listing(capsys):
    code, out, _ = run(["catalog", "gpus", "--provider", "aws"], capsys)
    assert code == 0
    assert "gpu.H100-80GB.aws.on_demand" in out
    code, out, _ = run(["catalog", "storage", "--json"], capsys)
    rows = json.loads(out)
    assert rows and all(r["source"]["as_of"] for r in rows)


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report"])
    assert exc.value.code == 2


def test_console_entry_point_runs_in_a_subprocess():
    out = subprocess.run([sys.executable, "-m", "gui", "report", SUPPORT, "--months", "3"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "2027-01" in out.stdout


@pytest.mark.parametrize("distribution", ["pert", "triangular", "uniform"])
def test_report_uncertainty_json_is_the_monte_carlo_of_the_plan(capsys, distribution):
    from pricing import rounding, uncertainty
    code, out, err = run(["report", SUPPORT, "--uncertainty", "--json", "--samples", "3000", "--seed", "7",
                          "--distribution", distribution], capsys)
    assert code == 0, err
    u = json.loads(out)["uncertainty"]
    plan = load_checked(SUPPORT)
    mc = uncertainty.monte_carlo(plan, samples=3000, seed=7, distribution=distribution)
    assert (u["samples"], u["seed"], u["distribution"]) == (3000, 7, distribution)
    assert u["total_p50"] == round(mc.total_p50, 2) and u["monthly_p90"] == [round(float(x), 2) for x in mc.monthly_p90]
    assert u["total_p10"] < u["total_p50"] < u["total_p90"]
    assert len(u["budget_exceeded_probability"]) == 24 and len(u["inputs"]) == 3
    # the same seed gives the same figures; the text report says the distribution used
    assert run(["report", SUPPORT, "--uncertainty", "--json", "--samples", "3000", "--seed", "7",
                "--distribution", distribution], capsys)[1] == out
    code, out, _ = run(["report", SUPPORT, "--uncertainty", "--samples", "3000", "--distribution", distribution],
                       capsys)
    assert code == 0 and f"3,000 samples, {distribution.upper()}" in out
    assert rounding.money(uncertainty.monte_carlo(plan, samples=3000, distribution=distribution).total_p50,
                          "USD") in out


def test_report_unknown_distribution_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", SUPPORT, "--uncertainty", "--distribution", "normal"])
    assert exc.value.code == 2
    assert "invalid choice: 'normal'" in capsys.readouterr().err


def test_drivers_ranks_inputs_of_a_hand_made_plan(tmp_path, capsys):
    plan = tmp_path / "two.yaml"
    plan.write_text("format: aicost-plan/1\nname: Two\nstart: 2027-01\nmonths: 12\nprovider: aws\npeople:\n"
                    "  - {name: A, hours_per_month: 20 ± 50%, hourly_rate: 100}\n"
                    "  - {name: B, hours_per_month: 10, hourly_rate: 50}\n")
    code, out, err = run(["drivers", str(plan), "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["baseline_total"] == 12 * (20 * 100 + 10 * 50)          # 30,000
    rows = [(i["key_path"], i["total_at_low"], i["total_at_high"], i["swing"], i["from_range"]) for i in d["inputs"]]
    assert rows == [
        ("people[0].hours_per_month", 18_000, 42_000, 24_000, True),     # 10..30 h x 100 x 12
        ("people[0].hourly_rate", 25_200, 34_800, 9_600, False),         # 80..120 x 20 h x 12 (+-20%)
        ("people[1].hourly_rate", 28_800, 31_200, 2_400, False),         # 40..60 x 10 h x 12
        ("people[1].hours_per_month", 28_800, 31_200, 2_400, False),     # 8..12 h x 50 x 12 (tie: by key path)
    ]
    code, out, _ = run(["drivers", str(plan)], capsys)
    assert code == 0 and out.index("A: Hours per month") < out.index("A: Hourly rate (USD/h) *")


@pytest.mark.parametrize("name", ["support-assistant.yaml", "finetuned-open-model.yaml", "vision-inhouse.yaml"])
def test_drivers_baseline_is_the_reports_total(name, capsys):
    """`aicost drivers` centres the tornado on the total `aicost report` shows, to the cent."""
    path = str(EXAMPLES / name)
    code, out, err = run(["report", path, "--json"], capsys)
    assert code == 0, err
    total = json.loads(out)["total"]
    code, out, err = run(["drivers", path, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["baseline_total"] == total
    code, out, _ = run(["drivers", path], capsys)
    from pricing.rounding import money
    assert f"({money(total)})" in out.splitlines()[0]


def test_report_months_stop_where_plan_files_do(capsys):
    """A plan file takes at most 240 months: `--months 600` is refused, not projected (nor sampled) for 50 years."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", SUPPORT, "--months", "600"])
    assert exc.value.code == 2
    assert "--months: expected at most 240 months (what a plan file takes), found 600" in capsys.readouterr().err
    vision = str(EXAMPLES / "vision-inhouse.yaml")
    code, out, _ = run(["report", vision, "--json", "--months", "240"], capsys)
    assert code == 0 and len(json.loads(out)["months"]) == 240
    # the support example's 10% monthly growth (its range's high end) compounds past the largest amount within
    # 240 months: refused at its line (issue 17), not projected to a total no report can show
    code, out, err = run(["report", SUPPORT, "--json", "--months", "240"], capsys)
    assert code == 2 and out == ""
    with open(SUPPORT, encoding="utf-8") as fh:  # the first "growth:" key line is the first API line's
        growth_line = next(n for n, text in enumerate(fh, start=1) if text.strip().startswith("growth:"))
    assert err.startswith(f"{SUPPORT}:{growth_line}: services.apis[0].growth: its cost with its ranges at their "
                          "expensive end (Monthly growth 10%) passes 10 trillion USD, the most a plan can cost, in "
                          "month 193")
