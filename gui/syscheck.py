"""Before the window opens on Linux/X11: the system libraries Qt's xcb platform needs, and which packages to install.

Without them Qt prints "could not load the Qt platform plugin "xcb" ... even though it was found"
and aborts, which names none of the missing libraries. ``check()`` runs before the QApplication is
made, tries each library the xcb plugin links to (the list below, checked against the installed
plugin by tests/gui/test_syscheck.py) and, when some are missing, says exactly which and prints
the apt or dnf command that installs them.
"""
from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    # soname: (Debian/Ubuntu package, Fedora/RHEL package)
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}
"""The libraries Qt 6's xcb platform plugin (``libqxcb.so`` and ``libQt6XcbQpa``) and Qt Gui load from the
system, each with the package that holds it (Debian 12 / Ubuntu 24.04 and Fedora 40 names). The first three
are the ones a fresh desktop install most often lacks: Qt 6.5+ needs xcb-cursor, which older Qt did not."""

PRETEND_MISSING = "AICOST_PRETEND_MISSING"
"""TEST HOOK: a comma-separated list of sonames treated as missing (tests/gui/test_syscheck.py runs the real
command with it, since a test cannot uninstall system libraries)."""


@dataclass(frozen=True, slots=True)
class Missing:
    """Libraries the window needs that the system lacks, and how to install them."""

    platform: str
    libraries: tuple[str, ...]

    @property
    def debian(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(XCB_LIBRARIES[n][0] for n in self.libraries if n in XCB_LIBRARIES))

    @property
    def fedora(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(XCB_LIBRARIES[n][1] for n in self.libraries if n in XCB_LIBRARIES))

    def message(self, distro: str = "") -> str:
        """What to tell the user: which libraries, and the install command (for ``distro``'s family first)."""
        apt = f"sudo apt install {' '.join(self.debian)}"
        dnf = f"sudo dnf install {' '.join(self.fedora)}"
        commands = [("Debian, Ubuntu", apt), ("Fedora, RHEL", dnf)]
        if distro == "fedora":
            commands.reverse()
        lines = [f"aicost: the window can't open: Qt's X11 platform ({self.platform}) needs system libraries "
                 "that are missing:", "  " + ", ".join(self.libraries), "Install them with:"]
        width = max(len(c) for _, c in commands)
        lines += [f"  {cmd:<{width}}   ({where})" for where, cmd in commands]
        lines.append("then start aicost again. The command line needs none of them: aicost report PLAN, "
                     "aicost validate PLAN, ...")
        return "\n".join(lines)


def platform_name(env: Mapping[str, str] | None = None, system: str | None = None) -> str:
    """The Qt platform the app will start on: ``QT_QPA_PLATFORM``'s first choice, else on Linux ``wayland`` in a
    Wayland session (Qt 6 prefers it there) and ``xcb`` otherwise; "" on other systems."""
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip()
    if not system.startswith("linux"):
        return ""
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` (and everything it needs), as Qt's plugin loader would."""
    if soname in {s.strip() for s in os.environ.get(PRETEND_MISSING, "").split(",")}:
        return False
    frozen = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen and (Path(frozen) / soname).exists():
        return True  # the desktop bundle ships it
    try:
        ctypes.CDLL(soname, mode=getattr(os, "RTLD_LAZY", 1) | getattr(os, "RTLD_LOCAL", 0))
    except OSError:
        return False
    return True


def distro_family(os_release: str | None = None) -> str:
    """``debian``, ``fedora`` or "" from /etc/os-release (ID and ID_LIKE)."""
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    ids = " ".join(line.split("=", 1)[1].strip().strip('"').lower() for line in os_release.splitlines()
                   if line.startswith(("ID=", "ID_LIKE=")))
    if any(k in ids.split() for k in ("fedora", "rhel", "centos")):
        return "fedora"
    if any(k in ids.split() for k in ("debian", "ubuntu")):
        return "debian"
    return ""


def check(platform: str | None = None, can_load: Callable[[str], bool] = loadable) -> Missing | None:
    """The missing libraries of the xcb platform (None when it is not the platform, or nothing is missing)."""
    platform = platform_name() if platform is None else platform
    if platform != "xcb":
        return None
    missing = tuple(name for name in XCB_LIBRARIES if not can_load(name))
    return Missing(platform, missing) if missing else None


def require_window_libraries() -> int:
    """0 when the window can start; otherwise prints which libraries to install (to stderr) and returns 1."""
    missing = check()
    if missing is None:
        return 0
    print(missing.message(distro_family()), file=sys.stderr)
    return 1
