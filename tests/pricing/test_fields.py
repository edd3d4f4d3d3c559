"""The field schema: consistent with the plan's dataclasses, one set of limits for file and readers, docs in sync."""
import dataclasses
import math

import pytest
import yaml

from pricing import fields, planfile, uncertainty
from pricing import plan as P
from pricing.context import HOURS_PER_MONTH
from pricing.errors import PlanError, PlanFileError
from pricing.fields import COMPUTED, Kind, units
from pricing.fields import doc as fields_doc
from pricing.quantities import format_share, parse_number, parse_share
from pricing.scenarios import STRATEGIES

# ---------------------------------------------------------------------------------------------
# The schema and the dataclasses agree
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalog():
    from pricing.catalog import Catalog
    return Catalog.load()


# fx_range: the range of fx_rate (a range, like a line's ranges); priced_with: the price record
STRUCTURE = {"compute", "data", "services", "annotation", "mlops", "people", "commitments", "prices", "scenarios",
             "actuals", "key_order", "fx_range", "priced_with"}
"""Plan attributes that are sections or file structure, not settings."""


def _dataclass_fields(section):
    names = {f.name for f in dataclasses.fields(section.cls)} - {"ranges"}
    return names - STRUCTURE if section.cls is P.Plan else names


@pytest.mark.parametrize("section", fields.ALL_SECTIONS, ids=lambda s: s.path or "plan")
def test_every_dataclass_field_has_one_spec_and_every_spec_a_field(section):
    keys = section.keys()
    assert len(keys) == len(set(keys)), keys
    assert set(keys) == _dataclass_fields(section)


@pytest.mark.parametrize("section", fields.ALL_SECTIONS, ids=lambda s: s.path or "plan")
def test_defaults_match_the_dataclass(section):
    by_name = {f.name: f for f in dataclasses.fields(section.cls)}
    for spec in section.fields:
        f = by_name[spec.key]
        if spec.required:   # no default: the file must give it
            assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, spec.key
            continue
        default = fields.dataclass_default(section.cls, spec.key)
        assert spec.default == default or (spec.default is COMPUTED and default is COMPUTED), spec.key
        # a field that may be empty says what empty means; one that says so may be empty
        assert (default is None or default == ()) == spec.optional, spec.key


def test_lifecycle_rule_fields_match_the_dataclass():
    assert [f.key for f in fields.RULE_FIELDS] == [f.name for f in dataclasses.fields(P.LifecycleRule)]


def test_every_strategy_has_its_parameters_in_the_schema():
    assert set(fields.STRATEGY_PARAMS) == set(STRATEGIES)
    for name, info in STRATEGIES.items():
        assert info.params is fields.strategy_params(name)
        keys = [p.key for p in info.params]
        assert len(keys) == len(set(keys)) and keys[-1] == "lines", name


def test_numeric_keys_mean_the_same_in_every_section():
    """A key's rules are the same wherever it appears, so key-level views (INTEGER_KEYS, by_key) are sound.

    A commitment's ``gpus`` is bought, not estimated: the same kind, unit and limits as a run's, but no range
    and no default (the key-level views read rangeable keys only from the sections whose lines are sampled)."""
    seen = {}
    for section in fields.SECTIONS:
        for f in section.fields:
            if not f.numeric:
                continue
            sampled = section.path != "commitments"
            rules = (f.kind, f.unit, f.limits) + ((f.rangeable, f.default if not f.required else "required")
                                                  if sampled else ())
            if f.key in seen:
                assert seen[f.key][1][:len(rules)] == rules, (f.key, section.path, seen[f.key][0])
            if sampled or f.key not in seen:
                seen[f.key] = (section.path, rules)
    commit = fields.field("commitments", "gpus")
    assert not commit.rangeable and commit.required and fields.INTEGER_KEYS == uncertainty._INTEGER


def _all_specs():
    for section in fields.ALL_SECTIONS:
        for f in section.fields:
            yield f"{section.path or 'plan'}.{f.key}", f
    for name, params in fields.STRATEGY_PARAMS.items():
        for p in params:
            yield f"strategy.{name}.{p.key}", p


@pytest.mark.parametrize("where, spec", list(_all_specs()), ids=lambda x: x if isinstance(x, str) else "")
def test_each_spec_is_complete_and_its_limits_consistent(where, spec):
    assert spec.label and spec.help, where
    if spec.numeric:
        assert spec.unit is not None, where
        assert spec.maximum is not None and math.isfinite(spec.maximum), where   # one consistent set, no open end
        low = spec.limits.minimum if spec.limits.minimum is not None else -math.inf
        if spec.typical is not None:
            assert low <= spec.typical.low <= spec.typical.high <= spec.maximum, where
        if isinstance(spec.default, (int, float)) and not isinstance(spec.default, bool):
            assert spec.read(spec.default) == spec.default, where        # the default passes its own limits
    if spec.rangeable:
        assert spec.kind in (Kind.AMOUNT, Kind.INTEGER, Kind.SHARE), where
    if spec.kind is Kind.ENUM:
        assert spec.choices, where
        if spec.default is not None:
            assert spec.choice(spec.default) is not None, where


def test_the_old_tables_are_views_of_the_schema():
    # the keys that took ranges, integers and shares before the schema, kept; runs became a whole number
    assert set(planfile.RANGEABLE) == {
        "gpus", "hours", "params", "tokens", "mfu", "runs", "interruption_overhead", "requests_per_month",
        "input_tokens", "output_tokens", "tokens_per_second_per_gpu", "utilization", "growth", "min_gpus", "people",
        "hours_per_week", "idle_share", "gpus_per_instance", "size_tb", "growth_tb_per_month", "compression",
        "tb_per_month", "cached_input_share", "response_cache_hit_rate", "items", "price_per_item", "review_passes",
        "quantity", "unit_price", "hours_per_month", "hourly_rate",
        # issue 15: cache writes, batch and off-peak shares of API lines; people as headcount x FTE x annual cost
        "cache_write_share", "batch_share", "off_peak_share", "headcount", "fte", "annual_cost", "workers_per_item",
        # issues 14 and 15: serving's busy hour, mixture-of-experts active parameters, training goodput
        "peak_to_average", "active_params", "goodput"}
    assert set(planfile.INTEGER_FIELDS) == {"gpus", "min_gpus", "people", "gpus_per_instance", "runs", "headcount",
                                            "workers_per_item"}
    assert set(planfile._SHARE_FIELDS) == {"mfu", "utilization", "growth", "idle_share", "compression", "markup",
                                           "cached_input_share", "response_cache_hit_rate", "interruption_overhead",
                                           "cache_write_share", "batch_share", "off_peak_share", "fte", "upfront_share",
                                           "goodput"}
    assert uncertainty._INTEGER == fields.INTEGER_KEYS


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


def test_units_convert_within_a_dimension_only():
    gb_month = units.Unit("GB/month", units.GB, (units.MONTH,))
    assert units.TB_PER_MONTH.factor_to(gb_month) == pytest.approx(1000.0)     # 1 TB/month = 1,000 GB/month
    assert gb_month.factor_to(units.TB_PER_MONTH) == pytest.approx(0.001)      # "100 GB" in a TB field: 0.1
    per_week = units.HOURS_PER_WEEK.factor_to(units.HOURS_PER_MONTH_UNIT)
    assert per_week == pytest.approx(730 / 168)                                # 1 h/week = 730/168 h/month
    per_minute = units.Unit("{cur}/min", units.CUR, (units.Term("min", units.Dimension.TIME, 1 / 60),))
    assert per_minute.factor_to(units.MONEY_PER_HOUR) == pytest.approx(60.0)  # $2.5/min = $150/h
    with pytest.raises(ValueError):
        units.TERABYTES.factor_to(units.HOURS)
    with pytest.raises(ValueError):
        units.GPUS.factor_to(units.ITEMS)                                       # counts of different things
    with pytest.raises(ValueError):
        units.CUR_PER_USD.factor_to(units.Unit("USD", units.USD))               # plan currency is not USD


def test_the_schemas_month_is_the_engines():
    assert units.MONTH.scale == HOURS_PER_MONTH


def test_every_numeric_field_names_its_dimension():
    spec = fields.field("data.storage", "growth_tb_per_month")
    assert (spec.unit.dimension, spec.unit.is_rate, spec.unit.text) == (units.Dimension.DATA, True, "TB/month")
    assert fields.field("people", "hourly_rate").unit.display("EUR") == "EUR/h"
    assert fields.field("compute.inference", "utilization").unit.dimension is units.Dimension.SHARE
    assert fields.field("compute.training", "every").unit.dimension is units.Dimension.TIME
    assert fields.field("compute.training", "month").unit.dimension is units.Dimension.MONTH


# ---------------------------------------------------------------------------------------------
# One reader, one set of limits
# ---------------------------------------------------------------------------------------------

HEAD = "format: aicost-plan/1\nname: Limits\nstart: 2027-01\nmonths: 240\nprovider: aws\n"
MINIMAL = {
    "compute.training": {"name": "X", "gpu": "H100-80GB", "hours": 10},
    "compute.fine_tuning": {"name": "X", "gpu": "H100-80GB", "hours": 10},
    "compute.inference": {"name": "X", "gpu": "L4", "requests_per_month": 1000},
    "compute.exploration": {"name": "X", "gpu": "A10G"},
    "data.storage": {"name": "X"},
    "data.egress": {"name": "X", "tb_per_month": 1},
    "services.platform": {"name": "sagemaker"},
    "services.apis": {"name": "X", "provider": "openai", "model": "gpt-4o", "requests_per_month": 1000},
    "annotation": {"name": "X", "task": "bounding_box", "items": 100},
    "mlops": {"name": "X", "kind": "k8s_control_plane"},
    "people": {"name": "X", "hours_per_month": 10, "hourly_rate": 50},
    "commitments": {"name": "X", "offer": "aws.g6.xlarge.ri_standard.1y.none_upfront", "gpus": 1},
}
"""A valid line of each section, to which one field under test is added."""


def exact_text(spec, x: float) -> str:
    """``x`` as a user would type it, reading back to exactly ``x``: ``100%``, ``1M``, ``72.72``."""
    if spec.share:
        return format_share(x)
    for suffix, mult in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= mult:
            text = f"{x / mult:.12g}{suffix}"
            if parse_number(text, minimum=None) == x:
                return text
    return f"{x:.15g}" if parse_number(f"{x:.15g}", minimum=None) == x else repr(x)


def plan_text(path: str, key: str, text: str) -> str:
    """A plan whose line of ``path`` (or whose settings) give ``key: text``."""
    if path == "":
        cur = "currency: JPY\n" if key == "fx_rate" else ""  # a USD plan refuses any rate but 1
        tail = "months: 240\n" if key != "months" else ""
        return HEAD.replace("months: 240\n", "") + cur + f"{key}: {text}\n" + tail
    line = dict(MINIMAL[path])
    if key in ("params", "active_params", "tokens", "mfu") and "hours" in line:  # a run derives its hours from these
        line.pop("hours")
        line.update({"params": "8B", "tokens": "20B", "mfu": "40%"})
    if path == "people" and key in ("headcount", "fte", "annual_cost"):  # the budgeted form of a people line
        line = {"name": "X", "annual_cost": 100_000}
    line[key] = "@"
    body = yaml.safe_dump(line, default_flow_style=True, width=1000).strip().replace("'@'", text)
    head, _, tail = path.partition(".")
    if not tail:
        return HEAD + f"{head}:\n  - {body}\n"
    if tail == "platform":
        return HEAD + f"services:\n  platform: {body}\n"
    return HEAD + f"{head}:\n  {tail}:\n    - {body}\n"


def key_path(path: str, key: str) -> str:
    if path == "":
        return key
    return f"{path}.{key}" if path == "services.platform" else f"{path}[0].{key}"


def file_problem(text: str, where: str) -> str | None:
    """The plan reader's message at ``where`` (None when the file loads)."""
    try:
        planfile.loads(text, file="limits.yaml")
    except PlanFileError as exc:
        found = [p.message for p in exc.problems if p.key_path == where]
        assert found, exc.problems
        return found[0]
    return None


NUMERIC = [(s.path, f) for s in fields.ALL_SECTIONS for f in s.fields if f.numeric]


@pytest.mark.parametrize("path, spec", NUMERIC, ids=[f"{p or 'plan'}.{f.key}" for p, f in NUMERIC])
def test_the_file_and_the_schema_refuse_the_same_values_with_the_same_words(path, spec):
    top = exact_text(spec, spec.maximum)
    assert file_problem(plan_text(path, spec.key, top), key_path(path, spec.key)) is None   # the maximum loads
    over = exact_text(spec, spec.maximum * 1.01)
    with pytest.raises(PlanError) as refused:
        spec.read(over)                             # what an editor runs on the text typed
    message = file_problem(plan_text(path, spec.key, over), key_path(path, spec.key))
    assert message == refused.value.problems[0].message
    assert "at most" in message


@pytest.mark.parametrize("key, value, message", [
    ("gpus_per_instance", "128", "found 128, expected a number of at most 72"),
    ("people", "200000", "found 200000, expected a number of at most 100k"),
])
def test_values_past_the_limit_are_refused_in_the_file_as_in_the_editor(key, value, message):
    assert file_problem(plan_text("compute.exploration", key, value), f"compute.exploration[0].{key}") == message
    with pytest.raises(PlanError, match=message):
        fields.field("compute.exploration", key).read(value)


def test_runs_are_whole_numbers_now():
    assert "expected a whole number" in file_problem(plan_text("compute.training", "runs", "1.5"),
                                                     "compute.training[0].runs")


def test_strategy_parameters_share_the_plan_fields_rules():
    line = fields.field("compute.inference", "utilization")
    param = fields.strategy_param("self_host", "utilization")
    assert (param.kind, param.limits, param.unit) == (line.kind, line.limits, line.unit)
    assert param.read("60%") == 0.6 and param.default == 0.6
    with pytest.raises(PlanError, match="above 0%"):
        param.read("0%")


# ---------------------------------------------------------------------------------------------
# Typical ranges: possible but unusual
# ---------------------------------------------------------------------------------------------


def test_values_far_outside_the_typical_range_are_flagged():
    per_instance = fields.field("compute.exploration", "gpus_per_instance")
    assert per_instance.unusual(8) is None
    assert per_instance.unusual(16) == ("16 is unusually high for GPUs per instance: typically 1 to 8 (ordinary "
                                        "cloud GPU machines hold 1 to 8 GPUs)")
    rate = fields.field("people", "hourly_rate")          # typical $10-$400 an hour
    assert rate.unusual(15_000) is not None               # $15,000 an hour
    # 15,000 yen an hour at 150 JPY per USD is $100: typical (the range is scaled by the exchange rate)
    assert rate.unusual(15_000, currency="JPY", fx_rate=150) is None
    assert "JPY" in rate.unusual(1_000_000, currency="JPY", fx_rate=150)


# ---------------------------------------------------------------------------------------------
# Labels and value texts come from the schema
# ---------------------------------------------------------------------------------------------


def test_tornado_labels_and_values_come_from_the_schema(catalog):
    from tests.conftest import EXAMPLES
    from pricing.load import load_checked
    from pricing.report import input_value
    for example in sorted(EXAMPLES.glob("*.yaml")):
        plan = load_checked(example, catalog)
        for inp in uncertainty.tornado_inputs(plan):
            line_path, _, key = inp.key_path.rpartition(".")
            section, _, index = line_path.rpartition("[")
            line = plan.section(section)[int(index[:-1])]
            spec = fields.field(section, key)
            assert inp.label == f"{line.name}: {spec.label_for(plan.currency)}"
            if spec.integer:     # whole numbers stay whole: 10 and 14 runs, not 9.6 and 14.4
                assert inp.low == int(inp.low) and inp.high == int(inp.high), inp
                assert "." not in input_value(inp.key_path, inp.low) + input_value(inp.key_path, inp.high)
    vision = load_checked(EXAMPLES / "vision-inhouse.yaml", catalog)
    labels = {i.key_path: i for i in uncertainty.tornado_inputs(vision)}
    growth = labels["data.storage[0].growth_tb_per_month"]
    assert growth.label == "Raw line-camera images: New data (TB/month)"
    sweep = labels["compute.training[1].runs"]      # 12 runs +-20%: 9.6..14.4 rounded to whole runs
    assert (sweep.low, sweep.likely, sweep.high) == (10, 12, 14)
    assert "compute.training[0].runs" not in labels  # 1 run +-20% rounds to 1..1: it can't swing


def test_monte_carlo_rounds_every_integer_field_of_the_schema():
    line = P.TrainingRun("T", "H100-80GB", gpus=8, hours=10.0, runs=2)
    import numpy as np
    sampled = uncertainty._sampled_line(line, {"runs": np.array([1.4, 2.6]), "hours": np.array([9.5, 10.5])})
    assert sampled.runs[:, 0].tolist() == [1.0, 3.0] and sampled.hours[:, 0].tolist() == [9.5, 10.5]


def test_report_texts_read_the_schema():
    from pricing import report_model as RM
    assert RM.SECTION_TITLES["services.apis"] == fields.section("services.apis").title == "Model APIs"
    values = {v.key: v for v in RM.line_values("compute.exploration",
                                               P.ExplorationPool("Pool", "A10G", people=4, idle_share=0.35), "EUR")}
    assert (values["people"].text, values["people"].label) == ("4", "People")
    assert (values["idle_share"].text, values["idle_share"].label) == ("35%", "Idle share")
    rates = {v.key: v for v in RM.line_values("people", P.PeopleLine("Ops", 10, 95.5), "EUR")}
    assert (rates["hourly_rate"].text, rates["hourly_rate"].label) == ("95.5", "Hourly rate (EUR/h)")


# ---------------------------------------------------------------------------------------------
# The docs' tables are the schema's
# ---------------------------------------------------------------------------------------------


def test_docs_field_tables_match_the_schema():
    for rel in fields_doc.DOCS:
        text = (fields_doc.root() / rel).read_text(encoding="utf-8")
        assert fields_doc.render(text) == text, (
            f"{rel}: its field tables disagree with the schema; regenerate them with `{fields_doc.REGENERATE}`")
    plan_format = (fields_doc.root() / "docs/plan-format.md").read_text(encoding="utf-8")
    for s in fields.ALL_SECTIONS:       # every section has its table (fine-tuning runs are training runs)
        if s.path == "compute.fine_tuning":
            assert s.fields == fields.section("compute.training").fields
            continue
        assert f"<!-- fields:{s.path or 'plan'} -->" in plan_format, s.path


def test_a_changed_schema_makes_the_doc_check_fail(monkeypatch, tmp_path):
    text = "intro\n<!-- fields:people -->\nold table\n<!-- /fields -->\nprose stays\n"
    rendered = fields_doc.render(text)
    assert rendered.startswith("intro\n<!-- fields:people -->\n| key | label |") and rendered.endswith("prose stays\n")
    assert "| `hourly_rate` | Hourly rate (currency/h) |" in rendered
    assert fields_doc.render(rendered) == rendered
    with pytest.raises(KeyError, match="no field table 'peoples'"):
        fields_doc.render(text.replace("fields:people", "fields:peoples"))
    # --check exits 1 (and says how to regenerate) when a doc is stale
    (tmp_path / "docs").mkdir()
    for rel in fields_doc.DOCS:
        (tmp_path / rel).write_text(text, encoding="utf-8")
    monkeypatch.setattr(fields_doc, "root", lambda: tmp_path)
    assert fields_doc.main(["--check"]) == 1
    assert fields_doc.main([]) == 0 and fields_doc.main(["--check"]) == 0


def test_share_reader_hints_at_a_percentage_typed_without_its_sign():
    with pytest.raises(PlanError, match="did you mean 35%"):
        parse_share("35")


def test_limits_that_compound_past_any_plan_are_a_problem_not_a_crash(catalog):
    """Each value within its limits, together absurd: 1000% a month for 240 months is 11^239 x the first month
    (~4e250 USD), which no presentation can round to cents. Reported on the growth, never a traceback."""
    from pricing import engine
    from pricing.load import loads_checked
    text = plan_text("data.egress", "growth", "1000%")
    plan = planfile.loads(text)                                  # every field is within its limits
    with pytest.raises(PlanError) as refused:
        loads_checked(text, catalog=catalog)
    p = refused.value.problems[0]
    assert p.key_path == "data.egress[0].growth" and "1000% a month compounds" in p.message
    with pytest.raises(PlanError):
        engine.project(plan, catalog)
    # the same line growing 10% a month for 20 years is a plan: 1 TB x 1.1^239 ~ 7.7e9 TB in the last month
    fine = planfile.loads(plan_text("data.egress", "growth", "10%"))
    assert engine.project(fine, catalog).total < engine.MAX_TOTAL
