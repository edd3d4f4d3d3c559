"""Small JSON memos in the user's cache folder, for results that are costly to recompute but never change."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MAX_ENTRIES = 2000
"""Most entries one memo file keeps (oldest dropped first)."""


def cache_dir() -> Path:
    """$AICOST_CACHE_DIR, else $XDG_CACHE_HOME/aicost, else ~/.cache/aicost."""
    env = os.environ.get("AICOST_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aicost"


def read(name: str) -> dict[str, Any]:
    """The memo called ``name`` (empty when missing or damaged: a memo is only ever a speed-up)."""
    try:
        data = json.loads((cache_dir() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(name: str, memo: dict[str, Any]) -> None:
    """Replace the memo atomically; a folder we can't write only costs speed."""
    if len(memo) > MAX_ENTRIES:
        memo = dict(list(memo.items())[-MAX_ENTRIES:])
    path = cache_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
