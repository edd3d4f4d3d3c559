"""Help (F1): the user guide rendered in the app, links between pages followed; About: version, price data dates and
the licences of what is bundled, read from the installed metadata."""
from __future__ import annotations

import importlib.metadata as md

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from pricing import about, apiprices
from pricing.resources import docs_root

from gui.about import AboutDialog
from gui.help_viewer import HelpWindow, pages


def test_every_page_is_listed_and_the_guide_links_resolve():
    listed = [p.name for p, _ in pages()]
    assert listed[0] == "user-guide.md"
    assert {"plan-format.md", "scenarios.md", "catalog.md", "exports.md", "cli.md"} <= set(listed)
    guide = (docs_root() / "user-guide.md").read_text(encoding="utf-8")
    import re
    for target in re.findall(r"\]\(([^)#]+\.md)", guide):  # every page the guide links to is installed
        assert (docs_root() / target).is_file(), target


def test_f1_opens_the_user_guide_rendered(qtbot, window):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_window = window._help_window
    qtbot.waitExposed(help_window)
    assert help_window.current_page() == "user-guide.md"
    text = help_window.browser.toPlainText()
    assert "AI Cost Planner: user guide" in text and "##" not in text  # Markdown rendered, not shown raw
    assert "Fiscal years and quarters" in text
    assert help_window.list.currentItem().text() == "User guide"


def test_links_between_pages_and_back(qtbot, window):
    help_window = HelpWindow(window)
    qtbot.addWidget(help_window)
    help_window.show()
    browser = help_window.browser
    # a relative link of the guide, as a click on it delivers it
    browser.anchorClicked.emit(QUrl("scenarios.md"))
    assert help_window.current_page() == "scenarios.md"
    assert help_window.list.currentItem().text() == "Savings scenarios"
    assert "strateg" in browser.toPlainText().lower()
    assert help_window.back.isEnabled()
    from PySide6.QtWidgets import QToolBar
    back = help_window.findChild(QToolBar).widgetForAction(help_window.back)
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert help_window.current_page() == "user-guide.md"
    # the page list
    row = next(i for i in range(help_window.list.count()) if help_window.list.item(i).text() == "Plan file format")
    item = help_window.list.item(row)
    qtbot.mouseClick(help_window.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=help_window.list.visualItemRect(item).center())
    assert help_window.current_page() == "plan-format.md"
    # find on the page
    qtbot.keyClicks(help_window.find, "fiscal_year_start")
    qtbot.keyClick(help_window.find, Qt.Key.Key_Return)
    assert browser.textCursor().selectedText() == "fiscal_year_start"


def test_a_missing_page_says_so(qtbot, tmp_path, window):
    (tmp_path / "user-guide.md").write_text("# Guide\n\n[gone](missing.md)\n", encoding="utf-8")
    help_window = HelpWindow(window, folder=tmp_path)
    qtbot.addWidget(help_window)
    help_window.browser.anchorClicked.emit(QUrl("missing.md"))
    assert "not part of this installation" in help_window.browser.toPlainText()
    empty = HelpWindow(window, folder=tmp_path / "nothing")
    qtbot.addWidget(empty)
    assert "Help is not installed" in empty.browser.toPlainText()


def test_whats_this_stays_in_the_help_menu(window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    texts = [a.text() for a in help_menu.actions()]
    assert "&User guide" in texts and any("What's This" in t for t in texts)


def test_about_states_version_price_dates_and_licences(qtbot, window, base_catalog):
    dialog = AboutDialog(base_catalog, window)
    qtbot.addWidget(dialog)
    head = dialog.findChildren(type(dialog.prices))[0].text()
    assert md.version("aicost") in head
    # the price data dates: the catalog's oldest and newest dated prices, counted by hand from its entries
    dated = [(e.source.as_of_date, e.key) for e in base_catalog.entries()
             if e.value is not None and e.unit.startswith("USD") and e.source.as_of_date is not None]
    assert (dialog.data.oldest, dialog.data.oldest_key) == min(dated)
    assert (dialog.data.newest, dialog.data.newest_key) == max(dated)
    text = dialog.prices.text()
    assert min(dated)[0].isoformat() in text and max(dated)[0].isoformat() in text
    assert f"price data of {apiprices.data_date().isoformat()}" in text
    # licences as the installed metadata states them
    lic = dialog.licences()
    meta = md.metadata("PySide6-Essentials")
    assert lic["PySide6_Essentials"] == (meta["License-Expression"] or meta["License"])
    assert "LGPL-3.0" in lic["PySide6_Essentials"]
    assert lic["pyqtgraph"] == "MIT" and lic["genai-prices"] == "MIT" and lic["xlsxwriter"] == "BSD-2-Clause"
    assert lic["numpy"].startswith("BSD-3-Clause")
    assert lic["tiktoken"].startswith("MIT") and lic["duckdb"].startswith("MIT") and lic["PyYAML"] == "MIT"
    assert lic["Python"] == "PSF-2.0"
    names = {c.name.lower().replace("_", "-") for c in dialog.components}
    assert {"pyside6-essentials", "pyqtgraph", "numpy", "tiktoken", "genai-prices", "duckdb", "xlsxwriter",
            "pyyaml"} <= names
    assert dialog.table.rowCount() == len(dialog.components)
    assert dialog.screen().availableGeometry().contains(dialog.frameGeometry()) or not dialog.isVisible()


def test_about_from_the_menu(qtbot, window):
    dialog = window.about()
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    dialog.close()


def test_licence_text_from_metadata():
    meta = {"License": "MIT License\n\nCopyright (c) 2022 OpenAI\nPermission is hereby granted..."}

    class M(dict):
        def get_all(self, key):
            return self.get(key + "s")
    assert about._license_of(M(meta)) == "MIT License"  # a whole licence text: its first line names it
    assert about._license_of(M({"License-Expression": "BSD-3-Clause", "License": "x"})) == "BSD-3-Clause"
    assert about._license_of(M({"Classifiers": ["License :: OSI Approved :: MIT License"]})) == "MIT License"
    assert about._license_of(M({})) == ""
    assert QApplication.instance() is not None
