"""Before the window opens on Linux/X11: missing xcb libraries are named with the command that installs them,
instead of Qt's "could not load the Qt platform plugin" abort."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui import syscheck

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_list_covers_what_the_installed_xcb_plugin_links_to():
    """Every system library Qt's xcb plugin and its QPA library need (their ELF NEEDED entries, Qt's own
    libraries aside) is in XCB_LIBRARIES with its packages."""
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import bundle_config
    finally:
        sys.path.pop(0)
    import PySide6
    qt = Path(PySide6.__file__).parent / "Qt"
    plugin, qpa = qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb plugin (not Linux)")
    needed = set(bundle_config.elf_needed(plugin)) | set(bundle_config.elf_needed(qpa))
    system = {n for n in needed if not n.startswith("libQt6") and not n.startswith(("libc.", "libm.", "libstdc++",
                                                                                       "libgcc_s", "libgthread"))}
    assert system <= set(syscheck.XCB_LIBRARIES), system - set(syscheck.XCB_LIBRARIES)


@pytest.mark.parametrize("env, system, expected", [
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", "xcb"),
    ({"QT_QPA_PLATFORM": "offscreen:configfile=x.json"}, "linux", "offscreen"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", "wayland"),
    ({"DISPLAY": ":0"}, "linux", "xcb"),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", "wayland"),
    ({"XDG_SESSION_TYPE": "wayland"}, "linux", "wayland"),
    ({}, "darwin", ""),
    ({}, "win32", ""),
])
def test_which_platform_qt_will_use(env, system, expected):
    assert syscheck.platform_name(env, system) == expected


def test_missing_libraries_are_named_with_the_packages():
    missing = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    found = syscheck.check("xcb", lambda name: name not in missing)
    assert found is not None and set(found.libraries) == missing
    assert found.debian == ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")
    assert found.fedora == ("xcb-util-cursor", "xcb-util-wm", "xcb-util-keysyms")
    text = found.message("debian")
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in text
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms" in text
    assert text.index("apt install") < text.index("dnf install")
    fedora = found.message("fedora")
    assert fedora.index("dnf install") < fedora.index("apt install")
    assert syscheck.check("xcb", lambda name: True) is None
    assert syscheck.check("wayland", lambda name: False) is None  # only the xcb platform is checked
    assert syscheck.check("offscreen", lambda name: False) is None


def test_this_machine_has_them():
    """The real loader finds every library here (the test machine runs the window under Xvfb)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    assert syscheck.check("xcb") is None


@pytest.mark.parametrize("text, family", [('ID=debian\n', "debian"), ('ID=ubuntu\nID_LIKE=debian\n', "debian"),
                                          ('ID="fedora"\n', "fedora"), ('ID="rocky"\nID_LIKE="rhel centos fedora"\n',
                                                                         "fedora"), ("ID=arch\n", "")])
def test_distro_family(text, family):
    assert syscheck.distro_family(text) == family


def test_the_app_says_which_to_install_instead_of_qts_abort(tmp_path):
    """`aicost open` (what `make run` runs) on X11 without the libraries: a clear message, exit status 1, and no
    QApplication (Qt's own message never appears)."""
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=":99",
               AICOST_PRETEND_MISSING="libxcb-cursor.so.0,libxcb-icccm.so.4,libxcb-keysyms.so.1")
    out = subprocess.run([sys.executable, "-m", "gui", "open", str(ROOT / "resources" / "examples" /
                                                                      "support-assistant.yaml")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in out.stderr
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in out.stderr
    assert "could not load the Qt platform plugin" not in out.stderr
