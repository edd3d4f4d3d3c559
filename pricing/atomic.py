"""The one atomic writer: every file the product writes goes to a temporary file beside it, then is renamed over.

A crash, a full disk or a cancelled export mid-write leaves the previous file whole: the new
content is written to a temporary file in the target's folder (same file system, so the rename
is atomic), flushed, fsynced and checked, then renamed over the target. A symlinked target is
written through (the link stays a link); a target that is not a regular file (a FIFO, a device)
is refused rather than replaced; the file keeps its permission bits (a 0664 plan stays 0664) and
a new file gets the umask's default (not mkstemp's 0600).
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable


class AtomicWriteError(OSError):
    """The file could not be written safely; the previous file, if any, is untouched."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _default_mode() -> int:
    """0666 less the process umask: what ``open()`` gives a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _real_target(path: str | os.PathLike) -> tuple[Path, int]:
    """The file a write of ``path`` replaces (symlinks followed) and the permission bits it must keep."""
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, _default_mode()
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, socket or device)"
        raise AtomicWriteError(f"{path}: {kind}; choose a file name to write to")
    return target, stat.S_IMODE(st.st_mode)


def write_file(path: str | os.PathLike, write_fn: Callable[[IO], None], *, binary: bool = False,
               encoding: str = "utf-8", newline: str | None = "\n",
               verify: Callable[[Path], None] | None = None, backup: bool = False) -> None:
    """Write ``path`` atomically with ``write_fn(file)``; ``verify(temp_path)`` may raise to refuse the result.

    An empty result is refused (no product file is ever empty). ``backup`` first copies the previous
    file to ``<file>.bak``, the same safe way (a failed backup does not stop the save).
    """
    target, mode = _real_target(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            write_fn(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if tmp.stat().st_size == 0:
            raise AtomicWriteError(f"{path}: nothing was written (empty result); the previous file is kept")
        if verify is not None:
            verify(tmp)
        os.chmod(tmp, mode)
        if backup and target.exists():
            try:
                old = target.read_bytes()
                write_file(target.with_name(target.name + ".bak"), lambda f: f.write(old), binary=True)
            except OSError:
                pass  # a failed backup must not stop the save itself; the save is still atomic
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomically(path: str | os.PathLike, text: str, *, backup: bool = False) -> str:
    """Write ``text`` (UTF-8, ``\\n`` line ends) atomically; ``backup`` keeps ``<file>.bak``. Returns the new
    file's fingerprint (SHA-256 of its bytes)."""
    write_file(path, lambda fh: fh.write(text), backup=backup)
    return _digest(text.encode("utf-8"))
