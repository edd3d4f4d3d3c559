"""PDF layout: QPdfWriter + QPainter pages, typography, tables that break across pages, and the Flow.

Layout is two passes: ``Flow`` lays the content out into pages of drawing operations (measuring
text with the PDF's own font metrics), then every page is painted with a "Page n of N" footer.
Tables break across pages with their header repeated; long texts wrap, or elide where a cell
is given a line limit. Works headless (``ensure_application`` starts a QApplication on the
offscreen platform when none runs) and off the GUI thread (QPdfWriter and QPainter need no event loop).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

from pricing import atomic
from pricing.errors import printable

from gui.pdf import charts
from gui.pdf.text import cut, tame
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
        # linear in the text: it is tamed (cut to MAX_TEXT characters, few accents), and no line is measured past
        # MAX_LINE characters (two names of 100,000 characters took 224 s: each piece measured the rest of the word)
        for para in tame(text).split("\n"):
            if len(para) <= MAX_LINE and adv(para) <= width:
                out.append(para)
                continue
            line = ""
            for word in para.split(" "):
                cand = word if not line else f"{line} {word}"
                if len(cand) <= MAX_LINE and adv(cand) <= width:
                    line = cand
                    continue
                if line.strip():
                    out.append(line.rstrip())
                line = word
                while len(line) > MAX_LINE or adv(line) > width:
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
            self.add(lambda p: _draw_cell(p, font, color, x, self.area.right(), y + fm.ascent(), line, "l", fm))
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
        lines = self.wrap(text, font, self.area.width(), MAX_HEADING_LINES)
        before = {1: 0, 2: 16, 3: 9}[level]
        lh = fm.height() * 1.18
        color = s.accent if level < 3 else s.text
        after = 6 if level == 2 else 3

        def place() -> None:
            self.space(before)
            for line in lines:
                y = self.y
                self.add(lambda p, line=line, y=y: _draw_cell(p, font, color, self.area.left(), self.area.right(),
                                                              y + fm.ascent(), line, "l", fm))
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
            return [self.fm(f).elidedText(tame(text), Qt.TextElideMode.ElideRight, inner)]

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
        first = head_h + (laid[0][3] if laid else 0) + (laid[1][3] if len(laid) > 1 and laid[0][0].kind == "group"
                                                        else 0)
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


MAX_LINE = 400
"""Most characters measured for one line: an A4 line of 6 pt text holds about 200; zero-width characters
(combining accents) would otherwise let one line grow without end."""


MAX_HEADING_LINES = 3
"""A heading (the plan's name on the title page) wraps to at most three lines, the last elided."""


_BREAK_AFTER = "/.-_?&=,;:"
"""Where a word too long for its line (a URL, a catalog key) is best broken: after one of these."""


def _split_word(word: str, adv: Callable[[str], float], width: float) -> tuple[str, str]:
    """The longest head of ``word`` that fits ``width`` (ending after a break character when one is in its
    last two thirds), and the rest."""
    lo, hi = 1, min(len(word), MAX_LINE)
    while lo < hi:  # longest prefix that fits (of at most MAX_LINE characters: linear in the word)
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
    p.drawText(at, tame(text))


def _draw_cell(p: QPainter, font: QFont, color: QColor, x0: float, x1: float, baseline: float, text: str,
               align: str, fm: QFontMetricsF) -> None:
    """One line of a cell, clipped to its line box: stacked combining accents never reach the row above or below
    (a name of them overlapped the Total row)."""
    w = fm.horizontalAdvance(text)
    x = x1 - w if align == "r" else (x0 + x1 - w) / 2 if align == "c" else x0
    p.save()
    p.setClipRect(QRectF(x0, baseline - fm.ascent(), x1 - x0, fm.ascent() + fm.descent()))
    _draw_text(p, font, color, QPointF(x, baseline), text)
    p.restore()


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
    buffer: QBuffer
    """The PDF's bytes while it is painted: written to the file only once complete (``_finish``)."""


def _open(path: str | os.PathLike, page_size: str, title: str) -> _Doc:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    atomic.check_target(path)  # a FIFO, a device, a folder or a missing folder: refused before any work
    # painted into memory, then written through the one atomic writer: a failed or cancelled export leaves the
    # previous file as it was, and a PDF that did not complete is never renamed over it
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    writer.setTitle(printable(cut(title), 200))  # the PDF viewer's title bar: no control characters
    writer.setCreator(APP)
    k = RESOLUTION / 72.0
    pts = QPageSize(PAGE_SIZES[page_size]).sizePoints()
    style = Style(k=k)
    page = QRectF(0, 0, pts.width() * k, pts.height() * k)
    return _Doc(writer, style, Flow(writer, style, page), buffer)


def _end(p: QPainter) -> bool:
    """``QPainter.end()``: whether the PDF engine finished the document (False: it is incomplete)."""
    return p.end()


def _render(doc: _Doc, path: str | os.PathLike, header: str, footer: str, progress: ProgressFn | None,
            cancel: CancelFn | None, base: int) -> None:
    """Paint every page with its header and "Page n of N" footer (into the document's buffer)."""
    s, flow = doc.style, doc.flow
    flow.finish()
    pages = flow.pages
    p = QPainter()
    if not p.begin(doc.writer):
        raise atomic.AtomicWriteError(f"{path}: the PDF could not be started; the previous file, if any, is kept")
    ended = False
    try:
        small = s.font(s.small_pt)
        fm = flow.fm(small)
        area = flow.area
        n = len(pages)
        for i, ops in enumerate(pages):
            if cancel is not None and cancel():
                raise Cancelled()
            if i and not doc.writer.newPage():
                raise atomic.AtomicWriteError(f"{path}: the PDF could not take page {i + 1}; the previous file, "
                                              "if any, is kept")
            for op in ops:
                op(p)
            top = area.top() - s.pt(18)
            if i:
                _draw_text(p, small, s.muted, QPointF(area.left(), top),
                           fm.elidedText(tame(header), Qt.TextElideMode.ElideRight, area.width() * 0.7))
                _draw_cell(p, small, s.muted, area.left(), area.right(), top, APP, "r", fm)
                _hline(p, s, area.left(), area.right(), top + s.pt(5), s.rule, 0.5)
            bottom = area.bottom() + s.pt(24)
            _hline(p, s, area.left(), area.right(), bottom - fm.ascent() - s.pt(5), s.rule, 0.5)
            _draw_text(p, small, s.muted, QPointF(area.left(), bottom),
                       fm.elidedText(tame(footer), Qt.TextElideMode.ElideRight, area.width() * 0.78))
            _draw_cell(p, small, s.muted, area.left(), area.right(), bottom, f"Page {i + 1} of {n}", "r", fm)
            if progress is not None:
                progress(base + (100 - base) * (i + 1) // n, 100)
        ended = True
        if not _end(p):
            raise atomic.AtomicWriteError(f"{path}: the PDF writer reported a failure; the previous file, if any, "
                                          "is kept")
    finally:
        if not ended and p.isActive():
            p.end()


def check_pdf(data: bytes, path: str | os.PathLike) -> None:
    """AtomicWriteError unless ``data`` is a whole PDF: it starts with ``%PDF-`` and ends with ``%%EOF``."""
    if not data.startswith(b"%PDF-") or not data.rstrip().endswith(b"%%EOF"):
        raise atomic.AtomicWriteError(f"{path}: the PDF is incomplete ({len(data):,} bytes, no end-of-file "
                                      "marker); the previous file, if any, is kept")


def _finish(doc: _Doc, path: str | os.PathLike) -> None:
    """Check the painted PDF, then write it through the one atomic writer, read back and checked again."""
    doc.buffer.close()
    data = bytes(doc.buffer.data())
    check_pdf(data, path)

    def verify(tmp: Path) -> None:  # what reached the disk, byte for byte (a short write is refused)
        written = tmp.read_bytes()
        if written != data:
            raise atomic.AtomicWriteError(f"{path}: the PDF on disk differs from what was painted "
                                          f"({len(written):,} of {len(data):,} bytes); the previous file is kept")
        check_pdf(written, path)
    atomic.write_file(path, lambda fh: fh.write(data), binary=True, verify=verify)


def _discard(doc: _Doc | None) -> None:
    """Drop a document that will not be written (failed or cancelled): nothing reached the disk."""
    if doc is not None and doc.buffer.isOpen():
        doc.buffer.close()
