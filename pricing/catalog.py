"""Price catalog: dated, sourced prices from resources/catalog/*.yaml, with plan-level overrides."""
from __future__ import annotations

import datetime
import functools
import math
import pathlib
import re
import sys
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import yaml

from pricing.errors import CatalogError, PlanError, Problem, QuantityError, UnknownNameError, closest
from pricing.quantities import parse_number, parse_share

HOURS_PER_MONTH = 730.0
"""Hours in a billing month: published hourly rates (clusters, load balancers) x this = monthly rates."""

CATALOG_FILES = ("gpus.yaml", "storage.yaml", "egress.yaml", "platforms.yaml", "annotation.yaml",
                 "mlops.yaml", "levers.yaml")
"""The files a catalog directory must hold, each read once per load."""

SECTIONS = ("gpus", "storage", "egress", "platforms", "annotation", "mlops", "levers")
"""Sections of :meth:`Catalog.entries`, one per file."""

PRICINGS = ("on_demand", "spot", "reserved", "serverless")
"""How GPU time is bought; each provider sells a subset (gpus.yaml ``providers``)."""

CONFIDENCE_LEVELS = (
    "verified_primary", "verified_primary_archived", "verified_docs", "verified_code_snapshot",
    "verified_catalog", "verified_secondary", "verified_catalog_old", "derived_secondary", "derived",
    "partial", "LOW_CONFIDENCE", "suspect_catalog",
)
"""Verification levels a priced entry may carry, strongest first. The order is only used to give a
price derived from two others (reserved = on-demand x (1 - discount)) the weaker of their levels."""

ANY_PROVIDER = "any"
"""Provider of provider-independent MLOps rates (CI minutes); every provider falls back to it."""

_UNIT = {
    "gpu": "USD per GPU-hour",
    "storage": "USD per GB-month",
    "egress": "USD per GB",
    "platform": "fraction over compute",
    "reserved_discount": "fraction off on-demand",
}
_PRICING_ALIASES = {"ondemand": "on_demand", "on_demand": "on_demand", "od": "on_demand",
                    "preemptible": "spot", "interruptible": "spot", "spot": "spot",
                    "reserved": "reserved", "committed": "reserved", "committed_use": "reserved",
                    "serverless": "serverless", "serverless_flex": "serverless"}
_PRICING_LABEL = {"on_demand": "on-demand", "spot": "spot", "reserved": "reserved",
                  "serverless": "serverless flex worker"}


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where a figure comes from and how far to trust it."""

    key: str
    """The override key of the figure, e.g. ``gpu.H100-80GB.aws.on_demand``."""
    source: str
    """URL or citation; ``plan override`` when the plan sets the figure."""
    as_of: str
    """The date as the reference writes it ("2026-03", "undated catalog snapshot ...")."""
    as_of_date: datetime.date | None
    """``as_of`` as a date (month -> its 1st, year -> 1 January) to find the oldest price; None when undated."""
    confidence: str
    """Verification level (verified_catalog, verified_secondary, LOW_CONFIDENCE, derived, ...); ``override``
    for plan overrides, ``gap`` for figures the reference does not have."""
    notes: str = ""
    """Caveats worth showing next to the figure."""
    overridden: bool = False
    """True when the plan's ``prices:`` section set (part of) the figure."""


@dataclass(frozen=True, slots=True)
class Tier:
    """One volume tier of a tiered price."""

    upto: float | None
    """Cumulative upper bound of the quantity billed at this rate (None = no bound)."""
    price: float
    """USD per unit within the tier."""


@dataclass(frozen=True, slots=True)
class Price:
    """A unit price with its source; tiered when the rate falls with volume."""

    value: float
    """Headline USD per unit (the first paid tier's rate when tiered)."""
    unit: str
    """What one unit is: "USD per GPU-hour", "USD per GB-month", "fraction over compute", ..."""
    source: PriceSource
    """Where the figure comes from."""
    tiers: tuple[Tier, ...] = ()
    """Volume tiers, lowest first; empty for a flat price."""

    def cost(self, quantity: Any) -> Any:
        """Cost of ``quantity`` units (a float, or a numpy array of quantities -> same shape).

        Flat: quantity x value. Tiered: each tier's rate applies to the part of the quantity
        inside the tier (quantities below 0 cost nothing).
        """
        if not self.tiers:
            if isinstance(quantity, (list, tuple)):
                quantity = np.asarray(quantity, dtype=float)
            return quantity * self.value
        # Tiered cost is piecewise linear in the quantity: interpolate on the tier bounds (one
        # numpy call instead of a clip per tier), and extend the last tier's rate beyond them.
        xs, ys, last_rate = _tier_curve(self.tiers)
        q = np.maximum(np.asarray(quantity, dtype=float), 0.0)
        total = np.interp(q, xs, ys)
        if last_rate:
            total = total + np.maximum(q - xs[-1], 0.0) * last_rate
        return float(total) if q.ndim == 0 else total


@functools.lru_cache(maxsize=256)
def _tier_curve(tiers: tuple[Tier, ...]) -> tuple[np.ndarray, np.ndarray, float]:
    """Bounds of the tiers, cumulative cost at each bound, and the rate beyond the last bound."""
    xs, ys = [0.0], [0.0]
    last_rate = 0.0
    for tier in tiers:
        if tier.upto is None:
            last_rate = tier.price
            break
        ys.append(ys[-1] + (tier.upto - xs[-1]) * tier.price)
        xs.append(float(tier.upto))
    return np.array(xs), np.array(ys), last_rate


@dataclass(frozen=True, slots=True)
class GpuSpec:
    """What a GPU can do: the figures the engine derives hours and capacity from."""

    key: str
    """Canonical catalog key, e.g. ``H100-80GB``."""
    name: str
    """Display name."""
    memory_gb: float
    """Memory per GPU, GB."""
    peak_tflops: float | None
    """Dense BF16 peak, TFLOP/s (T4: FP16 tensor, said in ``peak_note``); None when unpublished (A10G)."""
    peak_note: str
    """Caveat about the peak (precision used, or why it is missing)."""
    source: PriceSource
    """Source of the specs; key ``gpu.<KEY>.peak_tflops`` (overridable)."""
    memory_bandwidth_tb_s: float | None = None
    """Memory bandwidth, TB/s; None when not verified."""
    peaks: tuple[tuple[str, float], ...] = ()
    """Low-precision dense tensor-core peaks as (precision, value) pairs: ``fp8``, ``fp4`` in TFLOP/s, ``int8``
    in TOPS, as published; absent where the GPU has no such tensor cores (the 16-bit peak is ``peak_tflops``)."""
    peaks_source: str = ""
    """Where the fp8/fp4/int8 peaks come from, with the date read."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One row of the catalog for listings (CLI ``aicost catalog``, GUI catalog browser)."""

    key: str
    """The override key."""
    section: str
    """``gpus`` | ``storage`` | ``egress`` | ``platforms`` | ``annotation`` | ``mlops`` | ``levers``."""
    provider: str
    """Provider (``any`` for provider-independent MLOps rates); empty when not provider-specific."""
    item: str
    """GPU key / storage tier / egress kind / platform / task / MLOps kind / lever key."""
    description: str
    """What the figure is, in words."""
    value: float | None
    """Headline value; None for gaps."""
    unit: str
    """Unit of ``value`` and of the tier prices."""
    tiers: tuple[Tier, ...]
    """Volume tiers (empty for flat prices)."""
    source: PriceSource
    """Where the figure comes from (the override when the plan sets it)."""
    gap: str
    """Why the value is missing ("" when it is not)."""


@dataclass(frozen=True, slots=True)
class ThroughputFigure:
    """A published self-hosting throughput measurement (levers.yaml ``self_hosting_throughput``)."""

    key: str
    """Lever key, ``lever.throughput.<id>`` (its lever value is ``value_per_gpu``)."""
    model: str
    hardware: str
    """Hardware as published, e.g. "2x H100 SXM (TP2)"."""
    gpu: str
    """Canonical GPU key of that hardware."""
    gpus: int
    engine: str
    precision: str
    workload: str
    """Input/output lengths or benchmark settings the figure was measured with."""
    value: float
    """Output tokens/s of the whole system."""
    value_per_gpu: float
    """Output tokens/s per GPU: use with the matching GPU-hour price."""
    unit: str
    source: PriceSource


class MissingPriceError(CatalogError):
    """The catalog has no figure for what is asked: a known gap in the reference, or never collected.

    The message names the override key the plan can set in its ``prices:`` section.
    """

    def __init__(self, key: str, why: str, unit: str, *, known_gap: bool = True, also: str = ""):
        self.key = key
        """The override key that would supply the figure."""
        self.why = why
        self.unit = unit
        self.known_gap = known_gap
        """True when the reference records the gap itself; False when it never had the figure."""
        what = ("it is a known gap in the reference price data" if known_gap
                else "the reference price data has no figure for it")
        why = why.rstrip(".")
        msg = (f"no price for {key}: {what} ({why}). Set it in the plan's prices: section, "
               f"e.g. prices: {{{key}: <{unit}>}}")
        if also:
            msg += f"; {also}"
        super().__init__(msg)


class PricingNotOfferedError(CatalogError):
    """A provider does not sell GPU time that way (e.g. Lambda has no spot tier): not a gap to fill."""


class RankedUnknownNameError(UnknownNameError):
    """An unknown name whose suggestions the catalog ranked itself: GPU names are matched against
    every alias too, price keys with their recognisable parts (GPU, provider, pricing) normalised."""

    def __init__(self, kind: str, name: str, suggestions: Iterable[str], hint: str = ""):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        msg = f"unknown {kind} {name!r}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        if hint:
            msg += f" ({hint})"
        PlanError.__init__(self, msg)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)")


def parse_as_of(text: str) -> datetime.date | None:
    """The date an ``as_of`` text states: "2026-03" -> 2026-03-01, "2026" -> 2026-01-01,
    "2022-12-30 (...)" -> that day; texts that start "undated" (or say nothing datable) -> None."""
    t = (text or "").strip()
    if not t or t.lower().startswith(("undated", "n/a", "plan")):
        return None
    for m in _DATE.finditer(t):
        year = int(m[1])
        month = int(m[2]) if m[2] else 1
        day = int(m[3]) if m[3] else 1
        if not 1990 <= year <= 2100:
            continue
        try:
            return datetime.date(year, month, day)
        except ValueError:
            try:  # "2024-2026" style: keep the year
                return datetime.date(year, 1, 1)
            except ValueError:
                continue
    return None


def oldest(sources: Iterable[PriceSource]) -> PriceSource | None:
    """The source with the oldest ``as_of_date`` (undated ones ignored); None when none is dated."""
    best: PriceSource | None = None
    for s in sources:
        if s.as_of_date is not None and (best is None or s.as_of_date < best.as_of_date):
            best = s
    return best


def weakest(*levels: str) -> str:
    """The least trusted of several confidence levels (``override`` parts are the user's word: skipped)."""
    ranked = [lv for lv in levels if lv in CONFIDENCE_LEVELS]
    if not ranked:
        return "override" if levels and all(lv == "override" for lv in levels) else (levels[0] if levels else "")
    return max(ranked, key=CONFIDENCE_LEVELS.index)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _norm(name: str) -> str:
    """Lookup form of a tier/kind/task/provider name: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


@functools.lru_cache(maxsize=4096)
def _norm_gpu(name: str) -> str:
    """Lookup form of a GPU name: lower case, runs of spaces/underscores/dashes as one dash."""
    return re.sub(r"[\s_\-]+", "-", str(name).strip().lower())


@dataclass(frozen=True, slots=True)
class _Provider:
    key: str
    name: str
    pricing: tuple[str, ...]
    notes: str


@dataclass(frozen=True, slots=True)
class _Gpu:
    key: str
    name: str
    spec: GpuSpec
    peak_gap: str
    peak_unit: str


class _Data:
    """Everything one load of a catalog directory read; never changed after the load."""

    __slots__ = ("directory", "entries", "providers", "provider_alias", "gpus", "gpu_alias", "gpu_compact",
                 "storage", "storage_alias", "standard_tiers", "egress", "egress_alias", "standard_kinds",
                 "platforms", "platform_alias", "tasks", "task_alias", "mlops", "mlops_alias", "mlops_unit",
                 "throughput", "_known_keys")

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.entries: dict[str, CatalogEntry] = {}
        self.providers: dict[str, _Provider] = {}
        self.provider_alias: dict[str, str] = {}
        self.gpus: dict[str, _Gpu] = {}
        self.gpu_alias: dict[str, str] = {}
        self.gpu_compact: dict[str, str | None] = {}        # alias without separators -> GPU (None: ambiguous)
        self.storage: dict[str, dict[str, str]] = {}       # provider -> tier -> display name
        self.storage_alias: dict[str, dict[str, str]] = {}  # provider -> alias -> tier
        self.standard_tiers: tuple[str, ...] = ()
        self.egress: dict[str, dict[str, str]] = {}
        self.egress_alias: dict[str, dict[str, str]] = {}
        self.standard_kinds: tuple[str, ...] = ()
        self.platforms: dict[str, str] = {}
        self.platform_alias: dict[str, str] = {}
        self.tasks: dict[str, str] = {}
        self.task_alias: dict[str, str] = {}
        self.mlops: dict[str, dict[str, str]] = {}
        self.mlops_alias: dict[str, str] = {}               # alias -> kind, across providers
        self.mlops_unit: dict[str, str] = {}                # kind -> unit
        self.throughput: tuple[ThroughputFigure, ...] = ()
        self._known_keys: tuple[str, ...] | None = None

    def known_keys(self) -> tuple[str, ...]:
        """Every key a plan may override (recorded entries and every well-formed price key)."""
        if self._known_keys is None:
            keys = dict.fromkeys(self.entries)
            for g in self.gpus:
                keys[f"gpu.{g}.peak_tflops"] = None
                for p, prov in self.providers.items():
                    for pricing in prov.pricing:
                        keys[f"gpu.{g}.{p}.{pricing}"] = None
            for p in self.providers:
                for t in (*self.standard_tiers, *self.storage.get(p, {})):
                    keys[f"storage.{p}.{t}"] = None
                for k in (*self.standard_kinds, *self.egress.get(p, {})):
                    keys[f"egress.{p}.{k}"] = None
                keys[f"reserved_discount.{p}"] = None
            for p in (*self.providers, ANY_PROVIDER):
                for k in self.mlops_unit:
                    keys[f"mlops.{p}.{k}"] = None
            for name in self.platforms:
                keys[f"platform.{name}"] = None
            for task in self.tasks:
                keys[f"annotation.{task}"] = None
            self._known_keys = tuple(keys)
        return self._known_keys


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PRICE_FIELDS = frozenset({"value", "tiers", "per_hour", "unit", "source", "as_of", "confidence", "notes", "gap",
                           "name", "aliases", "region", "instance", "range", "term", "value_min", "value_max",
                           "provider"})
_PEAK_FIELDS = {"fp8_dense_tflops": "fp8", "fp4_dense_tflops": "fp4", "int8_dense_tops": "int8"}
"""gpus.yaml spec fields of the per-precision dense peaks -> GpuSpec.peaks keys."""
_THROUGHPUT_FIELDS = frozenset({"model", "hardware", "gpu", "gpus", "engine", "precision", "workload",
                                "value", "value_per_gpu", "unit", "source", "as_of", "confidence", "notes"})


def default_directory() -> pathlib.Path:
    """``resources/catalog`` of the repository, or of the PyInstaller bundle when frozen."""
    base = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and base:
        return pathlib.Path(base) / "resources" / "catalog"
    return pathlib.Path(__file__).resolve().parent.parent / "resources" / "catalog"


class _Reader:
    """Reads the catalog files into a :class:`_Data`, collecting every problem with file and key path."""

    def __init__(self, directory: pathlib.Path):
        self.data = _Data(directory)
        self.problems: list[Problem] = []
        self.file = ""

    # -- helpers --------------------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, path, None, self.file))

    def mapping(self, value: Any, path: str, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"found {type(value).__name__}, expected a mapping of {what}")
            return {}
        return value

    def text(self, raw: Mapping, field: str, path: str, *, required: bool = True) -> str:
        value = raw.get(field)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{path}.{field}", f"missing {field}")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(f"{path}.{field}", f"found {type(value).__name__}, expected text")
            return ""
        return str(value).strip()

    def number(self, value: Any, path: str, *, positive: bool = True) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"found {value!r}, expected a number")
            return None
        v = float(value)
        if not math.isfinite(v) or v < 0 or (positive and v == 0):
            self.problem(path, f"found {value!r}, expected a finite number {'above' if positive else 'of at least'} 0")
            return None
        return v

    def aliases(self, raw: Mapping, path: str) -> list[str]:
        value = raw.get("aliases", [])
        if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
            self.problem(f"{path}.aliases", "expected a list of names")
            return []
        return value

    def add_alias(self, table: dict[str, str], alias: str, target: str, path: str, what: str) -> None:
        other = table.get(alias)
        if other is not None and other != target:
            self.problem(path, f"{what} name {alias!r} is used by both {other!r} and {target!r}")
        else:
            table[alias] = target

    def source(self, key: str, raw: Mapping, path: str, *, gap: bool) -> PriceSource:
        src = self.text(raw, "source", path)
        as_of = self.text(raw, "as_of", path)
        notes = self.text(raw, "notes", path, required=False)
        if gap:
            confidence = "gap"
        else:
            confidence = self.text(raw, "confidence", path)
            if confidence and confidence not in CONFIDENCE_LEVELS:
                self.problem(f"{path}.confidence", f"found {confidence!r}, expected one of {', '.join(CONFIDENCE_LEVELS)}")
        return PriceSource(key, src, as_of, parse_as_of(as_of), confidence, notes)

    def tiers(self, value: Any, path: str) -> tuple[Tier, ...] | None:
        if not isinstance(value, list) or not value:
            self.problem(path, "expected a list of tiers {upto: <GB or null>, price: <USD>}")
            return None
        out: list[Tier] = []
        lower = 0.0
        for i, t in enumerate(value):
            tp = f"{path}[{i}]"
            if not isinstance(t, dict) or set(t) - {"upto", "price"} or "price" not in t:
                self.problem(tp, "expected {upto: <number or null>, price: <number>}")
                return None
            price = self.number(t["price"], f"{tp}.price", positive=False)
            upto = t.get("upto")
            last = i == len(value) - 1
            if upto is None:
                if not last:
                    self.problem(f"{tp}.upto", "only the last tier may be unbounded (upto: null)")
                    return None
            else:
                u = self.number(upto, f"{tp}.upto")
                if u is None:
                    return None
                if u <= lower:
                    self.problem(f"{tp}.upto", f"tier bounds must increase (found {u:g} after {lower:g})")
                    return None
                if last:
                    self.problem(f"{tp}.upto", "the last tier must be unbounded (upto: null)")
                    return None
                upto, lower = u, u
            if price is None:
                return None
            out.append(Tier(upto, price))
        if not any(t.price > 0 for t in out):
            self.problem(path, "every tier is free: a tiered price needs a paid tier")
            return None
        return tuple(out)

    def entry(self, raw: Any, path: str, *, key: str, section: str, provider: str, item: str,
              description: str, unit: str, fields: frozenset = _PRICE_FIELDS) -> list[CatalogEntry]:
        """One YAML price record -> entries (two for a min/max range); problems recorded, never raised."""
        if not isinstance(raw, dict):
            self.problem(path, f"found {type(raw).__name__}, expected a mapping with value (or gap), source, as_of")
            return []
        extra = set(raw) - fields
        if extra:
            self.problem(path, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
        unit = self.text(raw, "unit", path, required=False) or unit
        if not unit:
            self.problem(f"{path}.unit", "missing unit")
        if key in self.data.entries:
            self.problem(path, f"key {key} is defined twice")
        has = [f for f in ("value", "tiers", "per_hour", "value_min") if raw.get(f) is not None]
        gap = raw.get("gap")
        if not has:
            if not isinstance(gap, str) or not gap.strip():
                self.problem(path, "has no value: give value (or tiers/per_hour), or value: null with gap: <why>")
                return []
            src = self.source(key, raw, path, gap=True)
            return [CatalogEntry(key, section, provider, item, description, None, unit, (), src, gap.strip())]
        if gap is not None:
            self.problem(f"{path}.gap", "an entry with a value cannot also be a gap")
        if len(has) > 1 and set(has) != {"value", "tiers"}:
            self.problem(path, f"give only one of value, tiers, per_hour, value_min/value_max (found {', '.join(has)})")
            return []
        src = self.source(key, raw, path, gap=False)
        notes = src.notes
        rng = raw.get("range")
        if rng is not None:
            if (isinstance(rng, list) and len(rng) == 2
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)):
                notes = f"{notes} Spread across zones: {rng[0]:g}-{rng[1]:g}.".strip()
            else:
                self.problem(f"{path}.range", "expected [min, max]")
        tiers: tuple[Tier, ...] = ()
        if "value_min" in has:
            lo = self.number(raw.get("value_min"), f"{path}.value_min")
            hi = self.number(raw.get("value_max"), f"{path}.value_max")
            if lo is None or hi is None:
                return []
            if lo > hi:
                self.problem(path, f"value_min {lo:g} is above value_max {hi:g}")
            return [CatalogEntry(f"{key}.{end}", section, provider, f"{item}.{end}", f"{description} ({end})",
                                 v, unit, (), replace(src, key=f"{key}.{end}",
                                                      notes=f"{notes} Range {lo:g}-{hi:g}.".strip()), "")
                    for end, v in (("min", lo), ("max", hi))]
        if "per_hour" in has:
            hourly = self.number(raw["per_hour"], f"{path}.per_hour")
            if hourly is None:
                return []
            value = hourly * HOURS_PER_MONTH
            notes = f"Published as {hourly:g} USD per hour; x {HOURS_PER_MONTH:g} h per month. {notes}".strip()
        elif "tiers" in has:
            parsed = self.tiers(raw["tiers"], f"{path}.tiers")
            if parsed is None:
                return []
            tiers = parsed
            value = next(t.price for t in tiers if t.price > 0)
            if raw.get("value") is not None and raw.get("value") != value:
                self.problem(f"{path}.value", f"found {raw.get('value')!r}, but the first paid tier's rate is {value:g}")
        else:
            v = self.number(raw["value"], f"{path}.value")
            if v is None:
                return []
            value = v
        if not src.source or not src.as_of:
            return []
        return [CatalogEntry(key, section, provider, item, description, value, unit, tiers,
                             replace(src, notes=notes), "")]

    def add(self, entries: list[CatalogEntry]) -> None:
        for e in entries:
            self.data.entries.setdefault(e.key, e)

    def load_file(self, name: str) -> dict:
        path = self.data.directory / name
        self.file = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problem("", "catalog file is missing")
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            self.problem("", f"cannot read the catalog file: {exc}")
            return {}
        try:
            doc = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader (C or pure Python)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problems.append(Problem(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", "",
                                         mark.line + 1 if mark is not None else None, self.file))
            return {}
        if not isinstance(doc, dict):
            self.problem("", f"found {type(doc).__name__}, expected a mapping of catalog sections")
            return {}
        return doc

    def sections(self, doc: dict, allowed: tuple[str, ...]) -> None:
        for k in doc:
            if k not in allowed:
                self.problem(str(k), f"unknown section {k!r}; expected {', '.join(allowed)}")

    # -- files ----------------------------------------------------------------------------

    def read(self) -> _Data:
        self.read_gpus(self.load_file("gpus.yaml"))
        self.read_storage(self.load_file("storage.yaml"))
        self.read_egress(self.load_file("egress.yaml"))
        self.read_platforms(self.load_file("platforms.yaml"))
        self.read_annotation(self.load_file("annotation.yaml"))
        self.read_mlops(self.load_file("mlops.yaml"))
        self.read_levers(self.load_file("levers.yaml"))
        if self.problems:
            raise CatalogError(self.problems)
        return self.data

    def read_gpus(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("providers", "gpus"))
        for p, raw in self.mapping(doc.get("providers"), "providers", "providers").items():
            path = f"providers.{p}"
            if not isinstance(raw, dict):
                self.problem(path, "expected a mapping with name, aliases, pricing")
                continue
            pricing = raw.get("pricing")
            if not isinstance(pricing, list) or not pricing or any(x not in PRICINGS for x in pricing):
                self.problem(f"{path}.pricing", f"expected a list among {', '.join(PRICINGS)}")
                pricing = ["on_demand"]
            p = _norm(p)
            d.providers[p] = _Provider(p, self.text(raw, "name", path), tuple(pricing),
                                       self.text(raw, "notes", path, required=False))
            for a in (p, *self.aliases(raw, path)):
                self.add_alias(d.provider_alias, _norm(a), p, f"{path}.aliases", "provider")
        if not d.providers:
            self.problem("providers", "no providers defined")
        for g, raw in self.mapping(doc.get("gpus"), "gpus", "GPUs").items():
            self.read_gpu(str(g), raw, f"gpus.{g}")

    def read_gpu(self, g: str, raw: Any, path: str) -> None:
        d = self.data
        if not isinstance(raw, dict):
            self.problem(path, "expected a mapping with name, aliases, specs, prices")
            return
        name = self.text(raw, "name", path)
        for a in (g, *self.aliases(raw, path)):
            self.add_alias(d.gpu_alias, _norm_gpu(a), g, f"{path}.aliases", "GPU")
            compact = _norm_gpu(a).replace("-", "")
            d.gpu_compact[compact] = g if d.gpu_compact.get(compact, g) == g else None
        spec_raw = raw.get("specs")
        spath = f"{path}.specs"
        if not isinstance(spec_raw, dict):
            self.problem(spath, "missing specs (bf16_dense_tflops, memory_gb, source, as_of, confidence)")
            return
        extra = set(spec_raw) - {"bf16_dense_tflops", "fp16_tensor_tflops", "memory_gb", "memory_bandwidth_tb_s",
                                 "peak_gap", "source", "as_of", "confidence", "notes", *_PEAK_FIELDS,
                                 "peaks_source", "peaks_as_of"}
        if extra:
            self.problem(spath, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
        key = f"gpu.{g}.peak_tflops"
        src = self.source(key, spec_raw, spath, gap=False)
        memory = self.number(spec_raw.get("memory_gb"), f"{spath}.memory_gb")
        bw = spec_raw.get("memory_bandwidth_tb_s")
        bw = None if bw is None else self.number(bw, f"{spath}.memory_bandwidth_tb_s")
        peak_gap = ""
        if spec_raw.get("bf16_dense_tflops") is not None:
            peak = self.number(spec_raw["bf16_dense_tflops"], f"{spath}.bf16_dense_tflops")
            note, unit = "", "TFLOP/s (dense BF16)"
        elif spec_raw.get("fp16_tensor_tflops") is not None:
            peak = self.number(spec_raw["fp16_tensor_tflops"], f"{spath}.fp16_tensor_tflops")
            note = (f"{g} has no BF16 tensor support; peak is its FP16 tensor figure "
                    f"({spec_raw['fp16_tensor_tflops']:g} TFLOP/s)")
            unit = "TFLOP/s (FP16 tensor)"
        else:
            peak, unit = None, "TFLOP/s (dense BF16)"
            peak_gap = self.text(spec_raw, "peak_gap", spath)
            note = (f"peak TFLOP/s unpublished ({peak_gap.rstrip('.')}); set prices: {{{key}: <TFLOP/s>}}"
                    if peak_gap else "")
        peaks = {k: v for f, k in _PEAK_FIELDS.items() if spec_raw.get(f) is not None
                 and (v := self.number(spec_raw[f], f"{spath}.{f}")) is not None}
        peaks_src = ""
        if peaks:
            peaks_src = f"{self.text(spec_raw, 'peaks_source', spath)} (read {self.text(spec_raw, 'peaks_as_of', spath)})"
        spec = GpuSpec(g, name, memory or 0.0, peak, note, src, bw, tuple(peaks.items()), peaks_src)
        d.gpus[g] = _Gpu(g, name, spec, peak_gap, unit)
        desc = f"{name}: peak {unit}"
        if peak is None:
            self.add([CatalogEntry(key, "gpus", "", g, desc, None, unit, (), replace(src, confidence="gap"),
                                   peak_gap or "peak not published")])
        else:
            self.add([CatalogEntry(key, "gpus", "", g, desc, peak, unit, (),
                                   replace(src, notes="; ".join(x for x in (note, src.notes) if x)), "")])
        prices = self.mapping(raw.get("prices"), f"{path}.prices", "providers")
        for p, per in prices.items():
            ppath = f"{path}.prices.{p}"
            prov = d.providers.get(str(p))
            if prov is None:
                self.problem(ppath, f"unknown provider {p!r}; expected one of {', '.join(d.providers)}")
                continue
            for pricing, rec in self.mapping(per, ppath, "pricing models").items():
                epath = f"{ppath}.{pricing}"
                if pricing == "reserved":
                    self.problem(epath, "reserved prices are derived from levers.yaml reserved_discount; do not list them")
                    continue
                if pricing not in prov.pricing:
                    self.problem(epath, f"{p} does not sell {pricing} (its pricing: {', '.join(prov.pricing)})")
                    continue
                instance = rec.get("instance") if isinstance(rec, dict) else None
                region = rec.get("region") if isinstance(rec, dict) else None
                where = ", ".join(str(x) for x in (instance, region) if x)
                desc = f"{name} on {prov.name}, {_PRICING_LABEL[pricing]}" + (f" ({where})" if where else "")
                self.add(self.entry(rec, epath, key=f"gpu.{g}.{p}.{pricing}", section="gpus", provider=p,
                                    item=g, description=desc, unit=_UNIT["gpu"]))
            od = d.entries.get(f"gpu.{g}.{p}.on_demand")
            spot = d.entries.get(f"gpu.{g}.{p}.spot")
            if od and spot and od.value is not None and spot.value is not None and spot.value > od.value:
                self.problem(f"{ppath}.spot", f"spot {spot.value:g} is above on-demand {od.value:g}")

    def read_named(self, items: Any, path: str, *, section: str, prefix: str, provider: str, unit: str,
                   names: dict[str, str], alias: dict[str, str], what: str) -> None:
        for item, raw in self.mapping(items, path, what + "s").items():
            item = str(item)
            ipath = f"{path}.{item}"
            name = self.text(raw, "name", ipath) if isinstance(raw, dict) else item
            names[item] = name
            if isinstance(raw, dict):
                for a in (item, *self.aliases(raw, ipath)):
                    self.add_alias(alias, _norm(a), item, f"{ipath}.aliases", what)
            desc = f"{name}" + (f" ({provider})" if provider and provider != ANY_PROVIDER else "")
            self.add(self.entry(raw, ipath, key=f"{prefix}.{item}", section=section, provider=provider, item=item,
                                description=desc, unit=unit))

    def provider_sections(self, doc: dict, section: str, what: str) -> dict:
        out = {}
        for p, items in self.mapping(doc.get(section), section, "providers").items():
            if p != ANY_PROVIDER and p not in self.data.providers:
                self.problem(f"{section}.{p}", f"unknown provider {p!r}; expected one of {', '.join(self.data.providers)}")
                continue
            out[p] = items
        return out

    def standard_names(self, doc: dict, field: str) -> tuple[str, ...]:
        names = doc.get(field)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(field, "expected a list of names")
            return ()
        return tuple(names)

    def read_storage(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("standard_tiers", "storage"))
        d.standard_tiers = self.standard_names(doc, "standard_tiers")
        for p, items in self.provider_sections(doc, "storage", "storage tiers").items():
            d.storage[p], d.storage_alias[p] = {}, {}
            self.read_named(items, f"storage.{p}", section="storage", prefix=f"storage.{p}", provider=p,
                            unit=_UNIT["storage"], names=d.storage[p], alias=d.storage_alias[p], what="storage tier")

    def read_egress(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("standard_kinds", "egress"))
        d.standard_kinds = self.standard_names(doc, "standard_kinds")
        for p, items in self.provider_sections(doc, "egress", "egress kinds").items():
            d.egress[p], d.egress_alias[p] = {}, {}
            self.read_named(items, f"egress.{p}", section="egress", prefix=f"egress.{p}", provider=p,
                            unit=_UNIT["egress"], names=d.egress[p], alias=d.egress_alias[p], what="egress kind")

    def read_platforms(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("platforms",))
        for name, raw in self.mapping(doc.get("platforms"), "platforms", "platforms").items():
            provider = raw.get("provider", "") if isinstance(raw, dict) else ""
            if provider and provider not in d.providers:
                self.problem(f"platforms.{name}.provider", f"unknown provider {provider!r}")
            self.read_named({name: raw}, "platforms", section="platforms", prefix="platform", provider=provider,
                            unit=_UNIT["platform"], names=d.platforms, alias=d.platform_alias, what="platform")

    def read_annotation(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("tasks", "fees"))
        self.read_named(doc.get("tasks"), "tasks", section="annotation", prefix="annotation", provider="",
                        unit="", names=d.tasks, alias=d.task_alias, what="annotation task")
        fees: dict[str, str] = {}
        self.read_named(doc.get("fees"), "fees", section="annotation", prefix="annotation.fee", provider="",
                        unit="", names=fees, alias={}, what="annotation fee")

    def read_mlops(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("mlops",))
        for p, items in self.provider_sections(doc, "mlops", "MLOps kinds").items():
            d.mlops[p] = {}
            self.read_named(items, f"mlops.{p}", section="mlops", prefix=f"mlops.{p}", provider=p, unit="",
                            names=d.mlops[p], alias=d.mlops_alias, what="MLOps kind")
            for kind in d.mlops[p]:
                e = d.entries.get(f"mlops.{p}.{kind}")
                if e is None:
                    continue
                other = d.mlops_unit.setdefault(kind, e.unit)
                if other != e.unit:
                    self.problem(f"mlops.{p}.{kind}.unit", f"found {e.unit!r}, but {kind} is {other!r} elsewhere")

    def read_levers(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("reserved_discount", "levers", "training_mfu", "self_hosting_throughput"))
        for k, raw in self.mapping(doc.get("reserved_discount"), "reserved_discount", "providers").items():
            k = str(k)
            p = k.split(".", 1)[0]
            path = f"reserved_discount.{k}"
            if p not in d.providers:
                self.problem(path, f"unknown provider {p!r}")
                continue
            term = raw.get("term", "") if isinstance(raw, dict) else ""
            desc = f"Committed-use / reserved discount at {d.providers[p].name}" + (f" ({term})" if term else "")
            entries = self.entry(raw, path, key=f"reserved_discount.{k}", section="levers", provider=p,
                                 item=f"reserved_discount.{k}", description=desc, unit=_UNIT["reserved_discount"])
            for e in entries:
                if e.value is not None and e.value >= 1:
                    self.problem(f"{path}.value", f"found {e.value:g}, expected a fraction below 1")
            self.add(entries)
        for section in ("levers", "training_mfu"):
            for k, raw in self.mapping(doc.get(section), section, "levers").items():
                name = raw.get("name") if isinstance(raw, dict) else None
                self.add(self.entry(raw, f"{section}.{k}", key=f"lever.{k}", section="levers", provider="",
                                    item=str(k), description=str(name or k), unit=""))
        figures = []
        for k, raw in self.mapping(doc.get("self_hosting_throughput"), "self_hosting_throughput",
                                   "throughput figures").items():
            path = f"self_hosting_throughput.{k}"
            if not isinstance(raw, dict):
                self.problem(path, "expected a mapping")
                continue
            extra = set(raw) - _THROUGHPUT_FIELDS
            if extra:
                self.problem(path, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
            gpu = d.gpu_alias.get(_norm_gpu(str(raw.get("gpu", ""))))
            if gpu is None:
                self.problem(f"{path}.gpu", f"unknown GPU {raw.get('gpu')!r}")
                continue
            key = f"lever.throughput.{k}"
            per_gpu = self.number(raw.get("value_per_gpu"), f"{path}.value_per_gpu")
            total = self.number(raw.get("value"), f"{path}.value")
            gpus = raw.get("gpus")
            if not isinstance(gpus, int) or isinstance(gpus, bool) or gpus < 1:
                self.problem(f"{path}.gpus", f"found {gpus!r}, expected a whole number of GPUs")
                continue
            src = self.source(key, raw, path, gap=False)
            if per_gpu is None or total is None or not src.source or not src.as_of:
                continue
            texts = {f: self.text(raw, f, path) for f in ("model", "hardware", "engine", "precision", "workload")}
            unit = self.text(raw, "unit", path, required=False) or "output tokens/s (total, whole system)"
            fig = ThroughputFigure(key, texts["model"], texts["hardware"], gpu, gpus, texts["engine"],
                                   texts["precision"], texts["workload"], total, per_gpu, unit, src)
            figures.append(fig)
            desc = (f"{fig.model} on {fig.hardware}, {fig.engine}, {fig.precision}, {fig.workload}: "
                    f"output tokens/s per GPU")
            self.add([CatalogEntry(key, "levers", "", f"throughput.{k}", desc, per_gpu,
                                   "output tokens/s per GPU", (), src, "")])
        d.throughput = tuple(figures)


def _stamp(directory: pathlib.Path) -> tuple:
    out = []
    for name in CATALOG_FILES:
        try:
            st = (directory / name).stat()
            out.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((name, None, None))
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _load(directory: str, stamp: tuple) -> "Catalog":
    """The catalog of a directory; cached by directory and file stamps (the catalog is immutable)."""
    return Catalog(_Reader(pathlib.Path(directory)).read(), {})


# ---------------------------------------------------------------------------------------------
# The catalog
# ---------------------------------------------------------------------------------------------


class Catalog:
    """Prices with sources and dates, read from a catalog directory, plus a plan's overrides.

    Immutable: :meth:`with_overrides` returns a new catalog. Build one with :meth:`load`.
    """

    __slots__ = ("_d", "_overrides", "_prices")

    def __init__(self, data: _Data, overrides: Mapping[str, Any]):
        self._d = data
        self._overrides = MappingProxyType(dict(overrides))
        self._prices: dict[str, Price] = {}
        """Prices looked up so far (the catalog is immutable, so they never go stale)."""

    def __repr__(self) -> str:
        return f"Catalog({str(self._d.directory)!r}, {len(self._d.entries)} entries, {len(self._overrides)} overrides)"

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: pathlib.Path | str | None = None) -> "Catalog":
        """The catalog in ``directory`` (default ``resources/catalog``); CatalogError with file and key path
        for a broken file. Parsed once per directory (re-read when a file changes)."""
        d = pathlib.Path(directory) if directory is not None else default_directory()
        d = d.resolve()
        return _load(str(d), _stamp(d))

    def with_overrides(self, prices: Mapping[str, Any]) -> "Catalog":
        """A new catalog where the plan's ``prices:`` replace (or fill in) catalog figures.

        Keys are validated (aliases and case are normalised, e.g. ``gpu.h100.aws.on_demand`` ->
        ``gpu.H100-80GB.aws.on_demand``): an unknown key raises UnknownNameError listing close keys;
        ``api.*`` keys are kept as given (the API price module checks them). Values must be finite
        numbers >= 0 (``"35%"`` is read as 0.35).
        """
        merged = dict(self._overrides)
        for raw_key, raw_value in prices.items():
            if isinstance(raw_key, str) and raw_key.startswith("api."):
                merged[raw_key] = raw_value
                continue
            try:
                key, unit = self._canonical_key(raw_key)
            except UnknownNameError as exc:
                raise exc.with_location(key_path=f"prices.{raw_key}") from None
            merged[key] = self._override_value(raw_key, key, unit, raw_value)
        return Catalog(self._d, merged)

    @property
    def overrides(self) -> Mapping[str, Any]:
        """The overrides applied, by canonical key (``api.*`` keys as given)."""
        return self._overrides

    @property
    def directory(self) -> pathlib.Path:
        """Where the catalog was read from."""
        return self._d.directory

    @property
    def providers(self) -> tuple[str, ...]:
        """Cloud providers known (aws, gcp, azure, lambda, nebius, runpod)."""
        return tuple(self._d.providers)

    # -- names ------------------------------------------------------------------------------

    def resolve_provider(self, name: str) -> str:
        """Canonical provider for a name or alias (case-insensitive); UnknownNameError otherwise."""
        p = self._d.provider_alias.get(_norm(name)) if isinstance(name, str) else None
        if p is None:
            raise self._unknown("provider", name, self._d.provider_alias)
        return p

    def resolve_gpu(self, name: str) -> str:
        """Canonical GPU key for a key or alias (case-insensitive): "h100" -> "H100-80GB"."""
        g = None
        if isinstance(name, str):  # "H100 80GB", "h100_80gb", then "H100SXM" (separators ignored)
            g = self._d.gpu_alias.get(_norm_gpu(name)) or self._d.gpu_compact.get(_norm_gpu(name).replace("-", ""))
        if g is None:
            near = closest(_norm_gpu(str(name)), self._d.gpu_alias, n=25)
            ranked = list(dict.fromkeys(self._d.gpu_alias[a] for a in near))[:5]
            raise RankedUnknownNameError("GPU", str(name), ranked)
        return g

    def gpu_keys(self) -> tuple[str, ...]:
        return tuple(self._d.gpus)

    def provider_pricing(self, provider: str) -> tuple[str, ...]:
        """How a provider sells GPU time (e.g. lambda: on_demand, reserved)."""
        return self._d.providers[self.resolve_provider(provider)].pricing

    def _pricing(self, pricing: str) -> str:
        value = getattr(pricing, "value", pricing)  # accept an Enum member
        p = _PRICING_ALIASES.get(_norm(value)) if isinstance(value, str) else None
        if p is None:
            raise self._unknown("pricing", value, _PRICING_ALIASES)
        return p

    @staticmethod
    def _resolve_in(table: Mapping[str, str], name: str) -> str | None:
        return table.get(_norm(name)) if isinstance(name, str) else None

    @staticmethod
    def _unknown(kind: str, name: Any, aliases: Mapping[str, str], extra: Iterable[str] = (),
                 hint: str = "") -> RankedUnknownNameError:
        """An unknown-name error whose suggestions match every alias, reported by canonical name."""
        table = {**{_norm(x): x for x in extra}, **aliases}
        near = closest(_norm(str(name)), table, n=25)
        return RankedUnknownNameError(kind, str(name), list(dict.fromkeys(table[a] for a in near))[:5], hint)

    # -- GPUs -------------------------------------------------------------------------------

    def gpu_spec(self, gpu: str) -> GpuSpec:
        """Specs of a GPU; the peak may be overridden with ``gpu.<KEY>.peak_tflops``."""
        g = self._d.gpus[self.resolve_gpu(gpu)]
        key = f"gpu.{g.key}.peak_tflops"
        if key in self._overrides:
            value = self._overrides[key]
            return replace(g.spec, peak_tflops=value, peak_note=f"peak {value:g} TFLOP/s set by the plan",
                           source=self._override_source(key, self._d.entries.get(key)))
        return g.spec

    def gpu_peak(self, gpu: str) -> Price:
        """The GPU's peak TFLOP/s as a price-like figure; MissingPriceError when unpublished (A10G)."""
        g = self.resolve_gpu(gpu)
        return self._lookup(f"gpu.{g}.peak_tflops", self._d.gpus[g].peak_unit, f"peak TFLOP/s of {g}")

    def gpu_price(self, gpu: str, provider: str, pricing: str = "on_demand") -> Price:
        """USD per GPU-hour of ``gpu`` at ``provider``; ``pricing`` is on_demand, spot, reserved (or serverless).

        Reserved = on-demand x (1 - ``reserved_discount.<provider>``) unless the plan sets
        ``gpu.<KEY>.<provider>.reserved``. MissingPriceError names the key to set when a figure is
        missing; PricingNotOfferedError when the provider does not sell that way (Lambda spot).
        """
        g = self.resolve_gpu(gpu)
        p = self.resolve_provider(provider)
        how = self._pricing(pricing)
        prov = self._d.providers[p]
        if how not in prov.pricing:
            raise PricingNotOfferedError(
                f"{p} does not sell {_PRICING_LABEL[how]} GPU time"
                + (f" ({prov.notes.rstrip('.')})" if prov.notes else "")
                + f"; {p} sells: {', '.join(prov.pricing)}")
        key = f"gpu.{g}.{p}.{how}"
        if how == "reserved" and key not in self._overrides:
            return self._reserved(g, p, key)
        if how == "on_demand" and key not in self._d.entries and key not in self._overrides:
            have = [x for x in self.gpu_providers(g)]
            also = f"providers with an on-demand {g} price: {', '.join(have)}" if have else ""
            raise MissingPriceError(key, f"no {p} on-demand {g} price was collected, or {p} does not offer it",
                                    _UNIT["gpu"], known_gap=False, also=also)
        return self._lookup(key, _UNIT["gpu"], f"{p} {_PRICING_LABEL[how]} {g} price")

    def _reserved(self, g: str, p: str, key: str) -> Price:
        dkey = f"reserved_discount.{p}"
        try:
            od = self.gpu_price(g, p, "on_demand")
        except MissingPriceError as exc:
            raise MissingPriceError(exc.key, exc.why + "; the reserved price is derived from it", exc.unit,
                                    known_gap=exc.known_gap, also=f"or set {key} directly") from None
        try:
            disc = self._lookup(dkey, _UNIT["reserved_discount"], f"reserved discount at {p}")
        except MissingPriceError as exc:
            raise MissingPriceError(dkey, exc.why, exc.unit, known_gap=exc.known_gap,
                                    also=f"or set {key} (USD per GPU-hour) directly") from None
        d = disc.value
        os_, ds = od.source, disc.source
        dates = [x for x in (os_.as_of_date, ds.as_of_date) if x is not None]
        term = self._d.entries[dkey].description if dkey in self._d.entries else "plan discount"
        source = PriceSource(
            key,
            f"on-demand: {os_.source} | discount: {ds.source}",
            f"on-demand: {os_.as_of}; discount: {ds.as_of}",
            min(dates) if dates else None,
            "override" if os_.overridden and ds.overridden else weakest(os_.confidence, ds.confidence, "derived"),
            f"reserved = on-demand {od.value:g} x (1 - {d:g}) [{term}]. On-demand: {os_.notes} "
            f"Discount: {ds.notes}".strip(),
            os_.overridden or ds.overridden,
        )
        tiers = tuple(Tier(t.upto, t.price * (1 - d)) for t in od.tiers)
        return Price(od.value * (1 - d), _UNIT["gpu"], source, tiers)

    def gpu_providers(self, gpu: str) -> tuple[str, ...]:
        """Providers with an on-demand price for ``gpu`` (catalog or plan override)."""
        g = self.resolve_gpu(gpu)
        out = []
        for p in self._d.providers:
            key = f"gpu.{g}.{p}.on_demand"
            e = self._d.entries.get(key)
            if key in self._overrides or (e is not None and e.value is not None):
                out.append(p)
        return tuple(out)

    def throughput_figures(self, gpu: str | None = None) -> tuple[ThroughputFigure, ...]:
        """Published self-hosting throughput figures (all, or those measured on ``gpu``)."""
        if gpu is None:
            return self._d.throughput
        g = self.resolve_gpu(gpu)
        return tuple(f for f in self._d.throughput if f.gpu == g)

    # -- storage, egress ----------------------------------------------------------------------

    def storage_tiers(self, provider: str) -> tuple[str, ...]:
        """Storage tiers the catalog lists for a provider (priced or known gaps)."""
        return tuple(self._d.storage.get(self.resolve_provider(provider), {}))

    def _storage_tier(self, p: str, tier: str) -> str:
        t = self._resolve_in(self._d.storage_alias.get(p, {}), tier)
        if t is None and isinstance(tier, str) and _norm(tier) in self._d.standard_tiers:
            t = _norm(tier)
        if t is None:
            raise self._unknown("storage tier", tier, self._d.storage_alias.get(p, {}), self._d.standard_tiers,
                                hint=f"storage tiers of {p}")
        return t

    def storage_price(self, provider: str, tier: str) -> Price:
        """USD per GB-month stored (tiered by volume where the provider is); key ``storage.<provider>.<tier>``."""
        p = self.resolve_provider(provider)
        t = self._storage_tier(p, tier)
        return self._lookup(f"storage.{p}.{t}", _UNIT["storage"], f"{p} {t} storage price")

    def egress_kinds(self, provider: str) -> tuple[str, ...]:
        """Transfer kinds the catalog lists for a provider (priced or known gaps)."""
        return tuple(self._d.egress.get(self.resolve_provider(provider), {}))

    def _egress_kind(self, p: str, kind: str) -> str:
        value = getattr(kind, "value", kind)
        k = self._resolve_in(self._d.egress_alias.get(p, {}), value)
        if k is None and isinstance(value, str) and _norm(value) in self._d.standard_kinds:
            k = _norm(value)
        if k is None:
            raise self._unknown("egress kind", value, self._d.egress_alias.get(p, {}), self._d.standard_kinds,
                                hint=f"transfer kinds of {p}")
        return k

    def egress_price(self, provider: str, kind: str) -> Price:
        """USD per GB transferred (tiered by monthly volume where the provider is); key ``egress.<provider>.<kind>``."""
        p = self.resolve_provider(provider)
        k = self._egress_kind(p, kind)
        return self._lookup(f"egress.{p}.{k}", _UNIT["egress"], f"{p} {k} transfer price")

    # -- platforms, annotation, MLOps ------------------------------------------------------------

    def platform_names(self) -> tuple[str, ...]:
        return tuple(self._d.platforms)

    def _platform(self, name: str) -> str:
        n = self._resolve_in(self._d.platform_alias, name)
        if n is None:
            raise self._unknown("platform", name, self._d.platform_alias)
        return n

    def platform_markup(self, name: str) -> Price:
        """Markup of a managed platform as a fraction over the underlying compute; key ``platform.<name>``."""
        n = self._platform(name)
        return self._lookup(f"platform.{n}", _UNIT["platform"], f"markup of {n}")

    def annotation_tasks(self) -> tuple[str, ...]:
        return tuple(self._d.tasks)

    def _task(self, task: str) -> str:
        t = self._resolve_in(self._d.task_alias, task)
        if t is None:
            raise self._unknown("annotation task", task, self._d.task_alias)
        return t

    def annotation_price(self, task: str) -> Price:
        """Default USD per item per worker (one pass) for a labelling task; key ``annotation.<task>``."""
        t = self._task(task)
        key = f"annotation.{t}"
        return self._lookup(key, self._d.entries[key].unit, f"{t} annotation rate")

    def mlops_kinds(self, provider: str) -> tuple[str, ...]:
        """MLOps kinds priced (or known gaps) for a provider, then the provider-independent ones."""
        p = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        return tuple(dict.fromkeys((*self._d.mlops.get(p, {}), *self._d.mlops.get(ANY_PROVIDER, {}))))

    def _mlops_kind(self, kind: str) -> str:
        k = self._resolve_in(self._d.mlops_alias, kind)
        if k is None:
            raise self._unknown("mlops kind", kind, self._d.mlops_alias)
        return k

    def mlops_price(self, provider: str, kind: str) -> Price:
        """USD per unit of an MLOps kind (the unit says which, e.g. "USD per cluster-month"); key
        ``mlops.<provider>.<kind>``, falling back to ``mlops.any.<kind>``."""
        p = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        k = self._mlops_kind(kind)
        unit = self._d.mlops_unit[k]
        key = f"mlops.{p}.{k}"
        if key not in self._overrides and key not in self._d.entries:
            fallback = f"mlops.{ANY_PROVIDER}.{k}"
            if fallback in self._overrides or fallback in self._d.entries:
                return self._lookup(fallback, unit, f"{k} rate")
            priced = [q for q, kinds in self._d.mlops.items() if k in kinds]
            raise MissingPriceError(key, f"no {p} {k} rate was collected (the catalog has it for "
                                         f"{', '.join(priced)})", unit, known_gap=False)
        return self._lookup(key, unit, f"{p} {k} rate")

    # -- levers and generic lookups ---------------------------------------------------------------

    def lever(self, key: str) -> Price:
        """A levers.yaml figure by key: ``lever.quantization.fp8_throughput`` (the ``lever.`` prefix may be
        left out), ``lever.mfu.<name>``, ``lever.throughput.<id>``, ``reserved_discount.<provider>``."""
        known = [k for k, e in self._d.entries.items() if e.section == "levers"]
        lower = {k.lower(): k for k in known}
        text = str(key).strip().lower()
        found = lower.get(text) or lower.get(f"lever.{text}")
        if found is None:
            raise UnknownNameError("lever", str(key), known)
        e = self._d.entries[found]
        return self._lookup(found, e.unit, e.description)

    def price(self, key: str) -> Price:
        """Any catalog figure by its override key (aliases allowed), overrides applied."""
        k, unit = self._canonical_key(key)
        parts = k.split(".")
        if parts[0] == "gpu":
            return self.gpu_peak(parts[1]) if parts[2] == "peak_tflops" else self.gpu_price(*parts[1:4])
        if parts[0] == "mlops":
            return self.mlops_price(parts[1], parts[2])
        e = self._d.entries.get(k)
        return self._lookup(k, unit, e.description if e else k)

    def entries(self, section: str | None = None, provider: str | None = None) -> list[CatalogEntry]:
        """Every figure (and known gap), overrides applied and marked, in catalog order.

        Includes derived reserved GPU prices where the provider has a discount, and overrides of
        figures the catalog lacks. ``provider`` keeps that provider's rows (and the ``any`` MLOps rows).
        """
        if section is not None and section not in SECTIONS:
            raise UnknownNameError("catalog section", str(section), SECTIONS)
        want = None
        if provider is not None:
            want = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        rows: list[CatalogEntry] = []
        listed: set[str] = set()
        last_gpu_row: dict[str, int] = {}
        for e in self._d.entries.values():
            listed.add(e.key)
            rows.append(self._effective(e))
            if e.section == "gpus" and e.provider:
                last_gpu_row[f"{e.item}.{e.provider}"] = len(rows)
        # derived reserved rows, right after the GPU's rows at that provider
        inserts: list[tuple[int, CatalogEntry]] = []
        for gp, at in last_gpu_row.items():
            g, p = gp.split(".", 1)
            if "reserved" not in self._d.providers[p].pricing:
                continue
            try:
                price = self.gpu_price(g, p, "reserved")
            except CatalogError:
                continue
            key = f"gpu.{g}.{p}.reserved"
            listed.add(key)
            desc = f"{self._d.gpus[g].name} on {self._d.providers[p].name}, reserved (derived)"
            inserts.append((at, CatalogEntry(key, "gpus", p, g, desc, price.value, price.unit, price.tiers,
                                             price.source, "")))
        for at, row in sorted(inserts, key=lambda x: x[0], reverse=True):
            rows.insert(at, row)
        for key in self._overrides:
            if key in listed or key.startswith("api."):
                continue
            rows.append(self._override_row(key))
        return [r for r in rows
                if (section is None or r.section == section)
                and (want is None or r.provider == want or (r.provider == ANY_PROVIDER and want != ANY_PROVIDER))]

    # -- internals -----------------------------------------------------------------------------

    def _override_source(self, key: str, base: CatalogEntry | None) -> PriceSource:
        if base is None:
            note = "not in the catalog (the reference has no figure for it)"
        elif base.value is None:
            note = f"fills a known gap of the catalog: {base.gap}"
        else:
            note = (f"replaces the catalog's {base.value:g} {base.unit} ({base.source.confidence}, "
                    f"{base.source.as_of}; {base.source.source})")
        return PriceSource(key, "plan override", "plan", None, "override", note, True)

    def _lookup(self, key: str, unit: str, what: str) -> Price:
        hit = self._prices.get(key)
        if hit is not None:
            return hit
        price = self._lookup_uncached(key, unit, what)
        self._prices[key] = price
        return price

    def _lookup_uncached(self, key: str, unit: str, what: str) -> Price:
        e = self._d.entries.get(key)
        if key in self._overrides:
            return Price(float(self._overrides[key]), e.unit if e else unit, self._override_source(key, e))
        if e is None:
            raise MissingPriceError(key, f"no {what} was collected", unit, known_gap=False)
        if e.value is None:
            raise MissingPriceError(key, e.gap, e.unit or unit, known_gap=True)
        return Price(e.value, e.unit, e.source, e.tiers)

    def _effective(self, e: CatalogEntry) -> CatalogEntry:
        if e.key not in self._overrides:
            return e
        value = float(self._overrides[e.key])
        return replace(e, value=value, tiers=(), source=self._override_source(e.key, e), gap="")

    def _override_row(self, key: str) -> CatalogEntry:
        parts = key.split(".")
        section = {"gpu": "gpus", "storage": "storage", "egress": "egress", "platform": "platforms",
                   "annotation": "annotation", "mlops": "mlops"}.get(parts[0], "levers")
        provider, item = "", parts[-1]
        if parts[0] == "gpu":
            item = parts[1]
            provider = parts[2] if len(parts) == 4 else ""
        elif parts[0] in ("storage", "egress", "mlops"):
            provider = parts[1]
        elif parts[0] == "reserved_discount":
            provider, item = parts[1], key
        _, unit = self._canonical_key(key)
        return CatalogEntry(key, section, provider, item, f"{key} (set by the plan)", float(self._overrides[key]),
                            unit, (), self._override_source(key, None), "")

    def _override_value(self, raw_key: Any, key: str, unit: str, raw: Any) -> float:
        try:
            if isinstance(raw, str) and raw.strip().endswith("%"):
                value = parse_share(raw, maximum=math.inf)
            else:
                value = parse_number(raw)
        except QuantityError as exc:
            raise CatalogError(Problem(exc.problems[0].message, f"prices.{raw_key}")) from None
        if key.startswith("reserved_discount.") and value >= 1:
            raise CatalogError(Problem(f"found {raw!r}, expected a discount below 1 (100%)", f"prices.{raw_key}"))
        if key.endswith(".peak_tflops") and value <= 0:
            raise CatalogError(Problem(f"found {raw!r}, expected a peak above 0 TFLOP/s", f"prices.{raw_key}"))
        return value

    def _canonical_key(self, raw_key: Any) -> tuple[str, str]:
        """(canonical key, unit) of an override key; UnknownNameError listing close keys otherwise."""
        d = self._d
        key = str(raw_key).strip()
        e = d.entries.get(key)
        if e is not None:
            return key, e.unit
        lowered = {k.lower(): k for k in d.entries}
        if key.lower() in lowered:
            k = lowered[key.lower()]
            return k, d.entries[k].unit
        resolved, hint = self._parse_key(key)
        if resolved is not None:
            return resolved
        raise RankedUnknownNameError("price key", key, closest(self._probe(key), d.known_keys()), hint=hint)

    def _probe(self, key: str) -> str:
        """``key`` with the parts that resolve replaced by their canonical names (to rank suggestions)."""
        parts = key.split(".")
        head = parts[0].lower()
        resolvers = {"gpu": (None, self.resolve_gpu, self.resolve_provider, self._pricing),
                     "storage": (None, self.resolve_provider), "egress": (None, self.resolve_provider),
                     "mlops": (None, self.resolve_provider), "reserved_discount": (None, self.resolve_provider)}
        out = [head if head in resolvers else parts[0]]
        for i, part in enumerate(parts[1:], start=1):
            fn = resolvers.get(head, ())[i] if i < len(resolvers.get(head, ())) else None
            try:
                out.append(fn(part) if fn else part)
            except UnknownNameError:
                out.append(part)
        return ".".join(out)

    def _parse_key(self, key: str) -> tuple[tuple[str, str] | None, str]:
        d = self._d
        head, _, rest = key.partition(".")
        head = head.lower()
        try:
            if head == "gpu":
                gpu_part, _, tail = rest.partition(".")
                g = self.resolve_gpu(gpu_part)
                tail_parts = tail.split(".")
                if len(tail_parts) == 1 and tail_parts[0].lower() == "peak_tflops":
                    return (f"gpu.{g}.peak_tflops", d.gpus[g].peak_unit), ""
                if len(tail_parts) == 2:
                    p = self.resolve_provider(tail_parts[0])
                    how = self._pricing(tail_parts[1])
                    if how not in d.providers[p].pricing:
                        return None, f"{p} sells only {', '.join(d.providers[p].pricing)}"
                    return (f"gpu.{g}.{p}.{how}", _UNIT["gpu"]), ""
                return None, "GPU keys are gpu.<GPU>.<provider>.<pricing> or gpu.<GPU>.peak_tflops"
            parts = rest.split(".")
            if head in ("storage", "egress") and len(parts) == 2:
                p = self.resolve_provider(parts[0])
                if head == "storage":
                    return (f"storage.{p}.{self._storage_tier(p, parts[1])}", _UNIT["storage"]), ""
                return (f"egress.{p}.{self._egress_kind(p, parts[1])}", _UNIT["egress"]), ""
            if head == "platform" and len(parts) == 1:
                return (f"platform.{self._platform(parts[0])}", _UNIT["platform"]), ""
            if head == "annotation" and len(parts) == 1:
                t = self._task(parts[0])
                return (f"annotation.{t}", d.entries[f"annotation.{t}"].unit), ""
            if head == "mlops" and len(parts) == 2:
                p = ANY_PROVIDER if _norm(parts[0]) == ANY_PROVIDER else self.resolve_provider(parts[0])
                k = self._mlops_kind(parts[1])
                return (f"mlops.{p}.{k}", d.mlops_unit[k]), ""
            if head == "reserved_discount" and len(parts) == 1:
                return (f"reserved_discount.{self.resolve_provider(parts[0])}", _UNIT["reserved_discount"]), ""
        except UnknownNameError as exc:
            return None, str(exc.problems[0].message)
        return None, ""
