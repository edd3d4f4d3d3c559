"""What changed between two price catalogs (added, removed, changed, with dates) and how it moves a plan's bill."""
from __future__ import annotations

import io
import pathlib
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import numpy as np

from pricing import userfiles
from pricing.catalog import CATALOG_FILES, Catalog, CatalogEntry
from pricing.errors import CatalogError, Problem

if TYPE_CHECKING:
    from pricing.plan import Plan

MAX_BUNDLE_BYTES = 20 * 1024 * 1024
"""Largest catalog file a bundle may hold once unpacked (the shipped ones are ~100 kB)."""


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One catalog figure that differs between the old and the new catalog."""

    key: str
    old: CatalogEntry | None
    """None when the figure is new."""
    new: CatalogEntry | None
    """None when the figure was removed."""
    what: tuple[str, ...]
    """What changed: ``value``, ``tiers``, ``gap``, ``as_of``, ``source``, ``confidence``."""

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    @property
    def relative(self) -> float | None:
        """New value / old value - 1 when both are priced, else None."""
        if self.old is None or self.new is None or not self.old.value or self.new.value is None:
            return None
        return self.new.value / self.old.value - 1.0


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """Every figure added, removed or changed, in the new catalog's order (removed ones last)."""

    changes: tuple[EntryChange, ...]

    def of_kind(self, kind: str) -> tuple[EntryChange, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def empty(self) -> bool:
        return not self.changes


_COMPARED = ("value", "tiers", "gap", "as_of", "source", "confidence")


def _fields(e: CatalogEntry) -> dict[str, object]:
    return {"value": e.value, "tiers": e.tiers, "gap": e.gap, "as_of": e.source.as_of, "source": e.source.source,
            "confidence": e.source.confidence}


def diff(old: Catalog, new: Catalog) -> CatalogDiff:
    """The figures of ``new`` that are not in ``old``, those of ``old`` gone from ``new``, and those that differ
    (value, tiers, gap, date, source or confidence). Overrides of either catalog are applied as listed."""
    before = {e.key: e for e in old.entries()}
    after = {e.key: e for e in new.entries()}
    out: list[EntryChange] = []
    for key, e in after.items():
        o = before.get(key)
        if o is None:
            out.append(EntryChange(key, None, e, ("value",)))
            continue
        a, b = _fields(o), _fields(e)
        what = tuple(f for f in _COMPARED if a[f] != b[f])
        if what:
            out.append(EntryChange(key, o, e, what))
    out += [EntryChange(key, o, None, ("value",)) for key, o in before.items() if key not in after]
    return CatalogDiff(tuple(out))


@contextmanager
def opened(path: str | pathlib.Path) -> Iterator[Catalog]:
    """A catalog bundle the user has: a folder holding the catalog files, or a .zip of them (at its top level or
    in one folder). Yields the loaded catalog; CatalogError with file and key path when it is not a valid one."""
    p = pathlib.Path(path)
    if p.is_dir():
        yield Catalog.load(p)
        return
    if not p.exists():
        raise CatalogError(Problem("no such file or folder", "", None, str(path)))
    try:
        # a regular file only, read to a cap (a FIFO named .zip blocked the command; /dev/zero never ended)
        zf = zipfile.ZipFile(io.BytesIO(userfiles.read_bytes(p, MAX_BUNDLE_BYTES * len(CATALOG_FILES))))
    except (zipfile.BadZipFile, OSError) as exc:
        raise CatalogError(Problem(f"expected a catalog folder or a .zip of its files ({exc})", "", None, str(path))) \
            from None
    with zf, tempfile.TemporaryDirectory(prefix="aicost-catalog-") as tmp:
        found = [(pathlib.PurePosixPath(i.filename).name, i) for i in zf.infolist()
                 if pathlib.PurePosixPath(i.filename).name in CATALOG_FILES and not i.is_dir()]
        members = dict(found)
        twice = sorted({n for n, _ in found if sum(1 for m, _ in found if m == n) > 1})
        if twice:
            raise CatalogError(Problem(f"the bundle holds {', '.join(twice)} more than once: which one is meant?",
                                       "", None, str(path)))
        missing = [n for n in CATALOG_FILES if n not in members]
        if missing:
            raise CatalogError(Problem(f"the bundle lacks {', '.join(missing)} (a catalog bundle holds "
                                       f"{', '.join(CATALOG_FILES)})", "", None, str(path)))
        for name, info in members.items():
            if info.file_size > MAX_BUNDLE_BYTES:
                raise CatalogError(Problem(f"{info.filename} unpacks to {info.file_size / 1e6:.0f} MB; a catalog file "
                                           f"is at most {MAX_BUNDLE_BYTES // 1_000_000} MB", "", None, str(path)))
            # written under its bare name only: member paths never reach the file system (no traversal)
            (pathlib.Path(tmp) / name).write_bytes(zf.read(info))
        yield Catalog.load(tmp)


@dataclass(frozen=True, slots=True, eq=False)
class LineDelta:
    """One line of a plan priced with the old and the new catalog."""

    key_path: str
    name: str
    old: float | None
    """Horizon cost with the old catalog; None when it could not price the line."""
    new: float | None
    old_gap: str = ""
    new_gap: str = ""

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True, slots=True, eq=False)
class Reprice:
    """A plan priced with two catalogs, line by line."""

    lines: tuple[LineDelta, ...]

    @property
    def old_total(self) -> float:
        return sum(d.old or 0.0 for d in self.lines)

    @property
    def new_total(self) -> float:
        return sum(d.new or 0.0 for d in self.lines)

    @property
    def gaps(self) -> int:
        """Lines one of the two catalogs cannot price (their change is unknown, never counted as 0)."""
        return sum(1 for d in self.lines if d.old is None or d.new is None)

    @property
    def relative(self) -> float | None:
        """New total / old total - 1 over the lines both catalogs price; None when there are none."""
        both = [d for d in self.lines if d.old is not None and d.new is not None]
        old = sum(d.old for d in both)  # type: ignore[misc]
        return (sum(d.new for d in both) / old - 1.0) if old else None  # type: ignore[misc]


def reprice(plan: "Plan", old: Catalog, new: Catalog) -> Reprice:
    """Each line of ``plan`` priced with ``old`` and with ``new`` (the plan's own ``prices:`` apply to both)."""
    from pricing import engine
    from pricing.errors import PlanError

    def priced(cat: Catalog) -> dict[str, tuple[str, float | None, str]]:
        out: dict[str, tuple[str, float | None, str]] = {}
        try:
            ctx = engine.context(plan, cat)
        except PlanError as exc:  # e.g. the plan overrides a price key this catalog does not know
            why = "; ".join(p.message for p in exc.problems)
            return {f"{s}[{i}]": (getattr(line, "name", f"{s}[{i}]"), None, why) for s, i, line in plan.lines()}
        items = []
        for section, i, line in plan.lines():
            key = f"{section}[{i}]"
            try:
                li = engine.price_line(section, i, line, ctx)
            except PlanError as exc:  # the catalog cannot price this line: a gap, not a zero
                out[key] = (getattr(line, "name", key), None, "; ".join(p.message for p in exc.problems))
                continue
            items.append(li)
            out[key] = (li.name, float(np.sum(li.monthly)), "")
        if plan.services.platform is not None:
            from pricing.drivers.services import platform_markup
            try:
                li = platform_markup(plan.services.platform, items, ctx)
                out["services.platform"] = (li.name, float(np.sum(li.monthly)), "")
            except PlanError as exc:
                out["services.platform"] = (plan.services.platform.name, None,
                                            "; ".join(p.message for p in exc.problems))
        return out

    a, b = priced(old), priced(new)
    keys = list(dict.fromkeys([*a, *b]))
    none = ("", None, "")
    return Reprice(tuple(LineDelta(k, (b.get(k) or a[k])[0], a.get(k, none)[1], b.get(k, none)[1],
                                   a.get(k, none)[2], b.get(k, none)[2]) for k in keys))
