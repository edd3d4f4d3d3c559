"""Render resources/icons/aicost.svg into the icon files the bundles need (run after changing the SVG).

    .venv/bin/python packaging/make_icons.py

Writes packaging/icons/: ``aicost.svg`` (a copy, for the Linux ``scalable`` theme folder),
``aicost-<N>.png`` (16 to 512 px, the Linux ``hicolor`` sizes), ``aicost.ico`` (Windows: PNG
images of 16 to 256 px in one file) and ``aicost.icns`` (macOS: PNG images of 16 to 1024 px).
The ICO and ICNS containers are written here byte by byte (both are a header, a table and
the PNGs), so no image library beyond Qt is needed.
"""
from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "aicost.svg"
OUT = ROOT / "packaging" / "icons"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
              (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512))
"""ICNS element types holding PNG data, and their pixel size (ic11-ic14 are the @2x variants)."""


def render_png(size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (Vista and later read PNG entries)."""
    sizes = sorted(pngs)
    head = struct.pack("<HHH", 0, 1, len(sizes))
    table, blobs, offset = b"", b"", 6 + 16 * len(sizes)
    for s in sizes:
        png = pngs[s]
        table += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return head + table + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # image I/O needs an application
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {s: render_png(s) for s in sorted(set(PNG_SIZES) | set(ICO_SIZES) | {s for _, s in ICNS_TYPES})}
    shutil.copy2(SVG, OUT / "aicost.svg")
    for s in PNG_SIZES:
        (OUT / f"aicost-{s}.png").write_bytes(pngs[s])
    (OUT / "aicost.ico").write_bytes(ico({s: pngs[s] for s in ICO_SIZES}))
    (OUT / "aicost.icns").write_bytes(icns(pngs))
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(ROOT)}  {f.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
