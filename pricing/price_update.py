"""Price refresh, offline-safe: what a newer catalog bundle or genai-prices data file changes, installed on confirm.

``inspect(FILE)`` reads a catalog bundle (a folder or .zip of the catalog files) or a genai-prices data file (the
JSON list of providers that genai-prices' own update mechanism fetches) and diffs it against the prices in use:
added, removed and changed figures with their dates. ``install`` writes it atomically into the user data folder
(pricing/userprices.py), which ``Catalog.load()`` and ``pricing.apiprices`` prefer; ``reset`` removes it, so the
bundled data is used again. ``fetch_latest`` downloads genai-prices' latest data with the package's own URL and
client, never when ``AICOST_OFFLINE`` is set, and only when called: the window asks first.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

from pricing import apiprices, atomic, catalog_diff, userfiles, userprices
from pricing.catalog import CATALOG_FILES, Catalog
from pricing.errors import PlanError, Problem

CATALOG = "catalog"
GENAI = "genai"
UPDATE_SOURCE = "genai-prices' GitHub repository (the URL its own updater uses)"
"""Where a download goes, as the window asks about it (the URL itself is genai-prices' DEFAULT_UPDATE_URL)."""


@dataclass(frozen=True, slots=True)
class ApiChange:
    """One API model whose token prices differ between the data in use and the new data."""

    key: str
    """``api.<provider>.<model>``: the prefix of its ``prices:`` override keys."""
    kind: str
    """added, removed or changed."""
    old: tuple[float | None, float | None, float | None] | None
    """(input, cached input, output) USD per million tokens in force on the day compared; None when added."""
    new: tuple[float | None, float | None, float | None] | None
    """The same in the new data; None when removed."""
    dated: str = ""
    """When the new data dates the price (``from 2027-01-01``), or the old one's date for a removal."""


@dataclass(frozen=True, slots=True)
class ApiDiff:
    changes: tuple[ApiChange, ...]
    old_date: datetime.date
    """Date of the data in use."""
    new_date: datetime.date
    """Date of the new data (its latest date no later than today)."""

    def of_kind(self, kind: str) -> tuple[ApiChange, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def empty(self) -> bool:
        return not self.changes


@dataclass(frozen=True, slots=True, eq=False)
class Update:
    """A price file the user has, read and compared with the prices in use; nothing installed yet."""

    kind: str
    """``catalog`` or ``genai``."""
    source: str
    """Where it came from (the path given, or the URL fetched)."""
    files: tuple[tuple[str, bytes], ...]
    """What ``install`` writes: the catalog files by name, or the one data file."""
    catalog: catalog_diff.CatalogDiff | None = None
    api: ApiDiff | None = None
    data_date: datetime.date | None = None

    @property
    def empty(self) -> bool:
        return (self.catalog or self.api).empty  # type: ignore[union-attr]

    @property
    def counts(self) -> dict[str, int]:
        d = self.catalog or self.api
        return {k: len(d.of_kind(k)) for k in ("added", "removed", "changed")}  # type: ignore[union-attr]


def inspect(path: str | os.PathLike, *, source: str | None = None, today: datetime.date | None = None) -> Update:
    """Read ``path`` (a catalog folder or .zip, or a genai-prices ``.json``) and diff it against the prices in use.
    PlanError (CatalogError) with the file when it is neither."""
    p = pathlib.Path(path)
    shown = source or str(path)
    if p.is_file() and p.suffix.lower() == ".json":
        providers = apiprices.read_data_file(p)
        raw = userfiles.read_bytes(p, apiprices.MAX_DATA_BYTES)  # read_data_file read it: within the cap
        day = today or datetime.date.today()
        new_date = apiprices._estimate_data_date(day, providers)
        return Update(GENAI, shown, ((userprices.GENAI, raw),), api=_api_diff(providers, new_date, day),
                      data_date=new_date)
    with catalog_diff.opened(p) as candidate:
        files = tuple((name, (candidate.directory / name).read_bytes()) for name in CATALOG_FILES)
        d = catalog_diff.diff(Catalog.load(), candidate)
        dates = [e.source.as_of_date for e in candidate.entries() if e.source.as_of_date is not None]
    return Update(CATALOG, shown, files, catalog=d, data_date=max(dates) if dates else None)


def _parts(info: Any, on: datetime.date) -> tuple[tuple[float | None, ...], str]:
    mp, _ = apiprices._prices_on(info, on)
    start = ""
    if isinstance(info.prices, list):
        started = [getattr(c.constraint, "start_date", None) for c in info.prices]
        started = [d for d in started if d is not None and d <= on]
        start = f"from {max(started).isoformat()}" if started else ""
    return tuple(apiprices._base(getattr(mp, k, None)) for k in ("input_mtok", "cache_read_mtok", "output_mtok")), start


def _api_diff(new_providers: Any, new_date: datetime.date, on: datetime.date) -> ApiDiff:
    """Token prices in force on ``on`` in the data in use and in ``new_providers``, model by model."""
    def table(providers: Any) -> dict[str, Any]:
        return {f"api.{p.id}.{m.id}": m for p in providers for m in p.models}

    before, after = table(apiprices._snapshot().providers), table(new_providers)
    out: list[ApiChange] = []
    for key, m in after.items():
        new, dated = _parts(m, on)
        o = before.get(key)
        if o is None:
            out.append(ApiChange(key, "added", None, new, dated))
            continue
        old, _ = _parts(o, on)
        if old != new:
            out.append(ApiChange(key, "changed", old, new, dated))
    for key, m in before.items():
        if key not in after:
            old, dated = _parts(m, on)
            out.append(ApiChange(key, "removed", old, None, dated))
    return ApiDiff(tuple(out), apiprices.data_date(), new_date)


def install(update: Update, *, today: datetime.date | None = None) -> pathlib.Path:
    """Write ``update`` into the user data folder atomically (each file through pricing/atomic.py; a catalog is
    written to a new folder, checked by loading it, then swapped in), record where it came from, and make this
    process use it. Returns the folder or file written."""
    day = (today or datetime.date.today()).isoformat()
    data = b"".join(b for _, b in update.files)
    rec = {"from": update.source, "installed": day, "sha256": hashlib.sha256(data).hexdigest(),
           "data_date": update.data_date.isoformat() if update.data_date else None}
    root = userprices.prices_dir()
    root.mkdir(parents=True, exist_ok=True)
    if update.kind == GENAI:
        target = root / userprices.GENAI
        _write(target, update.files[0][1])
        atomic.write_atomically(userprices.record_path("genai"), json.dumps(rec, indent=2) + "\n", backup=False)
        apiprices.reload()
        return target
    target = root / userprices.CATALOG
    new = pathlib.Path(tempfile.mkdtemp(prefix=".catalog-new-", dir=root))
    try:
        for name, raw in update.files:
            _write(new / name, raw)
        Catalog.load(new)  # refuse to install what the app cannot read
        atomic.write_atomically(new / userprices.RECORD, json.dumps(rec, indent=2) + "\n", backup=False)
        old = root / ".catalog-old"
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return target


def _write(path: pathlib.Path, raw: bytes) -> None:
    atomic.write_file(path, lambda fh: fh.write(raw), binary=True)


def installed() -> dict[str, dict[str, Any]]:
    """What the user installed, by kind (``catalog``, ``genai``), with where from and when; {} when nothing."""
    out = {}
    if userprices.catalog_dir() is not None:
        out[CATALOG] = userprices.record(CATALOG)
    if userprices.genai_file() is not None:
        out[GENAI] = userprices.record("genai")
    return out


def reset() -> list[str]:
    """Remove the installed prices (the bundled data is used again); the paths removed."""
    root = userprices.prices_dir()
    removed = []
    for p in (root / userprices.CATALOG, root / userprices.GENAI, userprices.record_path("genai")):
        if p.is_dir():
            shutil.rmtree(p)
            removed.append(str(p))
        elif p.exists():
            p.unlink()
            removed.append(str(p))
    apiprices.reload()
    return removed


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def text(u: Update, *, limit: int = 40) -> str:
    """What an update changes, for the terminal and the window's dialog (added, removed, changed, with dates)."""
    c = u.counts
    lines = [f"{u.source}: {c['added']} added, {c['removed']} removed, {c['changed']} changed"]
    if u.catalog is not None:
        fmt = lambda e: "gap" if e.value is None else f"{e.value:g}"  # noqa: E731
        for ch in u.catalog.changes[:limit]:
            if ch.kind == "added":
                lines.append(f"  + {ch.key} = {fmt(ch.new)} ({ch.new.source.as_of})")
            elif ch.kind == "removed":
                lines.append(f"  - {ch.key} (was {fmt(ch.old)}, {ch.old.source.as_of})")
            else:
                rel = f" ({ch.relative:+.1%})" if ch.relative else ""
                dated = (f"as of {ch.old.source.as_of} -> {ch.new.source.as_of}" if "as_of" in ch.what
                         else f"as of {ch.new.source.as_of}")
                lines.append(f"  ~ {ch.key}: {fmt(ch.old)} -> {fmt(ch.new)}{rel}; {dated}")
        shown = len(u.catalog.changes)
    else:
        api = u.api
        lines.append(f"  genai-prices data of {api.old_date.isoformat()} in use -> data of {api.new_date.isoformat()} "
                     "(USD per million tokens: input / cached input / output)")
        part = lambda t: " / ".join(_money(x) for x in t)  # noqa: E731
        for ch in api.changes[:limit]:
            when = f" ({ch.dated})" if ch.dated else ""
            if ch.kind == "added":
                lines.append(f"  + {ch.key}: {part(ch.new)}{when}")
            elif ch.kind == "removed":
                lines.append(f"  - {ch.key} (was {part(ch.old)})")
            else:
                lines.append(f"  ~ {ch.key}: {part(ch.old)} -> {part(ch.new)}{when}")
        shown = len(api.changes)
    if shown > limit:
        lines.append(f"  ... and {shown - limit} more")
    return "\n".join(lines) + "\n"


class OfflineError(PlanError):
    """Fetching is switched off (``AICOST_OFFLINE``) or the network could not be reached."""


def fetch_available() -> tuple[bool, str]:
    """Whether this install can download prices, and why not: switched off (AICOST_OFFLINE), or a build without
    genai-prices' HTTP stack (the desktop bundle leaves it out and prices offline: packaging/bundle_config.py)."""
    if userprices.offline():
        return False, f"fetching prices is switched off ({userprices.OFFLINE_ENV} is set)"
    try:
        import httpx2  # noqa: F401 - genai-prices' own HTTP client
        from genai_prices.update_prices import UpdatePrices
        UpdatePrices()  # the bundle's stand-in raises here
    except (ImportError, RuntimeError):
        return False, ("this build has no network client (the desktop bundle prices offline): download "
                       "genai-prices' data.json yourself and install it with From a file")
    return True, ""


def fetch_latest(*, url: str | None = None, get: Callable[..., Any] | None = None) -> Update:
    """Download genai-prices' latest data with the package's own update mechanism (its URL, timeout and HTTP
    client), into a temporary file, and inspect it. Nothing is installed. Never runs when AICOST_OFFLINE is set,
    nor where the HTTP stack is absent (``fetch_available`` says why)."""
    ok, why = fetch_available()
    if not ok:
        raise OfflineError(Problem(why))
    from genai_prices.update_prices import UpdatePrices
    updater = UpdatePrices() if url is None else UpdatePrices(url=url)
    if get is None:
        import httpx2
        get = httpx2.get
    try:
        r = get(updater.url, timeout=updater.request_timeout)
        r.raise_for_status()
        body = r.content
    except Exception as exc:  # noqa: BLE001 - any transport failure is the same to the user: not fetched
        raise OfflineError(Problem(f"could not fetch {updater.url}: {exc}")) from None
    with tempfile.TemporaryDirectory(prefix="aicost-fetch-") as tmp:
        f = pathlib.Path(tmp) / "data.json"
        f.write_bytes(body)
        return inspect(f, source=updater.url)
