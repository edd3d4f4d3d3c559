"""The engine never imports Qt or the GUI (checked in a fresh interpreter)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pricing_imports_no_qt():
    modules = sorted(".".join(p.relative_to(ROOT / "pricing").with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / "pricing").rglob("*.py") if p.name != "__init__.py" or p.parent.name != "pricing")
    code = ("import sys\n" + "".join(f"import pricing.{m}\n" for m in modules) +
            "from pricing import engine, load\n"
            "p = load.load_checked('resources/examples/support-assistant.yaml')\nengine.project(p)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui', 'shiboken6'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_report_path_imports_no_qt():
    code = ("import sys\nfrom gui import cli\n"
            "cli.main(['report', 'resources/examples/vision-inhouse.yaml', '--json'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
            "print(','.join(bad), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip() == ""
