"""`aicost actuals` and `aicost focus`: the JSON document, CSV, exit 2 with file:line, the store, forecast rows."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from gui.cli import main
from pricing import engine, planfile
from pricing.actuals.focus_export import COLUMNS, focus_rows
from pricing.actuals.store import ActualsStore
from pricing.report import report_data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "actuals"
SUPPORT = ROOT / "resources" / "examples" / "support-assistant.yaml"


@pytest.fixture
def plan(tmp_path) -> Path:
    """The test plan copied beside its exports (the store is written next to the plan)."""
    dst = tmp_path / "plan.yaml"
    shutil.copy(DATA / "plan.yaml", dst)
    for f in DATA.iterdir():
        if f.suffix in (".csv", ".json"):
            shutil.copy(f, tmp_path / f.name)
    return dst


def test_json_document(plan, capsys):
    code = main(["actuals", str(plan), str(plan.parent / "focus_ai_tokens.csv"), str(plan.parent / "focus_infra.csv"),
                 "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads(out.out)
    for key in ("imported_total", "mapped_total", "unmapped_total", "unmapped", "monthly", "lines", "forecast_total"):
        assert key in doc
    assert (doc["imported_total"], doc["mapped_total"], doc["unmapped_total"]) == (710.45, 703.70, 6.75)
    assert set(doc["monthly"]) >= {"plan", "actual", "variance"}
    assert doc["forecast_total"] == doc["forecast"]["total"]
    assert sum(doc["forecast"]["monthly"]) == pytest.approx(doc["forecast_total"])
    fine_tune = next(ln for ln in doc["lines"] if ln["name"] == "Fine-tune")
    assert fine_tune["actual"] == 550.40 and fine_tune["usage"][0]["actual"] == 80.0


def test_store_keeps_imports_and_reimport_does_not_double(plan, capsys):
    export = str(plan.parent / "focus_infra.csv")
    assert main(["actuals", str(plan), export, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (plan.parent / "plan.yaml.actuals.duckdb").exists()
    assert main(["actuals", str(plan), export, "--json"]) == 0  # the same file again
    again = json.loads(capsys.readouterr().out)
    assert again["imported_total"] == first["imported_total"] == 604.70
    assert main(["actuals", str(plan), "--json"]) == 0  # no exports: what the store holds
    assert json.loads(capsys.readouterr().out)["imported_total"] == 604.70
    assert main(["actuals", str(plan), "--forget", "focus_infra.csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported_total"] == 0


def test_cost_billed_and_csv(plan, tmp_path, capsys):
    out_csv = tmp_path / "variance.csv"
    code = main(["actuals", str(plan), str(plan.parent / "focus_ai_tokens.csv"), "--cost", "billed", "--no-store",
                 "--csv", str(out_csv)])
    text = capsys.readouterr().out
    assert code == 0
    assert "Imported  $218.25  = mapped $117.50 + unmapped $100.75" in text and f"wrote {out_csv}" in text
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert {r["line"] for r in rows} >= {"Answer generation", "Unmapped", "Total"}
    assert not (plan.parent / "plan.yaml.actuals.duckdb").exists()  # --no-store


def test_not_an_export_exits_2_with_file_and_line(plan, capsys):
    bad = plan.parent / "not_an_export.csv"
    assert main(["actuals", str(plan), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:1: not a known cost export: the header has date, description, amount")


def test_currency_rate_from_the_command_line(tmp_path, capsys):
    plan = tmp_path / "eur.yaml"
    plan.write_text("format: aicost-plan/1\ncurrency: EUR\nfx_rate: 0.9\nstart: 2027-01\nmonths: 3\n"
                    "mlops:\n  - {name: Logs, kind: log_ingest_gb, quantity: 10}\n")
    export = str(DATA / "focus_infra.csv")
    assert main(["actuals", str(plan), export, "--no-store"]) == 2
    assert "give a dated rate" in capsys.readouterr().err
    assert main(["actuals", str(plan), export, "--no-store", "--rate", "USD=0.9@2027-03-31", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["imported_total"] == 544.23 and doc["rates"] == [{"from": "USD", "rate": 0.9, "as_of": "2027-03-31"}]
    assert main(["actuals", str(plan), export, "--no-store", "--rate", "USD=0.9"]) == 2
    assert "expected CUR=RATE@DATE" in capsys.readouterr().err


def test_sources_from_the_plan(plan, capsys):
    text = plan.read_text().replace("actuals:\n", "actuals:\n  sources: [focus_infra.csv]\n")
    plan.write_text(text)
    assert main(["actuals", str(plan), "--json", "--no-store"]) == 0
    assert json.loads(capsys.readouterr().out)["imported_total"] == 604.70


# -- FOCUS forecast rows ------------------------------------------------------------------------


def test_focus_rows_add_up_to_the_report_total():
    plan = planfile.load(SUPPORT)
    proj = engine.project(plan)
    rows = focus_rows(proj)
    total = report_data(proj)["total"]
    cents = sum(round(float(r["BilledCost"]) * 100) for r in rows)
    assert cents == round(total * 100)
    assert all(r["ChargeCategory"] == "Usage" and r["x_AicostRecordType"] == "Forecast" for r in rows)
    assert all(set(r) == set(COLUMNS) for r in rows)
    nonzero = sum(1 for li in proj.line_items for v in li.monthly if round(v * 100) != 0)
    assert len(rows) == nonzero  # one row per line and month with a cost


def test_focus_file_imports_back_as_focus(tmp_path, capsys):
    out = tmp_path / "forecast.csv"
    assert main(["focus", str(SUPPORT), str(out)]) == 0
    assert "forecast rows" in capsys.readouterr().out
    with ActualsStore() as store:
        (imported,) = store.import_files([str(out)])
        assert imported.record.kind == "focus" and imported.record.refused_effective == 0
        total = store.con.execute("SELECT sum(effective) FROM groups").fetchone()[0]
    assert float(total) == report_data(engine.project(planfile.load(SUPPORT)))["total"]
    header = out.read_text().splitlines()[0].split(",")
    assert header[:4] == ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost"]
    assert [c for c in header if c.startswith("x_")] == ["x_AicostRecordType", "x_AicostPlan", "x_AicostLineKeyPath",
                                                         "x_AicostCategory", "x_AicostScenario"]
