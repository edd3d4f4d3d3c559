"""The editors take every field's limits from the schema: what the plan file accepts, a form accepts; what it refuses,
a form refuses with the same message (typed with real key events)."""
import pytest
from PySide6.QtCore import Qt

from pricing import fields, planfile
from pricing.fields import Kind
from tests.pricing.test_fields import exact_text, file_problem, key_path, plan_text

PLAN = """\
format: aicost-plan/1
name: Limits
currency: EUR
fx_rate: 0.9
start: 2027-01
months: 240
provider: aws
monthly_budget: 50k
compute:
  training:
    - {name: Hours run, gpu: H100-80GB, hours: 10}
  fine_tuning:
    - {name: Derived run, gpu: H100-80GB, params: 8B, tokens: 20B, mfu: 40%}
  inference:
    - {name: Serve, gpu: L4, requests_per_month: 1000}
  exploration:
    - {name: Pool, gpu: A10G}
data:
  storage:
    - {name: Store}
  egress:
    - {name: Out, tb_per_month: 1}
services:
  platform: {name: sagemaker, markup: 20%}
  apis:
    - {name: Api, provider: openai, model: gpt-4o, requests_per_month: 1000}
annotation:
  - {name: Boxes, task: bounding_box, items: 100}
mlops:
  - {name: K8s, kind: k8s_control_plane}
people:
  - {name: Ops, hours_per_month: 10, hourly_rate: 50}
commitments:
  - {name: RI, offer: aws.g6.xlarge.ri_standard.1y.partial_upfront, gpus: 1, upfront_share: 50%}
"""
"""A 240-month plan with one line of each section (a derived training run for params, tokens and MFU)."""

LINE_OF = {"": "", "compute.training": "compute.training[0]", "compute.fine_tuning": "compute.fine_tuning[0]",
           "compute.inference": "compute.inference[0]", "compute.exploration": "compute.exploration[0]",
           "data.storage": "data.storage[0]", "data.egress": "data.egress[0]", "services.platform": "services.platform",
           "services.apis": "services.apis[0]", "annotation": "annotation[0]", "mlops": "mlops[0]",
           "people": "people[0]", "commitments": "commitments[0]"}


def _cases():
    """Every numeric field an editor shows: (object's key path, section, spec)."""
    from gui.editors import compute, data, plan_settings, services, work
    forms = {"": plan_settings.SETTINGS, "compute.training": compute.TRAINING, "compute.inference": compute.INFERENCE,
             "compute.exploration": compute.EXPLORATION, "data.storage": data.STORAGE, "data.egress": data.EGRESS,
             "services.platform": services.PLATFORM, "services.apis": services.APIS, "annotation": work.ANNOTATION,
             "mlops": work.MLOPS, "people": work.PEOPLE, "commitments": compute.COMMITMENTS}
    out = []
    for section, form_fields in forms.items():
        for f in form_fields:
            if not f.spec.numeric:
                continue
            target = section
            if section == "compute.training" and f.key in ("params", "active_params", "tokens", "mfu"):
                target = "compute.fine_tuning"   # the run whose hours are derived: these inputs are enabled
            out.append((LINE_OF[target], target, f.spec))
    return out


CASES = _cases()


def type_into(qtbot, widget, text):
    """Select what the input shows and type ``text`` over it, key by key."""
    edit = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def current(document, target, key):
    obj = document.plan if target == "" else (document.plan.services.platform if target == "services.platform"
                                               else document.plan.section(target.split("[")[0])[0])
    return getattr(obj, key)


class Editors:
    """The editor area alone on a plan with every section (no charts: each keystroke recomputes the plan only)."""

    def __init__(self, qtbot, catalog, plan_text: str):
        from gui.document import PlanDocument
        from gui.editors import EditorStack
        self.document = PlanDocument(catalog)
        self.document.apply(planfile.loads(plan_text), "A plan with every section")
        self.stack = EditorStack(self.document, lambda section: None)
        qtbot.addWidget(self.stack)
        self.stack.resize(900, 700)
        self.stack.show()
        qtbot.waitExposed(self.stack)

    def select(self, key_path: str):
        self.stack.show_key(key_path)
        form = self.stack.current_form()
        assert form.key_path == key_path
        return form


@pytest.fixture
def editors(qtbot, base_catalog):
    return Editors(qtbot, base_catalog, PLAN)


def test_every_field_of_the_schema_has_an_input():
    """A field added to the schema gets its input without touching the forms (samples are counted, not typed)."""
    from gui.editors import compute, data, plan_settings, services, work
    forms = {"": plan_settings.SETTINGS, "compute.training": compute.TRAINING, "compute.inference": compute.INFERENCE,
             "compute.exploration": compute.EXPLORATION, "data.storage": data.STORAGE, "data.egress": data.EGRESS,
             "services.platform": services.PLATFORM, "services.apis": services.APIS, "annotation": work.ANNOTATION,
             "mlops": work.MLOPS, "people": work.PEOPLE, "commitments": compute.COMMITMENTS}
    for path, form_fields in forms.items():
        specs = [f.spec for f in form_fields]
        expected = [f for f in fields.section(path).fields if f.kind is not Kind.SAMPLE]
        assert sorted(f.key for f in expected) == sorted(s.key for s in specs if s.key != "hours_mode"), path
        assert all(s is fields.section(path).field(s.key) for s in specs if s.key != "hours_mode")  # the same spec


def test_every_numeric_field_of_the_schema_is_in_a_form():
    shown = {(section if section != "compute.fine_tuning" else "compute.training", spec.key)
             for _, section, spec in CASES}
    for s in fields.ALL_SECTIONS:
        for f in s.fields:
            if f.numeric and s.path != "compute.fine_tuning":
                assert (s.path, f.key) in shown, (s.path, f.key)


@pytest.mark.parametrize("target, section, spec", CASES, ids=[f"{s or 'plan'}.{f.key}" for _, s, f in CASES])
def test_an_editor_accepts_the_maximum_and_refuses_more_like_the_file(qtbot, editors, settle, target, section, spec):
    doc = editors.document
    form = editors.select(target)
    widget = form.inputs[spec.key]
    assert widget.isEnabled(), spec.key
    top = exact_text(spec, spec.maximum)
    type_into(qtbot, widget, top)
    settle()
    if spec.unusual(spec.maximum) is not None:  # far outside the typical range: it waits for Enter
        assert widget.warning and "Press Enter" in form.rows[spec.key].message.text(), spec.key
        assert current(doc, target, spec.key) != spec.maximum         # not in the plan yet
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        settle()
        assert not widget.warning
    assert current(doc, target, spec.key) == spec.maximum, (spec.key, top)
    # accepted; only a problem of the plan with it may be marked (1000% a month over 240 months: an absurd cost), or
    # at their maximum some fields take the plan past the largest amount it may cost (a price per item of 10^12 x
    # the plan's items): then the plan's problem is shown on the field, not the reader's
    error = getattr(widget, "error", None)
    assert not error or error in [p.message for p in doc.problems] or "the most a plan can cost" in error, error
    over = exact_text(spec, spec.maximum * 1.01)
    type_into(qtbot, widget, over)
    # the plan file says the same of the same text (tests.pricing.test_fields checks the reader at its limits)
    message = file_problem(plan_text(section, spec.key, over), key_path(section, spec.key))
    assert message is not None and "at most" in message
    assert widget.error == message
    assert form.rows[spec.key].message.isVisible() and form.rows[spec.key].message.text() == message
    assert current(doc, target, spec.key) != spec.maximum * 1.01       # never applied


@pytest.mark.parametrize("key, typed, message", [
    ("gpus_per_instance", "128", "found 128, expected a number of at most 72"),
    ("people", "200000", "found 200000, expected a number of at most 100k"),
])
def test_the_values_the_loader_refuses_the_editor_refuses_too(qtbot, editors, key, typed, message):
    """gpus_per_instance: 128 used to load while the editor capped it at 64; people: 200000 was refused by the
    editor (100k) but loaded (1e9). Now both refuse both, in the same words."""
    assert file_problem(plan_text("compute.exploration", key, typed), f"compute.exploration[0].{key}") == message
    widget = editors.select("compute.exploration[0]").inputs[key]
    type_into(qtbot, widget, typed)
    assert widget.error == message
    assert getattr(editors.document.plan.compute.exploration[0], key) != int(typed)


def test_a_month_past_the_horizon_is_refused_in_the_month_box(qtbot, window, settle):
    """Month boxes stop at the plan's horizon, saying why (the words of the plan file's own check)."""
    doc = window.document
    window.tree.select("annotation[0]")
    spin = window.editor.current_form().inputs["month"]
    assert spin.maximum() == doc.plan.months == 24
    type_into(qtbot, spin, "30")
    assert spin.error == "found month 30, but the plan covers 24 months (1..24); this line would cost nothing"
    assert doc.plan.annotation[0].month != 30
    spin.lineEdit().clearFocus()
    spin.editingFinished.emit()      # leaving the box: it shows its value again, without the message
    assert spin.error is None


def test_form_labels_say_the_unit_in_the_plans_currency(editors):
    form = editors.select("people[0]")
    assert form._labels["hourly_rate"].text() == "Hourly rate (EUR/h):"          # the plan is in EUR
    assert form._labels["hours_per_month"].text() == "Hours per month:"
    assert form.inputs["hourly_rate"].toolTip() == fields.field("people", "hourly_rate").help
    assert editors.select("data.storage[0]")._labels["growth_tb_per_month"].text() == "New data (TB/month):"


def test_kinds_pick_the_widgets():
    assert {spec.kind for _, _, spec in CASES} == {Kind.AMOUNT, Kind.INTEGER, Kind.SHARE, Kind.MONTH}
