"""Where prices the user installed live (``aicost prices update``): a user data folder preferred to the bundled data.

``<data>/prices/catalog/`` holds a catalog bundle's files (``Catalog.load()`` reads it when it is complete) and
``<data>/prices/genai-prices.json`` a genai-prices data file (``pricing.apiprices`` reads it); each comes with an
``installed.json`` record of where it came from and when. The bundled data is the fallback: ``aicost prices reset``
removes the folder. Nothing here reads prices: the catalog and apiprices do, this module only says where.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ENV = "AICOST_DATA_DIR"
"""Environment variable naming the user data folder (tests point it at a temporary folder)."""
OFFLINE_ENV = "AICOST_OFFLINE"
"""When set (to anything but empty or 0), nothing is ever fetched from the network (tests set it)."""
CATALOG = "catalog"
GENAI = "genai-prices.json"
RECORD = "installed.json"
"""Written last when installing: a catalog folder without it is incomplete and ignored."""


def data_dir() -> Path:
    """$AICOST_DATA_DIR, else the platform's user data folder (XDG data home, Application Support, AppData)."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Roaming")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "aicost"


def prices_dir() -> Path:
    return data_dir() / "prices"


def catalog_dir() -> Path | None:
    """The installed catalog folder, or None (then the bundled catalog is used)."""
    d = prices_dir() / CATALOG
    return d if (d / RECORD).is_file() else None


def genai_file() -> Path | None:
    """The installed genai-prices data file, or None (then the package's bundled data is used)."""
    f = prices_dir() / GENAI
    return f if f.is_file() else None


def record(kind: str) -> dict[str, Any]:
    """What ``installed.json`` says of the installed ``catalog`` or ``genai`` data ({} when none or unreadable)."""
    path = prices_dir() / CATALOG / RECORD if kind == CATALOG else prices_dir() / (GENAI + "." + RECORD)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_path(kind: str) -> Path:
    return prices_dir() / CATALOG / RECORD if kind == CATALOG else prices_dir() / (GENAI + "." + RECORD)


def offline() -> bool:
    """True when fetching is switched off for this process (``AICOST_OFFLINE``)."""
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")
