"""The actuals store: imported exports kept in an embedded DuckDB file beside the plan (``<plan>.actuals.duckdb``).

Why DuckDB (measured, BENCHMARKS.md "Actuals import"): it reads CSV, gzip'd CSV and Parquet as a
stream in bounded memory (``memory_limit``; what does not fit spills to disk) and runs the mapping
rules as one SQL query. On a 1,000,000-row FOCUS CSV (368 MB) importing and mapping took 1.55 s
(Parquet 0.46 s) at a 266 MB peak, where plain Python doing the same parsing and grouping
(csv.reader, json, Decimal) took 9.4 s, and a csv.reader loop that only sums one column 2.5 s.
pyarrow's streaming reader sums that column in 1.3 s but is 170 MB installed against DuckDB's
72 MB, and would still leave the grouping and the rules to hand-written code.

What is kept: not every billing row but the rows *grouped* by everything a mapping rule can look
at (month, service, SKU, meter, region, resource, model, instance type, tags, unit, currency), with
exact sums (DECIMAL(38,10)) of both cost columns and of the consumed quantity. So reopening a plan
is instant, switching between EffectiveCost and BilledCost needs no re-import, and rules can be
edited and re-run at any time. Every file is identified by the SHA-256 of its bytes: importing the
same content again (under any name) adds nothing.

Nothing is dropped silently: rows whose cost is not a number, and rows whose charge period is not
a date, are *refused* and listed (file, row, column, what was found); the totals say how many.
"""
from __future__ import annotations

import csv
import datetime as _dt
import gzip
import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from pricing import userfiles
from pricing.actuals import formats as F
from pricing.actuals_config import store_path_for  # noqa: F401 - importable from here as before
from pricing.errors import PlanError, Problem

SCHEMA_VERSION = "1"
MEMORY_LIMIT = "512MB"
"""DuckDB's memory cap while importing: a 1,000,000-row file stays well under it (and spills if not)."""
MAX_ISSUES_PER_FILE = 1000
"""Bad cells listed per file (the counts are always complete)."""

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)`` in bytes of the files being imported."""
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """The import was cancelled; nothing of the file being read was kept.

    ``imported``: the outcomes of the files finished (committed) before it; ``file``: the one stopped.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.imported: tuple["ImportOutcome", ...] = ()
        self.file: str | None = None


class StoreError(PlanError):
    """The actuals store cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One imported export file."""

    file_id: int
    sha256: str
    path: str
    """The path as it was given at import."""
    kind: str
    """``focus``, ``openai_costs``, ``openai_usage``, ``anthropic_costs``, ``anthropic_usage``."""
    container: str
    bytes: int
    imported_at: str
    rows: int
    """Data rows read (usage-only rows included)."""
    refused_billed: int
    """Rows whose BilledCost (or charge period) could not be read: not in any total."""
    refused_effective: int
    """Rows whose EffectiveCost (or charge period) could not be read: not in any total."""
    warnings: int
    """Cells that could not be read but did not refuse their row (a quantity, tags)."""

    def refused(self, cost: str) -> int:
        return self.refused_billed if cost == "billed" else self.refused_effective


@dataclass(frozen=True, slots=True)
class Issue:
    """A cell of an export that could not be read."""

    file: str
    row: int
    """1-based data row."""
    line: int | None
    """Line in a CSV file (row + 1 for the header; None for Parquet and JSON)."""
    column: str
    value: str
    message: str
    refuses: str
    """Which cost the row is refused for: ``both``, ``billed``, ``effective``, or ``none`` (a warning)."""

    def problem(self) -> Problem:
        return Problem(self.message, self.column, self.line, self.file)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What importing one file did."""

    path: str
    record: FileRecord
    duplicate_of: str | None = None
    """When the same content was imported before: the path it was imported from (nothing added)."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY, sha256 VARCHAR UNIQUE, path VARCHAR, kind VARCHAR, container VARCHAR,
    bytes BIGINT, imported_at VARCHAR, rows BIGINT, refused_billed BIGINT, refused_effective BIGINT,
    warnings BIGINT);
CREATE TABLE IF NOT EXISTS groups (
    file_id INTEGER, month DATE, service_category VARCHAR, service_name VARCHAR, provider VARCHAR,
    sku_id VARCHAR, sku_meter VARCHAR, region VARCHAR, resource_id VARCHAR, resource_name VARCHAR,
    model VARCHAR, instance_type VARCHAR, gpu_count DOUBLE, charge_category VARCHAR, tags VARCHAR,
    consumed_unit VARCHAR, currency VARCHAR, has_cost BOOLEAN,
    rows BIGINT, billed DECIMAL(38,10), effective DECIMAL(38,10), billed_rows BIGINT, effective_rows BIGINT,
    quantity DOUBLE, q_rows BIGINT, q_bad BIGINT, tags_bad BIGINT, through TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS issues (
    file_id INTEGER, row_no BIGINT, line BIGINT, col VARCHAR, value VARCHAR, message VARCHAR, refuses VARCHAR);
"""

_NORMALIZED_TABLE = ("CREATE TEMP TABLE {name} (row_no BIGINT, locator VARCHAR, "
                     + ", ".join(f"{c} VARCHAR" for c in F.NORMALIZED[2:-1]) + ", has_cost BOOLEAN)")

# The parse of every value, shared by the grouping and by the listing of bad cells.
_PARSED = """
SELECT *,
    TRY_CAST(period_start AS TIMESTAMPTZ) AS ts,
    TRY_CAST(period_end AS TIMESTAMPTZ) AS te,
    TRY_CAST(billed_cost AS DECIMAL(38,10)) AS b,
    TRY_CAST(effective_cost AS DECIMAL(38,10)) AS e,
    CASE WHEN isfinite(TRY_CAST(consumed_quantity AS DOUBLE)) THEN TRY_CAST(consumed_quantity AS DOUBLE) END AS q_raw,
    -- a row whose cost is refused keeps no quantity either: its usage would otherwise be compared
    -- with a cost that does not include it (the line-month's usage then reads as unknown)
    CASE WHEN isfinite(TRY_CAST(consumed_quantity AS DOUBLE)) AND NOT (has_cost AND (
        TRY_CAST(billed_cost AS DECIMAL(38,10)) IS NULL OR TRY_CAST(effective_cost AS DECIMAL(38,10)) IS NULL))
        THEN TRY_CAST(consumed_quantity AS DOUBLE) END AS q,
    nullif(trim(consumed_quantity), '') IS NOT NULL AS q_given,
    nullif(trim(tags), '') IS NOT NULL AS tags_given,
    TRY_CAST(gpu_count AS DOUBLE) AS g
FROM {source}
"""

_GROUP = """
INSERT INTO groups
SELECT {file_id}, CAST(date_trunc('month', ts) AS DATE), service_category, service_name, provider, sku_id,
    sku_meter, region, resource_id, resource_name, model, instance_type,
    CASE WHEN isfinite(g) AND g > 0 THEN g END, charge_category,
    CASE WHEN tags_given AND json_valid(tags) THEN tags END,
    consumed_unit, upper(trim(currency)), has_cost,
    count(*), sum(b), sum(e), count(b), count(e),
    sum(q), count(q), count(*) FILTER (WHERE q_given AND q_raw IS NULL),
    count(*) FILTER (WHERE tags_given AND NOT json_valid(tags)),
    max(COALESCE(te, ts + INTERVAL 1 DAY))
FROM ({parsed})
GROUP BY ALL
"""

_BAD = """
SELECT row_no, locator, period_start, billed_cost, effective_cost, consumed_quantity, tags, has_cost,
    ts IS NULL AS bad_date, has_cost AND b IS NULL AS bad_billed, has_cost AND e IS NULL AS bad_effective,
    q_given AND q_raw IS NULL AS bad_q, tags_given AND NOT json_valid(tags) AS bad_tags
FROM ({parsed})
WHERE ts IS NULL OR (has_cost AND (b IS NULL OR e IS NULL)) OR (q_given AND q_raw IS NULL)
    OR (tags_given AND NOT json_valid(tags))
ORDER BY row_no
LIMIT {limit}
"""

# Names of the normalized columns in each export's own words, for messages.
_SOURCE_NAMES = {
    F.Kind.FOCUS: {"period_start": "ChargePeriodStart", "billed_cost": "BilledCost", "effective_cost": "EffectiveCost",
                   "consumed_quantity": "ConsumedQuantity", "tags": "Tags"},
    F.Kind.OPENAI_COSTS: {"period_start": "start_time", "billed_cost": "amount_value", "effective_cost": "amount_value",
                          "consumed_quantity": "quantity", "tags": "project"},
    F.Kind.ANTHROPIC_COSTS: {"period_start": "usage_date_utc", "billed_cost": "cost_usd", "effective_cost": "cost_usd",
                             "consumed_quantity": "quantity", "tags": "workspace"},
    F.Kind.OPENAI_USAGE: {"period_start": "start_time", "consumed_quantity": "tokens", "tags": "project"},
    F.Kind.ANTHROPIC_USAGE: {"period_start": "usage_date_utc", "consumed_quantity": "tokens", "tags": "workspace"},
}
_JSON_NAMES = {
    F.Kind.OPENAI_COSTS: {"period_start": "start_time", "billed_cost": "amount.value", "effective_cost": "amount.value",
                          "consumed_quantity": "quantity"},
    F.Kind.ANTHROPIC_COSTS: {"period_start": "starting_at", "billed_cost": "amount", "effective_cost": "amount"},
    F.Kind.OPENAI_USAGE: {"period_start": "start_time", "consumed_quantity": "input_tokens / output_tokens"},
    F.Kind.ANTHROPIC_USAGE: {"period_start": "starting_at", "consumed_quantity": "tokens"},
}


class ActualsStore:
    """Imported actuals of one plan (a DuckDB file), or in memory when ``path`` is None."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        import duckdb
        self.path = Path(path) if path is not None else None
        try:
            self.con = duckdb.connect(str(self.path) if self.path else ":memory:", read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(Problem(f"cannot open the actuals store: {_first_line(exc)} (is the plan open in "
                                     "another window?)", file=str(path))) from None
        except duckdb.Error as exc:
            raise StoreError(Problem(f"not an actuals store (DuckDB): {_first_line(exc)}; move it away and "
                                     "import again", file=str(path))) from None
        self._tmp = tempfile.mkdtemp(prefix="aicost-actuals-")
        for setting in (f"SET memory_limit = '{MEMORY_LIMIT}'", "SET TimeZone = 'UTC'",
                        f"SET temp_directory = {F.sql_string(self._tmp)}",
                        "SET enable_progress_bar = false", "SET enable_progress_bar_print = false",
                        f"SET threads = {max(1, min(4, os.cpu_count() or 1))}"):
            self.con.execute(setting)
        if not read_only:
            self.con.execute(_SCHEMA)
        try:
            found = self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except duckdb.Error:  # opened read-only, and not one of ours (no meta table)
            found = ("none",)
        if found is None and not read_only:
            self.con.execute("INSERT INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])
        elif found is None or found[0] != SCHEMA_VERSION:
            self.close()
            raise StoreError(Problem(f"the actuals store has schema {found[0] if found else 'none'}, this version "
                                     f"reads {SCHEMA_VERSION}; move it away and import the exports again",
                                     file=str(path)))

    def close(self) -> None:
        self.con.close()
        import shutil
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> "ActualsStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------
    def files(self) -> tuple[FileRecord, ...]:
        rows = self.con.execute("SELECT file_id, sha256, path, kind, container, bytes, imported_at, rows, "
                                "refused_billed, refused_effective, warnings FROM files ORDER BY file_id").fetchall()
        return tuple(FileRecord(*r) for r in rows)

    def issues(self, limit: int = 200) -> tuple[Issue, ...]:
        rows = self.con.execute(
            "SELECT f.path, i.row_no, i.line, i.col, i.value, i.message, i.refuses FROM issues i "
            "JOIN files f USING (file_id) ORDER BY i.file_id, i.row_no LIMIT ?", [limit]).fetchall()
        return tuple(Issue(*r) for r in rows)

    def forget(self, what: str) -> FileRecord | None:
        """Remove one imported file (by its path as imported, its file name, or a prefix of its SHA-256)."""
        for rec in self.files():
            if what in (rec.path, os.path.basename(rec.path)) or (len(what) >= 8 and rec.sha256.startswith(what)):
                self.con.execute("BEGIN TRANSACTION")
                for table in ("groups", "issues", "files"):
                    self.con.execute(f"DELETE FROM {table} WHERE file_id = ?", [rec.file_id])
                self.con.execute("COMMIT")
                return rec
        return None

    # -- importing ----------------------------------------------------------------------------
    def import_files(self, paths: Sequence[str], *, progress: ProgressCallback | None = None,
                     cancel: CancelCheck | None = None) -> tuple[ImportOutcome, ...]:
        """Import export files (each in its own transaction). Every file is recognised first: a file
        that is not a known export raises ExportError (file:line, which columns were expected) and
        nothing is imported. ``progress(done, total)`` counts bytes; ``cancel()`` stops between and
        within files (raises Cancelled; files finished before stay imported)."""
        detected = []
        problems: list[Problem] = []
        for path in paths:
            try:
                detected.append((path, F.detect(path, path, parquet_columns=self._parquet_columns)))
            except F.ExportError as exc:
                problems.extend(exc.problems)
        if problems:
            raise F.ExportError(problems)
        # DuckDB tracks a query's progress only with its progress bar on (the printing stays off): without it
        # query_progress() says -1 and a window's bar would sit still while the rows are read
        self.con.execute(f"SET enable_progress_bar = {'true' if progress is not None else 'false'}")
        sizes = [os.path.getsize(p) for p, _ in detected]
        total = sum(sizes) or 1
        done = 0
        out = []
        for (path, det), size in zip(detected, sizes):
            def part(fraction: float, _base: int = done, _size: int = size) -> None:
                if progress is not None:
                    progress(_base + int(_size * min(max(fraction, 0.0), 1.0)), total)
            try:
                out.append(self._import_one(path, det, size, part, cancel))
            except Cancelled as exc:  # say what is in the store now: the files before this one, not this one
                exc.imported, exc.file = tuple(out), path
                raise
            done += size
            if progress is not None:
                progress(done, total)
        return tuple(out)

    def _parquet_columns(self, path: str) -> list[str]:
        try:
            rel = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({F.sql_string(path)})").fetchall()
        except Exception as exc:  # noqa: BLE001 - DuckDB raises its own hierarchy; said as a problem
            raise F.ExportError(Problem(f"not a readable Parquet file: {_first_line(exc)}", file=path)) from None
        return [r[0] for r in rel]

    def _import_one(self, path: str, det: F.Detected, size: int, part: Callable[[float], None],
                    cancel: CancelCheck | None) -> ImportOutcome:
        digest = _sha256(path, lambda f: part(0.15 * f), cancel)
        known = self.con.execute("SELECT path FROM files WHERE sha256 = ?", [digest]).fetchone()
        if known is not None:
            rec = next(r for r in self.files() if r.sha256 == digest)
            return ImportOutcome(path, rec, duplicate_of=known[0])
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            file_id = con.execute("SELECT COALESCE(max(file_id), 0) + 1 FROM files").fetchone()[0]
            if det.container in (F.Container.JSON, F.Container.JSONL):
                source = self._json_table(path, det, cancel)
            else:
                source = f"({F.projection(det, path)})"
            parsed = _PARSED.format(source=source)
            self._run(_GROUP.format(file_id=int(file_id), parsed=parsed), lambda f: part(0.15 + 0.8 * f), cancel,
                      path, det)
            counts = con.execute(
                "SELECT COALESCE(sum(rows), 0), COALESCE(sum(rows) FILTER (WHERE month IS NULL), 0), "
                "COALESCE(sum(rows - billed_rows) FILTER (WHERE has_cost AND month IS NOT NULL), 0), "
                "COALESCE(sum(rows - effective_rows) FILTER (WHERE has_cost AND month IS NOT NULL), 0), "
                "COALESCE(sum(q_bad + tags_bad), 0) FROM groups WHERE file_id = ?", [file_id]).fetchone()
            rows, bad_dates, bad_billed, bad_effective, warnings = (int(x) for x in counts)
            if bad_dates or bad_billed or bad_effective or warnings:
                self._record_issues(file_id, parsed, path, det)
            now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
            con.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [file_id, digest, path, det.kind.value, det.container.value, size, now, rows,
                         bad_dates + bad_billed, bad_dates + bad_effective, warnings])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DROP TABLE IF EXISTS temp.json_rows")
        rec = next(r for r in self.files() if r.file_id == file_id)
        return ImportOutcome(path, rec)

    def _json_table(self, path: str, det: F.Detected, cancel: CancelCheck | None) -> str:
        self.con.execute(_NORMALIZED_TABLE.format(name="json_rows"))
        batch: list[tuple] = []
        placeholders = ", ".join("?" for _ in F.NORMALIZED)
        for row in F.json_rows(det, path, path):
            batch.append(row)
            if len(batch) >= 5000:
                if cancel is not None and cancel():
                    raise Cancelled()
                self.con.executemany(f"INSERT INTO json_rows VALUES ({placeholders})", batch)
                batch.clear()
        if batch:
            self.con.executemany(f"INSERT INTO json_rows VALUES ({placeholders})", batch)
        return "temp.json_rows"

    def _run(self, sql: str, part: Callable[[float], None], cancel: CancelCheck | None, path: str,
             det: F.Detected) -> None:
        """Run one long statement on a helper thread, reporting DuckDB's progress and honouring cancel."""
        import duckdb
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self.con.execute(sql)
            except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread below
                failure.append(exc)

        worker = threading.Thread(target=work, name="aicost-actuals-import", daemon=True)
        worker.start()
        cancelled = False
        while worker.is_alive():
            worker.join(0.05)
            if cancel is not None and not cancelled and cancel():
                cancelled = True
                self.con.interrupt()
            try:
                pct = self.con.query_progress()
            except duckdb.Error:
                pct = -1
            if pct is not None and pct >= 0:
                part(pct / 100.0)
        if cancelled:
            raise Cancelled()
        if failure:
            exc = failure[0]
            if isinstance(exc, duckdb.Error):
                raise _read_error(exc, path, det) from None
            raise exc
        part(1.0)

    def _record_issues(self, file_id: int, parsed: str, path: str, det: F.Detected) -> None:
        names = (_JSON_NAMES if det.container in (F.Container.JSON, F.Container.JSONL) else _SOURCE_NAMES)[det.kind]
        rows = self.con.execute(_BAD.format(parsed=parsed, limit=MAX_ISSUES_PER_FILE)).fetchall()
        out = []
        for (row_no, locator, start, billed, effective, quantity, tags, _has_cost, bad_date, bad_billed,
             bad_effective, bad_q, bad_tags) in rows:
            line = int(row_no) + 1 if det.container in (F.Container.CSV, F.Container.CSV_GZ) else None
            where = f"{locator}: " if locator else f"row {row_no}: "

            # add() runs within this row's iteration only; the defaults bind the row's values to say so
            def add(column: str, value: Any, message: str, refuses: str, *, row_no: Any = row_no,
                    line: int | None = line, where: str = where) -> None:
                shown = names.get(column, column)
                out.append((file_id, row_no, line, shown, "" if value is None else str(value),
                            f"{where}{shown} is {_found(value)}, {message}", refuses))
            if bad_date:
                add("period_start", start, "expected a date such as 2027-01-31T00:00:00Z (the row's cost is refused: "
                    "it cannot be placed in a month)", "both")
                continue
            if bad_billed and bad_effective and names.get("billed_cost") == names.get("effective_cost"):
                add("billed_cost", billed, "expected a number (the row's cost is refused)", "both")
            else:
                if bad_billed:
                    add("billed_cost", billed, "expected a number (the row is refused when BilledCost is the cost "
                        "column)", "billed")
                if bad_effective:
                    add("effective_cost", effective, "expected a number (the row is refused when EffectiveCost is the "
                        "cost column)", "effective")
            if bad_q:
                add("consumed_quantity", quantity, "expected a number (the cost counts; the quantity is unknown)",
                    "none")
            if bad_tags:
                add("tags", tags, "expected a JSON object such as {\"team\": \"search\"} (the cost counts; rules on "
                    "tags do not see this row)", "none")
        if out:
            self.con.executemany("INSERT INTO issues VALUES (?, ?, ?, ?, ?, ?, ?)", out)


def _found(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "empty"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _sha256(path: str, part: Callable[[float], None], cancel: CancelCheck | None) -> str:
    size = max(os.path.getsize(path), 1)
    h = hashlib.sha256()
    done = 0
    with userfiles.open_regular(path) as fh:  # streamed, a regular file only (a FIFO never blocks the import)
        while chunk := fh.read(4 << 20):
            if cancel is not None and cancel():
                raise Cancelled()
            h.update(chunk)
            done += len(chunk)
            part(done / size)
    return h.hexdigest()


def _read_error(exc: BaseException, path: str, det: F.Detected) -> F.ExportError:
    """A DuckDB read error said as a problem with a line: for CSV, find the first row that breaks the header."""
    if det.container in (F.Container.CSV, F.Container.CSV_GZ):
        found = _first_bad_csv_line(path, det.container is F.Container.CSV_GZ)
        if found is not None:
            line, message = found
            return F.ExportError(Problem(message, line=line, file=path))
    return F.ExportError(Problem(f"cannot read the file: {_first_line(exc)}", file=path))


def _first_bad_csv_line(path: str, gz: bool) -> tuple[int, str] | None:
    def opener() -> io.TextIOWrapper:  # streamed through userfiles: a regular file only
        raw = userfiles.open_regular(path)
        return io.TextIOWrapper(gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw, encoding="utf-8-sig",
                                newline="")
    try:
        with opener() as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return 1, "the file has no header"
            width = len(header)
            for row in reader:
                if len(row) != width and any(cell.strip() for cell in row):
                    return (reader.line_num, f"{len(row)} values where the header has {width} columns "
                            "(a comma inside a value must be quoted: \"a,b\")")
    except UnicodeDecodeError:
        return None  # said by DuckDB's own message
    except csv.Error as exc:
        return reader.line_num, f"not valid CSV: {exc}"
    return None
