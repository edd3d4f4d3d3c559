"""Small JSON memos in the user's cache folder, for results that are costly to recompute but never change.

Each memo is read once per process; additions are written back once, when the process exits.
"""
from __future__ import annotations

import atexit
import json
import os
import threading
from pathlib import Path
from typing import Any

from pricing import atomic, userfiles

MAX_ENTRIES = 2000
"""Most entries one memo file keeps (oldest dropped first)."""
MAX_FILE_BYTES = 16 << 20
"""A memo file bigger than this is not ours (2,000 entries take well under 1 MB): it is ignored."""

_memos: dict[tuple[str, str], dict[str, Any]] = {}
_dirty: set[tuple[str, str]] = set()
_lock = threading.Lock()


def cache_dir() -> Path:
    """$AICOST_CACHE_DIR, else $XDG_CACHE_HOME/aicost, else ~/.cache/aicost."""
    env = os.environ.get("AICOST_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aicost"


def _memo(name: str) -> tuple[tuple[str, str], dict[str, Any]]:
    key = (str(cache_dir()), name)
    memo = _memos.get(key)
    if memo is None:
        try:
            data = json.loads(userfiles.read_text(cache_dir() / name, MAX_FILE_BYTES))
        except (OSError, ValueError):
            data = {}
        memo = _memos[key] = data if isinstance(data, dict) else {}
    return key, memo


def get(name: str, key: str) -> Any:
    """The remembered value, or None (a missing or damaged memo is simply empty)."""
    with _lock:
        return _memo(name)[1].get(key)


def put(name: str, key: str, value: Any) -> None:
    """Remember a value; written to disk at exit."""
    with _lock:
        mkey, memo = _memo(name)
        memo[key] = value
        _dirty.add(mkey)


@atexit.register
def flush() -> None:
    """Write changed memos (atomically); a folder we can't write only costs speed."""
    with _lock:
        for folder, name in list(_dirty):
            memo = _memos[(folder, name)]
            if len(memo) > MAX_ENTRIES:
                memo = dict(list(memo.items())[-MAX_ENTRIES:])
            path = Path(folder) / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_atomically(path, json.dumps(memo))
            except OSError:
                pass
        _dirty.clear()
