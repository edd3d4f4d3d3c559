"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a Qt method returning
nothing, and the process aborts (none_dealloc) after a few thousand calls; pyproject pins < 6.12.
This test fails if an installed PySide6 has that bug."""
import subprocess
import sys

CODE = """
import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPen
app = QGuiApplication([])
img = QImage(10, 10, QImage.Format_ARGB32)
p = QPainter(img)
before = sys.getrefcount(None)
for _ in range(20000):
    p.setPen(QPen())
p.end()
print(sys.getrefcount(None) - before)
"""


def test_qt_calls_do_not_leak_references_to_none():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-500:]
    assert int(out.stdout.strip()) > -100
