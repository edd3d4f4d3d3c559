"""Plan YAML built from libyaml's events gives what PyYAML's own composer and constructors give.

The reference below is the reader as it was before: PyYAML's pure-Python ``SafeLoader`` composes the
nodes and each scalar is constructed by the loader itself. The event-based builder must agree with it
on values (types included), the line of every key path, the key order and the problems found, on the
example plans, on generated plans and on generated YAML documents of every shape.
"""
import datetime as dt
import glob

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.errors import PlanFileError, Problem
from pricing.planfile.yamltree import _parse_yaml, scalar_value
from tests.conftest import EXAMPLES
from tests.plangen import plan_text


def _reference(text: str, file: str | None = "f.yaml"):
    """(value, lines, key order, problems) the way the node-based reader built them, from PyYAML's composer."""
    lines, problems, order = {}, [], {}
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None

    def build(node, path):
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out, keys = {}, []
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    problems.append(Problem("a key must be plain text", path, k.start_mark.line + 1, file))
                    continue
                key = str(loader.construct_scalar(k))
                if key == "<<":
                    raise PlanFileError(Problem("YAML merge keys (<<) are not supported in plan files",
                                                path, k.start_mark.line + 1, file))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    problems.append(Problem(f"key {key!r} appears twice", sub, k.start_mark.line + 1, file))
                    continue
                lines[sub] = k.start_mark.line + 1
                out[key] = build(v, sub)
                keys.append(key)
            order[path] = tuple(keys)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
        # a scalar as issue 17 reads it: a tag no plan value has is a located problem, a value its tag can't hold
        # (!!bool maybe, 2027-02-30) stays text
        value, problem = scalar_value(node, lambda n: loader.construct_object(n, deep=False))
        if problem:
            problems.append(Problem(problem, path, node.start_mark.line + 1, file))
        return value

    value = build(node, "")
    return value, lines, order, problems


def _typed(value):
    """The value with each scalar's type next to it (1 == 1.0 == True in Python: types must agree too)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _ours(text: str):
    value, tree = _parse_yaml(text, "f.yaml")
    return value, tree.lines, tree.key_order, tree.problems


def _same(text: str) -> None:
    ref = _reference(text)
    got = _ours(text)
    assert _typed(got[0]) == _typed(ref[0])
    assert got[1:] == ref[1:]
    assert list(got[2]) == list(ref[2])  # the same insertion order too (the writer keeps the user's order)


@pytest.mark.parametrize("path", sorted(glob.glob(str(EXAMPLES / "*.yaml"))))
def test_examples_read_the_same(path):
    with open(path, encoding="utf-8") as fh:
        _same(fh.read())


@pytest.mark.parametrize("lines,seed", [(40, 0), (150, 3)])
def test_generated_plans_read_the_same(lines, seed):
    _same(plan_text(lines, seed))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\nb: [1, {c: 3, c: 4}]\n",                              # duplicate keys, nested too
    "? [a, b]\n: 1\nc: 2\n? {x: 1}\n: [deep, [er]]\nd: 3\n",           # keys that are not text, skipped with values
    "a: 2027-02-30\nb: 2027-01-05\nc: 2027-01\nd: 1_000\ne: 0x1F\nf: 1e3\ng: .inf\nh: ~\ni: yes\nj: 'yes'\n",
    "a: !!str 12\nb: !!float 3\nc: !!int '7'\nd: !!set {x, y}\ne: !!omap [{k: v}]\n",
    "a: &anchor 1\nb: 2\n",                                            # an anchor alone is harmless
    "- 1\n- [a, b]\n- {c: d}\n",                                      # a list at the top
    "plain\n", "'quoted'\n", "---\n", "---\na: 1\n...\n",
    "a:\n  b:\n    c:\n      - d: 1\n        e: [1, 2, {f: g}]\n",
    "k: |\n  two\n  lines\nm: >\n  folded\n  text\n",
    "1: one\ntrue: yes\nnull: nothing\n3.5: x\n",                     # keys that resolve to other types
])
def test_odd_documents_read_the_same(text):
    _same(text)


@pytest.mark.parametrize("text, tag", [
    ("a: !foo 1\n", "'!foo'"), ("a: !!python/object:os.system 1\n", "'!!python/object:os.system'"),
    ("a: !!binary aGVsbG8=\n", "'!!binary'"),
])
def test_a_tag_no_plan_value_has_is_a_located_problem(text, tag):
    """Issue 17: was a YAML error without a line (or, for !!binary, the value b'hello')."""
    problem = Problem(f"the YAML tag {tag} is not supported in plan files; write the value without it", "a", 1,
                      "f.yaml")
    assert _ours(text)[3] == [problem]
    _same(text)


@pytest.mark.parametrize("text,message", [
    ("a: 1\n---\nb: 2\n", "f.yaml:2: not valid YAML: but found another document"),
    ("<<: {a: 1}\n", "f.yaml:1: YAML merge keys (<<) are not supported in plan files"),
    ("a: {b: {<<: {c: 1}}}\n", "f.yaml:1: a.b: YAML merge keys (<<) are not supported in plan files"),
    ("", "f.yaml:1: the file is empty"), ("# only a comment\n", "f.yaml:1: the file is empty"),
])
def test_refusals_say_the_same(text, message):
    with pytest.raises(PlanFileError) as exc:
        _ours(text)
    assert str(exc.value).startswith(message)
    if "empty" in message:
        assert _reference(text) is None  # PyYAML found no document either
        return
    with pytest.raises(yaml.YAMLError if "YAML merge" not in message else PlanFileError) as ref:
        _reference(text)
    if isinstance(ref.value, PlanFileError):
        assert str(ref.value) == str(exc.value)


_SCALARS = st.one_of(
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, width=64), st.booleans(), st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["2027-01", "1e3", "0x1F", "yes", "no", "~", "1_000", "12%", "3.5M", "± 20%", "", " padded ",
                     "a: b", "- item", "#hash", "quote'd", 'dq"x', "multi\nline", "ünïcödé", "1.2M ± 30%"]),
    st.text(max_size=12),
)
_KEYS = st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(["name", "gpus", "1", "true", "null", "x y"]))
_DOCS = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_DOCS, flow=st.sampled_from([None, True, False]), width=st.sampled_from([20, 80, 10**6]))
def test_any_document_reads_the_same(doc, flow, width):
    text = yaml.safe_dump(doc, default_flow_style=flow, width=width, allow_unicode=True, sort_keys=False)
    _same(text)
