"""`aicost savings` and `aicost breakeven`: text, JSON that adds up to the cent, exit codes."""
import json
import textwrap

import pytest

from gui import cli
from tests.conftest import EXAMPLES

SUPPORT = str(EXAMPLES / "support-assistant.yaml")


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def cents(x):
    return round(x * 100)


def test_savings_text(capsys):
    code, out, err = run(["savings", SUPPORT], capsys)
    assert code == 0, err
    assert "Frugal" in out and "Self-host answers" in out
    for name in ("api_cache", "batch_api", "model_switch", "self_host"):
        assert name in out
    assert "Shapley" in out


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_savings_json_adds_up_to_the_cent(capsys, example):
    code, out, err = run(["savings", str(EXAMPLES / example), "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"name", "currency", "months", "baseline_total", "scenarios"}
    assert d["scenarios"]
    for s in d["scenarios"]:
        assert set(s) >= {"name", "baseline_total", "scenario_total", "saving_total", "saving_share",
                          "saving_monthly", "method", "attribution", "notes"}
        assert cents(s["baseline_total"]) - cents(s["scenario_total"]) == cents(s["saving_total"])
        assert sum(cents(x) for x in s["saving_monthly"]) == cents(s["saving_total"])
        assert sum(cents(a["total"]) for a in s["attribution"]) == cents(s["saving_total"])
        for m, month_saving in enumerate(s["saving_monthly"]):
            assert sum(cents(a["monthly"][m]) for a in s["attribution"]) == cents(month_saving)
        for a in s["attribution"]:
            assert sum(cents(x) for x in a["monthly"]) == cents(a["total"])
        assert len(s["saving_monthly"]) == len(d["months"])


def test_savings_of_a_plan_without_scenarios(tmp_path, capsys):
    p = tmp_path / "p.yaml"
    p.write_text("format: aicost-plan/1\nname: Empty\nstart: 2027-01\nmonths: 3\n", encoding="utf-8")
    code, out, _ = run(["savings", str(p)], capsys)
    assert code == 0 and "no scenarios" in out


def test_savings_bad_scenario_exits_2_with_the_key_path(tmp_path, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text(textwrap.dedent("""\
        format: aicost-plan/1
        name: Bad
        start: 2027-01
        months: 3
        people:
          - {name: Toil, hours_per_month: 10, hourly_rate: 100}
        scenarios:
          - name: Oops
            strategies:
              annotation_reduction: {share: 40%}
        """), encoding="utf-8")
    code, out, err = run(["savings", str(p)], capsys)
    assert code == 2
    assert "scenarios[0].strategies.annotation_reduction" in err and "changes nothing" in err
    assert "Traceback" not in err


BE_PLAN = textwrap.dedent("""\
    format: aicost-plan/1
    name: Hand
    start: 2027-01
    months: 12
    provider: aws
    services:
      apis:
        - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 1M, input_tokens: 0, output_tokens: 100}
    prices:
      api.openai.gpt-4o.input: 0
      api.openai.gpt-4o.output: 10
      gpu.L4.aws.on_demand: 1.44
    scenarios:
      - name: Own
        strategies:
          self_host: {api: Answers, gpu: L4, tokens_per_second_per_gpu: 100, utilization: 50%}
    """)


def test_breakeven_json(tmp_path, capsys):
    p = tmp_path / "be.yaml"
    p.write_text(BE_PLAN, encoding="utf-8")
    code, out, err = run(["breakeven", str(p), "--api", "Answers", "--gpu", "L4", "--tokens-per-second", "100",
                          "--utilization", "50%", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    # $0.001 a request; one L4 $1.44 x 730 = $1,051.20 a month serves 1,314,000 requests
    assert d["cost_per_request"] == pytest.approx(0.001)
    assert d["gpu_month"] == 1051.2
    assert d["requests_per_gpu"] == pytest.approx(1_314_000)
    assert d["breakeven_volume"] == pytest.approx(1_051_200)
    assert d["stays_cheaper_from"] == pytest.approx(4_204_800)
    g = d["grid"]
    assert len(g["volumes"]) == len(g["api_cost"]) == len(g["self_hosted_cost"]) == len(g["gpus"])


def test_breakeven_takes_defaults_from_the_self_host_scenario(tmp_path, capsys):
    p = tmp_path / "be.yaml"
    p.write_text(BE_PLAN, encoding="utf-8")
    code, out, err = run(["breakeven", str(p), "--api", "Answers"], capsys)
    assert code == 0, err
    assert "1,051,200 requests a month" in out and "4,204,800" in out


def test_breakeven_text_on_the_example(capsys):
    code, out, err = run(["breakeven", SUPPORT, "--api", "Answer generation"], capsys)
    assert code == 0, err
    assert "Break-even volume" in out and "L40S" in out


@pytest.mark.parametrize("args, words", [
    (["--api", "Answer generatio", "--gpu", "L4", "--tokens-per-second", "100"], "did you mean 'Answer generation'"),
    (["--api", "Ticket embeddings", "--gpu", "L4"], "--tokens-per-second"),
    (["--api", "Ticket embeddings", "--gpu", "L4", "--tokens-per-second", "fast"], "--tokens-per-second: found 'fast'"),
    (["--api", "Ticket embeddings", "--gpu", "L4", "--tokens-per-second", "10", "--utilization", "150%"],
     "--utilization"),
    (["--api", "Ticket embeddings", "--gpu", "Z9", "--tokens-per-second", "10"], "unknown GPU 'Z9'"),
])
def test_breakeven_bad_input_exits_2(capsys, args, words):
    code, out, err = run(["breakeven", SUPPORT, *args], capsys)
    assert code == 2
    assert words in err and "Traceback" not in err
