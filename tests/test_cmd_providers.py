"""`aicost providers`: text, JSON keyed by provider id that matches `aicost report`, exit codes."""
import json

import pytest

from gui import cli
from tests.conftest import EXAMPLES


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_json_home_column_is_the_report_total_to_the_cent(capsys, example):
    path = str(EXAMPLES / example)
    code, out, err = run(["providers", path, "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    code, rep, err = run(["report", path, "--json"], capsys)
    assert code == 0, err
    report = json.loads(rep)
    assert doc["as_planned_total"] == report["total"]
    assert {"aws", "gcp", "azure", "lambda", "nebius", "runpod", "coreweave"} <= set(doc["providers"])
    for pid, p in doc["providers"].items():
        shown = [r["total"] for r in p["lines"] if r["total"] is not None]
        assert round(sum(shown), 2) == p["priced_total"], pid  # a total is the sum of its shown parts
        assert p["gaps"] == sum(r["total"] is None for r in p["lines"])
        assert (p["total"] is None) == (p["gaps"] > 0)  # an incomplete provider has no total, never a $0 line
        for r in p["lines"]:
            assert (r["total"] is None) == (r["gap"] is not None)


def test_text_lists_providers_and_the_placement(capsys):
    code, out, err = run(["providers", str(EXAMPLES / "vision-inhouse.yaml")], capsys)
    assert code == 0, err
    assert "coreweave" in out and "GAP" in out and "Cheapest placement" in out
    assert "transfer Raw line-camera images" in out


def test_only_the_providers_asked(capsys):
    code, out, err = run(["providers", str(EXAMPLES / "support-assistant.yaml"), "--provider", "aws",
                          "--provider", "google", "--json"], capsys)
    assert code == 0, err
    assert list(json.loads(out)["providers"]) == ["aws", "gcp"]


def test_unknown_provider_and_missing_file_exit_2(capsys, tmp_path):
    code, out, err = run(["providers", str(EXAMPLES / "support-assistant.yaml"), "--provider", "awz"], capsys)
    assert code == 2 and "unknown provider 'awz'" in err and "aws" in err
    code, out, err = run(["providers", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2 and "no such file" in err
