"""Section forms in both directions: widget -> plan (one undoable edit) and plan -> widget (undo, outside edits)."""
import dataclasses

import pytest

from gui.editors import ops
from gui.editors.data import format_lifecycle, parse_lifecycle
from pricing.errors import PlanError
from pricing.plan import LifecycleRule, Pricing, Range, TrainingRun


def select(window, key):
    window.tree.select(key)
    form = window.editor.current_form()
    assert form.key_path == key
    return form


def test_plan_settings_both_ways(qtbot, window, settle):
    from gui.widgets import quantity_text
    form = select(window, "")
    doc = window.document
    original = doc.plan.monthly_budget
    budget = form.inputs["monthly_budget"]
    budget.selectAll()
    qtbot.keyClicks(budget, "45k")
    assert doc.plan.monthly_budget == 45_000
    assert window.charts.monthly.budget.value() == 45_000
    budget.clear()
    budget.textEdited.emit("")
    assert doc.plan.monthly_budget is None  # empty: no budget
    assert doc.undo_stack.count() == 1  # typing in one field, then clearing it: one edit
    doc.undo_stack.undo()
    assert budget.text() == quantity_text(original) and doc.plan.monthly_budget == original
    # currency: the exchange rate becomes editable; empty, it is the dated ECB rate of the first month
    fx = form.inputs["fx_rate"]
    assert not fx.isEnabled()
    cur = form.inputs["currency"]
    cur.setCurrentIndex(cur.findData("EUR"))
    cur.activated.emit(cur.currentIndex())
    assert doc.plan.currency == "EUR" and fx.isEnabled()
    assert fx.error is None and fx.text() == "" and doc.plan.fx_rate is None
    assert "ECB reference rate" in fx.placeholderText()
    fx.selectAll()
    qtbot.keyClicks(fx, "0.9")
    assert doc.plan.fx_rate == pytest.approx(0.9) and fx.error is None
    assert window.headline.now.value.text().startswith("€")


def test_horizon_shorter_than_a_line_is_flagged(qtbot, window):
    form = select(window, "")
    doc = window.document
    import dataclasses as dc
    ann = doc.plan.annotation[0]
    doc.apply(doc.plan.with_section("annotation", (dc.replace(ann, month=20),)), "Later batch")
    months = form.inputs["months"]   # a whole number typed like any other (the schema's reader): real keys
    months.selectAll()
    qtbot.keyClicks(months, "12")
    assert doc.plan.months == 12
    assert form.rows["months"].message.isVisible()
    assert "month 20" in form.rows["months"].message.text()


def test_training_hours_or_flops(qtbot, window, settle):
    doc = window.document
    window.line_actions.add("compute.training")
    key = window.tree.current_key()
    form = window.editor.current_form()
    mode = form.inputs["hours_mode"]
    assert mode.currentData() == "hours" and form.inputs["hours"].isEnabled()
    assert not form.inputs["params"].isEnabled()
    mode.setCurrentIndex(mode.findData("flops"))
    mode.activated.emit(mode.currentIndex())
    line = ops.line_at(doc.plan, key)
    assert line.hours is None and line.params and line.tokens and line.mfu
    assert form.inputs["params"].isEnabled() and not form.inputs["hours"].isEnabled()
    assert doc.projection is not None, doc.problems
    params = form.inputs["params"]
    params.selectAll()
    qtbot.keyClicks(params, "70B")
    assert ops.line_at(doc.plan, key).params == 70e9
    assert any("hours derived" in n for n in form.marker.text().split("<br>"))
    mode.setCurrentIndex(mode.findData("hours"))
    mode.activated.emit(mode.currentIndex())
    line = ops.line_at(doc.plan, key)
    assert line.hours and line.hours > 0 and line.params is None


def test_platform_on_and_off(qtbot, window):
    doc = window.document
    form = select(window, "services.platform")
    assert doc.plan.services.platform is None and not form.inputs["name"].isEnabled()
    form.use.setChecked(True)
    assert doc.plan.services.platform is not None
    assert any(li.key_path == "services.platform" for li in doc.projection.line_items)
    checks = form.inputs["applies_to"]
    assert set(checks.value()) == set(doc.plan.services.platform.applies_to)
    markup = form.inputs["markup"]
    markup.setText("25%")
    markup.textEdited.emit("25%")
    assert doc.plan.services.platform.markup == pytest.approx(0.25)
    form.use.setChecked(False)
    assert doc.plan.services.platform is None


def test_storage_lifecycle_rules(qtbot, window):
    doc = window.document
    form = select(window, "data.storage[0]")
    field = form.inputs["lifecycle"]
    field.setText("90 d: infrequent, 365 d: archive")
    field.textEdited.emit(field.text())
    assert doc.plan.data.storage[0].lifecycle == (LifecycleRule(90, "infrequent"), LifecycleRule(365, "archive"))
    field.setText("365 d: archive, 90 d: infrequent")
    field.textEdited.emit(field.text())
    assert "order" in field.error


@pytest.mark.parametrize("text, rules", [
    ("30 d: infrequent", ((30, "infrequent"),)),
    ("after 30 days -> cold; 180: archive", ((30, "cold"), (180, "archive"))),
    ("", ()),
])
def test_lifecycle_text(text, rules):
    parsed = parse_lifecycle(text)
    assert tuple((r.after_days, r.tier) for r in parsed) == rules
    assert parse_lifecycle(format_lifecycle(parsed)) == parsed


def test_lifecycle_text_errors():
    with pytest.raises(PlanError):
        parse_lifecycle("soon: archive")


def test_outside_edit_and_undo_refresh_the_form(qtbot, window):
    doc = window.document
    form = select(window, "people[0]")
    line = doc.plan.people[0]
    doc.apply(doc.plan.with_section("people", (dataclasses.replace(line, hourly_rate=150.0),)), "Raise")
    assert form.inputs["hourly_rate"].text() == "150"
    doc.undo_stack.undo()
    assert form.inputs["hourly_rate"].value() == line.hourly_rate


def test_ranges_follow_the_likely_value():
    line = TrainingRun("T", "H100-80GB", hours=100.0, ranges=(("hours", Range(80, 100, 130)),))
    assert ops.set_field(line, "hours", 120.0).ranges == (("hours", Range(80, 120, 130)),)
    assert ops.set_field(line, "hours", 200.0).ranges == ()
    spread = TrainingRun("T", "H100-80GB", hours=100.0, ranges=(("hours", Range(70, 100, 130, 0.3)),))
    assert ops.set_field(spread, "hours", 200.0).ranges == (("hours", Range(140, 200, 260, 0.3)),)


def test_line_ops_are_pure(base_catalog):
    from pricing.plan import Plan
    plan = Plan(name="P")
    plan2, key = ops.add_line(plan, "compute.inference", ops.default_line("compute.inference", plan, base_catalog))
    assert plan.compute.inference == () and key == "compute.inference[0]"
    plan3, copy = ops.duplicate_line(plan2, key)
    assert [x.name for x in plan3.compute.inference] == ["Inference service", "Inference service copy"]
    plan4, nxt = ops.move_line(plan3, copy, -1)
    assert plan4.compute.inference[0].name == "Inference service copy" and nxt == key
    plan5, after = ops.remove_line(plan4, key)
    assert len(plan5.compute.inference) == 1 and after == key
    assert ops.unique_name(plan5, "Inference service") == "Inference service 2"
    with_spot = ops.set_field(plan5.compute.inference[0], "pricing", Pricing.SPOT)
    assert with_spot.pricing is Pricing.SPOT


def test_every_input_has_a_tooltip(window):
    from gui.editors.stack import EditorStack
    stack: EditorStack = window.editor
    for form in set(stack.forms.values()):
        for key, w in form.inputs.items():
            assert len(w.toolTip()) > 20, (type(form).__name__, key)
    for row in window.savings.rows.values():
        assert row.check.toolTip()
        for name, w in row.inputs.items():
            assert w.toolTip(), (row.info.name, name)


def test_sizes_typed_with_a_unit_and_the_unit_of_work(qtbot, window):
    """Issue 15: a size field takes '800 GB' or '10 TiB' (the schema's one parser), a people line the budgeted form,
    the plan settings a unit of work; each one undoable edit, a bad value refused with the file's words."""
    doc = window.document
    form = select(window, "data.storage[0]")
    size = form.inputs["size_tb"]
    size.selectAll()
    qtbot.keyClicks(size, "800 GB")
    assert doc.plan.data.storage[0].size_tb == pytest.approx(0.8)     # 800 x 10^9 bytes = 0.8 decimal TB
    size.selectAll()
    qtbot.keyClicks(size, "10 TiB")
    assert doc.plan.data.storage[0].size_tb == pytest.approx(10.99511627776)
    size.setText("two parsecs")
    size.textEdited.emit(size.text())
    assert "expected a size such as 800 GB" in size.error
    assert doc.plan.data.storage[0].size_tb == pytest.approx(10.99511627776)
    settings = select(window, "")
    unit = settings.inputs["unit"]
    assert unit.text() == "ticket: Answer generation"   # the example's unit of work
    unit.selectAll()
    qtbot.keyClicks(unit, "reply: Answer generation")
    assert (doc.plan.unit.name, doc.plan.unit.line) == ("reply", "Answer generation")
    # a reply costs under a cent: shown per 1k replies, saying what is counted
    assert window.headline.per_1k.caption.text() == "Cost per 1k replies"
    detail = window.headline.per_1k.detail
    assert (detail.toolTip() or detail.text()) == "requests of Answer generation"  # elided text keeps it as tooltip


def test_the_inference_form_shows_what_the_engine_sized_as_you_type(qtbot, base_catalog, example_dir):
    """The serving line's derived figures (GPUs, replicas, TP, tokens/s per GPU, prefill/decode share, memory) come
    from the engine's line item and follow each keystroke; the model's precision is picked in its combo."""
    from gui.document import PlanDocument
    from gui.editors import EditorStack
    from pricing.plan import Precision
    doc = PlanDocument(base_catalog)
    doc.open(example_dir / "finetuned-open-model.yaml")
    stack = EditorStack(doc, lambda section: None)
    qtbot.addWidget(stack)
    stack.show()
    stack.show_key("compute.inference[0]")
    form = stack.current_form()
    value = lambda label: form.sizing_labels[label][1].text()  # noqa: E731
    # 15M requests of 3,000/400 tokens, Llama 3.1 8B FP8, 6% growth from month 3: 2 -> 4 GPUs (the example's header)
    assert (value("GPUs"), value("GPUs per replica (TP)"), value("Output tokens/s per GPU")) == ("2 -> 4", "1", "4,994")
    assert value("Prefill share") == "56%" and value("Decode share") == "44%"
    rpm = form.inputs["requests_per_month"]
    rpm.selectAll()
    qtbot.keyClicks(rpm, "60M")  # 60M x 1.06^21 = 204M in month 24: 204M / 16.4M a replica = 12.5 -> 13
    assert doc.plan.compute.inference[0].requests_per_month == 60e6
    assert value("GPUs") == "4 -> 13" and value("Replicas") == "4 -> 13"
    combo = form.inputs["precision"]
    combo.setCurrentIndex(combo.findData(Precision.BF16))
    combo.activated.emit(combo.currentIndex())
    assert doc.plan.compute.inference[0].precision is Precision.BF16
    assert value("Memory per replica") != "72.6 GB"  # 16 GB of BF16 weights and a 2-byte KV cache
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert value("GPUs") == "2 -> 4"
