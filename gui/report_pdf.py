"""PDF reports of a plan and of a comparison: QPdfWriter + QPainter, vector charts, A4 or Letter.

``export_pdf(plan, path)`` works headless (it starts a QGuiApplication on the offscreen platform
when none runs) and off the GUI thread (QPdfWriter and QPainter need no event loop). Every
figure comes from ``pricing`` (``compare.summarize``, ``series.headline``, ``scenarios.summary_data``,
``uncertainty``); this module formats and places them.

Layout is two passes: ``Flow`` lays the content out into pages of drawing operations (measuring
text with the PDF's own font metrics), then every page is painted with a "Page n of N" footer.
Tables break across pages with their header repeated; long texts wrap, or elide where a cell
is given a line limit.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

from pricing import series
from pricing.plan import Plan

from gui import pdf_charts as charts
from gui import theme
from gui.workers import Cancelled

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
"""Page sizes offered (``page_size=``)."""
RESOLUTION = 600
"""Device units per inch of the PDF (text is measured at this resolution, so spacing is exact)."""
APP = "AI Cost Planner"

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

_APP_REF: list[Any] = []
"""The QApplication started for headless use (kept alive for the process)."""


def ensure_application() -> None:
    """A Qt application for fonts and painting; started on the offscreen platform when there is no display."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("PDF export needs a QGuiApplication (fonts); a QCoreApplication is running")
        return
    if not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux") \
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # a QApplication (not a bare QGuiApplication): whatever runs later in this process (a window, a test
    # harness) finds the application it needs, instead of one it can't replace
    from PySide6.QtWidgets import QApplication
    _APP_REF.append(QApplication(sys.argv[:1] or ["aicost"]))


# ---------------------------------------------------------------------------------------------
# Typography and colours
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """One typographic scale and palette for every page (sizes in points)."""

    k: float
    """Device units per point."""
    family: str = "DejaVu Sans"
    body_pt: float = 8.2
    small_pt: float = 6.8
    table_pt: float = 7.1
    h1_pt: float = 20.0
    h2_pt: float = 12.5
    h3_pt: float = 9.4
    margin_x_pt: float = 50.0
    margin_top_pt: float = 54.0
    margin_bottom_pt: float = 52.0
    text: QColor = field(default_factory=lambda: QColor("#1F2328"))
    muted: QColor = field(default_factory=lambda: QColor("#5F6B7A"))
    accent: QColor = field(default_factory=lambda: QColor("#1F3A5F"))
    rule: QColor = field(default_factory=lambda: QColor("#C9D1DB"))
    zebra: QColor = field(default_factory=lambda: QColor("#F5F7FA"))
    highlight: QColor = field(default_factory=lambda: QColor("#FFF6D6"))
    card: QColor = field(default_factory=lambda: QColor("#F3F6F9"))
    good: QColor = field(default_factory=lambda: QColor("#2E7D4F"))
    bad: QColor = field(default_factory=lambda: QColor("#C0392B"))

    def pt(self, x: float) -> float:
        return x * self.k

    def font(self, size_pt: float, bold: bool = False, italic: bool = False) -> QFont:
        f = QFont(self.family)
        f.setPointSizeF(size_pt)
        f.setBold(bold)
        f.setItalic(italic)
        f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        return f

    def chart(self) -> charts.ChartStyle:
        return charts.ChartStyle(k=self.k, family=self.family, text=self.text, muted=self.muted)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    title: str
    align: str = "l"
    """``l``, ``r`` (numbers) or ``c``."""
    weight: float = 0.0
    """Share of the width left by the fixed columns; 0 = as wide as its widest cell (not wrapped)."""
    max_lines: int | None = None
    """Wrap to at most this many lines, the last one elided (None: wrap freely; 1: elide)."""


@dataclass(frozen=True)
class Row:
    cells: Sequence[str]
    kind: str = "body"
    """``body``, ``total`` (bold, ruled above), ``group`` (a bold label across the table, kept with the next
    row), ``highlight`` (shaded: e.g. a price the plan sets) or ``muted``."""
    colors: Sequence[QColor | None] = ()
    """Text colour per cell, where it matters (signs of differences)."""


@dataclass(frozen=True)
class Table:
    cols: Sequence[Col]
    rows: Sequence[Row]
    size_pt: float | None = None
    zebra: bool = True
    keep_together: bool = False
    """Start on a new page rather than split, when the table fits on one."""


# ---------------------------------------------------------------------------------------------
# Flow: content laid out into pages of drawing operations
# ---------------------------------------------------------------------------------------------

Op = Callable[[QPainter], None]


class Flow:
    """Places blocks top to bottom on pages; each page is a list of drawing operations."""

    def __init__(self, device: Any, style: Style, page: QRectF):
        self.device, self.s = device, style
        self.page = page
        self.area = QRectF(page.left() + style.pt(style.margin_x_pt), page.top() + style.pt(style.margin_top_pt),
                           page.width() - 2 * style.pt(style.margin_x_pt),
                           page.height() - style.pt(style.margin_top_pt) - style.pt(style.margin_bottom_pt))
        self.pages: list[list[Op]] = [[]]
        self.y = self.area.top()
        self._fm: dict[tuple, QFontMetricsF] = {}
        self._pending: list[tuple[float, Callable[[], None]]] = []
        """Headings waiting for the content they head: they go on the page where that content starts."""

    # -- measuring -----------------------------------------------------------------------------
    def fm(self, font: QFont) -> QFontMetricsF:
        key = (font.pointSizeF(), font.bold(), font.italic(), font.family())
        got = self._fm.get(key)
        if got is None:
            got = self._fm[key] = QFontMetricsF(font, self.device)
        return got

    def wrap(self, text: str, font: QFont, width: float, max_lines: int | None = None) -> list[str]:
        """Lines of ``text`` no wider than ``width``, broken between words; a word too long for a line (a URL,
        a catalog key) is broken after a ``/ . - _ ? & =``, or anywhere. With ``max_lines``, the last line is
        elided."""
        fm = self.fm(font)
        adv = fm.horizontalAdvance
        out: list[str] = []
        for para in str(text).split("\n"):
            if adv(para) <= width:
                out.append(para)
                continue
            line = ""
            for word in para.split(" "):
                cand = word if not line else f"{line} {word}"
                if adv(cand) <= width:
                    line = cand
                    continue
                if line.strip():
                    out.append(line.rstrip())
                line = word
                while adv(line) > width:
                    head, line = _split_word(line, adv, width)
                    out.append(head)
            out.append(line.rstrip())
        if max_lines is not None and len(out) > max_lines:
            rest = " ".join(out[max_lines - 1:])
            out = out[:max_lines - 1] + [fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
        return out or [""]

    # -- placing -------------------------------------------------------------------------------
    @property
    def remaining(self) -> float:
        return self.area.bottom() - self.y

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.area.top()

    def ensure(self, height: float) -> None:
        """A new page unless ``height`` fits in what is left of this one (or this one is still empty)."""
        if height > self.remaining and self.y > self.area.top() + 1:
            self.new_page()

    def _flush(self, first: float) -> None:
        """Room for any pending headings plus ``first`` (the first piece of the content they head), then
        place the headings: a heading never ends a page alone."""
        pending, self._pending = self._pending, []
        self.ensure(sum(h for h, _ in pending) + first)
        for _, place in pending:
            place()

    def finish(self) -> None:
        """Place headings still pending (nothing followed them)."""
        self._flush(0.0)
        if not self.pages[-1]:
            self.pages.pop()

    def space(self, pt: float) -> None:
        if self.y > self.area.top() + 1:
            self.y = min(self.y + self.s.pt(pt), self.area.bottom())

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    def block(self, height_pt: float, draw: Callable[[QPainter, QRectF], None]) -> QRectF:
        h = self.s.pt(height_pt)
        self._flush(h)
        rect = QRectF(self.area.left(), self.y, self.area.width(), h)
        self.add(lambda p, r=rect: draw(p, r))
        self.y += h
        return rect

    def text(self, text: str, *, size_pt: float | None = None, bold: bool = False, italic: bool = False,
             color: QColor | None = None, indent_pt: float = 0.0, after_pt: float = 4.0, leading: float = 1.32,
             max_lines: int | None = None, keep_with_next: bool = False) -> None:
        """A wrapped paragraph; it breaks across pages between lines. ``keep_with_next`` holds it (whole) with
        what follows, like a heading."""
        s = self.s
        font = s.font(size_pt or s.body_pt, bold, italic)
        fm = self.fm(font)
        x = self.area.left() + s.pt(indent_pt)
        lines = self.wrap(text, font, self.area.width() - s.pt(indent_pt), max_lines)
        lh = fm.height() * leading
        color = color or s.text

        def place_line(line: str) -> None:
            y = self.y
            self.add(lambda p: _draw_text(p, font, color, QPointF(x, y + fm.ascent()), line))
            self.y += lh

        if keep_with_next:
            def place() -> None:
                for line in lines:
                    place_line(line)
                self.y += s.pt(after_pt)
            self._pending.append((lh * len(lines) + s.pt(after_pt), place))
            return
        self._flush(min(len(lines), 2) * lh)
        for line in lines:
            self.ensure(lh)
            place_line(line)
        self.y += s.pt(after_pt)

    def heading(self, text: str, level: int = 2) -> None:
        """A section heading; it is placed with the first piece of what follows."""
        s = self.s
        size = {1: s.h1_pt, 2: s.h2_pt, 3: s.h3_pt}[level]
        font = s.font(size, bold=True)
        fm = self.fm(font)
        lines = self.wrap(text, font, self.area.width())
        before = {1: 0, 2: 16, 3: 9}[level]
        lh = fm.height() * 1.18
        color = s.accent if level < 3 else s.text
        after = 6 if level == 2 else 3

        def place() -> None:
            self.space(before)
            for line in lines:
                y = self.y
                self.add(lambda p, line=line, y=y: _draw_text(p, font, color, QPointF(self.area.left(), y + fm.ascent()),
                                                              line))
                self.y += lh
            if level == 2:
                y = self.y + s.pt(1.5)
                self.add(lambda p, y=y: _hline(p, s, self.area.left(), self.area.right(), y, s.accent, 0.9))
            self.y += s.pt(after)
        self._pending.append((s.pt(before + after) + lh * len(lines), place))

    # -- tables --------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        s = self.s
        size = t.size_pt or s.table_pt
        font, bold = s.font(size), s.font(size, bold=True)
        fm, bfm = self.fm(font), self.fm(bold)
        pad_x, pad_y = s.pt(4.0), s.pt(2.3)
        width = self.area.width()
        # fixed columns: their widest cell (bold for totals) and title; weighted columns share the rest
        natural = []
        for i, c in enumerate(t.cols):
            if c.weight:
                natural.append(0.0)
                continue
            cells = [r.cells[i] for r in t.rows if r.kind != "group" and i < len(r.cells)]
            w = max([bfm.horizontalAdvance(c.title)] + [bfm.horizontalAdvance(x) for x in cells])
            natural.append(w + 2 * pad_x + s.pt(0.5))  # slack: a cell exactly as wide as its column is not elided
        fixed = sum(natural)
        weights = sum(c.weight for c in t.cols) or 1.0
        left = max(width - fixed, 0.0)
        widths = [n if not c.weight else left * c.weight / weights for n, c in zip(natural, t.cols)]
        if fixed > width:  # too wide: shrink the text columns (they elide) before the numbers
            text_cols = [i for i, c in enumerate(t.cols) if not c.weight and c.align == "l"]
            excess = fixed - width
            room = sum(widths[i] for i in text_cols)
            for i in text_cols:
                widths[i] -= excess * widths[i] / room if room else 0.0
        xs = [self.area.left()]
        for w in widths:
            xs.append(xs[-1] + w)

        def cell_lines(text: str, i: int, f: QFont) -> list[str]:
            c = t.cols[i]
            inner = widths[i] - 2 * pad_x
            if c.weight:
                return self.wrap(text, f, inner, c.max_lines)
            return [self.fm(f).elidedText(text, Qt.TextElideMode.ElideRight, inner)]

        lh = fm.height() * 1.12
        head_lines = [self.wrap(c.title, bold, widths[i] - 2 * pad_x) for i, c in enumerate(t.cols)]
        head_h = max(len(x) for x in head_lines) * lh + 2 * pad_y

        def draw_header() -> None:
            y = self.y
            def op(p: QPainter, y=y) -> None:
                for i, c in enumerate(t.cols):
                    for k, line in enumerate(head_lines[i]):
                        _draw_cell(p, bold, s.muted, xs[i] + pad_x, xs[i + 1] - pad_x,
                                   y + pad_y + k * lh + bfm.ascent(), line, c.align, bfm)
                _hline(p, s, xs[0], xs[-1], y + head_h, s.text, 0.7)
            self.add(op)
            self.y += head_h

        laid = []
        for r in t.rows:
            f = bold if r.kind in ("total", "group") else font
            if r.kind == "group":
                lines = [self.wrap(r.cells[0], bold, width - 2 * pad_x)]
            else:
                lines = [cell_lines(x, i, f) for i, x in enumerate(r.cells)]
            h = max(len(x) for x in lines) * lh + 2 * pad_y
            laid.append((r, f, lines, h))
        total_h = head_h + sum(h for *_, h in laid)
        first = head_h + (laid[0][3] if laid else 0) + (laid[1][3] if len(laid) > 1 and laid[0][0].kind == "group" else 0)
        if t.keep_together and total_h + sum(h for h, _ in self._pending) <= self.area.height():
            first = total_h
        self._flush(first)
        draw_header()
        stripe = 0
        for n, (r, f, lines, h) in enumerate(laid):
            need = h + (laid[n + 1][3] if r.kind == "group" and n + 1 < len(laid) else 0)
            if need > self.remaining:
                self.new_page()
                draw_header()
                stripe = 0
            y = self.y
            shade = None
            if r.kind == "highlight":
                shade = s.highlight
            elif r.kind == "group":
                shade = s.card
            elif t.zebra and stripe % 2 == 1 and r.kind == "body":
                shade = s.zebra
            stripe = 0 if r.kind == "group" else stripe + 1
            color = s.muted if r.kind == "muted" else s.text
            fmf = self.fm(f)

            def op(p: QPainter, r=r, f=f, lines=lines, h=h, y=y, shade=shade, color=color, fmf=fmf) -> None:
                if shade is not None:
                    p.fillRect(QRectF(xs[0], y, xs[-1] - xs[0], h), shade)
                if r.kind == "total":
                    _hline(p, s, xs[0], xs[-1], y, s.text, 0.7)
                if r.kind == "group":
                    for k, line in enumerate(lines[0]):
                        _draw_cell(p, f, s.accent, xs[0] + pad_x, xs[-1] - pad_x, y + pad_y + k * lh + fmf.ascent(),
                                   line, "l", fmf)
                    return
                for i, c in enumerate(t.cols):
                    cc = r.colors[i] if i < len(r.colors) and r.colors[i] is not None else color
                    for k, line in enumerate(lines[i]):
                        _draw_cell(p, f, cc, xs[i] + pad_x, xs[i + 1] - pad_x, y + pad_y + k * lh + fmf.ascent(),
                                   line, c.align, fmf)
            self.add(op)
            self.y += h
        end = self.y
        self.add(lambda p, y=end: _hline(p, s, xs[0], xs[-1], y, s.rule, 0.6))
        self.y += s.pt(8)


_BREAK_AFTER = "/.-_?&=,;:"
"""Where a word too long for its line (a URL, a catalog key) is best broken: after one of these."""


def _split_word(word: str, adv: Callable[[str], float], width: float) -> tuple[str, str]:
    """The longest head of ``word`` that fits ``width`` (ending after a break character when one is in its
    last two thirds), and the rest."""
    lo, hi = 1, len(word)
    while lo < hi:  # longest prefix that fits
        mid = (lo + hi + 1) // 2
        if adv(word[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    cut = lo
    for i in range(lo - 1, lo // 3, -1):
        if word[i] in _BREAK_AFTER:
            cut = i + 1
            break
    return word[:cut], word[cut:]


def _draw_text(p: QPainter, font: QFont, color: QColor, at: QPointF, text: str) -> None:
    p.setFont(font)
    p.setPen(color)
    p.drawText(at, text)


def _draw_cell(p: QPainter, font: QFont, color: QColor, x0: float, x1: float, baseline: float, text: str,
               align: str, fm: QFontMetricsF) -> None:
    w = fm.horizontalAdvance(text)
    x = x1 - w if align == "r" else (x0 + x1 - w) / 2 if align == "c" else x0
    _draw_text(p, font, color, QPointF(x, baseline), text)


def _hline(p: QPainter, s: Style, x0: float, x1: float, y: float, color: QColor, width_pt: float) -> None:
    from PySide6.QtGui import QPen
    p.setPen(QPen(color, s.pt(width_pt)))
    p.drawLine(QPointF(x0, y), QPointF(x1, y))


# ---------------------------------------------------------------------------------------------
# Pages: writer, header, footer, rendering
# ---------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    writer: QPdfWriter
    style: Style
    flow: Flow
    tmp: str


def _open(path: str | os.PathLike, page_size: str, title: str) -> _Doc:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(2, "no such folder", str(target.parent))
    # written beside the target, then renamed over it: a failed or cancelled export leaves no partial file
    tmp = str(target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"))
    writer = QPdfWriter(tmp)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    writer.setTitle(title)
    writer.setCreator(APP)
    k = RESOLUTION / 72.0
    pts = QPageSize(PAGE_SIZES[page_size]).sizePoints()
    style = Style(k=k)
    page = QRectF(0, 0, pts.width() * k, pts.height() * k)
    return _Doc(writer, style, Flow(writer, style, page), tmp)


def _render(doc: _Doc, path: str | os.PathLike, header: str, footer: str, progress: ProgressFn | None,
            cancel: CancelFn | None, base: int) -> None:
    """Paint every page with its header and "Page n of N" footer, then move the file into place."""
    s, flow = doc.style, doc.flow
    flow.finish()
    pages = flow.pages
    p = QPainter()
    if not p.begin(doc.writer):
        raise OSError(f"cannot write the PDF file {path}")
    try:
        small = s.font(s.small_pt)
        fm = flow.fm(small)
        area = flow.area
        n = len(pages)
        for i, ops in enumerate(pages):
            if cancel is not None and cancel():
                raise Cancelled()
            if i:
                doc.writer.newPage()
            for op in ops:
                op(p)
            top = area.top() - s.pt(18)
            if i:
                _draw_text(p, small, s.muted, QPointF(area.left(), top), fm.elidedText(header, Qt.TextElideMode.ElideRight,
                                                                                        area.width() * 0.7))
                _draw_cell(p, small, s.muted, area.left(), area.right(), top, APP, "r", fm)
                _hline(p, s, area.left(), area.right(), top + s.pt(5), s.rule, 0.5)
            bottom = area.bottom() + s.pt(24)
            _hline(p, s, area.left(), area.right(), bottom - fm.ascent() - s.pt(5), s.rule, 0.5)
            _draw_text(p, small, s.muted, QPointF(area.left(), bottom),
                       fm.elidedText(footer, Qt.TextElideMode.ElideRight, area.width() * 0.78))
            _draw_cell(p, small, s.muted, area.left(), area.right(), bottom, f"Page {i + 1} of {n}", "r", fm)
            if progress is not None:
                progress(base + (100 - base) * (i + 1) // n, 100)
    finally:
        p.end()


def _finish(doc: _Doc, path: str | os.PathLike) -> None:
    os.replace(doc.tmp, path)


def _discard(doc: _Doc | None) -> None:
    if doc is not None:
        with contextlib.suppress(OSError):
            os.unlink(doc.tmp)


# ---------------------------------------------------------------------------------------------
# The plan report: what it needs, gathered from pricing
# ---------------------------------------------------------------------------------------------


@dataclass
class ReportData:
    """Everything the plan report shows, computed by ``pricing`` before any layout."""

    plan: Plan
    projection: Any
    summary: Any
    headline: series.Headline
    results: list
    """ScenarioResults, in the plan's order."""
    skipped: list[str]
    """Scenarios that can't be evaluated, with the reason."""
    mc: Any = None
    uncertainty: Any = None
    tornado: Any = None
    inputs: Any = None
    prices: tuple = ()
    dates: Any = None
    generated: _dt.date = field(default_factory=_dt.date.today)


def gather(plan: Plan, catalog: Any = None, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
           generated: _dt.date | None = None, samples: int | None = None) -> ReportData:
    """Project the plan and compute every figure of its report (scenarios, Monte Carlo and tornado
    when it has ranges); progress runs 0..40."""
    from pricing import compare, engine, uncertainty
    from pricing.export_csv import evaluate_scenarios
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    step = progress or (lambda d, t: None)
    check = cancel or (lambda: False)
    proj = engine.project(plan, catalog)
    results, skipped = evaluate_scenarios(plan, catalog, proj, cancel)
    step(8, 100)
    if check():
        raise Cancelled()
    head = series.headline(proj)
    data = ReportData(plan, proj, compare.summarize(proj), head, results, skipped,
                      generated=generated or _dt.date.today())
    if uncertainty.has_ranges(plan):
        data.mc = uncertainty.monte_carlo(plan, catalog, samples=samples or uncertainty.DEFAULT_SAMPLES,
                                          progress=lambda d, t: step(8 + 24 * d // max(t, 1), 100), cancel=cancel)
        data.uncertainty = compare.uncertainty_figures(data.mc)
        data.tornado = uncertainty.tornado(plan, catalog)
    step(34, 100)
    if check():
        raise Cancelled()
    data.inputs = compare.plan_inputs(plan)
    data.prices = compare.prices_used(proj, catalog)
    data.dates = compare.price_dates(proj)
    step(40, 100)
    return data


def export_pdf(plan: Plan, path: str | os.PathLike, *, catalog: Any = None, page_size: str = "A4",
               progress: ProgressFn | None = None, cancel: CancelFn | None = None,
               generated: _dt.date | None = None, samples: int | None = None) -> None:
    """Write the plan's report as a PDF (atomically: a failed or cancelled export leaves no file).

    ``progress(done, total)`` and ``cancel()`` serve a progress dialog; cancelling raises
    ``gui.workers.Cancelled``. ``generated`` dates the report (default today); ``samples`` sets
    the Monte Carlo sample count when the plan has ranges.
    """
    ensure_application()
    data = gather(plan, catalog, progress=progress, cancel=cancel, generated=generated, samples=samples)
    doc = None
    try:
        doc = _open(path, page_size, f"{plan.name} — cost plan report")
        PlanReport(data, doc.flow, doc.style).build()
        if progress is not None:
            progress(50, 100)
        if cancel is not None and cancel():
            raise Cancelled()
        footer = f"{plan.name} · cost plan report · {data.generated.isoformat()}"
        _render(doc, path, plan.name, footer, progress, cancel, 50)
        _finish(doc, path)
    except BaseException:
        _discard(doc)
        raise


# ---------------------------------------------------------------------------------------------
# The plan report: layout
# ---------------------------------------------------------------------------------------------


def _long_date(d: _dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _month_name(m: Any) -> str:
    return series.month_label(m)


class PlanReport:
    """Lays out one plan's report into a Flow: summary, charts, scenarios, tables, inputs, prices."""

    def __init__(self, data: ReportData, flow: Flow, style: Style):
        from gui.widgets import MoneyFormat
        self.d, self.f, self.s = data, flow, style
        self.fmt = MoneyFormat(data.plan.currency)
        self.cs = style.chart()
        self.section = 0

    # -- helpers -------------------------------------------------------------------------------
    def money(self, cents: int | None) -> str:
        return "—" if cents is None else self.fmt.full(int(cents) / 100)

    def pct(self, share: float | None, digits: int = 1) -> str:
        return "—" if share is None else self.fmt.percent(share, digits)

    def h2(self, title: str) -> None:
        self.section += 1
        self.f.heading(f"{self.section}  {title}", 2)

    def note(self, text: str, keep_with_next: bool = False) -> None:
        self.f.text(text, size_pt=self.s.small_pt, color=self.s.muted, after_pt=3, keep_with_next=keep_with_next)

    def cur_title(self, what: str) -> str:
        return f"{self.d.plan.currency} {what}"

    # -- the report ----------------------------------------------------------------------------
    def build(self) -> None:
        self.title()
        self.headline()
        self.monthly_chart()
        self.cumulative_chart()
        if self.d.mc is not None:
            self.uncertainty()
        self.drivers()
        self.scenarios()
        self.category_tables()
        self.notes()
        self.assumptions()
        self.prices()

    def title(self) -> None:
        d, s, f = self.d, self.s, self.f
        months = d.summary.months
        f.text("COST PLAN REPORT", size_pt=s.small_pt + 0.4, bold=True, color=s.accent, after_pt=2)
        f.heading(d.plan.name, 1)
        span = f"{_month_name(months[0])} – {_month_name(months[-1])}" if months else "no months"
        f.text(f"{span}  ·  {len(months)} months  ·  amounts in {d.plan.currency}  ·  default provider "
               f"{d.plan.provider}", color=s.muted, after_pt=1)
        f.text(f"Prepared {_long_date(d.generated)} with {APP}", color=s.muted, after_pt=6)
        f.text(self.price_dates_text(), size_pt=s.small_pt + 0.3, color=s.text, after_pt=2)
        y = f.y
        f.add(lambda p, y=y: _hline(p, s, f.area.left(), f.area.right(), y + s.pt(2), s.rule, 0.6))
        f.y += s.pt(8)

    def price_dates_text(self) -> str:
        dates = self.d.dates
        parts = []
        if dates.oldest is not None:
            parts.append(f"oldest dated catalog price used: {dates.oldest.isoformat()} ({dates.oldest_key})")
        else:
            parts.append("no dated catalog price used")
        if dates.undated:
            parts.append(f"{dates.undated} catalog price{'s' if dates.undated != 1 else ''} used "
                         f"{'are' if dates.undated != 1 else 'is'} undated")
        if dates.api_data_date is not None:
            parts.append(f"LLM API prices: genai-prices data of {dates.api_data_date.isoformat()}")
        return "Price data: " + "; ".join(parts) + "."

    def headline(self) -> None:
        d, s, f = self.d, self.s, self.f
        h = d.headline
        fmt = self.fmt
        labels = series.month_labels(d.projection)
        cards = [
            ("Run-rate now", f"{fmt.auto(h.run_rate_now)}/mo", labels[0] if labels else ""),
            (f"Run-rate, month {h.months}", f"{fmt.auto(h.run_rate_end)}/mo", labels[-1] if labels else ""),
            (f"{h.months}-month total", fmt.auto(h.total),
             f"P10–P90 {fmt.compact(d.uncertainty.total_p10 / 100)} – {fmt.compact(d.uncertainty.total_p90 / 100)}"
             if d.uncertainty is not None else f"{labels[0]} – {labels[-1]}" if labels else ""),
            ("Cost per 1k requests", fmt.full(h.cost_per_1k_requests) if h.cost_per_1k_requests is not None else "—",
             "whole bill / requests served" if h.cost_per_1k_requests is not None else "no requests in the plan"),
            ("Top driver", h.top_driver or "—",
             f"{fmt.percent(h.top_driver_share or 0.0)} of the total" if h.top_driver else ""),
            ("Monthly budget", fmt.compact(h.budget) if h.budget is not None else "none",
             ("never exceeded" if h.first_over_budget is None else f"exceeded from {h.first_over_budget}")
             if h.budget is not None else "no budget set"),
        ]
        best = self.best_scenario()
        if best is not None and best[1]["saving_total"] > 0:
            name, data = best
            cards.append((f"{name} saves", fmt.percent(data["saving_share"]),
                          f"{fmt.auto(data['saving_total'])} over {h.months} months"))
        elif best is not None:
            cards.append(("Savings", "none", "no scenario costs less than the plan"))
        else:
            cards.append(("Savings", "—", "no scenario in the plan" if not d.plan.scenarios else "no scenario evaluated"))
        n_lines = len(d.summary.lines)
        cards.append(("Lines priced", str(n_lines), f"{len(d.prices)} prices, {sum(1 for x in d.prices if x.overridden)}"
                      " set by the plan"))
        over = h.first_over_budget is not None

        def draw(p: QPainter, rect: QRectF) -> None:
            cols, rows = 4, 2
            gap = s.pt(6)
            cw = (rect.width() - gap * (cols - 1)) / cols
            ch = (rect.height() - gap * (rows - 1)) / rows
            cap, val, det = s.font(s.small_pt), s.font(12.5, bold=True), s.font(s.small_pt)
            fc, fv, fd = self.f.fm(cap), self.f.fm(val), self.f.fm(det)
            for i, (caption, value, detail) in enumerate(cards):
                x = rect.left() + (i % cols) * (cw + gap)
                y = rect.top() + (i // cols) * (ch + gap)
                p.fillRect(QRectF(x, y, cw, ch), s.card)
                p.fillRect(QRectF(x, y, s.pt(2.2), ch), s.accent)
                ix, iw = x + s.pt(8), cw - s.pt(13)
                _draw_text(p, cap, s.muted, QPointF(ix, y + s.pt(7) + fc.ascent()),
                           fc.elidedText(caption, Qt.TextElideMode.ElideRight, iw))
                color = s.bad if caption == "Monthly budget" and over else s.text
                vf, vm = val, fv
                size = 12.5
                while vm.horizontalAdvance(value) > iw and size > 8.6:  # a long name: smaller, then elided
                    size -= 0.5
                    vf = s.font(size, bold=True)
                    vm = self.f.fm(vf)
                _draw_text(p, vf, color, QPointF(ix, y + s.pt(9) + fc.height() + fv.ascent()),
                           vm.elidedText(value, Qt.TextElideMode.ElideRight, iw))
                _draw_text(p, det, s.muted, QPointF(ix, y + ch - s.pt(7) - fd.descent()),
                           fd.elidedText(detail, Qt.TextElideMode.ElideRight, iw))
        f.block(112, draw)
        f.space(4)

    def best_scenario(self) -> tuple[str, dict] | None:
        from pricing.scenarios import summary_data
        best = None
        for r in self.d.results:
            data = summary_data(r)
            if best is None or data["saving_total"] > best[1]["saving_total"]:
                best = (r.scenario.name, data)
        return best

    def _x_labels(self, n_max: int = 12) -> list[tuple[int, str]]:
        labels = series.month_labels(self.d.projection)
        return series.axis_ticks(labels, n_max)

    def monthly_chart(self) -> None:
        d = self.d
        self.h2("Monthly cost by category")
        sm = d.summary
        layers = [charts.Layer(c.value, theme.category_color(c), [int(v) / 100 for v in sm.category_monthly(c)])
                  for c in sm.costed_categories()]
        budget = d.plan.monthly_budget
        budget_label = f"Budget {self.fmt.compact(budget)}/mo" if budget is not None else ""
        total_line = band = None
        if d.uncertainty is not None:
            u = d.uncertainty
            band = ([int(v) / 100 for v in u.monthly_p10], [int(v) / 100 for v in u.monthly_p90])
            total_line = charts.Series("Monthly total", QColor("#1F2328"), [int(v) / 100 for v in sm.monthly], width_pt=1.1)

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.stacked_bars(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), layers=layers,
                                y_format=self.fmt.compact, y_title=self.cur_title("per month"), budget=budget,
                                budget_label=budget_label, total_line=total_line, band=band,
                                band_label="P10–P90 of the monthly total")
        self.f.block(215, draw)
        h = d.headline
        text = (f"The plan starts at {self.fmt.auto(h.run_rate_now)} a month and reaches {self.fmt.auto(h.run_rate_end)} "
                f"in its last month; over {h.months} months it costs {self.fmt.auto(h.total)}.")
        if h.budget is not None:
            text += (f" The monthly budget of {self.fmt.auto(h.budget)} is first exceeded in {h.first_over_budget}."
                     if h.first_over_budget else f" It stays within the monthly budget of {self.fmt.auto(h.budget)}.")
        self.note(text)

    def cumulative_chart(self) -> None:
        d = self.d
        self.h2("Cumulative cost")
        sm = d.summary
        base = [int(v) / 100 for v in sm.cumulative]
        lines = [charts.Series("Baseline", QColor("#1F3A5F"), base, width_pt=1.6, fill=QColor(31, 58, 95, 28))]
        palette = ["#59A14F", "#F28E2B", "#B07AA1", "#76B7B2", "#EDC948", "#9C755F"]
        from pricing.compare import summarize
        for i, r in enumerate(d.results):
            cum = summarize(r.projection).cumulative
            lines.append(charts.Series(r.scenario.name, QColor(palette[i % len(palette)]), [int(v) / 100 for v in cum],
                                       width_pt=1.3))
        budget = series.cumulative_budget(d.projection)
        if budget is not None:
            lines.append(charts.Series("Budget to date", QColor(theme.BUDGET_COLOR), list(budget), dashed=True,
                                       width_pt=1.1))

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), series=lines,
                              y_format=self.fmt.compact, y_title=self.cur_title("to date"))
        self.f.block(185, draw)

    def uncertainty(self) -> None:
        d = self.d
        from pricing.report import input_value
        u, mc = d.uncertainty, d.mc
        self.h2("Uncertainty")
        n = len(mc.inputs)
        self.f.text(f"The plan gives {n} input{'s' if n != 1 else ''} as ranges. {u.samples:,} Monte Carlo samples "
                    f"({u.distribution.upper()} distributions, seed {u.seed}) put the {len(d.summary.months)}-month "
                    f"total at {self.money(u.total_p50)} (P50), between {self.money(u.total_p10)} (P10) and "
                    f"{self.money(u.total_p90)} (P90). The baseline figures elsewhere in this report use each "
                    "input's likely value.")
        if mc.budget_exceeded is not None:
            months = series.month_labels(d.projection)
            risky = [(months[i], float(x)) for i, x in enumerate(mc.budget_exceeded) if x >= 0.1]
            if risky:
                self.note(f"Budget risk: {self.pct(risky[0][1], 0)} chance of exceeding the monthly budget in "
                          f"{risky[0][0]}, {self.pct(float(mc.budget_exceeded[-1]), 0)} in {months[-1]}.")
            else:
                self.note("Budget risk: under 10% chance of exceeding the monthly budget in any month.")
        sm = d.summary
        band = ([int(v) / 100 for v in u.monthly_p10], [int(v) / 100 for v in u.monthly_p90])
        lines = [charts.Series("Monthly total (likely inputs)", QColor("#1F3A5F"), [int(v) / 100 for v in sm.monthly],
                               width_pt=1.6),
                 charts.Series("P50", QColor("#4E79A7"), [int(v) / 100 for v in u.monthly_p50], dashed=True, width_pt=1.0)]

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), series=lines,
                              y_format=self.fmt.compact, y_title=self.cur_title("per month"), band=band,
                              band_label="P10–P90 band")
        self.f.block(170, draw)
        t = d.tornado
        bars = t.bars[:12]
        if bars:
            self.f.heading("What moves the total", 3)
            self.note("Each input at its low and at its high value, everything else at its likely value; the horizon "
                      "total it gives, widest swing first. Lighter bars: the input has no range in the plan and "
                      "moves ±20%.", keep_with_next=True)
            tb = [charts.TornadoBar(b.input.label, b.total_low, b.total_high, input_value(b.input.key_path, b.input.low),
                                    input_value(b.input.key_path, b.input.high), not b.input.from_range) for b in bars]

            def draw_t(p: QPainter, rect: QRectF) -> None:
                charts.tornado(p, self.cs, rect, t.baseline_total, tb, x_format=self.fmt.compact,
                               baseline_label=f"baseline {self.fmt.compact(t.baseline_total)}",
                               low_color=QColor(theme.LOW_COLOR), high_color=QColor(theme.HIGH_COLOR), label_width_pt=165)
            self.f.block(50 + 16.5 * len(bars), draw_t)
        rows = [Row([i.label, input_value(i.key_path, i.low), input_value(i.key_path, i.likely),
                     input_value(i.key_path, i.high)]) for i in mc.inputs]
        self.f.heading("Ranges in the plan", 3)
        self.f.table(Table([Col("Input", weight=1, max_lines=2), Col("Low", "r"), Col("Likely", "r"), Col("High", "r")],
                           rows))

    def drivers(self) -> None:
        d = self.d
        sm = d.summary
        self.h2("Cost drivers")
        top = sm.drivers(10)
        bars = [charts.Bar(b.name, b.total / 100, theme.category_color(b.category),
                           f"{self.money(b.total)}  ·  {self.pct(b.share)}") for b in top]
        if bars:
            def draw(p: QPainter, rect: QRectF) -> None:
                charts.hbars(p, self.cs, rect, bars, label_width_pt=170)
            self.f.block(14 + 17 * len(bars), draw)
        self.f.heading("Line items", 3)
        rows = [Row([li.name, li.category.value, self.money(li.first), self.money(li.last), self.money(li.total),
                     self.pct(li.share)]) for li in sm.lines]
        rows.append(Row(["Total", "", self.money(sm.run_rate_first), self.money(sm.run_rate_last), self.money(sm.total),
                         self.pct(1.0 if sm.total else 0.0)], "total"))
        months = series.month_labels(d.projection)
        self.f.table(Table([Col("Line", weight=1, max_lines=2), Col("Category"),
                            Col(f"First month ({months[0]})" if months else "First month", "r"),
                            Col(f"Last month ({months[-1]})" if months else "Last month", "r"),
                            Col("Horizon", "r"), Col("Share", "r")], rows))

    def scenarios(self) -> None:
        d, s = self.d, self.s
        from pricing.compare import scenario_text, summarize
        from pricing.scenarios import summary_data
        self.h2("Savings scenarios")
        if not d.plan.scenarios:
            self.note("The plan has no savings scenarios (add a scenarios: section; see docs/scenarios.md).")
            return
        sm = d.summary
        rows = [Row(["Baseline (the plan as it is)", self.money(sm.total), "", "", self.money(sm.run_rate_last)])]
        details = []
        for r in d.results:
            data = summary_data(r)
            ss = summarize(r.projection)
            cents = sm.total - ss.total
            rows.append(Row([r.scenario.name, self.money(ss.total), self.money(cents), self.pct(data["saving_share"]),
                             self.money(ss.run_rate_last)],
                            colors=[None, None, s.good if cents > 0 else s.bad if cents < 0 else None, None, None]))
            details.append((r, data))
        self.f.table(Table([Col("Scenario", weight=1, max_lines=2), Col("Horizon total", "r"), Col("Saving", "r"),
                            Col("Saving share", "r"), Col("Last month", "r")], rows, keep_together=True))
        for name in d.skipped:
            self.note(f"Not evaluated: {name}")
        for r, data in details:
            saving = data["saving_total"]
            what = (f"saves {self.fmt.full(saving)}" if saving >= 0 else f"costs {self.fmt.full(-saving)} more")
            self.f.heading(f"{r.scenario.name}: {what} ({self.pct(abs(data['saving_share']))})", 3)
            self.f.text("Strategies: " + scenario_text(r.scenario), size_pt=s.small_pt + 0.4, color=s.muted, after_pt=3,
                        keep_with_next=True)
            strat = series.strategy_savings(r)
            rows = [Row([a["strategy"], self.fmt.full(a["total"]), self.pct(a["share_of_saving"]), self.pct(st.share)])
                    for a, st in zip(data["attribution"], strat)]
            rows.append(Row(["Total saving", self.fmt.full(data["saving_total"]),
                             self.pct(1.0 if data["saving_total"] else 0.0), self.pct(data["saving_share"])], "total"))
            self.f.table(Table([Col("Strategy", weight=1), Col("Saving over the horizon", "r"), Col("Share of the saving", "r"),
                                Col("Share of the baseline", "r")], rows, keep_together=True))
            method = ("Shapley values (each strategy's average contribution over every order)" if r.method == "shapley"
                      else "sequential attribution in canonical order")
            self.note(f"Attribution: {method}." + "".join(f" {n}." for n in r.notes))

    def category_tables(self) -> None:
        from pricing.compare import month_periods, year_periods
        sm = self.d.summary
        self.h2("Cost by category")
        years = year_periods(sm.months)
        if len(years) > 1:
            self.f.heading("By year", 3)
            self.period_tables(years, with_total=True)
        self.f.heading("By month", 3)
        periods = month_periods(sm.months)
        labels = series.month_labels(self.d.projection)
        self.period_tables(tuple(type(p)(labels[p.start], p.start, p.stop) for p in periods), with_total=len(years) <= 1)

    def period_tables(self, periods: Sequence[Any], with_total: bool) -> None:
        """Categories x periods, split into as many tables as the page width asks (each with its total row)."""
        sm = self.d.summary
        s, f = self.s, self.f
        table = sm.category_table(periods)
        bold = s.font(s.table_pt, bold=True)
        fm = f.fm(bold)
        widest = max([fm.horizontalAdvance(self.money(int(c))) for c in table.column_totals]
                     + [fm.horizontalAdvance(self.money(t)) for t in table.row_totals] + [fm.horizontalAdvance(self.money(table.total))]
                     + [fm.horizontalAdvance(p.label) for p in periods])
        col_w = widest + s.pt(8)
        label_w = max(fm.horizontalAdvance(x) for x in ["Annotation", "Category", "Total"]) + s.pt(8)
        fit = max(1, min(12, int((f.area.width() - label_w - (col_w if with_total else 0)) // col_w)))
        n = len(periods)
        if fit >= n:
            per = n
        elif fit >= 6:  # half years (or whole years) read best; otherwise blocks of even size
            per = 12 if fit >= 12 else 6
        else:  # as few blocks as fit allows, of even size
            n_blocks = -(-n // fit)
            per = -(-n // n_blocks)
        blocks = [list(range(i, min(i + per, n))) for i in range(0, n, per)]
        for b, idx in enumerate(blocks):
            last = b == len(blocks) - 1
            cols = [Col("Category")] + [Col(periods[i].label, "r") for i in idx] + ([Col("Horizon", "r")] if with_total and last else [])
            rows = []
            for (cat, cells), rt in zip(table.rows, table.row_totals):
                rows.append(Row([cat.value] + [self.money(int(cells[i])) for i in idx]
                                + ([self.money(rt)] if with_total and last else [])))
            rows.append(Row(["Total"] + [self.money(int(table.column_totals[i])) for i in idx]
                            + ([self.money(table.total)] if with_total and last else []), "total"))
            f.table(Table(cols, rows, keep_together=True))

    def notes(self) -> None:
        notes = [(li.name, n) for li in self.d.projection.line_items for n in li.notes]
        if not notes:
            return
        self.h2("Notes on the figures")
        self.f.table(Table([Col("Line", weight=0.32, max_lines=2), Col("Note", weight=0.68)],
                           [Row([name, n]) for name, n in notes], zebra=True))

    def assumptions(self) -> None:
        from pricing.compare import SECTION_TITLES
        d = self.d
        ins = d.inputs
        self.h2("Assumptions: every input of the plan")
        self.note("Values as the plan sets them; “defaults” are the values the model uses where the plan says nothing. "
                  "Ranges are shown as likely (range low – high).", keep_with_next=True)
        self.f.heading("Settings", 3)
        self.f.table(Table([Col("Setting", weight=0.3), Col("Value", weight=0.7)],
                           [Row([v.key, v.text + (" (default)" if v.is_default else "")], "muted" if v.is_default else "body")
                            for v in ins.settings], keep_together=True))
        by_section: dict[str, list] = {}
        for line in ins.lines:
            by_section.setdefault(line.section, []).append(line)
        for section, lines in by_section.items():
            self.f.heading(f"{SECTION_TITLES.get(section, section)} ({section}, {len(lines)} line"
                           f"{'s' if len(lines) != 1 else ''})", 3)
            rows = []
            for line in lines:
                given = "  ·  ".join(f"{v.key} {v.text}" for v in line.values if not v.is_default) or "—"
                defaults = "  ·  ".join(f"{v.key} {v.text}" for v in line.values if v.is_default) or "—"
                rows.append(Row([line.name, given, defaults]))
            self.f.table(Table([Col("Line", weight=0.22), Col("Set in the plan", weight=0.48), Col("Defaults", weight=0.30)],
                               rows))
        if ins.prices:
            self.f.heading("Price overrides", 3)
            self.f.table(Table([Col("Catalog key", weight=0.75), Col("Value (USD)", "r")],
                               [Row([v.key, v.text], "highlight") for v in ins.prices]))
        if ins.scenarios:
            self.f.heading("Scenario definitions", 3)
            self.f.table(Table([Col("Scenario", weight=0.25), Col("Strategies and parameters", weight=0.75)],
                               [Row([v.key, v.text]) for v in ins.scenarios]))

    def prices(self) -> None:
        d, s = self.d, self.s
        self.h2("Prices used")
        self.note("Every price the projection used, with its source, date and confidence. Shaded rows are set by the "
                  "plan (a prices: override, or a price written on a line). " + self.price_dates_text(), keep_with_next=True)
        if not d.prices:
            self.note("The plan uses no prices yet.")
            return
        rows = []
        for pu in d.prices:
            confidence = "plan override" if pu.confidence == "override" else ("set on the line" if pu.confidence == "user"
                                                                               else pu.confidence.replace("_", " "))
            as_of = pu.as_of if pu.dated else ("plan" if pu.overridden else "undated")
            source = pu.source
            if not pu.dated and not pu.overridden and pu.as_of and pu.as_of != "undated":
                source += f" ({pu.as_of})"
            if pu.overridden and pu.notes:
                source += f"; {pu.notes}"
            rows.append(Row([pu.key, pu.value or "—", as_of, confidence, source], "highlight" if pu.overridden else "body"))
        self.f.table(Table([Col("Price", weight=0.22, max_lines=3), Col("Value", weight=0.2, max_lines=3), Col("As of"),
                            Col("Confidence", weight=0.12, max_lines=2), Col("Source", weight=0.46, max_lines=4)],
                           rows, size_pt=s.small_pt + 0.2))


# ---------------------------------------------------------------------------------------------
# The comparison report
# ---------------------------------------------------------------------------------------------

ENTRY_COLORS = ("#1F3A5F", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#9C755F")
"""One colour per compared entry (A, B, C...), in order."""


def entry_color(i: int) -> QColor:
    """The colour of entry ``i`` (the report's and the Compare window's)."""
    return QColor(ENTRY_COLORS[i % len(ENTRY_COLORS)])


def export_compare_pdf(cmp: Any, path: str | os.PathLike, *, page_size: str = "A4",
                       progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                       generated: _dt.date | None = None) -> None:
    """Write a comparison (``pricing.compare.compare``) as a PDF: figures, overlaid months, cost and input diffs."""
    ensure_application()
    generated = generated or _dt.date.today()
    doc = None
    try:
        doc = _open(path, page_size, "Comparison of cost plans")
        CompareReport(cmp, doc.flow, doc.style, generated).build()
        if progress is not None:
            progress(40, 100)
        if cancel is not None and cancel():
            raise Cancelled()
        labels = " vs ".join(e.label for e in cmp.entries)
        _render(doc, path, labels, f"Comparison · {generated.isoformat()}", progress, cancel, 40)
        _finish(doc, path)
    except BaseException:
        _discard(doc)
        raise


class CompareReport:
    """Lays out a comparison into a Flow."""

    def __init__(self, cmp: Any, flow: Flow, style: Style, generated: _dt.date):
        from gui.widgets import MoneyFormat
        self.c, self.f, self.s, self.generated = cmp, flow, style, generated
        self.fmt = MoneyFormat(cmp.currency)
        self.cs = style.chart()

    def money(self, cents: int | None) -> str:
        return "—" if cents is None else self.fmt.full(int(cents) / 100)

    def delta(self, cents: int | None) -> str:
        if cents is None:
            return ""
        return ("+" if cents > 0 else "−" if cents < 0 else "") + self.fmt.full(abs(int(cents)) / 100)

    def ratio(self, r: float | None) -> str:
        from pricing.compare import ratio_text
        return ratio_text(r).replace("-", "−")

    def color(self, cents: int | None) -> QColor | None:
        return None if not cents else self.s.bad if cents > 0 else self.s.good

    def build(self) -> None:
        c, s, f = self.c, self.s, self.f
        ids = c.ids
        f.text("COMPARISON OF COST PLANS", size_pt=s.small_pt + 0.4, bold=True, color=s.accent, after_pt=2)
        f.heading(" vs ".join(e.plan.name + (f" · {e.scenario}" if e.scenario else "") for e in c.entries), 1)
        f.text(f"Prepared {_long_date(self.generated)} with {APP}; amounts in {c.currency}; differences "
               "against A (higher cost in red, lower in green).", color=s.muted, after_pt=6)
        rows = [Row([i, e.label, e.plan.name, f"{sm.months[0]} – {sm.months[-1]}" if sm.months else "—",
                     str(len(sm.months))], colors=[entry_color(k)])
                for k, (i, e, sm) in enumerate(zip(ids, c.entries, c.summaries))]
        f.table(Table([Col(""), Col("Entry", weight=0.5, max_lines=2), Col("Plan", weight=0.5, max_lines=2),
                       Col("Months"), Col("n", "r")], rows, keep_together=True))
        for n in c.notes:
            f.text("Note: " + n, size_pt=s.small_pt, color=s.muted)
        f.heading("Figures", 2)
        self.figures()
        f.heading("Monthly cost", 2)
        labels = [series.month_label(m) for m in c.months]
        lines = [charts.Series(f"{i}  {e.label}", entry_color(k),
                               [None if v is None else v / 100 for v in row], width_pt=1.5)
                 for k, (i, e, row) in enumerate(zip(ids, c.entries, c.monthly))]

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=series.axis_ticks(labels, 12), n=len(c.months), series=lines,
                              y_format=self.fmt.compact, y_title=f"{c.currency} per month")
        f.block(200, draw)
        for j in range(1, len(ids)):
            self.diff(j)

    def figures(self) -> None:
        c = self.c
        ids = c.ids
        if len(ids) <= 3:
            cols = [Col("Figure", weight=1)] + [Col(i, "r") for i in ids]
            for i in ids[1:]:
                cols += [Col(f"{i} − A", "r"), Col("%", "r")]
            rows = []
            for fr in c.figures:
                cells = [("   " if fr.key.startswith("category.") else "") + fr.label] + [self.money(v) for v in fr.values]
                colors: list[QColor | None] = [None] * (1 + len(ids))
                for d, r in zip(fr.deltas[1:], fr.ratios[1:]):
                    cells += [self.delta(d), self.ratio(r)]
                    colors += [self.color(d), self.color(d)]
                rows.append(Row(cells, colors=colors))
            self.f.table(Table(cols, rows, keep_together=True))
            return
        self.f.table(Table([Col("Figure", weight=1)] + [Col(i, "r") for i in ids],
                           [Row([fr.label] + [self.money(v) for v in fr.values]) for fr in c.figures], keep_together=True))
        cols = [Col("Difference against A", weight=1)] + [Col(f"{i} − A", "r") for i in ids[1:]]
        self.f.table(Table(cols, [Row([fr.label] + [self.delta(d) for d in fr.deltas[1:]],
                                      colors=[None] + [self.color(d) for d in fr.deltas[1:]]) for fr in c.figures],
                           keep_together=True))

    def diff(self, j: int) -> None:
        c, s, f = self.c, self.s, self.f
        from pricing.compare import SECTION_TITLES
        ids = c.ids
        e = c.entries[j]
        f.heading(f"{ids[j]} against A: {e.label}", 2)
        changed = c.changed_lines(j)
        diff = c.inputs[j]
        if not changed and (diff is None or diff.empty):
            f.text("No differences: the same lines, inputs, prices and costs.", color=s.muted)
            return
        by_line = {(x.section, x.name): x for x in (diff.lines if diff else ())}
        marks = {"added": "+ added", "removed": "− removed"}
        rows = []
        for lc in changed:
            status = lc.status(j)
            what = marks.get(status) or ("changed" if (lc.section, lc.name) in by_line else "cost moved")
            d1, d2 = lc.last_month_delta(j), lc.horizon_delta(j)
            rows.append(Row([lc.name, SECTION_TITLES.get(lc.section, lc.section), what, self.delta(d1), self.delta(d2)],
                            colors=[None, None, None, self.color(d1), self.color(d2)]))
        t1, t2 = c.total_deltas(j)
        rows.append(Row(["Total", "", "", self.delta(t1), self.delta(t2)], "total",
                        colors=[None, None, None, self.color(t1), self.color(t2)]))
        f.heading("Cost differences by line", 3)
        f.table(Table([Col("Line", weight=0.6, max_lines=2), Col("Section"), Col("Change"), Col("Last month", "r"),
                       Col("Horizon", "r")], rows))
        if diff is None or diff.empty:
            return
        rows = []
        for title, changes in (("Settings", diff.settings), ("Price overrides", diff.prices), ("Scenarios", diff.scenarios)):
            if changes:
                rows.append(Row([title], "group"))
                rows += [Row([ch.key, ch.before, ch.after]) for ch in changes]
        changed_lines = [x for x in diff.lines if x.change == "changed"]
        moved = [x for x in diff.lines if x.change != "changed"]
        for lch in changed_lines:
            rows.append(Row([f"{lch.name} ({SECTION_TITLES.get(lch.section, lch.section)})"], "group"))
            rows += [Row([v.key, v.before, v.after]) for v in lch.values]
        if moved:
            rows.append(Row(["Lines added or removed (inputs the plan sets; defaults left out)"], "group"))
        for lch in moved:
            given = "  ·  ".join(lch.given())
            label = f"{'+' if lch.change == 'added' else '−'} {lch.name} ({SECTION_TITLES.get(lch.section, lch.section)})"
            rows.append(Row([label, "—" if lch.change == "added" else given, given if lch.change == "added" else "—"]))
        f.heading("What changed in the inputs", 3)
        f.table(Table([Col("Input", weight=0.3, max_lines=3), Col("A", weight=0.35), Col(ids[j], weight=0.35)], rows))
