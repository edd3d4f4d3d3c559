"""What the window runs off the UI thread, as plain functions ``(…, progress, cancel)``: analyse, import, forget, copy.

Each opens the store beside the plan, does one thing and closes it (a DuckDB connection stays on the
thread that made it). None of them writes a store where there was none, except an import.
"""
from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from pricing.actuals.analysis import analyze
from pricing.actuals.figures import ActualsFigures, figures
from pricing.actuals.store import ActualsStore, Cancelled, FileRecord, ImportOutcome, StoreError
from pricing.errors import Problem

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def analyse(store_path: Path, proj: Any, catalog: Any, samples: int, progress: Progress = None,
            cancel: Cancel = None) -> ActualsFigures | None:
    """The figures of what the store holds under the plan's ``actuals:`` (None: no store, or nothing imported)."""
    if not Path(store_path).is_file():
        return None
    with ActualsStore(store_path, read_only=True) as store:
        if not store.files():
            return None
        return figures(analyze(proj, store, proj.plan.actuals, samples=samples, catalog=catalog, progress=progress,
                               cancel=cancel))


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import left in the store: told by the store, not by when Cancel was pressed."""

    outcomes: tuple[ImportOutcome, ...]
    """The files imported (committed), duplicates included."""
    cancelled: str | None = None
    """The file whose import was stopped (nothing of it was kept), or None."""
    skipped: tuple[str, ...] = ()
    """Files after it, not read."""


def import_files(store_path: Path, exports: Sequence[str], progress: Progress = None,
                 cancel: Cancel = None) -> ImportResult:
    """Import ``exports`` into the store, each file in one transaction. A cancel stops within a file and keeps
    nothing of it; the result says which files are in (those before it) and which is not."""
    exports = list(exports)
    with ActualsStore(store_path) as store:
        try:
            return ImportResult(store.import_files(exports, progress=progress, cancel=cancel))
        except Cancelled as exc:
            at = exports.index(exc.file) if exc.file in exports else len(exc.imported)
            return ImportResult(exc.imported, exc.file or (exports[at] if at < len(exports) else None),
                                tuple(exports[at + 1:]))


def forget(store_path: Path, what: str) -> FileRecord | None:
    """Remove one imported file from the store (its path as imported, its name, or a SHA-256 prefix)."""
    if not Path(store_path).is_file():
        return None
    with ActualsStore(store_path) as store:
        return store.forget(what)


def copy_store(src: Path, dst: Path) -> None:
    """The store of a plan saved under a new name, beside the new file (Save As keeps the imported actuals).

    The source is opened and closed first, so what a crash left in its write-ahead log is in the file;
    the copy goes through the one atomic writer and is opened before it replaces anything.
    """
    from pricing.atomic import write_file
    with ActualsStore(src):
        pass

    def verify(tmp: Path) -> None:
        try:
            with ActualsStore(tmp, read_only=True) as store:
                store.files()
        except Exception as exc:  # noqa: BLE001 - DuckDB's own hierarchy: said as a store problem
            raise StoreError(Problem(f"the copied actuals store does not open: {exc}", file=str(dst))) from None

    with open(src, "rb") as fh:
        def write(out: Any) -> None:
            while chunk := fh.read(1 << 20):
                out.write(chunk)
        write_file(dst, write, binary=True, verify=verify)
    if not os.path.exists(dst):
        raise StoreError(Problem("the actuals store could not be copied", file=str(dst)))
