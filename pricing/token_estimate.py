"""What the token estimator shows: a sample's tokens and API cost for each model, and applying it to a plan."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from pricing import fx
from pricing.plan import ApiLine, Plan

if TYPE_CHECKING:
    from pricing.catalog import Catalog, PriceSource
    from pricing.tokens import TokenCount

BIG_BYTES = 1_000_000
"""Samples larger than this are counted off the UI thread, with progress and Cancel."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model as the user picked it: provider and model id (resolved against the price data later)."""

    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True, slots=True)
class Usage:
    """How the sample is used: the rest of each request, and how many requests."""

    output_tokens: float = 0.0
    """Tokens generated per request (the sample is the input)."""
    requests_per_month: float = 0.0


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """One model's tokens for the sample and what requests like it cost (plan currency)."""

    ref: ModelRef
    """The model as picked."""
    name: str
    """Display name from the price data (the model id when unknown)."""
    encoding: str
    """Tokenizer encoding that counted the sample."""
    tokens: int
    """Input tokens per request: the sample's count."""
    exact: bool
    """True when the model's own encoding counted them."""
    reason: str
    """Why the count is approximate (empty when exact)."""
    output_tokens: float
    cost_per_request: float | None
    """Plan currency; ``None`` when the model cannot be priced (see ``error``)."""
    cost_per_1k: float | None
    cost_per_month: float | None
    input_per_mtok: float | None = None
    """USD per million input tokens, as the price data states it."""
    output_per_mtok: float | None = None
    tiered: bool = False
    """The model's prices change with the prompt's length (the tier for this sample was applied)."""
    source: "PriceSource | None" = None
    """Where the prices came from, and as of when."""
    error: str = ""
    """Why the model could not be priced, when it could not."""

    @property
    def priced(self) -> bool:
        return self.cost_per_request is not None


def count_text_for(text: str, refs: Sequence[ModelRef]) -> dict[ModelRef, "TokenCount"]:
    """The text counted for each model in its own encoding (each encoding runs once)."""
    from pricing import tokens
    out: dict[ModelRef, TokenCount] = {}
    for group in _by_encoding(refs):
        spread = _fan_out(tokens.count_text(text, group[0].model, group[0].provider), group)
        out.update(spread if spread is not None
                   else {ref: tokens.count_text(text, ref.model, ref.provider) for ref in group})
    return {ref: out[ref] for ref in dict.fromkeys(refs)}


def count_file_for(path: str | Path, refs: Sequence[ModelRef], *,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> dict[ModelRef, "TokenCount"]:
    """A UTF-8 file counted for each model in its own encoding, one pass per distinct encoding.

    ``progress(done, total)`` counts bytes over all passes; when ``cancel()`` returns True the
    count stops with ``pricing.tokens.Cancelled``. Raises ``tokens.TextEncodingError`` for a
    file that is not UTF-8 and ``OSError`` for one that can't be read.
    """
    from pricing import tokens
    size = max(Path(path).stat().st_size, 1)
    passes = [[group[0], group] for group in _by_encoding(refs)]
    out: dict[ModelRef, TokenCount] = {}
    i = 0
    while i < len(passes):
        ref, group = passes[i]
        total = size * len(passes)

        def step(done: int, _total: int, base: int = i * size, total: int = total) -> None:
            if progress is not None:
                progress(base + min(done, size), total)

        count = tokens.count_file(path, ref.model, ref.provider, progress=step, cancel=cancel)
        spread = _fan_out(count, group)
        if spread is None:  # the file itself made the count approximate: every model counts on its own
            out[ref] = count
            passes += [[other, [other]] for other in group[1:]]
        else:
            out.update(spread)
        i += 1
    if progress is not None:
        progress(size * len(passes), size * len(passes))
    return {ref: out[ref] for ref in dict.fromkeys(refs)}


def _template(ref: ModelRef) -> "TokenCount":
    """How a model counts (encoding, exact, reason) before anything is counted."""
    from pricing import tokens
    encoding, exact, reason = tokens.encoding_info(ref.model, ref.provider)
    return tokens.TokenCount(0, encoding, exact, reason, tokens.wanted_encoding(ref.model, ref.provider)[0])


def _by_encoding(refs: Sequence[ModelRef]) -> list[list[ModelRef]]:
    """Models grouped by the encoding that counts for them (one count serves the group)."""
    groups: dict[str, list[ModelRef]] = {}
    for ref in dict.fromkeys(refs):
        groups.setdefault(_template(ref).encoding, []).append(ref)
    return list(groups.values())


def _fan_out(count: "TokenCount", group: list[ModelRef]) -> dict[ModelRef, "TokenCount"] | None:
    """The group's first count given to every model of the group, each with its own exactness and reason;
    ``None`` when the count says more than its model's template (e.g. a file's forced chunk cuts)."""
    first = _template(group[0])
    if (count.exact, count.reason) != (first.exact, first.reason):
        return None if len(group) > 1 else {group[0]: count}
    return {ref: dataclasses.replace(_template(ref), tokens=count.tokens) for ref in group}


def estimate(counts: dict[ModelRef, "TokenCount"] | Sequence[tuple[ModelRef, "TokenCount"]], usage: Usage, *,
             fx_rate: float = 1.0, overrides: dict[str, float] | None = None) -> tuple[EstimateRow, ...]:
    """A row per model, in the given order: tokens, and cost per request / 1k requests / month in plan currency."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    return tuple(estimate_row(ref, count, usage, fx_rate=fx_rate, overrides=overrides) for ref, count in pairs)


def estimate_for_plan(counts: dict[ModelRef, "TokenCount"] | Sequence[tuple[ModelRef, "TokenCount"]],
                      usage: Usage, plan: Plan, catalog: "Catalog | None" = None) -> tuple[EstimateRow, ...]:
    """``estimate`` in the plan's currency with the plan's price overrides, as the engine prices API lines."""
    from pricing import engine
    overrides = engine.context(plan, catalog).catalog.overrides if plan.prices else {}
    return estimate(counts, usage, fx_rate=fx.for_plan(plan).per_usd, overrides=overrides)


def estimate_row(ref: ModelRef, count: "TokenCount", usage: Usage, *, fx_rate: float = 1.0,
                 overrides: dict[str, float] | None = None) -> EstimateRow:
    from pricing import apiprices
    from pricing.errors import PlanError
    base = dict(ref=ref, encoding=count.encoding, tokens=int(count.tokens), exact=bool(count.exact),
                reason=count.reason or "", output_tokens=float(usage.output_tokens))
    try:
        model = apiprices.resolve(ref.provider, ref.model, overrides or {})
    except PlanError as exc:
        return EstimateRow(name=ref.model, cost_per_request=None, cost_per_1k=None, cost_per_month=None,
                           error=str(exc), **base)
    per_request = apiprices.request_cost(model, count.tokens, usage.output_tokens) * fx_rate
    return EstimateRow(name=model.name or model.model, cost_per_request=per_request,
                       cost_per_1k=per_request * 1000.0, cost_per_month=per_request * usage.requests_per_month,
                       input_per_mtok=model.input_per_mtok, output_per_mtok=model.output_per_mtok,
                       tiered=bool(model.tiered), source=model.source, **base)


NEW_LINE = -1
"""``apply_to_plan(index=NEW_LINE)`` appends a new API line."""


def apply_to_plan(plan: Plan, row: EstimateRow, index: int = NEW_LINE, *, name: str = "",
                  requests_per_month: float | None = None) -> Plan:
    """The plan with one API line set to the row's model and tokens (or a new line added).

    The line's ``input_tokens`` become the sample's count and ``output_tokens`` the row's; any
    sample file the line had is dropped (its count would otherwise replace these numbers on the
    next load). ``requests_per_month`` is set when given (always for a new line).
    """
    apis = list(plan.services.apis)
    if index == NEW_LINE:
        line = ApiLine(name=name.strip() or _unique_name(row, apis), provider=row.ref.provider, model=row.ref.model,
                       requests_per_month=float(requests_per_month or 0.0), input_tokens=float(row.tokens),
                       output_tokens=float(row.output_tokens))
        apis.append(line)
    else:
        if not 0 <= index < len(apis):
            raise IndexError(f"the plan has no API line {index}")
        line = apis[index]
        changes: dict[str, Any] = dict(provider=row.ref.provider, model=row.ref.model, input_tokens=float(row.tokens),
                                       output_tokens=float(row.output_tokens), sample_input=None, sample_output=None)
        if requests_per_month is not None:
            changes["requests_per_month"] = float(requests_per_month)
        if name.strip():
            changes["name"] = name.strip()
        ranges = getattr(line, "ranges", ())
        if ranges:  # a set number replaces an uncertain one (a range would win over it on save)
            changes["ranges"] = tuple((k, r) for k, r in ranges if k not in changes)
        apis[index] = dataclasses.replace(line, **changes)
    return plan.with_section("services.apis", tuple(apis))


def _unique_name(row: EstimateRow, apis: list[ApiLine]) -> str:
    taken = {a.name for a in apis}
    base = f"{row.name or row.ref.model} calls"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name
