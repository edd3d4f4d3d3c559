"""Colours and fonts that follow the system palette (light or dark); chart colours readable on both."""
from __future__ import annotations


from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from pricing.plan import Category
from pricing.resources import resource_path

ICON_DIR = resource_path("icons")

# Mid-lightness, colour-blind-aware hues (after Okabe-Ito / Tableau 10): each keeps contrast against
# both a white and a near-black background, so no colour depends on the theme.
CATEGORY_COLORS: dict[Category, str] = {
    Category.COMPUTE: "#4E79A7",     # blue
    Category.DATA: "#59A14F",        # green
    Category.SERVICES: "#F28E2B",    # orange
    Category.ANNOTATION: "#B07AA1",  # purple
    Category.MLOPS: "#76B7B2",       # teal
    Category.PEOPLE: "#EDC948",      # yellow
}
OTHER_COLOR = "#9C9C9C"
BUDGET_COLOR = "#E15759"             # red: the budget line and the over-budget marker
SCENARIO_COLOR = "#59A14F"           # green: the scenario against the baseline
BAND_COLOR = "#5B6B7F"               # the P10-P90 band of the monthly total (as in the PDF)
LOW_COLOR = "#4E79A7"                # tornado: an input at its low value
HIGH_COLOR = "#F28E2B"               # tornado: an input at its high value
ERROR_COLOR = "#E5534B"              # validation messages (readable on light and dark)


def category_color(category: Category | None) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, OTHER_COLOR)) if category else QColor(OTHER_COLOR)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def foreground(widget: QWidget | None = None) -> QColor:
    """Text colour of the current palette (axes, labels)."""
    palette = widget.palette() if widget else QApplication.palette()
    return palette.color(QPalette.ColorRole.WindowText)


def background(widget: QWidget | None = None) -> QColor:
    """Background of content areas (charts draw on it)."""
    palette = widget.palette() if widget else QApplication.palette()
    return palette.color(QPalette.ColorRole.Base)


def muted(widget: QWidget | None = None) -> QColor:
    """Secondary text (captions, grid lines)."""
    palette = widget.palette() if widget else QApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)


def headline_font(base: QFont, scale: float = 1.6, bold: bool = True) -> QFont:
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * scale)
    font.setBold(bold)
    return font


def icon(name: str) -> QIcon:
    """An icon of resources/icons (SVG, drawn in colours readable on light and dark themes)."""
    return QIcon(str(ICON_DIR / f"{name}.svg"))


def app_icon() -> QIcon:
    icon = QIcon()
    for png in sorted(ICON_DIR.glob("aicost-*.png")):
        icon.addFile(str(png))
    svg = ICON_DIR / "aicost.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    return icon
