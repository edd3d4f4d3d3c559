"""Reading files from paths a user gives: regular files only, never blocking on a pipe, at most a stated size.

A path in a plan (a sample file), on the command line or in a file dialog can name anything: a FIFO
(opening it for reading waits for a writer, for ever), ``/dev/zero`` (endless, and its stat size is
0, so a size check before reading passes it), a folder, a file that grows while it is read. Every
read of such a path goes through here:

- the path (links followed) must be a regular file, checked before opening (a device is never
  opened: opening some has effects) and again on the open descriptor (the path may change in
  between);
- it is opened with ``O_NONBLOCK`` (where the system has it), so even a FIFO swapped in at the last
  moment cannot block the open;
- reads stop past ``limit`` bytes: at most ``limit + 1`` bytes are ever read, whatever the stat said.

The write side is ``pricing.atomic``.
"""
from __future__ import annotations

import errno
import io
import os
import stat
from typing import BinaryIO

_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_BINARY", 0))


class UnreadableFile(OSError):
    """The path is not a regular file, or holds more than the caller reads; ``str(exc)`` is one line without the
    file's name (the caller places it)."""

    def __init__(self, message: str, code: int = errno.EINVAL):
        super().__init__(code, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileTooBig(UnreadableFile):
    """More than ``limit`` bytes (found while reading: the stat size of a device or a growing file says less)."""

    def __init__(self, limit: int):
        super().__init__(f"the file holds more than {size_text(limit)}", errno.EFBIG)
        self.limit = limit


def size_text(n: int) -> str:
    """``5 MB``, ``20 MB``, ``4 GB``: a byte limit as users read it (binary units, as the limits are written)."""
    for unit, div in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n:,} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "this is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "this is a pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "this is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "this is a socket, not a regular file"
    return "not a regular file"


def check_regular(path: str | os.PathLike) -> os.stat_result:
    """The stat of ``path`` (links followed) when it is a regular file; ``UnreadableFile`` (``IsADirectoryError``
    for a folder) otherwise, ``FileNotFoundError`` when it is missing."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, _kind(st.st_mode), os.fspath(path))
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(_kind(st.st_mode))
    return st


class _Capped(io.RawIOBase):
    """A file descriptor read to at most ``limit`` bytes: one byte more raises FileTooBig."""

    def __init__(self, fd: int, limit: int | None, name: str):
        self._fd = fd
        self._limit = limit
        self._done = 0
        self.name = name

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        want = len(view)
        if self._limit is not None:
            want = min(want, self._limit + 1 - self._done)  # never more than limit + 1 in all
            if want <= 0:
                raise FileTooBig(self._limit)
        data = os.read(self._fd, want)
        n = len(data)
        view[:n] = data
        self._done += n
        if self._limit is not None and self._done > self._limit:
            raise FileTooBig(self._limit)
        return n

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()


def open_regular(path: str | os.PathLike, limit: int | None = None) -> BinaryIO:
    """``path`` opened for reading in binary, when it is a regular file (see ``check_regular``); reading more than
    ``limit`` bytes from it raises ``FileTooBig``. Use it in a ``with`` block."""
    check_regular(path)  # a device or a FIFO is refused before it is opened
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped for something else since the check
            raise UnreadableFile(_kind(st.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        raw = _Capped(fd, limit, os.fspath(path))
    except BaseException:
        os.close(fd)
        raise
    return io.BufferedReader(raw, buffer_size=1 << 16)  # type: ignore[return-value]


def read_bytes(path: str | os.PathLike, limit: int) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes (``FileTooBig`` past it, found while reading)."""
    with open_regular(path, limit) as fh:
        return fh.read()


def read_text(path: str | os.PathLike, limit: int, encoding: str = "utf-8") -> str:
    """``read_bytes`` decoded (``UnicodeDecodeError`` when it is not text in ``encoding``)."""
    return read_bytes(path, limit).decode(encoding)


def read_head(path: str | os.PathLike, size: int) -> bytes:
    """The first ``size`` bytes (or fewer) of a regular file: to recognise a format without reading it all."""
    with open_regular(path) as fh:
        return fh.read(size)
