"""`aicost tokens`: count a prompt's tokens for several models and price one request, 1k requests, a month."""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from gui.cli.common import field_value

EXIT_OK, EXIT_INPUT, EXIT_INTERRUPTED = 0, 2, 130
PROGRESS_MIN_BYTES = 4 << 20
"""Files at least this big show a progress line on stderr (when stderr is a terminal)."""


def add_parser(subparsers: Any) -> None:
    """Register the ``tokens`` subcommand on an argparse subparsers object."""
    p = subparsers.add_parser(
        "tokens", help="count a text's tokens per model and price the requests",
        description="Count the tokens of a text (a file, or - for standard input) in each model's own "
        "encoding, offline, and price one request, 1,000 requests and a month of them with "
        "genai-prices' price data. The text never leaves the machine.")
    p.add_argument("file", metavar="FILE|-", help="UTF-8 text file to count, or - to read standard input")
    p.add_argument("--model", "-m", dest="models", action="append", required=True, metavar="MODEL",
                   help="model id (repeat for several), e.g. gpt-4o, claude-3-5-sonnet")
    p.add_argument("--provider", "-p", metavar="PROVIDER",
                   help="genai-prices provider of every model (default: guessed from each model id)")
    p.add_argument("--output-tokens", type=field_value("services.apis", "output_tokens"), default=0.0, metavar="N",
                   help="output tokens per request, e.g. 350 (default 0: price the input only)")
    p.add_argument("--requests-per-month", type=field_value("services.apis", "requests_per_month"), default=0.0,
                   metavar="N",
                   help="requests a month, e.g. 300k; 0 (the default) leaves out the monthly cost")
    p.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli-tokens.md)")
    p.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Row:
    """One model's count and costs (unrounded: rounding happens when printing)."""

    model: Any          # apiprices.ApiModel
    count: Any          # tokens.TokenCount
    per_request: float
    per_1k: float
    per_month: float | None


def run(args: argparse.Namespace) -> int:
    """Count, price and print; 0 on success, 2 on bad input (message on stderr), 130 if interrupted."""
    from pricing.errors import PlanError
    try:
        return _run(args)
    except PlanError as exc:
        for problem in exc.problems:
            _err(str(problem))
        return EXIT_INPUT
    except OSError as exc:
        name = exc.filename if exc.filename is not None else args.file
        _err(f"{name}: {exc.strerror or exc}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED


def _err(message: str) -> None:
    print(f"aicost tokens: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from pricing import apiprices, tokens
    models = [apiprices.resolve(args.provider, name) for name in args.models]  # fail fast on a typo
    text, size = _read_stdin() if args.file == "-" else (None, os.path.getsize(args.file))

    counted: dict[str, Any] = {}  # encoding -> TokenCount: models sharing an encoding are counted once
    rows = []
    for given, m in zip(args.models, models):
        # tiktoken knows model names as users write them ("gpt-4o-2024-08-06"), genai-prices'
        # canonical id is the fallback ("GPT4o" -> gpt-4o)
        ref = given if tokens.wanted_encoding(given, m.provider)[1] else m.model
        encoding, exact, reason = tokens.encoding_info(ref, m.provider)
        if encoding not in counted:
            first = tokens.count_text(text, ref, m.provider) if text is not None else \
                _count_file(args.file, size, ref, m.provider, encoding)
            # what the count adds to the model's own reason (chunk cuts forced in a huge line)
            extra = first.reason[len(reason):].lstrip("; ") if first.reason.startswith(reason) else first.reason
            counted[encoding] = (first.tokens, extra)
        n, extra = counted[encoding]
        count = tokens.TokenCount(n, encoding, exact and not extra, "; ".join(x for x in (reason, extra) if x),
                                  tokens.wanted_encoding(ref, m.provider)[0])
        per_request = apiprices.request_cost(m, count.tokens, args.output_tokens)
        rows.append(Row(m, count, per_request, per_request * 1000,
                        per_request * args.requests_per_month if args.requests_per_month else None))

    if args.json:
        json.dump(_document(args, size, rows), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_table(args, size, rows))
    return EXIT_OK


def _read_stdin() -> tuple[str, int]:
    """Standard input as text: read whole (a pipe can't be read twice, once per encoding)."""
    from pricing.errors import Problem
    from pricing.tokens import TextEncodingError
    from pricing.tokens import MAX_STDIN_BYTES
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)  # at most one byte past the cap: `yes |` must not fill memory
    if len(data) > MAX_STDIN_BYTES:
        raise TextEncodingError(Problem(f"more than {MAX_STDIN_BYTES >> 20} MB on standard input (it is held in memory "
                                        "to count it once per encoding); write it to a file and count the file",
                                        file="<stdin>"))
    try:
        return data.decode("utf-8-sig"), len(data)
    except UnicodeDecodeError as exc:
        raise TextEncodingError(Problem(f"not UTF-8 text (invalid byte near offset {exc.start:,})",
                                        file="<stdin>")) from None


def _count_file(path: str, size: int, model: str, provider: str, encoding: str) -> Any:
    from pricing import tokens
    show = size >= PROGRESS_MIN_BYTES and _stderr_is_tty()

    def progress(done: int, total: int) -> None:
        pct = 100.0 * done / total if total else 100.0
        sys.stderr.write(f"\rcounting {encoding}: {pct:5.1f}% of {total / 1e6:,.1f} MB")
        sys.stderr.flush()

    try:
        return tokens.count_file(path, model, provider, progress=progress if show else None)
    finally:
        if show:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------- output


def _document(args: argparse.Namespace, size: int, rows: list[Row]) -> dict[str, Any]:
    from pricing import apiprices
    return {
        "input": {"file": args.file, "bytes": size},
        "output_tokens": args.output_tokens,
        "requests_per_month": args.requests_per_month,
        "currency": "USD",
        "price_data": {"source": apiprices.source_name(), "as_of": apiprices.data_date().isoformat()},
        "models": [{
            "provider": r.model.provider,
            "model": r.model.model,
            "name": r.model.name,
            "encoding": r.count.encoding,
            "wanted_encoding": r.count.wanted_encoding,
            "tokens": r.count.tokens,
            "exact": r.count.exact,
            "reason": r.count.reason,
            "input_per_mtok": r.model.input_per_mtok,
            "cached_input_per_mtok": r.model.cached_input_per_mtok,
            "output_per_mtok": r.model.output_per_mtok,
            "tiered": r.model.tiered,
            "price_notes": r.model.source.notes,
            "cost_per_request": r.per_request,
            "cost_per_1k_requests": r.per_1k,
            "cost_per_month": r.per_month,
        } for r in rows],
    }


def _money(value: float, places: int = 2) -> str:
    """USD rounded half-even, once, for display."""
    q = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return f"${q:,}"


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".")


def _table(args: argparse.Namespace, size: int, rows: list[Row]) -> str:
    from pricing import apiprices
    what = "standard input" if args.file == "-" else args.file
    out_tokens = f"{args.output_tokens:,.0f} output tokens per request"
    monthly = args.requests_per_month > 0
    lines = [f"{what}: {size:,} bytes; {out_tokens}"
             + (f"; {args.requests_per_month:,.0f} requests a month" if monthly else ""), ""]
    head = ["provider", "model", "encoding", "tokens", "in $/Mtok", "out $/Mtok", "per request",
            "per 1k requests"] + (["per month"] if monthly else [])
    right = {3, 4, 5, 6, 7, 8}
    body = []
    notes: list[str] = []
    for r in rows:
        mark = ""
        if not r.count.exact:
            if r.count.reason not in notes:
                notes.append(r.count.reason)
            mark = f" ~{notes.index(r.count.reason) + 1}"
        cells = [r.model.provider, r.model.model + (" *" if r.model.tiered else ""), r.count.encoding + mark,
                 f"{r.count.tokens:,}", _price(r.model.input_per_mtok), _price(r.model.output_per_mtok),
                 _money(r.per_request, 6), _money(r.per_1k)]
        if monthly:
            cells.append(_money(r.per_month or 0.0))
        body.append(cells)
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    for row in [head, *body]:
        lines.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    lines.append("")
    for i, reason in enumerate(notes, 1):
        lines.append(f"~{i} approximate count: {reason}")
    if any(r.model.tiered for r in rows):
        lines.append("*  tiered: long-context prices apply above an input size; costs use the tier of this input")
    lines.append(f"Prices in USD from {apiprices.source_name()} as of {apiprices.data_date().isoformat()}; "
                 "the text was counted on this machine.")
    return "\n".join(lines) + "\n"
