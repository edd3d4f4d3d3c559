"""Hostile input: random YAML trees, random bytes and mutated example plans give a plan or a clear error."""
import copy
import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import planfile
from pricing.errors import PlanError
from pricing.plan import Plan

from tests.conftest import EXAMPLES
from pricing.load import load_checked, loads_checked

KEYS = planfile.TOP_KEYS + [k for ks in planfile.GROUP_KEYS.values() for k in ks] + sorted(
    {k for _, fields in planfile.LIST_SECTIONS.values() for k in fields}) + ["low", "likely", "high", "after_days"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2M", "35%", "7B", "1e400", "-1", "nan", "H100", "aws", "gpt-4o", "2027-13", "2027-01",
                     "on_demand", "spot", "± 5", "3 ± 200%", "../../etc/passwd", "prompts/x.txt"]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=6))
trees = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)), max_leaves=25)


def outcome(text: str):
    """A plan or a PlanError with located problems; anything else fails the test."""
    try:
        plan = loads_checked(text, file="fuzz.yaml")
    except PlanError as exc:
        assert exc.problems, "an error must say what is wrong"
        for p in exc.problems:
            assert p.message and p.file == "fuzz.yaml"
        return exc
    assert isinstance(plan, Plan)
    return plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=8))
def test_random_yaml_trees(tree):
    outcome(yaml.safe_dump(tree, allow_unicode=True))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "plan.yaml"
    path.write_bytes(data)
    try:
        load_checked(path)
    except PlanError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


EXAMPLE_DATA = {p.name: yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EXAMPLE_DATA)), st.integers(min_value=0, max_value=10**6), scalars,
       st.sampled_from(["replace", "delete", "wrap", "rename"]))
def test_mutated_examples(name, pick, value, how):
    data = copy.deepcopy(EXAMPLE_DATA[name])
    paths = [p for p in _paths(data) if p]
    path = paths[pick % len(paths)]
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "wrap":
        parent[last] = [parent[last]]
    elif isinstance(parent, dict):
        parent[str(value) + "_x"] = parent.pop(last)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    result = outcome(text.replace("prompts/support-answer.txt", "Inline prompt text for the fuzzer."))
    if isinstance(result, Plan):
        from pricing import engine
        proj = engine.project(result)
        assert (proj.matrix >= 0).all()


def test_limits_are_refused_fast():
    import time
    t0 = time.perf_counter()
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefghijklmnopqrst", "bcdefghijklmnopqrstu"))
    assert "aliases" in str(outcome(bomb))
    deep = "x: " + "[" * 5000 + "]" * 5000
    assert "nested deeper" in str(outcome(deep)) or "not valid YAML" in str(outcome(deep))
    wide = "name: x\nstuff: [" + ", ".join("1" for _ in range(250_000)) + "]\n"
    assert isinstance(outcome(wide), PlanError)
    huge = "months: 1e308\n"
    assert "at most 240" in str(outcome(huge)) or "whole number" in str(outcome(huge))
    assert time.perf_counter() - t0 < 30      # generous: the point is "not exponential"


def test_seeded_random_mutations_are_reproducible():
    rng = random.Random(7)
    for _ in range(50):
        name = rng.choice(sorted(EXAMPLE_DATA))
        text = yaml.safe_dump(EXAMPLE_DATA[name], sort_keys=False)
        lines = text.splitlines()
        i = rng.randrange(len(lines))
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]            # truncate a line
        outcome("\n".join(lines).replace("prompts/support-answer.txt", "inline"))
