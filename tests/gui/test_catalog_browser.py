"""The price browser, driven through its widgets with a real PlanDocument and the real catalog."""
from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from gui.catalog_browser import ApiModelTableModel as A
from gui.catalog_browser import CatalogBrowser, CatalogRow, RowRole
from gui.catalog_browser import CatalogTableModel as C
from gui.document import PlanDocument
from pricing import apiprices
from pricing.load import loads_checked

KEY = "gpu.H100-80GB.aws.on_demand"

PLAN = """\
format: aicost-plan/1
name: Prices test
start: 2027-01
months: 12
compute:
  training:
    - {name: Fine-tune, gpu: H100-80GB, gpus: 8, hours: 100}
services:
  apis:
    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 100k, input_tokens: 900, output_tokens: 300}
"""


@pytest.fixture
def catalog(base_catalog):
    return base_catalog


def make_document(catalog, extra: str = ""):
    return PlanDocument(catalog, loads_checked(textwrap.dedent(PLAN) + extra, file="plan.yaml"))


@pytest.fixture
def document(catalog):
    return make_document(catalog)


@pytest.fixture
def browser(qtbot, document):
    b = CatalogBrowser(document)
    qtbot.addWidget(b)
    b.show()
    return b


def visible_rows(browser: CatalogBrowser) -> list[CatalogRow]:
    proxy = browser.catalog_proxy
    return [proxy.index(i, 0).data(RowRole) for i in range(proxy.rowCount())]


def cell(browser: CatalogBrowser, key: str, column: int, role=Qt.ItemDataRole.DisplayRole):
    model = browser.catalog_model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).key == key)
    return model.index(row, column).data(role)


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_entry_is_listed_with_its_source_and_date(browser, catalog):
    entries = catalog.entries()
    assert browser.catalog_model.rowCount() == len(entries)
    assert browser.count_label.text() == f"{len(entries)} of {len(entries)} prices"
    for e in entries[:40]:
        assert cell(browser, e.key, C.KEY) == e.key
        assert cell(browser, e.key, C.UNIT) == e.unit
        assert cell(browser, e.key, C.SOURCE) == e.source.source
        assert cell(browser, e.key, C.AS_OF) == (e.source.as_of_date.isoformat() if e.source.as_of_date else "undated")
        assert cell(browser, e.key, C.CONFIDENCE) == e.source.confidence
        tip = cell(browser, e.key, C.VALUE, Qt.ItemDataRole.ToolTipRole)
        assert e.source.source in tip and e.source.as_of in tip
    h100 = next(e for e in entries if e.key == KEY)
    assert cell(browser, KEY, C.VALUE) == "6.88"
    assert cell(browser, KEY, C.VALUE, Qt.ItemDataRole.UserRole) == h100.value


def test_gaps_and_weak_prices_are_marked(browser, catalog):
    gap = next(e for e in catalog.entries() if e.gap)
    assert cell(browser, gap.key, C.VALUE) == "gap"
    assert cell(browser, gap.key, C.VALUE, Qt.ItemDataRole.DecorationRole) is not None
    assert gap.gap in cell(browser, gap.key, C.VALUE, Qt.ItemDataRole.ToolTipRole)
    for level in ("LOW_CONFIDENCE", "suspect_catalog"):
        weak = next(e for e in catalog.entries() if e.source.confidence == level)
        assert cell(browser, weak.key, C.CONFIDENCE, Qt.ItemDataRole.DecorationRole) is not None
    sure = next(e for e in catalog.entries() if e.source.confidence == "verified_primary" and not e.gap)
    assert cell(browser, sure.key, C.CONFIDENCE, Qt.ItemDataRole.DecorationRole) is None


def test_filter_by_section_provider_and_text(qtbot, browser, catalog):
    browser.section_combo.setCurrentIndex(browser.section_combo.findData("storage"))
    rows = visible_rows(browser)
    assert rows and {r.entry.section for r in rows} == {"storage"}
    assert len(rows) == len(catalog.entries("storage"))
    browser.provider_combo.setCurrentIndex(browser.provider_combo.findData("gcp"))
    assert [r.key for r in visible_rows(browser)] == [e.key for e in catalog.entries("storage", "gcp")]
    browser.section_combo.setCurrentIndex(0)
    browser.provider_combo.setCurrentIndex(0)
    qtbot.keyClicks(browser.filter_edit, "h100 spot")
    rows = visible_rows(browser)
    # the filter searches key, source and gap text (a CoreWeave H200 spot gap cites the "HGX H100" rate card)
    assert rows and all(all(w in f"{r.key} {r.entry.source.source} {r.entry.gap}".lower() for w in ("h100", "spot"))
                        for r in rows)
    h100_spot = {e.key for e in catalog.entries() if "h100" in e.key.lower() and "spot" in e.key.lower()}
    assert h100_spot <= {r.key for r in rows}
    assert browser.count_label.text().startswith(f"{len(rows)} of ")
    browser.filter_edit.clear()
    qtbot.keyClicks(browser.filter_edit, "LOW_CONFIDENCE")
    assert {r.entry.source.confidence for r in visible_rows(browser)} == {"LOW_CONFIDENCE"}


def test_sorting_by_value_is_numeric(browser):
    browser.section_combo.setCurrentIndex(browser.section_combo.findData("gpus"))
    browser.catalog_view.sortByColumn(C.VALUE, Qt.SortOrder.AscendingOrder)
    values = [r.entry.value for r in visible_rows(browser) if r.entry.value is not None]
    assert values == sorted(values)


def test_override_sets_plan_prices_marks_the_row_and_undoes(qtbot, browser, document):
    before = document.plan
    assert browser.select(KEY)
    assert not browser.remove_button.isEnabled()
    click(qtbot, browser.override_button)
    dialog = browser.override_dialog
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()                                   # nothing changed yet
    dialog.edits[0].clear()
    qtbot.keyClicks(dialog.edits[0], "3.9")
    click(qtbot, ok)
    assert document.plan.prices == ((KEY, 3.9),)
    assert document.undo_stack.undoText() == f"Override {KEY}"
    assert cell(browser, KEY, C.VALUE) == "3.90"
    assert cell(browser, KEY, C.VALUE, Qt.ItemDataRole.FontRole).bold()
    assert cell(browser, KEY, C.KEY, Qt.ItemDataRole.DecorationRole) is not None
    tip = cell(browser, KEY, C.KEY, Qt.ItemDataRole.ToolTipRole)
    assert "overridden in this plan: 3.90 USD per GPU-hour (catalog: 6.88 USD per GPU-hour" in tip
    assert "skypilot" in tip
    assert browser.selected_row().key == KEY                   # the selection survives the refresh
    click(qtbot, browser.remove_button)
    assert document.plan.prices == ()
    assert document.undo_stack.undoText() == f"Remove override {KEY}"
    assert cell(browser, KEY, C.VALUE) == "6.88"
    document.undo_stack.undo()
    assert document.plan.prices == ((KEY, 3.9),)
    assert cell(browser, KEY, C.CONFIDENCE) == "overridden"
    document.undo_stack.undo()
    assert document.plan == before
    assert cell(browser, KEY, C.VALUE) == "6.88"


def test_the_override_dialog_refuses_what_is_not_a_price(qtbot, browser):
    browser.select(KEY)
    browser.override_selected()
    dialog = browser.override_dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    for text in ("abc", "-2", "35%"):
        dialog.edits[0].clear()
        qtbot.keyClicks(dialog.edits[0], text)
        assert not ok.isEnabled() and dialog.error_label.text(), text
    dialog.edits[0].clear()
    qtbot.keyClicks(dialog.edits[0], "4.1")
    assert ok.isEnabled() and dialog.values() == {KEY: 4.1}


def test_a_fraction_takes_a_percentage(qtbot, browser, document):
    browser.filter_edit.setText("platform.sagemaker")
    browser.select("platform.sagemaker")
    browser.override_selected()
    dialog = browser.override_dialog
    dialog.edits[0].clear()
    qtbot.keyClicks(dialog.edits[0], "15%")
    dialog.accept()
    assert document.plan.prices == (("platform.sagemaker", 0.15),)


def test_an_override_the_plan_spells_with_an_alias_is_shown_and_removed(qtbot, catalog):
    document = make_document(catalog, "prices:\n  gpu.h100.aws.on_demand: 4.2\n")
    browser = CatalogBrowser(document)
    qtbot.addWidget(browser)
    assert cell(browser, KEY, C.VALUE) == "4.20" and cell(browser, KEY, C.CONFIDENCE) == "overridden"
    browser.select(KEY)
    click(qtbot, browser.remove_button)
    assert document.plan.prices == ()


def test_edits_made_elsewhere_show_at_once(browser, document):
    from gui.catalog_browser import with_prices
    document.apply(with_prices(document.plan, {KEY: 5.0}), "elsewhere")
    assert cell(browser, KEY, C.VALUE) == "5.00"
    document.undo_stack.undo()
    assert cell(browser, KEY, C.VALUE) == "6.88"


def test_copy_source(qtbot, browser, catalog):
    browser.select(KEY)
    click(qtbot, browser.copy_button)
    assert QGuiApplication.clipboard().text() == next(e for e in catalog.entries() if e.key == KEY).source.source
    assert browser.open_button.isEnabled()                      # a web address
    assert 'href="https://github.com/skypilot-org' in browser.details.toHtml()


def api_cell(browser: CatalogBrowser, key: str, column: int, role=Qt.ItemDataRole.DisplayRole):
    model = browser.api_model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).key == key)
    return model.index(row, column).data(role)


def test_llm_api_prices_with_their_data_date(qtbot, browser):
    browser.tabs.setCurrentIndex(1)
    assert apiprices.data_date().isoformat() in browser.api_date_label.text()
    qtbot.keyClicks(browser.api_search, "gpt-4o")
    qtbot.waitUntil(lambda: browser.api_model.rowCount() and browser.api_model.row_at(0).key == "openai/gpt-4o",
                    timeout=3000)
    m = apiprices.resolve("openai", "gpt-4o")
    fmt = browser._fmt
    assert api_cell(browser, "openai/gpt-4o", A.INPUT) == fmt.number(m.input_per_mtok)
    assert api_cell(browser, "openai/gpt-4o", A.OUTPUT) == fmt.number(m.output_per_mtok)
    assert api_cell(browser, "openai/gpt-4o", A.AS_OF) == apiprices.data_date().isoformat()
    browser.api_provider_combo.setCurrentIndex(browser.api_provider_combo.findData("anthropic"))
    assert {browser.api_model.row_at(i).model.provider for i in range(browser.api_model.rowCount())} <= {"anthropic"}


def test_override_and_remove_an_api_price(qtbot, browser, document):
    browser.tabs.setCurrentIndex(1)
    browser.api_search.setText("gpt-4o")
    qtbot.waitUntil(lambda: browser.select("openai/gpt-4o"), timeout=3000)
    click(qtbot, browser.override_button)
    dialog = browser.override_dialog
    assert [f.key for f in dialog._fields] == list(apiprices.override_keys("openai", "gpt-4o"))
    dialog.edits[0].clear()
    qtbot.keyClicks(dialog.edits[0], "1.5")                      # input only; cached and output unchanged
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert document.plan.prices == (("api.openai.gpt-4o.input", 1.5),)
    assert api_cell(browser, "openai/gpt-4o", A.INPUT) == "1.50"
    assert api_cell(browser, "openai/gpt-4o", A.INPUT, Qt.ItemDataRole.FontRole).bold()
    assert "overridden in this plan" in api_cell(browser, "openai/gpt-4o", A.MODEL, Qt.ItemDataRole.ToolTipRole)
    assert document.projection is not None                      # the engine takes the override
    click(qtbot, browser.remove_button)
    assert document.plan.prices == ()
    document.undo_stack.undo()
    assert document.plan.prices == (("api.openai.gpt-4o.input", 1.5),)


def test_keyboard_and_tooltips(qtbot, browser):
    for w in (browser.section_combo, browser.provider_combo, browser.filter_edit, browser.api_search,
              browser.api_provider_combo, browser.override_button, browser.remove_button, browser.copy_button,
              browser.open_button):
        assert w.toolTip(), w
    browser.catalog_view.setFocus()
    qtbot.keyClick(browser.catalog_view, Qt.Key.Key_Down)
    assert browser.selected_row() is not None
    assert not browser.catalog_view.tabKeyNavigation()          # Tab leaves the table
