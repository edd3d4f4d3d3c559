"""Issue 17 in the window: a FIFO never freezes it, a plan past the largest amount shows its problem (never
"Unexpected error"), and such a value typed in a form is marked on its field."""
import os
import threading

import pytest
from PySide6.QtWidgets import QApplication

from gui.token_dialog import TokenDialog

PAST_THE_BOUND = """\
format: aicost-plan/1
name: Probe
start: 2027-01
months: 240
provider: aws
services:
  apis:
    - name: Chat
      provider: openai
      model: gpt-4o
      requests_per_month: 100k
      growth: 16%
      input_tokens: 1000
      output_tokens: 300
"""


def unblock_later(fifo, seconds=10.0):
    """If a reader blocks on ``fifo`` (the bug), a writer opens it after ``seconds`` so the test ends (and fails)."""
    def release():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader: nothing was blocked
            pass
    timer = threading.Timer(seconds, release)
    timer.daemon = True
    timer.start()
    return timer


def test_file_open_of_a_fifo_shows_why_and_keeps_the_plan(qtbot, window, tmp_path):
    """Was: File > Open of a FIFO froze the window for good."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    before = window.document.plan
    timer = unblock_later(fifo)
    assert not window.open_path(fifo, ask=False)
    timer.cancel()
    dialog = window.presenter.last_dialog
    assert dialog is not None and dialog.windowTitle() == "Can't open pipe.yaml"
    (p,) = dialog.problems
    assert (p.file, p.message) == (str(fifo), "this is a pipe (FIFO), not a regular file; expected a plan file (.yaml)")
    assert window.document.plan is before
    dialog.close()


def test_a_plan_past_the_largest_amount_opens_as_its_problem_not_an_unexpected_error(qtbot, window, tmp_path):
    """Was: it validated, and the window showed "Unexpected error" (the cents of its total wrapped)."""
    path = tmp_path / "growth.yaml"
    path.write_text(PAST_THE_BOUND, encoding="utf-8")
    assert not window.open_path(path, ask=False)
    dialog = window.presenter.last_dialog
    assert dialog.windowTitle() == "Can't open growth.yaml" and "Traceback" not in dialog.text()
    (p,) = dialog.problems
    assert (p.file, p.line, p.key_path) == (str(path), 12, "services.apis[0].growth")
    assert p.message.startswith("its cost passes 10 trillion USD, the most a plan can cost, in month 147 (2039-03)")
    assert dialog.table.topLevelItem(0).text(0) == f"{path}:12"
    dialog.close()


def test_typing_a_growth_past_the_bound_marks_the_field_and_nothing_escapes(qtbot, window, settle):
    """3.6M embeddings of 400 tokens a month growing 999% for 24 months: 10.99^23 times the first month."""
    window.tree.select("services.apis[1]")
    form = window.editor.current_form()
    growth = form.inputs["growth"]
    growth.selectAll()
    qtbot.keyClicks(growth, "999%")
    settle()
    doc = window.document
    assert doc.plan.services.apis[1].growth == 9.99
    assert doc.projection is None
    (p,) = [p for p in doc.problems if p.key_path == "services.apis[1].growth"]
    assert p.message.startswith("its cost passes 10 trillion USD, the most a plan can cost, in month ")
    assert growth.error == p.message
    dialog = window.presenter.last_dialog
    assert dialog is None or dialog.windowTitle() != "Unexpected error"
    doc.undo_stack.undo()
    settle()
    assert doc.projection is not None and not doc.problems


def test_the_token_dialog_refuses_a_fifo_at_once(qtbot, base_catalog, plan_document, tmp_path):
    fifo = tmp_path / "prompt.txt"
    os.mkfifo(fifo)
    dialog = TokenDialog(plan_document)
    qtbot.addWidget(dialog)
    timer = unblock_later(fifo)
    dialog.open_file(fifo)
    QApplication.processEvents()
    timer.cancel()
    assert dialog.error == f"cannot read {fifo}: this is a pipe (FIFO), not a regular file"
    assert not dialog.is_counting


@pytest.mark.parametrize("year", [1990, 2199])
def test_the_month_box_offers_the_schemas_years(year):
    from gui.widgets import MonthEdit
    from pricing import fields
    box = MonthEdit()
    assert (box.minimumDate().year(), box.maximumDate().year()) == (fields.MIN_YEAR, fields.MAX_YEAR) == (1990, 2199)
    assert fields.field("", "start").read(f"{year}-06").year == year
