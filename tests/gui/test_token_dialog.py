"""The token estimator dialog, driven through its widgets with a real PlanDocument."""
from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox

from gui.catalog_browser import PriceFormat
from gui.document import PlanDocument
from gui.token_dialog import EstimateTableModel as M
from gui.token_dialog import TokenDialog
from pricing import apiprices, tokens
from pricing.token_estimate import ModelRef
from pricing.load import loads_checked

GPT4O = ModelRef("openai", "gpt-4o")      # o200k_base
GPT4 = ModelRef("openai", "gpt-4")        # cl100k_base
CLAUDE = ModelRef("anthropic", "claude-sonnet-4-5")

PLAN = """\
format: aicost-plan/1
name: Token test
currency: {currency}
fx_rate: {fx}
start: 2027-01
months: 12
services:
  apis:
    - name: Answers
      provider: openai
      model: gpt-4o
      requests_per_month: 300k
      input_tokens: 900
      output_tokens: 350
"""

TEXT = ("You are a support assistant. Answer from the articles below, cite them, be brief.\n"
        "Article 12: Refunds are issued within 14 days of a cancelled order.\n" * 30
        + "Kunde: Ich wurde für Bestellung #88121 doppelt belastet — können Sie eine Zahlung erstatten? "
        "注文番号88121で二重請求されました。")


@pytest.fixture
def catalog(base_catalog):
    return base_catalog


def make_document(catalog, currency="USD", fx=1.0):
    plan = loads_checked(textwrap.dedent(PLAN.format(currency=currency, fx=fx)), file="plan.yaml")
    return PlanDocument(catalog, plan)


@pytest.fixture
def document(catalog):
    return make_document(catalog)


@pytest.fixture
def dialog(qtbot, document):
    d = TokenDialog(document)
    qtbot.addWidget(d)
    d.show()
    return d


def expected_cost(ref: ModelRef, input_tokens: int, output_tokens: float, fx: float = 1.0) -> float:
    return apiprices.request_cost(apiprices.resolve(ref.provider, ref.model), input_tokens, output_tokens) * fx


def cell(dialog: TokenDialog, ref: ModelRef, column: int) -> str:
    model = dialog.results_model
    row = next(i for i in range(model.rowCount()) if model.ref_at(i) == ref)
    return model.index(row, column).data()


def big_file(tmp_path, megabytes: float = 3.0):
    path = tmp_path / "corpus.txt"
    line = "Ticket 4411: the export to CSV times out after 30 s on large workspaces; customer asks for ETA.\n"
    path.write_text(line * int(megabytes * 1e6 / len(line)), encoding="utf-8")
    return path


def test_starts_with_the_plans_models_and_usage(dialog):
    assert dialog.models == [GPT4O]
    assert dialog.output_tokens.value() == 350 and dialog.requests.value() == 300_000
    assert dialog.requests.text() == "300k"
    assert apiprices.data_date().isoformat() in dialog.price_date_label.text()


def test_pasted_text_is_counted_for_two_models(qtbot, dialog):
    qtbot.keyClicks(dialog.model_search, "gpt-4")
    qtbot.keyClick(dialog.model_search, Qt.Key.Key_Return)        # adds the best match
    assert dialog.models == [GPT4O, GPT4]
    with qtbot.waitSignal(dialog.estimate_changed, timeout=5000):
        dialog.text_edit.setPlainText(TEXT)                         # as a paste: counted after a short pause
    rows = {r.ref: r for r in dialog.rows}
    assert set(rows) == {GPT4O, GPT4}
    for ref in (GPT4O, GPT4):
        count = tokens.count_text(TEXT, ref.model, ref.provider)
        row = rows[ref]
        assert (row.tokens, row.encoding, row.exact) == (count.tokens, count.encoding, True)
        per_request = expected_cost(ref, count.tokens, 350)
        assert row.cost_per_request == pytest.approx(per_request, rel=1e-12)
        assert row.cost_per_1k == pytest.approx(per_request * 1000, rel=1e-12)
        assert row.cost_per_month == pytest.approx(per_request * 300_000, rel=1e-12)
        fmt = PriceFormat("USD")
        assert cell(dialog, ref, M.TOKENS) == fmt.integer(count.tokens)
        assert cell(dialog, ref, M.PER_MONTH) == fmt.money(per_request * 300_000)
        assert cell(dialog, ref, M.COUNT) == "exact"
    assert rows[GPT4O].tokens != rows[GPT4].tokens                  # two encodings, two counts
    assert "Pasted text" in dialog.source_label.text()


def test_usage_changes_recost_without_recounting(qtbot, dialog):
    dialog.set_text(TEXT)
    tokens_before = dialog.rows[0].tokens
    dialog.output_tokens.setValue(1000)
    dialog.requests.clear()
    qtbot.keyClicks(dialog.requests, "50k")
    (row,) = dialog.rows
    assert row.tokens == tokens_before
    assert row.cost_per_month == pytest.approx(expected_cost(GPT4O, row.tokens, 1000) * 50_000, rel=1e-12)


def test_a_file_is_counted_for_two_models(qtbot, dialog, tmp_path):
    path = tmp_path / "prompt.txt"
    path.write_text(TEXT, encoding="utf-8")
    dialog.add_models([GPT4])
    dialog.open_file(path)
    assert not dialog.is_counting                                   # small: counted at once
    assert dialog.input_stack.currentIndex() == 1 and "prompt.txt" in dialog.source_label.text()
    for row in dialog.rows:
        count = tokens.count_file(path, row.ref.model, row.ref.provider)
        assert row.tokens == count.tokens
        assert row.cost_per_request == pytest.approx(expected_cost(row.ref, count.tokens, 350), rel=1e-12)
    dialog.use_text()                                               # back to the (empty) editor
    assert dialog.input_stack.currentIndex() == 0 and dialog.rows[0].tokens == 0


def test_a_dropped_file_is_counted(qtbot, dialog, tmp_path):
    path = tmp_path / "dropped.md"
    path.write_text(TEXT, encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    dialog.text_edit.dropEvent(event)
    assert event.isAccepted()
    assert dialog.rows[0].tokens == tokens.count_file(path, "gpt-4o", "openai").tokens


def test_a_big_file_is_counted_in_the_background_with_progress(qtbot, dialog, tmp_path):
    path = big_file(tmp_path)
    dialog.add_models([GPT4])
    values: list[int] = []
    dialog.progress_bar.valueChanged.connect(values.append)
    dialog.open_file(path)
    assert dialog.is_counting and dialog.progress_row.isVisible() and dialog.cancel_button.isEnabled()
    assert cell(dialog, GPT4O, M.TOKENS) == "counting…"
    assert not dialog.apply_button.isEnabled()
    dialog.output_tokens.setValue(400)                              # the dialog stays usable meanwhile
    qtbot.waitUntil(lambda: dialog.progress_bar.value() == dialog.progress_bar.maximum(), timeout=30_000)
    qtbot.waitUntil(lambda: not dialog.is_counting, timeout=30_000)
    assert not dialog.progress_row.isVisible()
    assert values == sorted(values) and values[-1] == dialog.progress_bar.maximum()
    for ref in (GPT4O, GPT4):
        row = next(r for r in dialog.rows if r.ref == ref)
        assert row.tokens == tokens.count_file(path, ref.model, ref.provider).tokens
        assert row.cost_per_request == pytest.approx(expected_cost(ref, row.tokens, 400), rel=1e-12)
    assert dialog.apply_button.isEnabled()


def test_a_big_count_can_be_cancelled(qtbot, dialog, tmp_path):
    dialog.open_file(big_file(tmp_path))
    assert dialog.is_counting
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_counting, timeout=30_000)
    assert not dialog.progress_row.isVisible()
    assert dialog.rows == ()                                        # nothing half-counted is shown
    assert cell(dialog, GPT4O, M.TOKENS) == "—"
    assert "cancelled" in dialog.status_label.text()
    qtbot.wait(50)
    assert dialog.rows == ()                                        # and no late result arrives


def test_escape_cancels_a_count_before_it_closes(qtbot, dialog, tmp_path):
    dialog.open_file(big_file(tmp_path))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_counting, timeout=30_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_an_approximate_count_is_marked_with_its_reason(qtbot, dialog):
    dialog.add_models([CLAUDE])
    dialog.set_text(TEXT)
    row = next(r for r in dialog.rows if r.ref == CLAUDE)
    assert not row.exact and row.reason
    assert cell(dialog, CLAUDE, M.COUNT) == "approximate"
    assert cell(dialog, CLAUDE, M.TOKENS).startswith("≈")
    index = dialog.results_model.index(1, M.COUNT)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert row.reason in index.data(Qt.ItemDataRole.ToolTipRole)
    assert row.reason in dialog.status_label.text() and dialog.status_label.isVisible()


def test_models_can_be_removed(qtbot, dialog):
    dialog.add_models([GPT4])
    dialog.results.selectRow(0)
    qtbot.mouseClick(dialog.remove_model_button, Qt.MouseButton.LeftButton)
    assert dialog.models == [GPT4]


def test_costs_are_in_the_plans_currency(qtbot, catalog):
    document = make_document(catalog, currency="EUR", fx=0.9)
    dialog = TokenDialog(document)
    qtbot.addWidget(dialog)
    dialog.set_text(TEXT)
    (row,) = dialog.rows
    per_request = expected_cost(GPT4O, row.tokens, 350, fx=0.9)
    assert row.cost_per_month == pytest.approx(per_request * 300_000, rel=1e-12)
    assert "€" in cell(dialog, GPT4O, M.PER_MONTH)
    assert "EUR per USD" in dialog.price_date_label.text()


def test_apply_to_an_api_line_is_one_undoable_edit(qtbot, dialog, document):
    before = document.plan
    dialog.set_text(TEXT)
    dialog.requests.clear()
    qtbot.keyClicks(dialog.requests, "120000")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    apply = dialog.apply_dialog
    assert apply is not None and apply.isVisible()
    assert apply.line_combo.currentData() == 0                      # the plan's first line
    apply.requests_check.setChecked(True)
    qtbot.mouseClick(apply.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    (line,) = document.plan.services.apis
    count = tokens.count_text(TEXT, "gpt-4o", "openai").tokens
    assert ((line.model, line.input_tokens, line.output_tokens, line.requests_per_month)
            == ("gpt-4o", count, 350, 120_000))
    assert line.name == "Answers"
    assert document.undo_stack.undoText() == "Apply token estimate"
    document.undo_stack.undo()
    assert document.plan == before
    document.undo_stack.redo()
    assert document.plan.services.apis[0].input_tokens == count


def test_apply_as_a_new_api_line(qtbot, dialog, document):
    dialog.add_models([GPT4])
    dialog.set_text(TEXT)
    dialog.results.selectRow(1)
    apply = dialog.open_apply_dialog()
    assert apply.model_combo.currentData().ref == GPT4             # the selected row is preselected
    apply.line_combo.setCurrentIndex(apply.line_combo.findData(-1))
    assert apply.requests_check.isChecked() and not apply.requests_check.isEnabled()
    qtbot.keyClicks(apply.name_edit, "Drafts")
    apply.accept()
    assert [a.name for a in document.plan.services.apis] == ["Answers", "Drafts"]
    added = document.plan.services.apis[1]
    assert (added.provider, added.model, added.requests_per_month) == ("openai", "gpt-4", 300_000)
    assert added.input_tokens == tokens.count_text(TEXT, "gpt-4", "openai").tokens
    document.undo_stack.undo()
    assert len(document.plan.services.apis) == 1


def test_every_input_has_a_tooltip(dialog):
    for w in (dialog.text_edit, dialog.open_button, dialog.clear_button, dialog.model_search, dialog.model_picker,
              dialog.add_model_button, dialog.output_tokens, dialog.requests, dialog.remove_model_button,
              dialog.apply_button, dialog.cancel_button):
        assert w.toolTip(), w
    assert dialog.text_edit.tabChangesFocus()                       # Tab leaves the editor
