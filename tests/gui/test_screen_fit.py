"""Windows fit the screen they open on: every view at 1024x700, 1280x720 and at 2x scale on a 2560x1600 screen
(the real app on Qt's offscreen platform with a screen of that size, in a process of its own), and the rules
that size and place them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize

from gui import screen_fit

ROOT = Path(__file__).resolve().parent.parent.parent
VIEWS = {"main", "main-drivers", "main-actuals", "start-page", "help", "about", "TokenDialog", "CatalogBrowser",
         "ProvidersView", "PriceUpdateDialog", "compare", "print-dialog"}


def screen_check(screen: str, scale: float | None = None) -> dict:
    """``python -m gui.screen_check`` in a process of its own (the platform's screen is set before Qt starts)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
    args = [sys.executable, "-m", "gui.screen_check", "--screen", screen] + (["--scale", str(scale)] if scale else [])
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("screen, scale, logical", [("1024x700", None, (1024, 700)), ("1280x720", None, (1280, 720)),
                                                     ("2560x1600", 2, (1280, 800))])
def test_every_view_fits_the_screen(screen, scale, logical):
    r = screen_check(screen, scale)
    assert r["available"][2:] == list(logical)  # QT_SCALE_FACTOR=2 halves the screen in logical pixels
    assert set(r["windows"]) == VIEWS
    outside = {name: w["frame"] for name, w in r["windows"].items() if not w["inside"]}
    assert not outside, f"off the {logical} screen: {outside}"
    # the first-run window takes the screen (a 1440x900 window would run off all three)
    main = r["windows"]["main"]["frame"]
    assert main[2] >= logical[0] * 0.9 and main[3] >= logical[1] * 0.85
    # the monthly chart keeps a readable height; the headline figures never overlap
    assert r["chart_height"] >= 85
    assert r["headline_apart"]
    # tornado rows at least a line of text apart: names never on top of each other
    assert r["tornado"]["apart"] and r["tornado"]["rows"] >= 3
    # budget labels on no bar and not on each other
    labels = r["monthly_labels"]
    assert labels["labels"] and not labels["on_bars"] and not labels["overlap"]
    # the Actuals tab with bills imported (the hand-made exports of tests/data/actuals) keeps the window inside
    assert r["actuals"]["imported"] and r["windows"]["main-actuals"]["inside"]
    # every dock scrolls when it is shorter than its content
    assert all(r["docks_scroll"].values()) and set(r["docks_scroll"]) >= {"plan", "editor", "savings"}


@pytest.mark.parametrize("preferred, area, expected", [
    (QSize(1440, 900), QRect(0, 0, 1920, 1080), QSize(1440, 900)),  # room even with a 4% margin: as preferred
    (QSize(1440, 900), QRect(0, 0, 1024, 700), QSize(1008, 652)),   # small: 1024 - 16 x 700 - 48 (the frame)
    (QSize(1440, 900), QRect(0, 0, 1280, 800), QSize(1264, 752)),   # 2560x1600 at 2x: 1280 - 16 x 800 - 48
    # 1500 x 92% = 1380 < 1440: no margin, the room less the frame: min(1440, 1484); 940 x 92% = 864 < 900:
    # min(900, 940 - 48 = 892)
    (QSize(1440, 900), QRect(0, 0, 1500, 940), QSize(1440, 892)),
    (QSize(920, 620), QRect(0, 24, 1024, 676), QSize(920, 620)),    # a dialog that fits with its margin
])
def test_fitted_size(preferred, area, expected):
    assert screen_fit.fitted_size(preferred, area) == expected


def test_keep_inside_moves_and_shrinks_a_window(qtbot):
    from PySide6.QtWidgets import QDialog
    d = QDialog()
    qtbot.addWidget(d)
    area = QRect(0, 0, 800, 600)
    d.setGeometry(QRect(500, 400, 900, 700))  # too big, and off the bottom right
    assert screen_fit.keep_inside(d, area)
    g = d.geometry()
    frame = QRect(g.x() - 8, g.y() - 40, g.width() + 16, g.height() + 48)  # the estimated frame before it shows
    assert area.contains(frame), (g, frame)
    assert not screen_fit.keep_inside(d, area)  # already inside: left alone


def test_a_dialog_larger_than_the_screen_is_shrunk_when_shown(qtbot):
    """The application-wide filter (gui.app.create_application installs it) clamps every dialog on Show."""
    from PySide6.QtWidgets import QApplication, QDialog
    screen_fit.install(QApplication.instance())
    d = QDialog()
    qtbot.addWidget(d)
    avail = d.screen().availableGeometry()
    d.resize(avail.width() + 500, avail.height() + 400)
    d.show()
    qtbot.waitExposed(d)
    assert avail.contains(d.frameGeometry())


def test_elided_label_keeps_its_text_and_tooltip(qtbot):
    label = screen_fit.ElidedLabel("Answer generation service for the helpdesk")
    qtbot.addWidget(label)
    label.setToolTip("the top driver")
    label.resize(60, 20)
    label.show()
    assert label.text() == "Answer generation service for the helpdesk"  # what copying and screen readers get
    assert label.is_elided() and label.shown_text().endswith("…")
    assert label.toolTip() == "Answer generation service for the helpdesk"
    label.resize(600, 20)
    assert not label.is_elided() and label.toolTip() == "the top driver"


def test_check_boxes_wrap_in_a_narrow_dock_instead_of_being_cut(qtbot):
    """The savings panel's "Applies to" boxes (SectionChecks) were cut off at the dock's edge at 1024 px: they now
    wrap, every box wholly inside the widget, and the widget asks for the height of the lines it takes."""
    from gui.widgets import SectionChecks
    checks = SectionChecks([("training", "training"), ("fine_tuning", "fine-tuning"), ("inference", "inference"),
                            ("exploration", "notebooks")])
    qtbot.addWidget(checks)
    boxes = list(checks._boxes.values())
    widest = max(b.sizeHint().width() for b in boxes)
    one_line = checks.sizeHint().width()
    assert checks.minimumSizeHint().width() == widest < one_line  # it may be as narrow as its widest box
    width = one_line // 2
    checks.resize(width, checks.heightForWidth(width))
    checks.show()
    qtbot.waitExposed(checks)
    rows = {b.geometry().y() for b in boxes}
    assert len(rows) >= 2  # wrapped
    assert all(b.geometry().x() >= 0 and b.geometry().right() < width for b in boxes)
    assert checks.heightForWidth(width) >= len(rows) * boxes[0].sizeHint().height()
    # inside a FieldRow (which asks its editor for a fixed height) the second line still shows
    from PySide6.QtWidgets import QVBoxLayout, QWidget
    from gui.widgets import FieldRow
    holder = QWidget()
    qtbot.addWidget(holder)
    QVBoxLayout(holder).addWidget(FieldRow(checks))
    holder.resize(width, 200)
    holder.show()
    qtbot.waitExposed(holder)
    assert all(checks.rect().contains(b.geometry()) for b in boxes), [b.geometry() for b in boxes]
    assert len({b.geometry().y() for b in boxes}) >= 2
    holder.resize(one_line + 40, 200)
    qtbot.wait(10)
    assert len({b.geometry().y() for b in boxes}) == 1  # room for all: one line


def test_a_long_name_shows_its_start_in_a_narrow_field(qtbot):
    """The plan name in a field narrower than it read "ssistant (RAG on APIs)": set from the plan, it shows its
    start (the cursor at 0), and what is typed is kept where the cursor is."""
    from gui.widgets import TextEdit
    edit = TextEdit()
    qtbot.addWidget(edit)
    edit.resize(80, edit.sizeHint().height())
    edit.show()
    edit.set_value("Knowledge assistant (RAG on APIs)")
    assert edit.cursorPosition() == 0 and edit.text() == "Knowledge assistant (RAG on APIs)"
