"""The one atomic writer: every file the product writes goes to a temporary file beside it, then is renamed over."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(path: str | os.PathLike, text: str, *, backup: bool = False) -> str:
    """Write ``text`` to a temporary file in the same folder, then rename it over ``path``: a crash or a
    full disk mid-write leaves the previous file whole. ``backup`` first copies the previous file to
    ``<file>.bak``. Returns the new file's ``fingerprint``."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if backup and target.exists():
            bak = target.with_name(target.name + ".bak")
            try:
                _copy(target, bak)
            except OSError:
                pass  # a failed backup must not stop the save itself; the save is still atomic
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return _digest(text.encode("utf-8"))


def _copy(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())
