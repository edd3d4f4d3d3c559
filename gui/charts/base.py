"""Chart base: pyqtgraph loaded on first use, and a plot with its caption line that follows the palette."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QCursor
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from pricing import series

from gui import theme
from gui.widgets import MoneyFormat


BAR_WIDTH = 0.72
MAX_DRIVERS = 8

pg: Any = None
"""pyqtgraph, imported when the first chart is built (it is a third of the start-up time)."""


def _load_pyqtgraph() -> Any:
    global pg
    if pg is None:
        import pyqtgraph
        pyqtgraph.setConfigOptions(antialias=True)
        pg = pyqtgraph
    return pg


def _color(hex_or_color: Any, alpha: int = 255) -> QColor:
    c = QColor(hex_or_color)
    c.setAlpha(alpha)
    return c


class Chart(QWidget):
    """A plot with a caption line above it (title and legend as rich text), following the palette.

    The value axis ends on a round number and its ticks and grid lines are set here (not by
    pyqtgraph's automatic grid, which costs most of a repaint), and only when the scale changes.
    """

    def __init__(self, value_axis: str = "left", parent: QWidget | None = None, *, left: str | None = None,
                 bottom: str | None = None):
        """``value_axis``: the axis of amounts ("left" or "bottom"); ``left="money"`` / ``bottom="money"``
        say the same (the compare window's spelling)."""
        super().__init__(parent)
        if bottom == "money":
            value_axis = "bottom"
        elif left == "money":
            value_axis = "left"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(2)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        _load_pyqtgraph()
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(False, False)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setDefaultPadding(0.0)
        # room on the right for half of the last axis label ("Dec 2028", "$800k"): drawn whole, never cut
        item.layout.setContentsMargins(2, 4, self.fontMetrics().horizontalAdvance("Dec 2028") // 2 + 4, 2)
        layout.addWidget(self.plot, 1)
        self.value_axis = value_axis
        self.fmt = MoneyFormat()
        # automatic ticks (before set_value_range, or in views that scale the axis themselves) in money too
        axis = item.getAxis(value_axis)
        axis.tickStrings = lambda values, scale, spacing: [self.fmt.compact(v * scale) for v in values]
        # month labels at the ends are drawn even when they reach past the plot's edge
        item.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.grid = pg.PlotCurveItem(connect="pairs")
        self.grid.setZValue(-10)
        item.addItem(self.grid)
        self._scale: tuple = ()
        self._ticks: tuple = ()
        self.span = (0.0, 1.0)
        """Extent of the category axis (months or ranks), for the grid lines."""
        self.top = 1.0
        """End of the value axis."""
        self.hover_text = ""
        """What the pointer's tooltip says (tests read it)."""
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # right-click: save as PNG or SVG, copy (pyqtgraph's own menu is off)
        self.plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.plot.customContextMenuRequested.connect(self._on_context_menu)
        self.apply_palette()

    @property
    def item(self) -> Any:
        return self.plot.getPlotItem()

    def set_value_range(self, highest: float, currency: str) -> None:
        """Scale the value axis from 0 to a round end above ``highest``; ticks, labels and grid follow."""
        top, step = series.nice_scale(highest * 1.04)
        self.set_value_ticks(np.arange(0.0, top + step / 2, step), currency)

    def set_value_ticks(self, values: Sequence[float], currency: str) -> None:
        """Scale the value axis to the round ``values`` (first to last), with their labels and grid lines."""
        values = np.asarray(values, dtype=float)
        key = (tuple(values), currency, self.span)
        if key == self._scale:
            return
        self._scale = key
        start, top = float(values[0]), float(values[-1])
        self.top = top
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
        self.item.getAxis(self.value_axis).setTicks([[(float(v), self.fmt.compact(float(v))) for v in values]])
        lo, hi = self.span
        headroom = top + (top - start) * 0.04  # the top tick's label stays inside the plot
        if self.value_axis == "left":
            self.item.setYRange(start, headroom, padding=0)
            xs = np.repeat([[lo, hi]], len(values), axis=0).ravel()
            self.grid.setData(xs, np.repeat(values, 2))
        else:
            self.item.setXRange(start, headroom, padding=0)
            ys = np.repeat([[lo, hi]], len(values), axis=0).ravel()
            self.grid.setData(np.repeat(values, 2), ys)
        self._settle_view()

    def _settle_view(self) -> None:
        """Apply a new view range to the items now rather than in the next paint.

        pyqtgraph defers the view's transform to the start of a paint; the items then learn of it
        inside that paint and ask for another one. Done here, the first paint draws them right."""
        self.item.getViewBox().updateMatrix()

    def set_currency(self, currency: str) -> None:
        """Amounts in another currency (for views that scale the value axis themselves)."""
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
            self._scale = ()
            axis = self.item.getAxis(self.value_axis)
            axis.picture = None
            axis.update()

    def set_span(self, lo: float, hi: float) -> None:
        """The category axis's extent (months -0.6 .. n-0.4, or ranks)."""
        if (lo, hi) != self.span:
            self.span = (lo, hi)
            self._scale = ()
        if self.value_axis == "left":
            self.item.setXRange(lo, hi, padding=0)
        else:
            self.item.setYRange(lo, hi, padding=0)
        self._settle_view()

    def apply_palette(self) -> None:
        fg = theme.foreground(self)
        self.plot.setBackground(theme.background(self))
        for name in ("left", "bottom"):
            axis = self.item.getAxis(name)
            axis.setPen(pg.mkPen(_color(fg, 110)))
            axis.setTextPen(pg.mkPen(fg))
        self.grid.setPen(pg.mkPen(_color(fg, 38), width=1))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - follow light/dark switches
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def set_month_ticks(self, labels: Sequence[str]) -> None:
        width = max(self.plot.width(), 400)
        ticks = tuple(series.axis_ticks(labels, max_ticks=max(4, width // 90)))
        if ticks != self._ticks:  # unchanged on ordinary edits: keep the axis's cached drawing
            self._ticks = ticks
            self.item.getAxis("bottom").setTicks([list(ticks)])

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - more room, more month labels
        super().resizeEvent(event)
        if self._ticks:
            labels = getattr(self, "month_names", ())
            if labels:
                self.set_month_ticks(labels)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        vb = self.item.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            QToolTip.hideText()
            return
        p = vb.mapSceneToView(pos)
        text = self.hover_at(p.x(), p.y())
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot)
        else:
            QToolTip.hideText()

    def hover_at(self, x: float, y: float) -> str:
        """The tooltip for a point in chart coordinates ('' for none)."""
        return ""

    def _on_context_menu(self, pos: Any) -> None:
        from gui.charts import export
        export.context_menu(self, self.plot.mapToGlobal(pos)).popup(self.plot.mapToGlobal(pos))


def legend_item(color: str, label: str, symbol: str = "■", whole: bool = True) -> str:
    """A caption's legend entry: the coloured ``symbol`` and its label, which a wrapping caption never splits
    (no line break after the swatch; with ``whole`` none inside the label either: spaces and hyphens that do
    not break), so a swatch always stands beside what it names."""
    if whole:
        label = label.replace(" ", "&nbsp;").replace("-", "\u2011")
    return f"<span style='color:{color}'>{symbol}</span>&nbsp;{label}"


def _set_text(item: Any, text: str) -> None:
    """Give a pyqtgraph TextItem (or a line's label) new text only when it differs: setting it lays out
    the text again and invalidates the scene around it."""
    if item.textItem.toPlainText() != text:
        item.setText(text)


def _elide(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
