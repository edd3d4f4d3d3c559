"""A chart as an image: PNG (pixels at the screen's resolution) or SVG (vector, through QSvgGenerator), with its title
and legend, written through the one atomic writer; the chart's context menu and File > Export chart image… use it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget

from pricing import atomic

FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}


def image_format(path: str | Path) -> str:
    """``png`` or ``svg`` from a file name (anything else is refused)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FILTERS:
        raise ValueError(f"{Path(path).name}: expected a .png or .svg file name")
    return suffix


def png_bytes(chart: QWidget, scale: float = 2.0) -> bytes:
    """The chart (caption and plot) as PNG, drawn at ``scale`` times its size in logical pixels (sharp on
    high-DPI screens and in documents)."""
    from PySide6.QtGui import QImage
    size = chart.size()
    image = QImage(QSize(int(size.width() * scale), int(size.height() * scale)), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(chart.palette().color(chart.backgroundRole()))
    painter = QPainter(image)
    chart.render(painter, QPoint(0, 0))
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise OSError("the chart could not be encoded as PNG")
    buf.close()
    return bytes(data)


def svg_bytes(chart: QWidget, title: str = "") -> bytes:
    """The chart (caption and plot) as an SVG drawing: lines, bars and text stay vectors."""
    from PySide6.QtSvg import QSvgGenerator
    size = chart.size()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(size)
    gen.setViewBox(QRect(0, 0, size.width(), size.height()))
    gen.setTitle(title or "AI Cost Planner chart")
    gen.setDescription("Written by AI Cost Planner")
    painter = QPainter(gen)
    painter.fillRect(QRect(0, 0, size.width(), size.height()), chart.palette().color(chart.backgroundRole()))
    chart.render(painter, QPoint(0, 0))
    painter.end()
    buf.close()
    return bytes(data)


def save_chart(chart: QWidget, path: str | Path, title: str = "") -> Path:
    """Write the chart to ``path`` (.png or .svg) through the one atomic writer; returns the path."""
    path = Path(path)
    data = svg_bytes(chart, title) if image_format(path) == "svg" else png_bytes(chart)
    atomic.write_file(path, lambda fh: fh.write(data), binary=True)
    return path


def chart_title(chart: Any) -> str:
    """The chart's title from its caption (the bold part), plain text."""
    text = chart.caption.text() if hasattr(chart, "caption") else ""
    m = re.search(r"<b>(.*?)</b>", text)
    plain = re.sub(r"<[^>]+>", "", m.group(1) if m else text)
    return re.sub(r"\s+", " ", plain.replace("&nbsp;", " ")).strip()


def file_stem(name: str) -> str:
    """A name made safe as a file name (no separators, no characters Windows refuses; as the exports do)."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip().strip(".") or "chart"
    return re.sub(r"\s+", " ", stem)[:80]


def ask_and_save(parent: QWidget, chart: Any, document: Any, settings: Any, fmt: str = "png") -> Path | None:
    """Ask where (starting in the plan's folder, or where its last export went: ``Settings.export_dir``) and in
    which format, then save; None when cancelled."""
    title = chart_title(chart) or "chart"
    plan_name = getattr(getattr(document, "plan", None), "name", "") or "plan"
    plan_path = getattr(document, "path", None)
    start = str(settings.export_dir(plan_path) / f"{file_stem(plan_name)} - {file_stem(title)}.{fmt}")
    filters = ";;".join(FILTERS.values())
    path, chosen = QFileDialog.getSaveFileName(parent, "Export chart image", start, filters, FILTERS[fmt])
    if not path:
        return None
    p = Path(path)
    if p.suffix.lower().lstrip(".") not in FILTERS:
        p = p.with_name(p.name + "." + next(k for k, v in FILTERS.items() if v == chosen))
    try:
        save_chart(chart, p, title)
    except OSError as exc:  # the atomic writer's errors name the file; the old file, if any, is kept
        from gui.errors import ErrorPresenter
        presenter = getattr(parent.window(), "presenter", None) or ErrorPresenter(parent)
        presenter.show_os_error("Can't export the chart", exc)
        return None
    settings.remember_export(p, plan_path)
    bar = getattr(parent.window(), "statusBar", None)
    if callable(bar):
        bar().showMessage(f"Exported {p.name} to {p.parent}", 6000)
    return p


def context_menu(chart: Any, global_pos: Any, document: Any = None, settings: Any = None) -> QMenu:
    """The chart's context menu: save as PNG or SVG, copy as an image."""
    if settings is None:
        from gui.settings import Settings
        settings = Settings()
    window = chart.window()
    document = document if document is not None else getattr(window, "document", None)
    menu = QMenu(chart)
    menu.addAction("Save chart as PNG…", lambda: ask_and_save(chart, chart, document, settings, "png"))
    menu.addAction("Save chart as SVG…", lambda: ask_and_save(chart, chart, document, settings, "svg"))
    menu.addSeparator()
    menu.addAction("Copy chart image", lambda: QApplication.clipboard().setPixmap(chart.grab()))
    return menu
