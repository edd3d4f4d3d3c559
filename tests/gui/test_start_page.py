"""The start page: a plan from each template (its totals against the engine), an example, a recent plan, an empty
plan, File > New, and reopening the last plan at start (a setting)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from pricing import engine, templates as T
from pricing.load import load_checked
from pricing.plan import YearMonth
from pricing.report_figures import summarize

from gui import start_page
from gui.settings import Settings
from gui.start_page import Start, StartPage

TEMPLATES = T.templates()


def click_item(qtbot, lst, row: int, double: bool = False) -> None:
    item = lst.item(row)
    lst.scrollToItem(item)
    pos = lst.visualItemRect(item).center()
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    if double:  # as a real double-click: press and release, then the second press
        qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def row_of(lst, path: Path) -> int:
    return next(i for i in range(lst.count()) if getattr(lst.item(i).data(Qt.ItemDataRole.UserRole), "path", None)
                == path)


def test_the_page_lists_templates_examples_and_recent_plans(qtbot, window, example_dir):
    window.settings.add_recent(example_dir / "support-assistant.yaml")
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    names = [page.templates.item(i).text() for i in range(page.templates.count())]
    assert names == [s.name for s in TEMPLATES] + ["Empty plan"]
    assert page.examples.count() == len(T.examples())
    # the plan opened before is the recent plan
    recent = page.recent.item(0).data(Qt.ItemDataRole.UserRole)
    assert recent.kind is Start.RECENT and recent.path.name == "support-assistant.yaml"
    # the first template is selected and its sources are shown
    assert page.current_choice().path == TEMPLATES[0].path
    assert "Klarna" in page.details.toPlainText() and "genai-prices" in page.details.toPlainText()


@pytest.mark.parametrize("starter", TEMPLATES, ids=lambda s: s.key)
def test_a_plan_from_each_template(qtbot, window, base_catalog, starter):
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    click_item(qtbot, page.templates, row_of(page.templates, starter.path))
    assert page.go.text() == "Create plan"
    qtbot.mouseClick(page.go, Qt.MouseButton.LeftButton)
    assert page.choice == start_page.Choice(Start.TEMPLATE, starter.path)
    assert start_page.apply_choice(window, page.choice)
    doc = window.document
    # an untitled plan that starts this month, nothing to save yet
    assert doc.path is None and not doc.is_modified and doc.plan.name == starter.name
    assert doc.plan.start == YearMonth.today()
    # its figures are the engine's, computed independently from the template file with the same start
    expected = engine.project(dataclasses.replace(load_checked(starter.path, base_catalog), start=YearMonth.today()),
                              base_catalog)
    assert doc.projection.total == pytest.approx(expected.total, rel=1e-12)
    assert np.allclose(doc.projection.monthly, expected.monthly, rtol=1e-12)
    # the headline shows the sum of the cents every report rounds to (report_figures.summarize)
    assert window.headline.data.total == summarize(expected).total / 100
    assert window.windowTitle().startswith("Untitled")


def test_the_rag_template_totals_by_hand(qtbot, window):
    """The first month of the RAG template, line by line (tests/pricing/test_templates.py shows each part):
    answers 252,000 x 0.0102 = 2,570.40; question embeddings 0.1512; corpus first load 20.00; storage
    (510 + 51) GB x 1e9 / 2^30 (AWS bills binary GB) x 0.023 = 12.0168; reviews 48; MLOps 73 + 16.425 + 50 + 60;
    people 40 h x 95 = 3,800."""
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    click_item(qtbot, page.templates, 0, double=True)  # a double-click creates it at once
    assert page.choice is not None and page.choice.path.stem == "rag-assistant"
    start_page.apply_choice(window, page.choice)
    month1 = 2_570.40 + 0.1512 + 20.0 + 561 * 1e9 / 2**30 * 0.023 + 48.0 + 73.0 + 16.425 + 50.0 + 60.0 + 3_800.0
    assert window.document.projection.monthly[0] == pytest.approx(month1, abs=1e-6)   # 6,649.99
    # the headline adds the lines rounded half-even to the cent: 2,570.40 + 0.15 + 20.00 + 10.92 (10.9244) + 1.09
    # (1.0924) + 48.00 + 73.00 + 16.42 (16.425) + 50.00 + 60.00 + 3,800.00 = 6,649.98
    assert window.headline.data.run_rate_now == 6_649.98


def test_an_example_opens_as_an_untitled_copy_with_its_prompt_inside(qtbot, window, tmp_path):
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    support = next(s for s in T.examples() if s.key == "support-assistant")
    click_item(qtbot, page.examples, row_of(page.examples, support.path))
    assert page.go.text() == "Open"
    qtbot.keyClick(page.examples, Qt.Key.Key_Return)  # Enter activates the item
    start_page.apply_choice(window, page.choice)
    doc = window.document
    assert doc.path is None and doc.plan.name == "Support assistant"
    sample = doc.plan.services.apis[0].sample_input
    assert sample.path is None and "Northwind" in sample.text  # inline: the copy saved elsewhere stays whole
    doc.save(tmp_path / "copy.yaml")
    assert load_checked(tmp_path / "copy.yaml").services.apis[0].input_tokens == doc.plan.services.apis[0].input_tokens


def test_a_recent_plan_and_an_empty_plan(qtbot, window, example_dir):
    vision = example_dir / "vision-inhouse.yaml"
    window.settings.add_recent(vision)
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    click_item(qtbot, page.recent, 0, double=True)
    assert page.choice.kind is Start.RECENT and page.choice.path == vision.resolve()
    assert start_page.apply_choice(window, page.choice)
    assert window.document.path == vision.resolve() and window.document.plan.name == "Defect detection (vision)"
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    click_item(qtbot, page.templates, page.templates.count() - 1, double=True)
    assert page.choice.kind is Start.EMPTY
    start_page.apply_choice(window, page.choice)
    assert window.document.path is None and not list(window.document.plan.lines())


def test_file_new_shows_the_start_page(qtbot, window):
    seen = []

    def pick() -> None:
        page = QApplication.activeModalWidget()
        seen.append(page)
        assert isinstance(page, StartPage)
        click_item(qtbot, page.templates, row_of(page.templates, TEMPLATES[2].path))
        qtbot.mouseClick(page.go, Qt.MouseButton.LeftButton)
    QTimer.singleShot(0, pick)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # File > New
    assert seen and window.document.plan.name == TEMPLATES[2].name


def test_cancel_keeps_the_plan(qtbot, window):
    before = window.document.plan
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    window.new_plan()
    assert window.document.plan is before


def test_a_broken_template_is_reported_and_the_plan_kept(qtbot, window, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEMPLATES[0].path.read_text().replace("gpt-4.1\n", "no-such-model\n", 1))
    before = window.document.plan
    assert not start_page.apply_choice(window, start_page.Choice(Start.TEMPLATE, bad))
    assert window.document.plan is before
    dialog = window.presenter.last_dialog
    assert dialog is not None and "bad.yaml" in dialog.text() and "no-such-model" in dialog.text()
    dialog.close()


def test_reopen_the_last_plan_is_a_setting(qtbot, window, example_dir, monkeypatch):
    settings = window.settings
    assert settings.reopen_last()  # on by default
    page = StartPage(settings, window)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.reopen, Qt.MouseButton.LeftButton)
    assert not settings.reopen_last() and not Settings().reopen_last()  # saved at once
    qtbot.mouseClick(page.reopen, Qt.MouseButton.LeftButton)
    assert Settings().reopen_last()

    shown = []
    monkeypatch.setattr(start_page, "show", lambda w: shown.append(w))
    # no crashed session's offer is up (a modal box another test left open would defer at_start: not this test's)
    monkeypatch.setattr(start_page.QApplication, "activeModalWidget", staticmethod(lambda: None))
    last = (example_dir / "vision-inhouse.yaml").resolve()
    settings.add_recent(last)  # worked on last
    window.document.new()  # a fresh start: no plan open
    start_page.at_start(window)
    assert settings.last_plan() == last and window.document.path == last and not shown  # the last plan reopened
    window.document.new()
    settings.set_reopen_last(False)
    start_page.at_start(window)
    assert shown == [window] and window.document.path is None  # the start page instead
    shown.clear()
    start_page.at_start(window, opened=True)  # a plan given on the command line: nothing else
    assert not shown


def test_the_page_fits_a_small_screen(qtbot, window):
    page = StartPage(window.settings, window)
    qtbot.addWidget(page)
    page.show()
    avail = page.screen().availableGeometry()
    assert avail.contains(page.frameGeometry())
