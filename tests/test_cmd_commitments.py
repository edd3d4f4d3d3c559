"""`aicost commitments` (text and JSON, bad offers file) and `aicost report --xlsx`."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from gui import cli

PLAN = """\
format: aicost-plan/1
name: Steady serving
start: 2027-01
months: 36
provider: aws
compute:
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: 2}
"""


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN)
    return path


def test_text_recommends_and_shows_cash_beside_amortised(plan, capsys):
    assert cli.main(["commitments", str(plan)]) == 0
    out = capsys.readouterr().out
    # 2 L4 GPUs all 36 months: the 3-year all-upfront Standard RI of g6.xlarge, both GPUs from the first month
    assert "Recommended: 2 GPUs of aws g6.xlarge standard reserved instance 3y all upfront from 2027-01" in out
    assert "Cash vs amortised" in out and "gap: aws.savings_plan.ec2_instance.1y" in out


def test_json_document(plan, capsys):
    assert cli.main(["commitments", str(plan), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    pool = doc["pools"][0]
    assert (pool["gpu"], pool["provider"], pool["recommended"]) == ("L4", "aws",
                                                                    "aws.g6.xlarge.ri_standard.3y.all_upfront")
    best = pool["offers"][0]
    assert best["gpus"] == 2 and best["utilisation"] == 1.0
    # the amortised cents add up to the one upfront payment (largest remainder): 36 months of 469.38 or 469.39
    assert round(sum(best["amortised"]), 2) == best["cash"][0] and set(best["amortised"]) == {469.38, 469.39}
    assert best["cash"][1:] == [0.0] * 35 and len(best["amortised"]) == 36


def test_bad_offers_file_is_a_located_error(plan, tmp_path, capsys):
    bad = tmp_path / "offers.yaml"
    bad.write_text("offers:\n  x: {provider: aws}\n")
    assert cli.main(["commitments", str(plan), "--offers", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: offers.x.kind: missing kind" in err


def test_report_writes_the_workbook(plan, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert cli.main(["report", str(plan), "--xlsx", str(out), "--fiscal-year-start", "7"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Inputs", "Monthly", "Summary", "Scenarios", "Drivers", "Notes"]
    assert wb["Summary"].cell(2, 2).value == "FY2027 (2027-01..2027-06, 6 months)"
