"""Vector charts for printed reports: QPainter paths and text only (no pixmaps), in any paint device's units.

Every chart takes values that are already computed (by ``pricing``) and label texts that are
already formatted; what happens here is layout: scales, ticks, bars, lines, legends. Sizes are
given in points and turned into device units with ``ChartStyle.k`` (device units per point), so
the same code draws on a 600 dpi PDF page or on a screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from pricing import series

from gui import theme
from gui.pdf.text import tame

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class ChartStyle:
    """Fonts, colours and the unit of a chart (``k`` device units per point)."""

    k: float
    family: str = "DejaVu Sans"
    text: QColor = field(default_factory=lambda: QColor("#1F2328"))
    muted: QColor = field(default_factory=lambda: QColor("#5F6B7A"))
    grid: QColor = field(default_factory=lambda: QColor("#E3E7EC"))
    axis: QColor = field(default_factory=lambda: QColor("#9AA4B1"))
    budget: QColor = field(default_factory=lambda: QColor("#D1403F"))
    label_pt: float = 6.8
    """Tick labels and legends."""
    title_pt: float = 7.2
    """Axis titles."""

    def pt(self, x: float) -> float:
        return x * self.k

    def font(self, size_pt: float | None = None, bold: bool = False) -> QFont:
        f = QFont(self.family)
        f.setPointSizeF(size_pt or self.label_pt)
        f.setBold(bold)
        f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        f.setKerning(True)
        return f

    def pen(self, color: QColor | str, width_pt: float = 0.75, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(QColor(color), width_pt * self.k, style)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if style == Qt.PenStyle.CustomDashLine:
            pen.setDashPattern([4.0, 2.5])
        return pen


def _fm(style: ChartStyle, p: QPainter, font: QFont) -> QFontMetricsF:
    return QFontMetricsF(font, p.device())


def elide(text: str, fm: QFontMetricsF, width: float) -> str:
    """A label (a line's or a scenario's name) tamed (cut, no control characters, no tower of accents), elided."""
    return fm.elidedText(tame(text), Qt.TextElideMode.ElideRight, width)


nice_ticks = series.nice_ticks
"""Round tick values covering [lo, hi] (shared with the window's charts)."""


# ---------------------------------------------------------------------------------------------
# Legends
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: QColor
    kind: str = "box"
    """``box`` (a filled square), ``line``, ``dash`` (dashed line) or ``band`` (a light fill)."""


def legend_height(p: QPainter, style: ChartStyle, items: Sequence[LegendItem], width: float) -> float:
    return _legend(p, style, items, QRectF(0, 0, width, 0), draw=False)


def draw_legend(p: QPainter, style: ChartStyle, items: Sequence[LegendItem], rect: QRectF) -> float:
    return _legend(p, style, items, rect, draw=True)


def _legend(p: QPainter, style: ChartStyle, items: Sequence[LegendItem], rect: QRectF, *, draw: bool) -> float:
    """Items flow left to right, wrapping; returns the height used."""
    if not items:
        return 0.0
    font = style.font()
    fm = _fm(style, p, font)
    sw, gap, pad = style.pt(11), style.pt(4), style.pt(12)
    line_h = fm.height() * 1.35
    x, y = rect.left(), rect.top()
    if draw:
        p.setFont(font)
    for it in items:
        label = elide(it.label, fm, rect.width() - sw - gap)
        w = sw + gap + fm.horizontalAdvance(label)
        if x > rect.left() and x + w > rect.right():
            x, y = rect.left(), y + line_h
        if draw:
            cy = y + line_h / 2
            if it.kind == "box":
                s = style.pt(6.5)
                p.fillRect(QRectF(x + (sw - s) / 2, cy - s / 2, s, s), it.color)
            elif it.kind == "band":
                c = QColor(it.color)
                p.fillRect(QRectF(x, cy - style.pt(3.5), sw, style.pt(7)), c)
            else:
                dash = Qt.PenStyle.CustomDashLine if it.kind == "dash" else Qt.PenStyle.SolidLine
                p.setPen(style.pen(it.color, 1.4, dash))
                p.drawLine(QPointF(x, cy), QPointF(x + sw, cy))
            p.setPen(style.text)
            p.drawText(QRectF(x + sw + gap, y, w, line_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       label)
        x += w + pad
    return (y - rect.top()) + line_h


# ---------------------------------------------------------------------------------------------
# Axes
# ---------------------------------------------------------------------------------------------


class Axes:
    """A plot area with a value axis on the left and a category (month) axis below; knows its scales."""

    def __init__(self, p: QPainter, style: ChartStyle, rect: QRectF, y_lo: float, y_hi: float, n: int,
                 y_format: Formatter, y_title: str, x_labels: Sequence[tuple[int, str]], *, band: bool = True):
        self.p, self.s, self.n, self.band = p, style, max(n, 1), band
        self.ticks = nice_ticks(min(0.0, y_lo), y_hi if y_hi > y_lo else y_lo + 1.0)
        self.lo, self.hi = self.ticks[0], self.ticks[-1]
        font = style.font()
        fm = _fm(style, p, font)
        tick_w = max(fm.horizontalAdvance(y_format(t)) for t in self.ticks)
        title_h = fm.height() * 1.2 if y_title else 0.0
        left = rect.left() + tick_w + style.pt(5)
        top = rect.top() + title_h + fm.height() * 0.5
        bottom = rect.bottom() - fm.height() * 1.6
        self.plot = QRectF(left, top, rect.right() - left - style.pt(2), bottom - top)
        p.save()
        p.setFont(font)
        if y_title:
            p.setPen(style.muted)
            p.drawText(QRectF(rect.left(), rect.top(), rect.width(), title_h), Qt.AlignmentFlag.AlignLeft
                       | Qt.AlignmentFlag.AlignVCenter, y_title)
        for t in self.ticks:
            y = self.y(t)
            p.setPen(style.pen(style.axis if t == 0 else style.grid, 0.6 if t == 0 else 0.45))
            p.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))
            p.setPen(style.muted)
            p.drawText(QRectF(rect.left(), y - fm.height() / 2, tick_w, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, y_format(t))
        p.setPen(style.muted)
        for i, label in x_labels:
            x = self.x(i)
            w = fm.horizontalAdvance(label)
            x0 = min(max(x - w / 2, rect.left()), rect.right() - w)
            p.drawText(QRectF(x0, self.plot.bottom() + fm.height() * 0.35, w + 1, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            p.setPen(style.pen(style.axis, 0.5))
            p.drawLine(QPointF(x, self.plot.bottom()), QPointF(x, self.plot.bottom() + style.pt(2.2)))
            p.setPen(style.muted)
        p.restore()

    @property
    def step(self) -> float:
        return self.plot.width() / (self.n if self.band else max(self.n - 1, 1))

    def x(self, i: float) -> float:
        if self.band:
            return self.plot.left() + (i + 0.5) * self.step
        return self.plot.left() + i * self.step

    def y(self, v: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.plot.bottom() - (v - self.lo) / span * self.plot.height()

    def hline(self, value: float, color: QColor, label: str = "", dashed: bool = True) -> None:
        p, s = self.p, self.s
        y = self.y(value)
        p.save()
        p.setPen(s.pen(color, 1.1, Qt.PenStyle.CustomDashLine if dashed else Qt.PenStyle.SolidLine))
        p.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))
        if label:
            font = s.font(s.label_pt, bold=True)
            fm = _fm(s, p, font)
            w = fm.horizontalAdvance(label) + s.pt(4)
            box = QRectF(self.plot.left() + s.pt(3), y - fm.height() - s.pt(1.5), w, fm.height())
            p.fillRect(box, QColor(255, 255, 255, 220))
            p.setFont(font)
            p.setPen(color)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        p.restore()


def _line_path(axes: Axes, values: Sequence[float | None]) -> QPainterPath:
    path = QPainterPath()
    pen_up = True
    for i, v in enumerate(values):
        if v is None:
            pen_up = True
            continue
        pt = QPointF(axes.x(i), axes.y(v))
        if pen_up:
            path.moveTo(pt)
            pen_up = False
        else:
            path.lineTo(pt)
    return path


def _band_path(axes: Axes, low: Sequence[float], high: Sequence[float]) -> QPainterPath:
    path = QPainterPath()
    path.moveTo(QPointF(axes.x(0), axes.y(high[0])))
    for i in range(1, len(high)):
        path.lineTo(QPointF(axes.x(i), axes.y(high[i])))
    for i in range(len(low) - 1, -1, -1):
        path.lineTo(QPointF(axes.x(i), axes.y(low[i])))
    path.closeSubpath()
    return path


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One stacked series (a category)."""

    label: str
    color: QColor
    values: Sequence[float]


@dataclass(frozen=True)
class Series:
    """One line."""

    label: str
    color: QColor
    values: Sequence[float | None]
    dashed: bool = False
    width_pt: float = 1.4
    fill: QColor | None = None
    """Fill under the line (to zero), drawn first."""


def stacked_bars(p: QPainter, style: ChartStyle, rect: QRectF, *, x_labels: Sequence[tuple[int, str]], n: int,
                 layers: Sequence[Layer], y_format: Formatter, y_title: str, budget: float | None = None,
                 budget_label: str = "", total_line: Series | None = None,
                 band: tuple[Sequence[float], Sequence[float]] | None = None, band_label: str = "") -> None:
    """Monthly bars stacked by layer, an optional budget line, and an optional total line with its P10-P90 band."""
    items = [LegendItem(layer.label, layer.color) for layer in layers]
    if band is not None:
        items.append(LegendItem(band_label, _alpha(QColor(theme.BAND_COLOR), 60), "band"))
    if total_line is not None:
        items.append(LegendItem(total_line.label, total_line.color, "line"))
    if budget is not None:
        items.append(LegendItem(budget_label or "Monthly budget", style.budget, "dash"))
    lh = legend_height(p, style, items, rect.width())
    plot_rect = QRectF(rect.left(), rect.top(), rect.width(), rect.height() - lh - style.pt(4))
    tops = [sum(layer.values[i] for layer in layers) for i in range(n)]
    hi = max(tops + [budget or 0.0] + (list(band[1]) if band else []) + [0.0])
    axes = Axes(p, style, plot_rect, 0.0, hi * 1.04 if hi else 1.0, n, y_format, y_title, x_labels)
    p.save()
    bw = axes.step * (0.72 if n > 6 else 0.55)
    bottoms = [0.0] * n
    p.setPen(Qt.PenStyle.NoPen)
    if band is not None:  # behind the bars: it shows where the spread reaches beyond the month's bar
        p.setBrush(QBrush(_alpha(QColor(theme.BAND_COLOR), 60)))
        p.drawPath(_band_path(axes, band[0], band[1]))
    for layer in layers:
        p.setBrush(QBrush(layer.color))
        for i in range(n):
            v = layer.values[i]
            if v <= 0:
                continue
            y0, y1 = axes.y(bottoms[i]), axes.y(bottoms[i] + v)
            p.drawRect(QRectF(axes.x(i) - bw / 2, y1, bw, y0 - y1))
            bottoms[i] += v
    if total_line is not None:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(style.pen(total_line.color, total_line.width_pt))
        p.drawPath(_line_path(axes, total_line.values))
    p.restore()
    if budget is not None:
        axes.hline(budget, style.budget, budget_label)
    draw_legend(p, style, items, QRectF(rect.left() + style.pt(2), rect.bottom() - lh, rect.width(), lh))


def line_chart(p: QPainter, style: ChartStyle, rect: QRectF, *, x_labels: Sequence[tuple[int, str]], n: int,
               series: Sequence[Series], y_format: Formatter, y_title: str,
               band: tuple[Sequence[float], Sequence[float]] | None = None, band_label: str = "",
               band_color: QColor | None = None) -> None:
    """Lines over months (``None`` leaves a gap), with an optional shaded band drawn behind them."""
    band_color = band_color or _alpha(QColor("#4E79A7"), 55)
    items = []
    if band is not None:
        items.append(LegendItem(band_label, band_color, "band"))
    items += [LegendItem(s.label, s.color, "dash" if s.dashed else "line") for s in series]
    lh = legend_height(p, style, items, rect.width())
    plot_rect = QRectF(rect.left(), rect.top(), rect.width(), rect.height() - lh - style.pt(4))
    vals = [v for s in series for v in s.values if v is not None] + (list(band[1]) if band else [])
    lows = [v for s in series for v in s.values if v is not None] + (list(band[0]) if band else [])
    axes = Axes(p, style, plot_rect, min(lows + [0.0]), max(vals + [0.0]) * 1.04 or 1.0, n, y_format, y_title,
                x_labels, band=False)
    p.save()
    if band is not None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(band_color))
        p.drawPath(_band_path(axes, band[0], band[1]))
    for s in series:
        path = _line_path(axes, s.values)
        if s.fill is not None:
            area = QPainterPath(path)
            idx = [i for i, v in enumerate(s.values) if v is not None]
            if idx:
                area.lineTo(QPointF(axes.x(idx[-1]), axes.y(0)))
                area.lineTo(QPointF(axes.x(idx[0]), axes.y(0)))
                area.closeSubpath()
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QBrush(s.fill))
                p.drawPath(area)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(style.pen(s.color, s.width_pt, Qt.PenStyle.CustomDashLine if s.dashed else Qt.PenStyle.SolidLine))
        p.drawPath(path)
    p.restore()
    draw_legend(p, style, items, QRectF(rect.left() + style.pt(2), rect.bottom() - lh, rect.width(), lh))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: QColor
    text: str
    """Written after the bar (the amount and share)."""


def hbars(p: QPainter, style: ChartStyle, rect: QRectF, bars: Sequence[Bar], *, label_width_pt: float = 150) -> None:
    """Ranked horizontal bars: label, bar, value text (the longest bar fills the space left for bars)."""
    if not bars:
        return
    font = style.font(style.label_pt + 0.4)
    fm = _fm(style, p, font)
    text_w = max(fm.horizontalAdvance(b.text) for b in bars) + style.pt(6)
    label_w = style.pt(label_width_pt)
    row = rect.height() / len(bars)
    bar_h = min(row * 0.64, style.pt(11))
    x0 = rect.left() + label_w + style.pt(6)
    span = rect.right() - text_w - x0
    top = max((b.value for b in bars), default=0.0) or 1.0
    p.save()
    p.setFont(font)
    p.setPen(style.pen(style.axis, 0.6))
    p.drawLine(QPointF(x0, rect.top()), QPointF(x0, rect.bottom()))
    for i, b in enumerate(bars):
        cy = rect.top() + (i + 0.5) * row
        p.setPen(style.text)
        p.drawText(QRectF(rect.left(), cy - row / 2, label_w, row), Qt.AlignmentFlag.AlignRight
                   | Qt.AlignmentFlag.AlignVCenter, elide(b.label, fm, label_w))
        w = max(b.value, 0.0) / top * span
        p.fillRect(QRectF(x0, cy - bar_h / 2, w, bar_h), b.color)
        p.setPen(style.muted)
        p.drawText(QRectF(x0 + w + style.pt(4), cy - row / 2, text_w, row), Qt.AlignmentFlag.AlignLeft
                   | Qt.AlignmentFlag.AlignVCenter, b.text)
    p.restore()


@dataclass(frozen=True)
class TornadoBar:
    label: str
    low_total: float
    high_total: float
    low_text: str
    """Written at the end of the bar's lower side (e.g. ``4M``)."""
    high_text: str
    estimated: bool = False
    """No range in the plan: the default swing is shown (drawn lighter)."""


def tornado(p: QPainter, style: ChartStyle, rect: QRectF, baseline: float, bars: Sequence[TornadoBar], *,
            x_format: Formatter, baseline_label: str, low_color: QColor, high_color: QColor,
            label_width_pt: float = 150) -> None:
    """Each input's horizon total at its low and high value around the baseline (widest swing first)."""
    if not bars:
        return
    font = style.font(style.label_pt + 0.2)
    fm = _fm(style, p, font)
    label_w = style.pt(label_width_pt)
    axis_h = fm.height() * 2.6
    plot = QRectF(rect.left() + label_w + style.pt(8), rect.top() + fm.height() * 1.4,
                  rect.width() - label_w - style.pt(14), rect.height() - axis_h - fm.height() * 1.4)
    lo = min(min(b.low_total, b.high_total) for b in bars)
    hi = max(max(b.low_total, b.high_total) for b in bars)
    pad = (hi - lo) * 0.18 or abs(baseline) * 0.05 or 1.0
    ticks = nice_ticks(min(lo - pad, baseline), max(hi + pad, baseline), 5)
    t0, t1 = ticks[0], ticks[-1]
    xs = lambda v: plot.left() + (v - t0) / ((t1 - t0) or 1.0) * plot.width()  # noqa: E731
    row = plot.height() / len(bars)
    bar_h = min(row * 0.62, style.pt(10))
    p.save()
    p.setFont(font)
    for t in ticks:
        x = xs(t)
        p.setPen(style.pen(style.grid, 0.45))
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(style.muted)
        text = x_format(t)
        w = fm.horizontalAdvance(text)
        p.drawText(QRectF(x - w / 2, plot.bottom() + style.pt(2), w + 1, fm.height()), Qt.AlignmentFlag.AlignCenter,
                   text)
    for i, b in enumerate(bars):
        cy = plot.top() + (i + 0.5) * row
        p.setPen(style.text)
        p.drawText(QRectF(rect.left(), cy - row / 2, label_w, row), Qt.AlignmentFlag.AlignRight
                   | Qt.AlignmentFlag.AlignVCenter, elide(b.label, fm, label_w))
        for total, text, color in ((b.low_total, b.low_text, low_color), (b.high_total, b.high_text, high_color)):
            a, z = sorted((xs(baseline), xs(total)))
            c = QColor(color)
            if b.estimated:
                c = _alpha(c, 120)
            p.fillRect(QRectF(a, cy - bar_h / 2, max(z - a, style.pt(0.6)), bar_h), c)
            w = fm.horizontalAdvance(text)
            if total < baseline:
                box = QRectF(a - w - style.pt(3), cy - row / 2, w + 1, row)
            else:
                box = QRectF(z + style.pt(3), cy - row / 2, w + 1, row)
            p.setPen(style.muted)
            p.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
    xb = xs(baseline)
    p.setPen(style.pen(style.text, 0.9))
    p.drawLine(QPointF(xb, plot.top() - style.pt(2)), QPointF(xb, plot.bottom()))
    bold = style.font(style.label_pt, bold=True)
    p.setFont(bold)
    bfm = _fm(style, p, bold)
    w = bfm.horizontalAdvance(baseline_label)
    p.drawText(QRectF(xb - w / 2, rect.top(), w + 1, fm.height() * 1.2), Qt.AlignmentFlag.AlignCenter, baseline_label)
    p.restore()
    items = [LegendItem("input at its low value", low_color), LegendItem("input at its high value", high_color)]
    legend_h = fm.height() * 1.35
    draw_legend(p, style, items, QRectF(plot.left(), rect.bottom() - legend_h, plot.width(), legend_h))


def _alpha(c: QColor, a: int) -> QColor:
    c = QColor(c)
    c.setAlpha(a)
    return c
