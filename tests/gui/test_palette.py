"""Light and dark: the charts take their background, text, axes and grid from the system palette, and follow a
switch at run time; the headline's muted lines too."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from gui import theme

DARK = {QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a", QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6", QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed"}
LIGHT = {QPalette.ColorRole.Window: "#efefef", QPalette.ColorRole.WindowText: "#1b1b1b",
         QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.Text: "#1b1b1b",
         QPalette.ColorRole.PlaceholderText: "#7a7a7a", QPalette.ColorRole.Button: "#e6e6e6",
         QPalette.ColorRole.ButtonText: "#1b1b1b"}


def palette(colors: dict) -> QPalette:
    p = QPalette(QApplication.palette())
    for role, color in colors.items():
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
            p.setColor(group, role, QColor(color))
    return p


@pytest.fixture
def switch_palette(qtbot):
    app = QApplication.instance()
    before = app.palette()

    def switch(colors: dict) -> None:
        app.setPalette(palette(colors))  # what a change of the system's colour scheme does
        qtbot.wait(10)
    yield switch
    app.setPalette(before)


def chart_colors(chart) -> dict:
    axis = chart.item.getAxis(chart.value_axis)
    return {"background": chart.plot.backgroundBrush().color().name(),
            "axis_text": axis.textPen().color().name(),
            "axis_line": axis.pen().color().name(),
            "grid": chart.grid.opts["pen"].color().name(),
            "grid_alpha": chart.grid.opts["pen"].color().alpha()}


@pytest.mark.parametrize("colors", [DARK, LIGHT], ids=["dark", "light"])
def test_charts_take_their_colours_from_the_palette(window, switch_palette, colors):
    switch_palette(colors)
    window.charts.refresh_all()
    base, text = colors[QPalette.ColorRole.Base], colors[QPalette.ColorRole.WindowText]
    for chart in window.charts.charts():
        c = chart_colors(chart)
        assert c["background"] == base, type(chart).__name__
        assert c["axis_text"] == text and c["axis_line"] == text
        assert c["grid"] == text and c["grid_alpha"] < 60  # faint lines in the text colour
    monthly = window.charts.monthly
    assert monthly.likely_line.opts["pen"].color().name() == text
    assert monthly.budget_label.fill.color().name() == base  # the label's box is the chart's background
    tornado = window.charts.tornado
    assert all(label.color.name() == text for label in tornado.value_labels)
    assert theme.is_dark() is (colors is DARK)


def test_a_switch_at_run_time_is_followed(window, switch_palette):
    window.charts.refresh_all()
    switch_palette(LIGHT)
    light = chart_colors(window.charts.monthly)
    switch_palette(DARK)
    dark = chart_colors(window.charts.monthly)
    assert light["background"] == "#ffffff" and dark["background"] == "#17181a"
    assert light["axis_text"] == "#1b1b1b" and dark["axis_text"] == "#e8eaed"
    # the headline's captions are the palette's muted text
    caption = window.headline.now.caption
    assert caption.palette().color(caption.foregroundRole()).name() == "#9aa0a6"


def test_category_colours_read_on_both_backgrounds():
    """Every series colour keeps WCAG's 3:1 for graphics against the dark background, and at least 1.5:1 against
    white (the yellow is the lightest: bars carry a darker edge, so they stay distinct there too)."""
    def luminance(hex_: str) -> float:
        c = QColor(hex_)
        def ch(v: float) -> float:
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue())

    def contrast(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)
    for color in list(theme.CATEGORY_COLORS.values()) + [theme.BUDGET_COLOR, theme.SCENARIO_COLOR]:
        assert contrast(color, "#ffffff") >= 1.5 and contrast(color, "#17181a") >= 3.0, color


def test_legend_swatches_are_the_series_colours(window):
    window.charts.refresh_all()
    monthly = window.charts.monthly
    caption = monthly.caption.text()
    for cat, bar in monthly.bars.items():
        if bar.isVisible():
            brush = bar.opts["brush"]
            assert QColor(brush).name() == QColor(theme.CATEGORY_COLORS[cat]).name()
            # the swatch and its name joined by a non-breaking space: a wrapping caption keeps them together
            assert f"color:{theme.CATEGORY_COLORS[cat]}'>■</span>&nbsp;{cat.value}" in caption
    assert f"color:{theme.BUDGET_COLOR}'>╍</span>&nbsp;budget" in caption
    assert monthly.budget.pen.color().name() == QColor(theme.BUDGET_COLOR).name()


def test_a_wrapping_legend_never_leaves_a_swatch_without_its_name(window):
    """The monthly caption laid out 220 px wide wraps over several lines; no line ends on a swatch (its name on
    the next line) and no line starts with a name whose swatch stayed behind."""
    from PySide6.QtGui import QTextDocument
    window.charts.refresh_all()
    doc = QTextDocument()
    doc.setDefaultFont(window.charts.monthly.caption.font())
    doc.setHtml(window.charts.monthly.caption.text())
    doc.setTextWidth(220)
    doc.documentLayout().documentSize()  # lays it out
    lines = []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(block.text()[line.textStart():line.textStart() + line.textLength()].strip())
        block = block.next()
    assert len(lines) >= 3, lines  # it does wrap at this width
    names = [c.value for c in window.charts.monthly.bars]
    for text in lines:
        assert not text.endswith(("■", "╍", "▬")), lines
        assert not any(text.replace("\u00a0", " ").startswith(n) for n in names), lines
