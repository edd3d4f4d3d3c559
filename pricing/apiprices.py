"""LLM API prices from the genai-prices package: resolve a model, price one request, search models.

Every price here comes from the price data bundled with ``genai-prices`` (no network: the
package's auto-update is never used). ``request_cost`` reproduces genai-prices' own
``calc_price`` for a request made of input (cached part included) and output tokens:

* **Cached input.** The cached part of the input is billed at the model's cache-read price;
  a model without one bills it as ordinary input (that is what genai-prices does).
* **Tiers.** Long-context ("tiered") prices are cliffs, as in genai-prices: when a request's
  total input exceeds a tier's threshold, *every* token of the priced part (input, cached
  input and output alike) is billed at that tier's price.
* **Per-request fees** (e.g. Perplexity's) are added to every request.
* **Dated prices.** A model's prices are those in force on the ``on`` date given to
  ``resolve`` (today by default); ``change_dates`` lists the dates its prices (or a variant's)
  change, so a projection prices each month at the price in effect then by resolving once per
  distinct price period. Where the data has time-of-day prices (DeepSeek's off-peak
  discounts) the *peak* price is used unless ``off_peak=True`` asks for the off-peak one (a
  line says what share of its requests it sends off-peak).
* **Variants.** ``context`` selects genai-prices' request variants: ``(("processing", "batch"),)``
  for batch APIs, ``(("service_tier", "flex"),)`` / ``priority`` for service tiers
  (``has_variant`` says whether a model has one).
* **Cache writes.** Tokens written to the cache are billed at the model's cache-write price
  (``cache_write_mtok``, or ``cache_write_1h_mtok`` for Anthropic's 1-hour TTL); a model without
  one bills them as ordinary input.
* **Overrides.** A plan may override any part with the keys from ``override_keys``
  (USD per million tokens). An override is a flat price: it replaces that part's tiers.

The price data's date: genai-prices ships no timestamp for its data (``DataSnapshot.timestamp``
is only the time the module was loaded). ``data_date`` therefore reads it from the data
itself: the latest date written in the bundled data (price start dates and dated notes such
as "checked 2026-11-03") that is not an announced *future* change. For the versions listed
in ``_DATA_DATES`` that date was established by reading the data (see there); for any
other version it is estimated as the latest date in the data no later than the day the
package was installed, since a release cannot record an observation made after it was
installed.
"""
from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from pricing import userfiles, userprices
from pricing.errors import PlanError, Problem, UnknownNameError

if TYPE_CHECKING:  # pricing.catalog imports are lazy: it is the heavier module
    from pricing.catalog import PriceSource

PARTS: tuple[str, ...] = ("input", "cached_input", "output")
"""The overridable parts of an API model's price, in the order of ``override_keys``."""

_PRICE_KEY = {"input": "input_mtok", "cached_input": "cache_read_mtok", "output": "output_mtok"}
"""genai-prices' price attribute for each part."""

CONFIDENCE = "verified_package"
"""Confidence of prices taken from genai-prices' bundled data."""

_DATA_DATES: dict[str, datetime.date] = {
    # genai-prices 0.2.3: the latest recorded changes are OpenRouter price changes that took
    # effect on 2026-11-09 (deepseek-v3.2, minimax-m2.7, qwen3.6-35b-a3b...). The data's later
    # dates are announced future changes: Opus 4.8 fast mode removal on 2026-11-30, new
    # Gemini prices from 2026-12-01 and 2027-01-01 ("introductory rates apply through
    # 2026-12-31"). `_estimate_data_date(bound)` gives the same date for any bound between
    # 2026-11-09 and 2026-11-29 (tested).
    "0.2.3": datetime.date(2026, 11, 9),
}

_PREFERRED_PROVIDERS = ("openai", "anthropic", "google", "mistral", "x-ai", "deepseek", "cohere",
                        "meta", "groq", "aws", "azure")
"""When no provider is given and several sell a model, the model's maker (or a big cloud) wins."""


@dataclass(frozen=True, slots=True)
class ApiModel:
    """One model of one API provider with its prices (USD per million tokens), ready to price requests."""

    provider: str
    """genai-prices provider id, e.g. ``openai``."""
    model: str
    """genai-prices model id (canonical), e.g. ``gpt-4o``."""
    name: str
    """Display name."""
    input_per_mtok: float | None
    """USD per million input tokens (base tier), after overrides; ``None`` when not token-priced."""
    cached_input_per_mtok: float | None
    """USD per million cached input tokens (base tier); ``None``: cached input is billed as input."""
    output_per_mtok: float | None
    """USD per million output tokens (base tier), after overrides."""
    tiered: bool
    """Whether some part has tiered (long-context) prices."""
    source: "PriceSource"
    """Where the prices come from: genai-prices' data (and its date), or the plan's overrides."""
    input_tiers: tuple[tuple[int, float], ...] = ()
    """Long-context tiers of the input price: (threshold in input tokens, USD per million), ascending."""
    cached_input_tiers: tuple[tuple[int, float], ...] = ()
    """Long-context tiers of the cached-input price."""
    output_tiers: tuple[tuple[int, float], ...] = ()
    """Long-context tiers of the output price (chosen by the request's *input* tokens)."""
    request_fee: float = 0.0
    """USD charged per request on top of tokens (e.g. Perplexity's per-request fee)."""
    cache_write_per_mtok: float | None = None
    """USD per million tokens written to the cache (Anthropic: 1.25x input, 5-minute TTL); None: billed as input."""
    cache_write_tiers: tuple[tuple[int, float], ...] = ()
    cache_write_1h_per_mtok: float | None = None
    """USD per million tokens written to the cache with a 1-hour TTL (Anthropic: 2x input); None: not offered."""
    cache_write_1h_tiers: tuple[tuple[int, float], ...] = ()
    context: tuple[tuple[str, str], ...] = ()
    """The genai-prices request variant priced (``(("processing", "batch"),)``); empty for standard prices."""
    off_peak: bool = False
    """Priced at the off-peak end of the model's time-of-day prices (False: the peak)."""


# --------------------------------------------------------------------------- requests


def _tier_price(base: float | None, tiers: tuple[tuple[int, float], ...], input_tokens: float) -> float:
    """The price of a part for a request with ``input_tokens`` of input: the highest tier crossed."""
    for start, price in reversed(tiers):
        if input_tokens > start:
            return price
    return base or 0.0


def request_cost(m: ApiModel, input_tokens: float, output_tokens: float,
                 cached_input_tokens: float = 0.0, cache_write_tokens: float = 0.0, *, ttl_1h: bool = False) -> float:
    """USD for ONE request; ``input_tokens`` is the whole input, the cached part (read from the cache) and the part
    written to the cache included; written tokens are billed at the cache-write price (1-hour TTL when ``ttl_1h``)."""
    if input_tokens < 0 or output_tokens < 0 or cached_input_tokens < 0 or cache_write_tokens < 0:
        raise ValueError("token counts cannot be negative")
    if cached_input_tokens + cache_write_tokens > input_tokens:
        raise ValueError(f"cached input tokens ({cached_input_tokens + cache_write_tokens:g}) cannot exceed "
                         f"input tokens ({input_tokens:g})")
    write_base, write_tiers = ((m.cache_write_1h_per_mtok, m.cache_write_1h_tiers) if ttl_1h
                               else (m.cache_write_per_mtok, m.cache_write_tiers))
    return _cost(m, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, write_base is not None,
                 _tier_price(m.input_per_mtok, m.input_tiers, input_tokens),
                 _tier_price(m.cached_input_per_mtok, m.cached_input_tiers, input_tokens),
                 _tier_price(write_base, write_tiers, input_tokens),
                 _tier_price(m.output_per_mtok, m.output_tiers, input_tokens))


def request_costs(m: ApiModel, input_tokens: Any, output_tokens: Any, cached_input_tokens: Any,
                  cache_write_tokens: Any = 0.0, *, ttl_1h: bool = False) -> Any:
    """``request_cost`` of many requests at once (numpy arrays: Monte Carlo samples, tornado extremes) with the
    same arithmetic, so each figure is the one its request gets alone; tiered prices (cliffs) request by request."""
    if m.tiered:
        import numpy as np  # here only: the rest of this module works on plain numbers
        one = np.vectorize(lambda a, b, c, d: request_cost(m, a, b, c, d, ttl_1h=ttl_1h), otypes=[float])
        return one(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens)
    write_base = m.cache_write_1h_per_mtok if ttl_1h else m.cache_write_per_mtok
    return _cost(m, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, write_base is not None,
                 m.input_per_mtok or 0.0, m.cached_input_per_mtok or 0.0, write_base or 0.0, m.output_per_mtok or 0.0)


def _cost(m: ApiModel, input_tokens: Any, output_tokens: Any, cached_input_tokens: Any, cache_write_tokens: Any,
          writes_priced: bool, per_input: float, per_cached: float, per_write: float, per_output: float) -> Any:
    """USD per request from the prices per million tokens that apply to it (numbers or arrays alike): cached tokens
    without a cache price and written tokens without a write price are ordinary input."""
    uncached: Any = input_tokens
    cached_cost: Any = 0.0
    if m.cached_input_per_mtok is not None:
        uncached = uncached - cached_input_tokens
        cached_cost = cached_input_tokens * per_cached
    if writes_priced:
        uncached = uncached - cache_write_tokens
        cached_cost = cached_cost + cache_write_tokens * per_write
    return (uncached * per_input + cached_cost + output_tokens * per_output) / 1e6 + m.request_fee


# --------------------------------------------------------------------------- look-ups


@functools.cache
def _snapshot() -> Any:
    """The genai-prices data in use: a data file the user installed (``aicost prices update``), else the package's
    bundled data (never its auto-updated copy)."""
    from genai_prices import data_snapshot
    installed = userprices.genai_file()
    if installed is not None:
        return data_snapshot.DataSnapshot(read_data_file(installed), from_auto_update=False)
    # the bundled data itself (what data_date() dates), even if something in the process set
    # an auto-updated snapshot; get_snapshot() is the bundled one unless that happened
    bundled = getattr(data_snapshot, "_bundled_snapshot", None)
    return bundled() if bundled is not None else data_snapshot.get_snapshot()


MAX_DATA_BYTES = 64 * 1024 * 1024
"""Largest genai-prices data file read (the full data.json is a few MB)."""


def read_data_file(path: Any) -> list[Any]:
    """genai-prices providers from a data file in its own format (the JSON list of providers its update mechanism
    fetches, ``data.json``); PlanError with the file when it is not one."""
    import json

    from genai_prices.types import _providers_from_raw  # the package's own reader of its data format
    shown = str(path)
    try:
        # a regular file only, read to the cap (a FIFO never blocks, /dev/zero's stat size of 0 never passes)
        raw = json.loads(userfiles.read_bytes(path, MAX_DATA_BYTES).decode("utf-8"))
    except userfiles.FileTooBig:
        raise PlanError(Problem(f"more than {MAX_DATA_BYTES // 2**20} MB: not a genai-prices data file", "", None,
                                shown)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PlanError(Problem(f"cannot read it as a genai-prices data file (JSON): {exc}", "", None, shown)) from None
    if not isinstance(raw, list) or not raw:
        raise PlanError(Problem("expected a JSON list of providers (genai-prices' data.json)", "", None, shown))
    try:
        return _providers_from_raw(raw)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).splitlines()[:4]
        raise PlanError(Problem("not in genai-prices' data format: " + " ".join(first), "", None, shown)) from None


def data_id() -> str:
    """Which data prices API lines: ``genai-prices 0.2.3`` (bundled) or the installed file's sha256 (16 hex)."""
    rec = userprices.record("genai")
    return f"file {rec.get('sha256', '?')[:16]}" if userprices.genai_file() is not None else \
        f"genai-prices {package_version()}"


def reload() -> None:
    """Forget every cached look-up: the data in use changed (``aicost prices update``/``reset`` in this process)."""
    for fn in (_snapshot, data_date, _provider_order, _find, _base_model, _overridden, change_dates):
        fn.cache_clear()
    _built.clear()


@functools.cache
def package_version() -> str:
    """The installed genai-prices version, e.g. ``0.2.3`` (read from its metadata: no import)."""
    from importlib.metadata import version
    return version("genai-prices")


def source_name() -> str:
    """How price sources name genai-prices' data, e.g. ``genai-prices 0.2.3 price data`` (or the installed file's)."""
    if userprices.genai_file() is not None:
        rec = userprices.record("genai")
        return f"genai-prices data file installed {rec.get('installed', '?')} from {rec.get('from', '?')}"
    return f"genai-prices {package_version()} price data"


def providers() -> tuple[str, ...]:
    """Every genai-prices provider id."""
    return tuple(p.id for p in _snapshot().providers)


@functools.cache
def _provider_order() -> tuple[Any, ...]:
    snap = _snapshot().providers
    rank = {pid: i for i, pid in enumerate(_PREFERRED_PROVIDERS)}
    return tuple(sorted(snap, key=lambda p: rank.get(p.id, len(rank))))


def _find_provider(provider: str) -> Any:
    from genai_prices.data_snapshot import find_provider_by_id
    found = find_provider_by_id(_snapshot().providers, provider)
    if found is None:
        raise UnknownNameError("API provider", provider, providers(),
                               hint="genai-prices provider ids, e.g. openai, anthropic, google")
    return found


def _by_id(prov: Any, model: str) -> Any:
    """The provider's model whose id is ``model`` (lower case), though its match rule may not say so.

    genai-prices matches references with per-model rules, and a few ids don't match their
    own rule (``ft:gpt-4o`` matches fine-tuned references ``ft:gpt-4o:...`` only). Every id
    that ``list_models`` shows must resolve, so the id itself is the last resort.
    """
    return next((info for info in prov.models if info.id.lower() == model), None)


def _known_ids(prov: Any) -> list[str]:
    """Model ids a provider accepts: its own, then those of the providers it falls back to."""
    ids = [m.id for m in prov.models]
    by_id = {p.id: p for p in _snapshot().providers}
    for pid in prov.fallback_model_providers or ():
        if pid in by_id:
            ids.extend(m.id for m in by_id[pid].models)
    return ids


@functools.lru_cache(maxsize=4096)
def _find(provider: str | None, model: str) -> tuple[Any, Any]:
    """(genai-prices Provider, ModelInfo) for a provider (or None) and a model reference (lower case)."""
    snap = _snapshot()
    if provider is not None:
        prov = _find_provider(provider)
        info = prov.find_model(model, all_providers=snap.providers) or _by_id(prov, model)
        if info is None:
            raise UnknownNameError("model", model, _known_ids(prov),
                                   hint=f"no such {prov.id} model in {source_name()}; "
                                   "`aicost catalog apis --search TEXT` lists models")
        return prov, info
    try:
        return snap.find_provider_model(model, None, None, None)
    except LookupError:
        pass
    # genai-prices guesses the provider from a model-name pattern that not every model has
    # (e.g. text-embedding-3-small): look in every provider, the model's maker first.
    order = _provider_order()
    for prov in order:  # an exact id first: "gpt-4o" should not land on a look-alike alias
        for info in prov.models:
            if info.id.lower() == model:
                return prov, info
    for prov in order:
        info = prov.find_model(model)
        if info is not None:
            return prov, info
    raise UnknownNameError("model", model, [m.id for p in order for m in p.models],
                           hint=f"not in {source_name()}; give --provider or "
                           "`aicost catalog apis --search TEXT` to list models")


# --------------------------------------------------------------------------- prices on a date


def _is_time_of_day(constraint: Any) -> bool:
    return type(constraint).__name__ == "TimeOfDateConstraint"


def _prices_on(info: Any, on: datetime.date, context: tuple[tuple[str, str], ...] = (),
               off_peak: bool = False) -> tuple[Any, str]:
    """genai-prices ModelPrice in force on ``on`` for the request variant ``context`` (peak of any time-of-day
    prices, or their off-peak end when ``off_peak``) and a note."""
    from genai_prices.types import ModelPrice
    ctx = dict(context) or None
    utc = datetime.UTC
    if isinstance(info.prices, ModelPrice) or not any(_is_time_of_day(c.constraint) for c in info.prices):
        return info.get_prices(datetime.datetime.combine(on, datetime.time(12), utc), ctx), ""
    probes = [datetime.datetime.combine(on, datetime.time(h, m), utc) for h in range(24) for m in (0, 15, 30, 45)]
    for c in info.prices:
        if _is_time_of_day(c.constraint):
            start = c.constraint.start_time
            if start.tzinfo is not None:
                start = datetime.datetime.combine(on, start).astimezone(utc).time()
            probes.append(datetime.datetime.combine(on, start, utc))
    candidates = [info.get_prices(t, ctx) for t in probes]

    def weight(mp: Any) -> tuple[float, float]:
        return (_base(getattr(mp, "input_mtok", None)) or 0.0, _base(getattr(mp, "output_mtok", None)) or 0.0)

    if off_peak:
        return min(candidates, key=weight), "off-peak price of its time-of-day pricing"
    peak = max(candidates, key=weight)
    varies = any(weight(c) != weight(peak) for c in candidates)
    return peak, ("peak price of its time-of-day pricing (off-peak is cheaper)" if varies else "")


def has_time_of_day(provider: str | None, model: str) -> bool:
    """Whether the model has time-of-day (off-peak) prices in the data."""
    _, info = _find(provider.strip().lower() if provider else None, model.strip().lower())
    return not _is_mp(info.prices) and any(_is_time_of_day(c.constraint) for c in info.prices)


def _is_mp(prices: Any) -> bool:
    return type(prices).__name__ == "ModelPrice"


def has_variant(provider: str | None, model: str, context: tuple[tuple[str, str], ...]) -> bool:
    """Whether genai-prices has a request variant ``context`` for the model (batch, a service tier...)."""
    _, info = _find(provider.strip().lower() if provider else None, model.strip().lower())
    want = dict(context)
    return any(v.when == want for v in (info.price_variants or ()))


@functools.lru_cache(maxsize=4096)
def change_dates(provider: str | None, model: str) -> tuple[datetime.date, ...]:
    """The dates the model's prices change in the data (its dated prices and its variants'), ascending."""
    _, info = _find(provider.strip().lower() if provider else None, model.strip().lower())
    dates = set()
    entries = [] if _is_mp(info.prices) else list(info.prices)
    for e in [*entries, *(info.price_variants or ())]:
        start = getattr(e.constraint, "start_date", None)
        if start is not None:
            dates.add(start)
    return tuple(sorted(dates))


def _base(price: Any) -> float | None:
    if price is None:
        return None
    return float(getattr(price, "base", price))


def _tiers(price: Any) -> tuple[tuple[int, float], ...]:
    tiers = getattr(price, "tiers", None)
    if not tiers:
        return ()
    return tuple((int(t.start), float(t.price)) for t in sorted(tiers, key=lambda t: t.start))


@functools.lru_cache(maxsize=4096)
def _base_model(provider: str | None, model: str, on: datetime.date, context: tuple[tuple[str, str], ...] = (),
                off_peak: bool = False) -> ApiModel:
    """The model with genai-prices' prices on ``on``, before overrides (cached: resolve is per line).

    Resolved models are also remembered on disk per genai-prices version and day, so a headless
    report need not import genai-prices (about 0.3 s of start-up) for models it has seen before.
    """
    from pricing import usercache
    variant = ",".join(f"{k}={v}" for k, v in context) + ("|off-peak" if off_peak else "")
    key = f"{data_id()}|{provider or ''}|{model}|{on.isoformat()}|{variant}"
    hit = usercache.get(_MEMO_FILE, key)
    if isinstance(hit, dict):
        try:
            return _from_memo(hit)
        except (KeyError, TypeError, ValueError):
            pass
    prov, info = _find(provider, model)
    built = _build(prov, info, on, context, off_peak)
    usercache.put(_MEMO_FILE, key, _to_memo(built))
    return built


_MEMO_FILE = "api-models-2.json"
"""Remembered resolved models (version 2: cache-write prices, variants and off-peak)."""


def _to_memo(m: ApiModel) -> dict:
    d = {f.name: getattr(m, f.name) for f in dataclasses.fields(m) if f.name != "source"}
    s = m.source
    d["source"] = {"key": s.key, "source": s.source, "as_of": s.as_of,
                   "as_of_date": s.as_of_date.isoformat() if s.as_of_date else None,
                   "confidence": s.confidence, "notes": s.notes, "overridden": s.overridden}
    return d


def _from_memo(d: dict) -> ApiModel:
    from pricing.catalog import PriceSource
    s = d["source"]
    source = PriceSource(key=s["key"], source=s["source"], as_of=s["as_of"],
                         as_of_date=datetime.date.fromisoformat(s["as_of_date"]) if s["as_of_date"] else None,
                         confidence=s["confidence"], notes=s["notes"], overridden=bool(s["overridden"]))
    tiers = {k: tuple((int(a), float(b)) for a, b in d[k])
             for k in ("input_tiers", "cached_input_tiers", "output_tiers", "cache_write_tiers",
                       "cache_write_1h_tiers")}
    opt = lambda x: None if x is None else float(x)  # noqa: E731
    return ApiModel(provider=str(d["provider"]), model=str(d["model"]), name=str(d["name"]),
                    input_per_mtok=opt(d["input_per_mtok"]), cached_input_per_mtok=opt(d["cached_input_per_mtok"]),
                    output_per_mtok=opt(d["output_per_mtok"]), tiered=bool(d["tiered"]), source=source,
                    request_fee=float(d["request_fee"]), cache_write_per_mtok=opt(d["cache_write_per_mtok"]),
                    cache_write_1h_per_mtok=opt(d["cache_write_1h_per_mtok"]),
                    context=tuple((str(a), str(b)) for a, b in d["context"]), off_peak=bool(d["off_peak"]), **tiers)


_built: dict[tuple[Any, ...], ApiModel] = {}


def _build(prov: Any, info: Any, on: datetime.date, context: tuple[tuple[str, str], ...] = (),
           off_peak: bool = False) -> ApiModel:
    """An ApiModel from genai-prices' provider and model records (memoised per provider, model, date, variant)."""
    key = (prov.id, info.id, on, context, off_peak)
    hit = _built.get(key)
    if hit is None:
        hit = _built[key] = _make(prov, info, on, context, off_peak)
    return hit


def _make(prov: Any, info: Any, on: datetime.date, context: tuple[tuple[str, str], ...] = (),
          off_peak: bool = False) -> ApiModel:
    mp, note = _prices_on(info, on, context, off_peak)
    if context:
        note = "; ".join(x for x in (note, ", ".join(f"{k} {v}" for k, v in context) + " prices") if x)
    prices = {part: getattr(mp, key, None) for part, key in _PRICE_KEY.items()}
    write, write_1h = getattr(mp, "cache_write_mtok", None), getattr(mp, "cache_write_1h_mtok", None)
    tiers = {part: _tiers(p) for part, p in prices.items()}
    fee_per_k = getattr(mp, "requests_kcount", None)
    notes = [n for n in (note, _tier_note(tiers)) if n]
    if info.deprecated:
        notes.append("deprecated by the provider")
    from pricing.catalog import PriceSource
    source = PriceSource(key=f"api.{prov.id}.{info.id}", source=source_name(), as_of=data_date().isoformat(),
                         as_of_date=data_date(), confidence=CONFIDENCE, notes="; ".join(notes))
    return ApiModel(
        provider=prov.id, model=info.id, name=info.name or info.id,
        input_per_mtok=_base(prices["input"]), cached_input_per_mtok=_base(prices["cached_input"]),
        output_per_mtok=_base(prices["output"]),
        tiered=any(tiers.values()),
        source=source, input_tiers=tiers["input"], cached_input_tiers=tiers["cached_input"],
        output_tiers=tiers["output"], request_fee=float(fee_per_k) / 1000 if fee_per_k is not None else 0.0,
        cache_write_per_mtok=_base(write), cache_write_tiers=_tiers(write),
        cache_write_1h_per_mtok=_base(write_1h), cache_write_1h_tiers=_tiers(write_1h),
        context=context, off_peak=off_peak,
    )


def _tier_note(tiers: Mapping[str, tuple[tuple[int, float], ...]]) -> str:
    starts = sorted({start for ts in tiers.values() for start, _ in ts})
    if not starts:
        return ""
    return "long-context prices above " + ", ".join(f"{s:,}" for s in starts) + " input tokens"


# --------------------------------------------------------------------------- public look-ups


def override_keys(provider: str, model: str) -> tuple[str, ...]:
    """Plan ``prices:`` keys that override a model's input, cached-input and output prices."""
    m = _base_model(provider.strip().lower(), model.strip().lower(), datetime.date.today())
    return tuple(f"api.{m.provider}.{m.model}.{part}" for part in PARTS)


def resolve(provider: str | None, model: str, overrides: Mapping[str, float] = {}, *,
            on: datetime.date | None = None, context: tuple[tuple[str, str], ...] = (),
            off_peak: bool = False) -> ApiModel:
    """The model's prices (on ``on``, today by default) with the plan's overrides applied.

    ``provider`` and ``model`` are case-insensitive and may be any reference genai-prices
    accepts (aliases, dated snapshots); without a provider genai-prices' own guess is used.
    Raises ``UnknownNameError`` (with the closest names) for an unknown provider or model.
    """
    prov = provider.strip().lower() if provider else None
    base = _base_model(prov, model.strip().lower(), on or datetime.date.today(), tuple(context), off_peak)
    if not overrides:
        return base
    prefix = f"api.{base.provider}.{base.model}."
    found = {}
    for part in PARTS:
        key = prefix + part
        value = overrides.get(key, overrides.get(key.lower()) if key != key.lower() else None)
        if value is not None:
            found[part] = _override_value(key, value)
    if not found:
        return base
    return _overridden(base, tuple(sorted(found.items())))


def check_overrides(overrides: Mapping[str, Any]) -> None:
    """Raise PlanError for ``api.*`` override keys that would be ignored, with every problem found.

    A key must name a known provider and model by their genai-prices ids and end in
    ``.input``, ``.cached_input`` or ``.output``; its value must be a price >= 0. A key that
    names the model by an alias is reported with the key to use instead.
    """
    problems: list[Problem] = []
    for key, value in overrides.items():
        if not (isinstance(key, str) and key.startswith("api.")):
            continue
        where = f"prices.{key}"
        head, _, part = key.rpartition(".")
        provider, _, model = head[len("api."):].partition(".")
        try:
            if part not in PARTS:
                raise UnknownNameError("API price part", part, PARTS, hint=f"in {key}")
            if not provider or not model:
                raise PlanError(f"expected api.<provider>.<model>.{part}, found {key!r}")
            m = resolve(provider, model)
            canonical = f"api.{m.provider}.{m.model}.{part}"
            if canonical != key and canonical.lower() != key.lower():
                raise PlanError(f"this key is not used: write it as {canonical!r} "
                                "(the provider and model ids genai-prices uses)")
            _override_value(key, value)
        except PlanError as exc:
            problems += [Problem(p.message, p.key_path or where, p.line, p.file) for p in exc.problems]
    if problems:
        raise PlanError(problems)


def _override_value(key: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise PlanError(Problem(f"found {value!r}, expected a price in USD per million tokens (0 or more)",
                                key_path=f"prices.{key}"))
    return number


@functools.lru_cache(maxsize=4096)
def _overridden(base: ApiModel, found: tuple[tuple[str, float], ...]) -> ApiModel:
    values = dict(found)
    changes: dict[str, Any] = {}
    for part, value in values.items():
        changes[f"{part}_per_mtok"] = value
        changes[f"{part}_tiers"] = ()  # an override is a flat price
    parts = ", ".join(f"{part.replace('_', ' ')} {v:g} USD/Mtok" for part, v in values.items())
    notes = f"plan override of {parts}; other parts from {source_name()}"
    if base.source.notes:
        notes += f" ({base.source.notes})"
    if "input" in values and "output" in values and ("cached_input" in values or base.cached_input_per_mtok is None):
        # every part billed comes from the plan: dated and trusted like the catalog's overrides
        source = dataclasses.replace(base.source, source="plan override", as_of="plan", as_of_date=None,
                                     confidence="override", overridden=True, notes=notes)
    else:
        source = dataclasses.replace(base.source, source="plan override", overridden=True, notes=notes)
    tiered = any(changes.get(f"{p}_tiers", getattr(base, f"{p}_tiers")) for p in PARTS)
    return dataclasses.replace(base, source=source, tiered=tiered, **changes)


def list_models(query: str = "", provider: str | None = None, limit: int = 50) -> list[ApiModel]:
    """Models whose id or name matches ``query`` (substring, then fuzzy), best first: for a model picker."""
    q = " ".join(query.lower().split())
    provs = (_find_provider(provider),) if provider else _provider_order()
    ranked: list[tuple[tuple[Any, ...], Any, Any]] = []
    fuzzy: list[tuple[int, Any, Any, str, str]] = []
    for p_rank, prov in enumerate(provs):
        for info in prov.models:
            mid, name = info.id.lower(), (info.name or "").lower()
            score = _score(q, mid, name)
            if score is None:
                fuzzy.append((p_rank, prov, info, mid, name))
                continue
            ranked.append(((score, bool(info.deprecated), p_rank, len(mid), mid), prov, info))
    if q and len(ranked) < limit:  # few substring hits: add look-alikes ("gpt4o" -> gpt-4o)
        matcher = difflib.SequenceMatcher(b=q, autojunk=False)
        for p_rank, prov, info, mid, name in fuzzy:
            best = 0.0
            for text in (mid, name):
                if text:
                    matcher.set_seq1(text)
                    if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
                        best = max(best, matcher.ratio())
            if best >= 0.6:
                ranked.append(((10 - best, bool(info.deprecated), p_rank, len(mid), mid), prov, info))
    ranked.sort(key=lambda r: r[0])
    today = datetime.date.today()
    return [_build(prov, info, today) for _, prov, info in ranked[:max(limit, 0)]]


def _score(q: str, mid: str, name: str) -> int | None:
    """Rank of a substring match (lower is better), None when there is none."""
    if not q:
        return 0
    if mid == q or name == q:
        return 0
    if mid.startswith(q):
        return 1
    if name.startswith(q):
        return 2
    if q in mid:
        return 3
    if q in name:
        return 4
    words = q.split()
    if len(words) > 1 and all(w in mid or w in name for w in words):
        return 5
    return None


# --------------------------------------------------------------------------- data date

_ISO_DATE = re.compile(r"\b(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")


def _dates_in_data(providers: Any = None) -> set[datetime.date]:
    """Every date the price data in use (or ``providers``) mentions: price start dates and dates in its notes."""
    dates: set[datetime.date] = set()

    def add_text(text: str | None) -> None:
        for y, mo, d in _ISO_DATE.findall(text or ""):
            try:
                dates.add(datetime.date(int(y), int(mo), int(d)))
            except ValueError:
                pass

    for prov in (_snapshot().providers if providers is None else providers):
        add_text(prov.price_comments)
        for info in prov.models:
            add_text(info.price_comments)
            add_text(info.description)
            entries = [] if not isinstance(info.prices, list) else list(info.prices)
            entries += list(info.price_variants or ())
            for entry in entries:
                start = getattr(entry.constraint, "start_date", None)
                if start is not None:
                    dates.add(start)
    return dates


def _install_date() -> datetime.date | None:
    """The day genai-prices' data file was installed, when it is a file on disk."""
    import os

    import genai_prices
    path = os.path.join(os.path.dirname(genai_prices.__file__), "data.py")
    try:
        return datetime.date.fromtimestamp(os.path.getmtime(path))
    except OSError:  # e.g. a frozen bundle: modules are in an archive
        return None


def _estimate_data_date(bound: datetime.date | None = None, providers: Any = None) -> datetime.date:
    """Latest date in the data (or ``providers``) no later than ``bound`` (default: install day, else today)."""
    bound = bound or _install_date() or datetime.date.today()
    past = [d for d in _dates_in_data(providers) if d <= bound]
    return max(past) if past else bound


@functools.cache
def data_date() -> datetime.date:
    """The date of the price data in use (see the module docstring for how it is found); an installed file's is
    the latest date in it no later than the day it was installed."""
    if userprices.genai_file() is not None:
        rec = userprices.record("genai")
        try:
            return datetime.date.fromisoformat(rec["data_date"])
        except (KeyError, TypeError, ValueError):
            return _estimate_data_date(datetime.date.today())
    return _DATA_DATES.get(package_version()) or _estimate_data_date()
