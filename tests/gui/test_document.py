"""PlanDocument: one path for every change, undo/redo with merging, modified state, open/save/new."""
import dataclasses

import pytest

from gui.document import PlanDocument
from pricing import engine, planfile
from pricing.errors import PlanError
from pricing.load import load_checked, loads_checked


def renamed(plan, name):
    return dataclasses.replace(plan, name=name)


def test_apply_recomputes_and_signals(qtbot, plan_document, base_catalog):
    doc = plan_document
    people = doc.plan.people[0]
    new = doc.plan.with_section("people", (dataclasses.replace(people, hours_per_month=120),))
    with qtbot.waitSignal(doc.plan_changed):
        doc.apply(new, "More toil")
    assert doc.plan is new
    assert doc.projection.total == pytest.approx(engine.project(new, base_catalog).total)
    assert doc.is_modified and doc.undo_stack.undoText() == "More toil"


def test_undo_redo_restore_plan_and_projection(plan_document):
    doc = plan_document
    before, total = doc.plan, doc.projection.total
    doc.apply(renamed(doc.plan, "Other"), "Rename")
    doc.apply(dataclasses.replace(doc.plan, months=12), "Shorter")
    assert doc.projection.total < total
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.plan == before and doc.projection.total == pytest.approx(total)
    assert not doc.is_modified
    doc.undo_stack.redo()
    assert doc.plan.name == "Other" and doc.is_modified


def test_edits_with_one_merge_key_are_one_undo_step(plan_document):
    doc = plan_document
    start = doc.plan
    for text in ("A", "Ab", "Abc"):
        doc.apply(renamed(doc.plan, text), "Change name", merge_key=".name")
    assert doc.undo_stack.count() == 1
    doc.apply(dataclasses.replace(doc.plan, months=12), "Horizon", merge_key=".months")
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.plan == start


def test_typing_back_to_the_saved_value_is_clean_again(plan_document):
    doc = plan_document
    name = doc.plan.name
    doc.apply(renamed(doc.plan, name + "x"), "Change name", merge_key=".name")
    doc.apply(renamed(doc.plan, name), "Change name", merge_key=".name")
    assert not doc.is_modified and doc.undo_stack.count() == 0


def test_same_plan_is_no_edit(plan_document):
    plan_document.apply(plan_document.plan, "Nothing")
    assert plan_document.undo_stack.count() == 0


def test_unpriceable_plan_has_problems_and_no_projection(qtbot, plan_document):
    doc = plan_document
    line = doc.plan.compute.exploration[0]
    bad = doc.plan.with_section("compute.exploration", (dataclasses.replace(line, gpu="Z900"),))
    with qtbot.waitSignal(doc.problems_changed):
        doc.apply(bad, "Bad GPU")
    assert doc.projection is None
    assert [p.key_path for p in doc.problems] == ["compute.exploration[0].gpu"]
    assert "Z900" in doc.problems[0].message
    with qtbot.waitSignal(doc.problems_changed):
        doc.undo_stack.undo()
    assert doc.projection is not None and doc.problems == []


def test_save_then_open_gives_the_same_plan(qtbot, plan_document, tmp_path):
    doc = plan_document
    doc.apply(renamed(doc.plan, "Saved"), "Rename")
    target = tmp_path / "saved.yaml"
    with qtbot.waitSignal(doc.path_changed):
        doc.save(target)
    assert doc.path == target and not doc.is_modified
    again = PlanDocument(doc.catalog)
    again.open(target)
    assert again.plan == doc.plan
    assert load_checked(target, doc.catalog) == doc.plan


def test_failed_open_changes_nothing(plan_document, tmp_path):
    doc = plan_document
    doc.apply(renamed(doc.plan, "Keep me"), "Rename")
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: aicost-plan/1\nname: B\nmonths: lots\n", encoding="utf-8")
    before, path = doc.plan, doc.path
    with pytest.raises(PlanError) as err:
        doc.open(broken)
    assert err.value.problems[0].key_path == "months" and err.value.problems[0].line == 3
    assert doc.plan is before and doc.path == path and doc.is_modified


def test_new_is_an_empty_clean_untitled_plan(plan_document):
    doc = plan_document
    doc.apply(renamed(doc.plan, "X"), "Rename")
    doc.new()
    assert doc.path is None and not doc.is_modified and doc.undo_stack.count() == 0
    assert not list(doc.plan.lines()) and doc.projection.total == 0
    assert doc.selected_scenario is None and doc.scenario_result is None


def test_scenario_selection_and_result(qtbot, plan_document, base_catalog):
    from pricing import scenarios
    doc = plan_document
    assert doc.selected_scenario == "Frugal"
    expected = scenarios.evaluate(doc.plan, doc.plan.scenario("Frugal"), base_catalog)
    assert doc.scenario_result.saving_total == pytest.approx(expected.saving_total)
    with qtbot.waitSignal(doc.scenario_changed):
        doc.select_scenario("Self-host answers")
    assert doc.scenario_result.scenario.name == "Self-host answers"
    with pytest.raises(KeyError):
        doc.select_scenario("Nope")
    # removing the selected scenario falls back to the first one
    doc.apply(dataclasses.replace(doc.plan, scenarios=doc.plan.scenarios[:1]), "Drop")
    assert doc.selected_scenario == "Frugal"


def test_a_line_past_a_shortened_horizon_is_a_problem_but_the_plan_is_priced(qtbot, base_catalog, example_dir):
    doc = PlanDocument(base_catalog)
    doc.open(example_dir / "finetuned-open-model.yaml")
    assert doc.problems == []
    with qtbot.waitSignal(doc.problems_changed):
        doc.apply(dataclasses.replace(doc.plan, months=2), "Shorter horizon")
    assert doc.projection is not None and len(doc.projection.months) == 2
    # the same problems the loader would report for the saved file, each on its key path
    text = planfile.dumps(doc.plan)
    with pytest.raises(PlanError) as err:
        loads_checked(text, catalog=base_catalog)
    assert sorted(p.key_path for p in doc.problems) == sorted(p.key_path for p in err.value.problems)
    # the quarterly refresh (month 4) and the serving line (start 3) fall after month 2
    assert sorted(p.key_path for p in doc.problems) == ["compute.fine_tuning[2].month", "compute.inference[0].start"]
    assert all("covers 2 months" in p.message for p in doc.problems)
    with qtbot.waitSignal(doc.problems_changed):
        doc.undo_stack.undo()
    assert doc.problems == []
