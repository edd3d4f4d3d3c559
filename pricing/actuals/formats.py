"""Cost and usage export formats: recognise a file by its columns and say how its rows map to one shape.

Every export is turned into the same *normalized* columns (all text, parsed later in one query
so a bad number is reported, never read as zero):

``row_no`` (1-based data row), ``locator`` (where a JSON value sits), ``period_start``,
``period_end``, ``service_category``, ``service_name``, ``provider``, ``sku_id``, ``sku_meter``,
``region``, ``resource_id``, ``resource_name``, ``model``, ``instance_type``, ``gpu_count``,
``charge_category``, ``tags`` (JSON text), ``consumed_quantity``, ``consumed_unit``,
``billed_cost``, ``effective_cost``, ``currency``, ``has_cost`` (false for usage-only rows).

Formats and where their shapes come from:

* **FOCUS 1.0-1.3** (CSV, gzip'd CSV, Parquet): the FinOps Open Cost and Usage Specification's
  columns, FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec ``specification/columns/*.md`` and its
  sample data ``specification/data/ai_billing/*.csv`` (e.g. ``per_token_foundation_model_api.csv``
  at commit 43ba33156d51586abc9787badcf8188c438896cd: ``SkuPriceDetails`` carries ``ModelId``,
  ``ConsumedUnit`` is ``Tokens``; read 2026-12). 1.0 names the provider ``ProviderName``; 1.3
  ``ServiceProviderName``: either is read. ``SkuPriceDetails`` and ``Tags`` are JSON objects
  (KeyValueFormat); ``InstanceType`` and ``GpuCount`` are FOCUS-defined SKU price properties.
* **OpenAI costs**: the Costs API page ``GET /v1/organization/costs`` ({"object": "page", "data":
  [{"object": "bucket", "start_time", "end_time", "results": [{"object":
  "organization.costs.result", "amount": {"value", "currency"}, "line_item", "project_id",
  "api_key_id", "quantity"}]}]}; developers.openai.com/api/reference, "Costs", read 2026-12) and the
  usage dashboard's cost CSV export (``start_time, end_time, amount_value, amount_currency,
  line_item, project_id, project_name, organization_id, organization_name``; docs.pelanor.io
  integrations/services/openai, which documents that export, read 2026-12). ``line_item`` reads
  ``"gpt-4o-2024-08-06, input"``: model, then meter.
* **OpenAI usage** (tokens, no cost): ``GET /v1/organization/usage/completions`` pages, results
  ``organization.usage.completions.result`` with ``input_tokens`` (cached included),
  ``input_cached_tokens``, ``output_tokens``, ``num_model_requests``, ``model``, ``project_id``
  (OpenAI OpenAPI spec 2.3.0 as generated in docs.rs openai-client-base 0.12.0, read 2026-12).
* **Anthropic costs**: Admin API ``GET /v1/organizations/cost_report`` ({"data": [{"starting_at",
  "ending_at", "results": [{"amount", "currency", "cost_type", "description", "model",
  "service_tier", "token_type", "context_window", "workspace_id"}]}], "has_more", "next_page"};
  ``amount`` is a decimal string in the lowest currency unit, cents: "123.45" is $1.2345 —
  platform.claude.com/docs/en/api/admin/cost_report, read 2026-12) and the Console's cost CSV
  (``usage_date_utc, model, workspace, api_key, usage_type, context_window, token_type, cost_usd,
  list_price_usd, cost_type, inference_geo, speed, api_key_id, api_key_status``: the column order of
  a public parser's fixture, github.com/axigatelabs/axigate-finops, read 2026-12; ``cost_usd`` is
  in dollars, ``model`` a display name such as "Claude Haiku 4.5").
* **Anthropic usage** (tokens, no cost): ``GET /v1/organizations/usage_report/messages``
  (results with ``uncached_input_tokens``, ``cache_creation.{ephemeral_5m_input_tokens,
  ephemeral_1h_input_tokens}``, ``cache_read_input_tokens``, ``output_tokens``, ``model``; anthropics/
  claude-cookbooks observability/usage_cost_api.ipynb, read 2026-12) and the Console's usage CSV
  (``usage_date_utc, model_version, api_key, workspace, usage_type, context_window,
  usage_input_tokens_no_cache, usage_input_tokens_cache_write_5m, usage_input_tokens_cache_write_1h,
  usage_input_tokens_cache_read, usage_output_tokens, web_search_count, ...``).
"""
from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Callable, Iterator

from pricing import userfiles
from pricing.errors import PlanError, Problem

NORMALIZED = ("row_no", "locator", "period_start", "period_end", "service_category", "service_name", "provider",
              "sku_id", "sku_meter", "region", "resource_id", "resource_name", "model", "instance_type", "gpu_count",
              "charge_category", "tags", "consumed_quantity", "consumed_unit", "billed_cost", "effective_cost",
              "currency", "has_cost")
"""Columns every format is projected to (in this order)."""

MAX_JSON_BYTES = 64 * 1024 * 1024
"""A JSON document (an API page or a list of pages) is read whole: API pages hold at most a few
hundred buckets. Bigger dumps are expected as JSON Lines (one page per line, read line by line)."""
HEADER_BYTES = 1 << 20
"""A CSV export's header row is read from its first megabyte (a FOCUS header is about 1 KB): a file of one endless
line (or a gzip bomb) is refused, not read whole."""


class ExportError(PlanError):
    """An export file cannot be read: not a known format, unreadable, or broken beyond single rows."""


class Container(Enum):
    """How the bytes of an export are stored."""

    CSV = "csv"              # plain CSV text (UTF-8, BOM allowed)
    CSV_GZ = "csv.gz"        # gzip'd CSV (AWS Data Exports deliver FOCUS this way)
    PARQUET = "parquet"      # Apache Parquet (AWS, Azure and GCP FOCUS exports)
    JSON = "json"            # one JSON document: an API page or a list of pages
    JSONL = "jsonl"          # JSON Lines: one API page per line


class Kind(Enum):
    """Which export a file is."""

    FOCUS = "focus"                          # FOCUS 1.0-1.3 cost and usage
    OPENAI_COSTS = "openai_costs"            # OpenAI Costs API page / dashboard cost CSV
    OPENAI_USAGE = "openai_usage"            # OpenAI completions usage (tokens only)
    ANTHROPIC_COSTS = "anthropic_costs"      # Anthropic cost_report / Console cost CSV
    ANTHROPIC_USAGE = "anthropic_usage"      # Anthropic usage_report/messages / Console usage CSV (tokens only)


@dataclass(frozen=True, slots=True)
class Detected:
    """What a file is and how to read it."""

    container: Container
    kind: Kind
    columns: tuple[str, ...] = ()
    """The header as found (CSV, Parquet); empty for JSON."""
    rename: tuple[tuple[str, str], ...] = ()
    """Canonical column name -> the name as spelled in the file (case may differ)."""

    def column(self, name: str) -> str | None:
        return dict(self.rename).get(name.lower())

    @property
    def label(self) -> str:
        return f"{_KIND_LABEL[self.kind]} ({self.container.value})"


_KIND_LABEL = {Kind.FOCUS: "FOCUS", Kind.OPENAI_COSTS: "OpenAI costs", Kind.OPENAI_USAGE: "OpenAI usage",
               Kind.ANTHROPIC_COSTS: "Anthropic costs", Kind.ANTHROPIC_USAGE: "Anthropic usage"}

FOCUS_REQUIRED = ("ChargePeriodStart", "BillingCurrency", "BilledCost", "EffectiveCost")
FOCUS_OPTIONAL = ("ChargePeriodEnd", "ServiceCategory", "ServiceName", "ServiceProviderName", "ProviderName",
                  "HostProviderName", "SkuId", "SkuMeter", "SkuPriceDetails", "RegionId", "RegionName",
                  "ResourceId", "ResourceName", "ChargeCategory", "Tags", "ConsumedQuantity", "ConsumedUnit")
OPENAI_COST_CSV = ("start_time", "amount_value", "amount_currency", "line_item")
ANTHROPIC_COST_CSV = ("usage_date_utc", "model", "token_type", "cost_usd")
ANTHROPIC_USAGE_CSV = ("usage_date_utc", "model_version", "usage_input_tokens_no_cache", "usage_output_tokens")
_CSV_KINDS = ((Kind.FOCUS, FOCUS_REQUIRED), (Kind.OPENAI_COSTS, OPENAI_COST_CSV),
              (Kind.ANTHROPIC_COSTS, ANTHROPIC_COST_CSV), (Kind.ANTHROPIC_USAGE, ANTHROPIC_USAGE_CSV))

EXPECTED = ("a FOCUS 1.0-1.3 export (columns " + ", ".join(FOCUS_REQUIRED) + ", ...), an OpenAI cost export "
            "(" + ", ".join(OPENAI_COST_CSV) + ", or the Costs API's JSON), an Anthropic cost export ("
            + ", ".join(ANTHROPIC_COST_CSV) + ", or the cost_report JSON) or an Anthropic usage export ("
            + ", ".join(ANTHROPIC_USAGE_CSV) + ", or the usage_report JSON)")


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def detect(path: str, shown: str | None = None, *,
           parquet_columns: Callable[[str], list[str]] | None = None) -> Detected:
    """Recognise an export from its first bytes and its header; raises ExportError (file:line) otherwise."""
    shown = shown or path
    try:
        head = userfiles.read_head(path, 4096)  # a regular file only: a FIFO would block, a device never end
    except FileNotFoundError:
        raise ExportError(Problem("no such file", file=shown)) from None
    except IsADirectoryError:
        raise ExportError(Problem("this is a folder, expected an export file", file=shown)) from None
    except OSError as exc:
        raise ExportError(Problem(f"cannot read the file: {exc.strerror or exc}", file=shown)) from None
    if not head:
        raise ExportError(Problem(f"the file is empty; expected {EXPECTED}", line=1, file=shown))
    if head[:4] == b"PAR1":
        if parquet_columns is None:
            raise ExportError(Problem("Parquet files need the DuckDB reader", file=shown))
        cols = parquet_columns(path)
        return _by_columns(Container.PARQUET, cols, shown, line=None)
    if head[:2] == b"\x1f\x8b":
        header = _csv_header(lambda: _head(path, shown, gz=True), shown)
        return _by_columns(Container.CSV_GZ, header, shown, line=1)
    text_head = head.decode("utf-8-sig", errors="replace").lstrip()
    if text_head.startswith(("{", "[")):
        return _detect_json(path, shown, text_head)
    if b"\x00" in head:
        raise ExportError(Problem(f"binary data that is not Parquet or gzip; expected {EXPECTED}", file=shown))
    header = _csv_header(lambda: _head(path, shown, gz=False), shown)
    return _by_columns(Container.CSV, header, shown, line=1)


def _head(path: str, shown: str, *, gz: bool) -> io.TextIOBase:
    """The first HEADER_BYTES of the (decompressed) file as text, cut after its last whole line."""
    with userfiles.open_regular(path) as raw:
        head = gzip.GzipFile(fileobj=raw, mode="rb").read(HEADER_BYTES) if gz else raw.read(HEADER_BYTES)
    if len(head) == HEADER_BYTES:
        if b"\n" not in head:
            raise ExportError(Problem(f"the first line is longer than {HEADER_BYTES >> 20} MB; expected a header row "
                                      f"of {EXPECTED}", line=1, file=shown))
        head = head[:head.rindex(b"\n") + 1]
    return io.TextIOWrapper(io.BytesIO(head), encoding="utf-8-sig", newline="")


def _csv_header(opener: Callable[[], io.TextIOBase], shown: str) -> list[str]:
    try:
        with opener() as fh:  # the first HEADER_BYTES only, of a regular file (``_head``)
            row = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise ExportError(Problem("the file is not UTF-8 text; exports are UTF-8 CSV, Parquet or JSON",
                                  line=1, file=shown)) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ExportError(Problem(f"cannot read the compressed file: {exc}", file=shown)) from None
    except csv.Error as exc:
        raise ExportError(Problem(f"not valid CSV: {exc}", line=1, file=shown)) from None
    if not row:
        raise ExportError(Problem(f"the first line is empty; expected a header row of {EXPECTED}", line=1, file=shown))
    return [c.strip() for c in row]


def _by_columns(container: Container, columns: list[str], shown: str, line: int | None) -> Detected:
    lower = {c.lower(): c for c in columns}
    for kind, required in _CSV_KINDS:
        if all(r.lower() in lower for r in required):
            if kind is Kind.ANTHROPIC_COSTS and "amount_value" in lower:
                continue
            return Detected(container, kind, tuple(columns), tuple(lower.items()))
    # Say what is closest, so a FOCUS file missing one column is told which one.
    best = max(_CSV_KINDS, key=lambda kr: sum(r.lower() in lower for r in kr[1]))
    missing = [r for r in best[1] if r.lower() not in lower]
    found = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    hint = (f"; closest is {_KIND_LABEL[best[0]]}, which lacks {', '.join(missing)}"
            if len(missing) < len(best[1]) else "")
    raise ExportError(Problem(f"not a known cost export: the header has {found}{hint}. Expected {EXPECTED}",
                              line=line, file=shown))


def _detect_json(path: str, shown: str, text_head: str) -> Detected:
    container = Container.JSON
    first = _first_page(path, shown)
    if first is None:
        raise ExportError(Problem("JSON without an API page (an object with \"data\": [buckets...]); "
                                  f"expected {EXPECTED}", line=1, file=shown))
    page, container = first
    kind = _json_kind(page)
    if kind is None:
        raise ExportError(Problem("JSON that is not a known API page: expected the OpenAI Costs or Usage API "
                                  "(\"object\": \"page\", buckets of organization.costs.result / "
                                  "organization.usage.completions.result) or the Anthropic cost_report / "
                                  "usage_report (buckets with starting_at and results)", line=1, file=shown))
    return Detected(container, kind)


def _text_file(path: str, limit: int | None = None) -> io.TextIOWrapper:
    """``path`` as UTF-8 text, through ``userfiles``: a regular file only (never blocking on a FIFO), at most
    ``limit`` bytes read (``FileTooBig`` past them)."""
    return io.TextIOWrapper(userfiles.open_regular(path, limit), encoding="utf-8-sig")


def _line(fh: io.TextIOWrapper, n: int, shown: str) -> str:
    """The next line of a JSON Lines file, refused past MAX_JSON_BYTES (one endless line is not read whole)."""
    text = fh.readline(MAX_JSON_BYTES + 1)
    if len(text) > MAX_JSON_BYTES:
        raise ExportError(Problem(f"a line longer than {MAX_JSON_BYTES // 2**20} MB; JSON Lines hold one API page "
                                  "per line", line=n, file=shown))
    return text


def _first_page(path: str, shown: str) -> tuple[dict, Container] | None:
    """The first page of a JSON or JSON Lines file (and which of the two it is)."""
    size = userfiles.check_regular(path).st_size
    with _text_file(path) as fh:
        first_line = fh.readline(MAX_JSON_BYTES + 1)  # one endless line is not read whole
        rest = fh.readline(MAX_JSON_BYTES + 1).strip()
    try:
        page = json.loads(first_line)
        if isinstance(page, dict) and "data" in page:
            if rest:
                return page, Container.JSONL
            return page, Container.JSON
    except json.JSONDecodeError:
        pass
    if size > MAX_JSON_BYTES:
        raise ExportError(Problem(f"a JSON document of {size / 1e6:.0f} MB; documents up to "
                                  f"{MAX_JSON_BYTES // 2**20} MB are read whole — write bigger dumps as JSON Lines "
                                  "(one API page per line)", file=shown))
    doc = _load_json(path, shown)
    pages = doc if isinstance(doc, list) else [doc]
    for p in pages:
        if isinstance(p, dict) and isinstance(p.get("data"), list):
            return p, Container.JSON
    return None


def _load_json(path: str, shown: str) -> Any:
    with _text_file(path, MAX_JSON_BYTES) as fh:  # the cap holds while reading, whatever the size said
        try:
            return json.load(fh, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ExportError(Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno,
                                      file=shown)) from None
        except UnicodeDecodeError:
            raise ExportError(Problem("the file is not UTF-8 text", file=shown)) from None
        except userfiles.FileTooBig:  # it grew past the cap since its size was read
            raise ExportError(Problem(f"a JSON document over {MAX_JSON_BYTES // 2**20} MB; write bigger dumps as "
                                      "JSON Lines (one API page per line)", file=shown)) from None


def _json_kind(page: dict) -> Kind | None:
    for bucket in page.get("data") or []:
        if not isinstance(bucket, dict):
            return None
        for r in bucket.get("results") or []:
            if not isinstance(r, dict):
                return None
            obj = r.get("object")
            if obj == "organization.costs.result":
                return Kind.OPENAI_COSTS
            if obj == "organization.usage.completions.result":
                return Kind.OPENAI_USAGE
            if "amount" in r and "starting_at" in bucket:
                return Kind.ANTHROPIC_COSTS
            if ("uncached_input_tokens" in r or "output_tokens" in r) and "starting_at" in bucket:
                return Kind.ANTHROPIC_USAGE
    # A page with empty buckets: tell by the bucket shape.
    buckets = page.get("data") or []
    if buckets and all(isinstance(b, dict) for b in buckets):
        if all("start_time" in b for b in buckets) and page.get("object") == "page":
            return Kind.OPENAI_COSTS
        if all("starting_at" in b for b in buckets):
            return Kind.ANTHROPIC_COSTS
    return None


# ---------------------------------------------------------------------------------------------
# CSV and Parquet: a SQL projection (DuckDB) from the file's columns to the normalized ones
# ---------------------------------------------------------------------------------------------


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def projection(det: Detected, path: str) -> str:
    """``SELECT <normalized columns> FROM <the file>`` for a CSV, gzip'd CSV or Parquet export (DuckDB SQL)."""
    if det.container is Container.PARQUET:
        source = (f"(SELECT *, file_row_number + 1 AS __row FROM read_parquet({sql_string(path)}, "
                  "file_row_number = true))")
    else:
        # all_varchar: nothing is converted while reading, so one bad cell never fails the file; the
        # import parses every value itself and reports the ones that are not numbers or dates.
        source = (f"(SELECT *, ordinality AS __row FROM read_csv({sql_string(path)}, header = true, "
                  "all_varchar = true, delim = ',', quote = '\"', escape = '\"') WITH ORDINALITY)")
    col = det.column

    def c(name: str) -> str:
        actual = col(name)
        return f"CAST({_q(actual)} AS VARCHAR)" if actual else "CAST(NULL AS VARCHAR)"

    def first(*names: str) -> str:
        present = [c(n) for n in names if col(n)]
        if len(present) > 1:
            return f"COALESCE({', '.join(present)})"
        return present[0] if present else "CAST(NULL AS VARCHAR)"

    def detail(key: str) -> str:
        if not col("SkuPriceDetails"):
            return "CAST(NULL AS VARCHAR)"
        d = c("SkuPriceDetails")
        return f"CASE WHEN json_valid({d}) THEN json_extract_string({d}, {sql_string('$.' + key)}) END"

    if det.kind is Kind.FOCUS:
        exprs = {
            "period_start": c("ChargePeriodStart"), "period_end": c("ChargePeriodEnd"),
            "service_category": c("ServiceCategory"), "service_name": c("ServiceName"),
            "provider": first("ServiceProviderName", "ProviderName", "HostProviderName"),
            "sku_id": c("SkuId"), "sku_meter": c("SkuMeter"), "region": first("RegionId", "RegionName"),
            "resource_id": c("ResourceId"), "resource_name": c("ResourceName"),
            "model": detail("ModelId"), "instance_type": detail("InstanceType"), "gpu_count": detail("GpuCount"),
            "charge_category": c("ChargeCategory"), "tags": c("Tags"),
            "consumed_quantity": c("ConsumedQuantity"), "consumed_unit": c("ConsumedUnit"),
            "billed_cost": c("BilledCost"), "effective_cost": c("EffectiveCost"), "currency": c("BillingCurrency"),
            "has_cost": "TRUE",
        }
        return _select(exprs, source)
    if det.kind is Kind.OPENAI_COSTS:
        start = c("start_time")
        line_item = c("line_item")
        tags = _json_object({k: c(k) for k in ("project_id", "project_name", "organization_id",
                                                "organization_name", "api_key_id") if col(k)})
        exprs = {
            "period_start": _epoch_or_text(start),
            "period_end": _epoch_or_text(c("end_time")) if col("end_time") else "CAST(NULL AS VARCHAR)",
            "service_category": "'AI and Machine Learning'", "service_name": "'OpenAI API'", "provider": "'OpenAI'",
            "sku_id": line_item,
            "sku_meter": f"CASE WHEN strpos({line_item}, ',') > 0 THEN trim(split_part({line_item}, ',', 2)) END",
            "region": "CAST(NULL AS VARCHAR)", "resource_id": c("project_id"), "resource_name": c("project_name"),
            "model": f"CASE WHEN strpos({line_item}, ',') > 0 THEN trim(split_part({line_item}, ',', 1)) END",
            "instance_type": "CAST(NULL AS VARCHAR)", "gpu_count": "CAST(NULL AS VARCHAR)",
            "charge_category": "'Usage'", "tags": tags,
            "consumed_quantity": c("quantity"), "consumed_unit": "CAST(NULL AS VARCHAR)",
            "billed_cost": c("amount_value"), "effective_cost": c("amount_value"),
            "currency": f"upper({c('amount_currency')})", "has_cost": "TRUE",
        }
        return _select(exprs, source)
    if det.kind is Kind.ANTHROPIC_COSTS:
        tags = _json_object({k: c(k) for k in ("workspace", "api_key", "api_key_id", "usage_type", "context_window",
                                                "cost_type", "inference_geo", "speed") if col(k)})
        exprs = {
            "period_start": c("usage_date_utc"), "period_end": "CAST(NULL AS VARCHAR)",
            "service_category": "'AI and Machine Learning'", "service_name": "'Anthropic API'",
            "provider": "'Anthropic'", "sku_id": f"concat_ws(', ', {c('model')}, {c('token_type')})",
            "sku_meter": c("token_type"), "region": c("inference_geo"), "resource_id": c("api_key_id"),
            "resource_name": c("workspace"), "model": c("model"),
            "instance_type": "CAST(NULL AS VARCHAR)", "gpu_count": "CAST(NULL AS VARCHAR)",
            "charge_category": "'Usage'", "tags": tags,
            "consumed_quantity": "CAST(NULL AS VARCHAR)", "consumed_unit": "CAST(NULL AS VARCHAR)",
            "billed_cost": c("cost_usd"), "effective_cost": c("cost_usd"), "currency": "'USD'", "has_cost": "TRUE",
        }
        return _select(exprs, source)
    if det.kind is Kind.ANTHROPIC_USAGE:
        tags = _json_object({k: c(k) for k in ("workspace", "api_key", "usage_type", "context_window",
                                                "inference_geo", "speed") if col(k)})
        parts = []
        for column, meter in (("usage_input_tokens_no_cache", "input"),
                              ("usage_input_tokens_cache_write_5m", "cache_write_5m"),
                              ("usage_input_tokens_cache_write_1h", "cache_write_1h"),
                              ("usage_input_tokens_cache_read", "cache_read"),
                              ("usage_output_tokens", "output")):
            if not col(column):
                continue
            exprs = {
                "period_start": c("usage_date_utc"), "period_end": "CAST(NULL AS VARCHAR)",
                "service_category": "'AI and Machine Learning'", "service_name": "'Anthropic API'",
                "provider": "'Anthropic'", "sku_id": f"concat_ws(', ', {c('model_version')}, {sql_string(meter)})",
                "sku_meter": sql_string(meter), "region": c("inference_geo"), "resource_id": "CAST(NULL AS VARCHAR)",
                "resource_name": c("workspace"), "model": c("model_version"),
                "instance_type": "CAST(NULL AS VARCHAR)", "gpu_count": "CAST(NULL AS VARCHAR)",
                "charge_category": "'Usage'", "tags": tags, "consumed_quantity": c(column),
                "consumed_unit": "'Tokens'", "billed_cost": "CAST(NULL AS VARCHAR)",
                "effective_cost": "CAST(NULL AS VARCHAR)", "currency": "CAST(NULL AS VARCHAR)", "has_cost": "FALSE",
            }
            parts.append(_select(exprs, source))
        return " UNION ALL ".join(parts)
    raise ExportError(f"{det.label} is read from JSON only")


def _select(exprs: dict[str, str], source: str) -> str:
    cols = ["__row AS row_no", "CAST(NULL AS VARCHAR) AS locator"]
    cols += [f"{exprs[name]} AS {name}" for name in NORMALIZED[2:]]
    return f"SELECT {', '.join(cols)} FROM {source}"


def _json_object(fields: dict[str, str]) -> str:
    """A JSON object of the given columns (the provider's dimensions become matchable tags)."""
    if not fields:
        return "CAST(NULL AS VARCHAR)"
    args = ", ".join(f"{sql_string(k)}, {v}" for k, v in fields.items())
    return f"CAST(json_object({args}) AS VARCHAR)"


def _epoch_or_text(expr: str) -> str:
    """Unix seconds (the OpenAI exports) as a timestamp text; anything else as written."""
    return (f"CASE WHEN regexp_full_match(trim({expr}), '[0-9]+') "
            f"THEN CAST(to_timestamp(CAST(trim({expr}) AS BIGINT)) AS VARCHAR) ELSE {expr} END")


# ---------------------------------------------------------------------------------------------
# JSON: the API pages, flattened to normalized rows in Python (they are small)
# ---------------------------------------------------------------------------------------------


def json_rows(det: Detected, path: str, shown: str) -> Iterator[tuple]:
    """Normalized rows (tuples in ``NORMALIZED`` order) of a JSON or JSON Lines API export."""
    row_no = 0
    for page_index, page, line in _pages(det, path, shown):
        buckets = page.get("data")
        if not isinstance(buckets, list):
            raise ExportError(Problem("a page without a \"data\" list of buckets", line=line, file=shown,
                                      key_path=_page_path(det, page_index)))
        for b, bucket in enumerate(buckets):
            where = f"{_page_path(det, page_index)}data[{b}]"
            if not isinstance(bucket, dict):
                raise ExportError(Problem("a bucket that is not an object", key_path=where, line=line, file=shown))
            start, end = _bucket_times(det.kind, bucket)
            for i, result in enumerate(bucket.get("results") or []):
                loc = f"{where}.results[{i}]"
                if not isinstance(result, dict):
                    raise ExportError(Problem("a result that is not an object", key_path=loc, line=line, file=shown))
                for row in _json_result(det.kind, result, start, end):
                    row_no += 1
                    yield (row_no, loc, *row)


def _page_path(det: Detected, index: int) -> str:
    return f"[{index}]." if det.container is not Container.JSON or index else ""


def _pages(det: Detected, path: str, shown: str) -> Iterator[tuple[int, dict, int | None]]:
    if det.container is Container.JSONL:
        with _text_file(path) as fh:  # streamed: a line at a time, each at most MAX_JSON_BYTES
            n = 0
            while text := _line(fh, n + 1, shown):
                n += 1
                if not text.strip():
                    continue
                try:
                    page = json.loads(text, parse_float=Decimal)
                except json.JSONDecodeError as exc:
                    raise ExportError(Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", line=n,
                                              file=shown)) from None
                if not isinstance(page, dict):
                    raise ExportError(Problem("a line that is not an API page (a JSON object)", line=n, file=shown))
                yield n - 1, page, n
        return
    doc = _load_json(path, shown)
    pages = doc if isinstance(doc, list) else [doc]
    for n, page in enumerate(pages):
        if not isinstance(page, dict):
            raise ExportError(Problem("expected API pages (JSON objects)", key_path=f"[{n}]", file=shown))
        yield n, page, None


def _bucket_times(kind: Kind, bucket: dict) -> tuple[str | None, str | None]:
    if kind in (Kind.OPENAI_COSTS, Kind.OPENAI_USAGE):
        return _epoch_text(bucket.get("start_time")), _epoch_text(bucket.get("end_time"))
    return _text(bucket.get("starting_at")), _text(bucket.get("ending_at"))


def _epoch_text(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None if v is None else str(v)
    if isinstance(v, (int, Decimal, float)):
        import datetime as _dt
        try:
            return _dt.datetime.fromtimestamp(int(v), tz=_dt.UTC).isoformat()
        except (OverflowError, ValueError, OSError):
            return str(v)
    return str(v)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str)
    return str(v)


def _tags(fields: dict[str, Any]) -> str | None:
    present = {k: v for k, v in fields.items() if v is not None}
    return json.dumps(present, default=str) if present else None


def _json_result(kind: Kind, r: dict, start: str | None, end: str | None) -> Iterator[tuple]:
    """Normalized columns from ``period_start`` on (row_no and locator are added by the caller)."""
    if kind is Kind.OPENAI_COSTS:
        amount = r.get("amount") if isinstance(r.get("amount"), dict) else {}
        line_item = _text(r.get("line_item"))
        model = meter = None
        if line_item and "," in line_item:
            model, meter = (part.strip() for part in line_item.split(",", 1))
        value = _text(amount.get("value"))
        currency = _text(amount.get("currency"))
        yield (start, end, "AI and Machine Learning", "OpenAI API", "OpenAI", line_item, meter, None,
               _text(r.get("project_id")), None, model, None, None, "Usage",
               _tags({"project_id": r.get("project_id"), "api_key_id": r.get("api_key_id")}),
               _text(r.get("quantity")), None, value, value, currency.upper() if currency else None, True)
    elif kind is Kind.ANTHROPIC_COSTS:
        amount = r.get("amount")
        dollars = _cents_to_dollars(amount)
        model, token_type = _text(r.get("model")), _text(r.get("token_type"))
        description = _text(r.get("description"))
        yield (start, end, "AI and Machine Learning", "Anthropic API", "Anthropic",
               ", ".join(x for x in (model, token_type) if x) or description or _text(r.get("cost_type")),
               token_type or _text(r.get("cost_type")), _text(r.get("inference_geo")), None,
               _text(r.get("workspace_id")), model, None, None, "Usage",
               _tags({k: r.get(k) for k in ("workspace_id", "cost_type", "service_tier", "context_window",
                                             "description")}),
               None, None, dollars, dollars, (_text(r.get("currency")) or "USD").upper(), True)
    elif kind is Kind.OPENAI_USAGE:
        model = _text(r.get("model"))
        tags = _tags({k: r.get(k) for k in ("project_id", "user_id", "api_key_id", "batch", "service_tier")})
        total_in, cached = r.get("input_tokens"), r.get("input_cached_tokens")
        uncached = _minus(total_in, cached)
        for meter, q in (("input", uncached), ("cached_input", cached), ("output", r.get("output_tokens"))):
            if q is None:
                continue
            yield (start, end, "AI and Machine Learning", "OpenAI API", "OpenAI",
                   ", ".join(x for x in (model, meter) if x), meter, None, _text(r.get("project_id")), None, model,
                   None, None, "Usage", tags, _text(q), "Tokens", None, None, None, False)
    elif kind is Kind.ANTHROPIC_USAGE:
        model = _text(r.get("model"))
        tags = _tags({k: r.get(k) for k in ("workspace_id", "api_key_id", "service_tier", "context_window")})
        cc = r.get("cache_creation") if isinstance(r.get("cache_creation"), dict) else {}
        for meter, q in (("input", r.get("uncached_input_tokens")),
                         ("cache_write_5m", cc.get("ephemeral_5m_input_tokens")),
                         ("cache_write_1h", cc.get("ephemeral_1h_input_tokens")),
                         ("cache_read", r.get("cache_read_input_tokens")), ("output", r.get("output_tokens"))):
            if q is None:
                continue
            yield (start, end, "AI and Machine Learning", "Anthropic API", "Anthropic",
                   ", ".join(x for x in (model, meter) if x), meter, None, None, _text(r.get("workspace_id")),
                   model, None, None, "Usage", tags, _text(q), "Tokens", None, None, None, False)


def _minus(a: Any, b: Any) -> Any:
    """``input_tokens`` counts cached tokens too: the uncached part is the difference (when both are numbers)."""
    if b is None:
        return a
    try:
        return str(Decimal(str(a)) - Decimal(str(b)))
    except (InvalidOperation, ValueError):
        return a  # left as found: the import reports the bad number


def _cents_to_dollars(amount: Any) -> str | None:
    """Anthropic's cost_report gives cents as a decimal string ("123.45" = $1.2345); exact, in text."""
    if amount is None:
        return None
    try:
        return str(Decimal(str(amount).strip()) / 100)
    except (InvalidOperation, ValueError):
        return str(amount)  # left as found: the import reports it as not a number
