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
    """The file could not be written safely; the previous file, if any, is untouched.

    Its text is one line that names the file and says why (``str(exc)``); ``errno`` is the cause's, when
    an OSError caused it (28, ENOSPC, on a full disk).
    """

    def __init__(self, message: str, errno: int | None = None):
        super().__init__(message)
        self.errno = errno


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
        if not target.parent.is_dir():
            raise AtomicWriteError(f"{path}: no such folder {str(target.parent)!r}", 2) from None
        return target, _default_mode()
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, socket or device)"
        raise AtomicWriteError(f"{path}: {kind}; choose a file name to write to")
    return target, stat.S_IMODE(st.st_mode)


def check_target(path: str | os.PathLike) -> Path:
    """The real file a write of ``path`` would replace, or AtomicWriteError when it can't be one (a FIFO, a
    device, a folder, a missing folder): lets a slow export refuse before it starts rather than after."""
    return _real_target(path)[0]


def _failed(path: str | os.PathLike, exc: OSError, what: str = "could not be written") -> AtomicWriteError:
    """``exc`` as one line naming the file, saying that the previous file is kept."""
    if isinstance(exc, AtomicWriteError):
        return exc
    reason = exc.strerror or str(exc) or type(exc).__name__
    return AtomicWriteError(f"{path}: {what} ({reason}); the previous file, if any, is kept", exc.errno)


def write_file(path: str | os.PathLike, write_fn: Callable[[IO], None], *, binary: bool = False,
               encoding: str = "utf-8", newline: str | None = "\n",
               verify: Callable[[Path], None] | None = None, backup: bool = False) -> None:
    """Write ``path`` atomically with ``write_fn(file)``; ``verify(temp_path)`` may raise to refuse the result.

    An empty result is refused (no product file is ever empty). ``backup`` first copies the previous
    file to ``<file>.bak`` the same safe way, checked byte for byte: when the backup can't be written
    whole (a nearly full disk), nothing is replaced and the error says so. Every failure is an
    ``AtomicWriteError`` (an OSError) naming the file, and leaves the previous file as it was.
    """
    target, mode = _real_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _failed(path, exc, f"cannot create a file in {str(target.parent)!r}") from exc
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
            _backup(target)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, AtomicWriteError):
            raise _failed(path, exc) from exc
        raise


def _backup(target: Path) -> None:
    """``<target>.bak``: the previous file, written atomically and read back whole before the save goes on."""
    old = target.read_bytes()
    bak = target.with_name(target.name + ".bak")

    def same(tmp: Path) -> None:
        if _digest(tmp.read_bytes()) != _digest(old):
            raise AtomicWriteError(f"{bak}: the backup does not match {target.name} (short write)")
    try:
        write_file(bak, lambda f: f.write(old), binary=True, verify=same)
    except OSError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc  # the disk's words, not ours twice
        reason = cause.strerror or str(cause)
        raise AtomicWriteError(f"{target}: the previous version could not be kept as {bak.name} ({reason}); "
                               "nothing was saved, the file is unchanged", exc.errno) from exc


def write_atomically(path: str | os.PathLike, text: str, *, backup: bool = False) -> str:
    """Write ``text`` (UTF-8, ``\\n`` line ends) atomically; ``backup`` keeps ``<file>.bak``. Returns the new
    file's fingerprint (SHA-256 of its bytes)."""
    write_file(path, lambda fh: fh.write(text), backup=backup)
    return _digest(text.encode("utf-8"))
