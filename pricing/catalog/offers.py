"""Commitment offers (commitments.yaml next to the catalog's files): what a provider sells, and the file's reader.

Read by the commitment planner (``pricing.commitments``) and by the engine's commitments driver
(``pricing.drivers.commitments``), which prices a plan's ``commitments:`` at these offers. Not one of the
catalog's price files (``CATALOG_FILES``): a plan without commitments never reads it.
"""
from __future__ import annotations

import functools
import math
import pathlib
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping

from pricing import userfiles
from pricing.catalog.reader import MAX_BYTES, default_directory, line_of, read_yaml
from pricing.catalog.values import PriceSource, parse_as_of
from pricing.errors import CatalogError, Problem


class Kind(Enum):
    """What sort of commitment an offer is."""

    RESERVED_INSTANCE = "reserved_instance"   # AWS RI, Azure reservation: an instance type for a term
    SAVINGS_PLAN = "savings_plan"             # AWS Savings Plan: a USD/hour spend commitment
    CUD = "cud"                               # Google Cloud committed use discount
    RESERVED_CONTRACT = "reserved_contract"   # a GPU cloud's reserved capacity contract


class Upfront(Enum):
    """How the term is paid."""

    NONE = "none"          # every month of the term
    PARTIAL = "partial"    # part at purchase, the rest monthly
    ALL = "all"            # the whole term at purchase


@dataclass(frozen=True, slots=True)
class Offer:
    """One commitment offer of a provider, with its source (or the reason it is a gap)."""

    key: str
    """``aws.p5.48xlarge.ri_standard.3y.all_upfront``."""
    provider: str
    kind: Kind
    offering_class: str
    gpu: str
    """Catalog GPU key covered (``any`` for a spend commitment across families)."""
    instance: str
    gpus_per_instance: int
    """GPUs in one unit of the commitment: commitments are bought in these steps."""
    region: str
    term_months: int
    upfront: Upfront
    on_demand: float | None
    """USD per instance-hour on demand in the offer's source (the base of its discount)."""
    effective_rate: float | None
    """USD per instance-hour over the term, upfront included; None for a gap."""
    upfront_share: float | None
    """Share of the term's total paid at purchase; None when the source does not split it."""
    source: Any
    """``pricing.catalog.PriceSource`` of the figure."""
    gap: str = ""
    """Why the offer has no rate, when it has none."""

    @property
    def discount(self) -> float | None:
        """Fraction off on-demand of the effective rate (applied to the plan's own on-demand price)."""
        if self.effective_rate is None or not self.on_demand:
            return None
        return 1.0 - self.effective_rate / self.on_demand

    @property
    def label(self) -> str:
        years = f"{self.term_months // 12}y" if self.term_months % 12 == 0 else f"{self.term_months}m"
        cls = f" {self.offering_class}" if self.offering_class else ""
        kind = self.kind.value.replace("_", " ")
        return f"{self.provider} {self.instance}{cls} {kind} {years} {self.upfront.value} upfront"


# ---------------------------------------------------------------------------------------------
# Reading resources/catalog/commitments.yaml
# ---------------------------------------------------------------------------------------------

_FIELDS = {"provider", "kind", "offering_class", "gpu", "instance", "gpus_per_instance", "region", "term_months",
           "upfront", "on_demand", "effective_rate", "upfront_share", "source", "as_of", "confidence", "gap",
           "rate_key", "notes"}
_REQUIRED = ("provider", "kind", "gpu", "instance", "gpus_per_instance", "term_months", "upfront", "source", "as_of")


FILE = "commitments.yaml"


def default_path() -> pathlib.Path:
    return default_directory() / FILE


def read_offers(path: str | pathlib.Path | None = None) -> tuple[tuple[Offer, ...], tuple[Problem, ...]]:
    """Every offer of a commitments file, and every problem found in it (file, line, key path, expected).

    Read with the catalog's YAML-with-lines reader (``catalog.reader.read_yaml``): a problem is reported at
    the line of its key, or of the offer that lacks it."""
    path = pathlib.Path(path) if path is not None else default_path()
    file = str(path)
    problems: list[Problem] = []
    lines: dict[str, int] = {}

    def bad(key_path: str, message: str) -> None:
        problems.append(Problem(message, key_path, line_of(lines, key_path), file))

    try:
        text = userfiles.read_text(path, MAX_BYTES)  # a regular file, read to a cap
    except (OSError, UnicodeDecodeError) as exc:
        return (), (Problem(f"cannot read the commitments file: {getattr(exc, 'strerror', None) or exc}", "", None,
                            file),)
    try:
        doc, lines, found = read_yaml(text, file)
    except CatalogError as exc:
        return (), tuple(exc.problems)
    problems.extend(found)
    if not isinstance(doc, dict) or not isinstance(doc.get("offers"), dict):
        return (), tuple(problems) + (Problem("expected a mapping with an 'offers:' mapping of offers by key",
                                              "offers", line_of(lines, "offers"), file),)
    out: list[Offer] = []
    for key, raw in doc["offers"].items():
        kp = f"offers.{key}"
        if not isinstance(raw, dict):
            bad(kp, f"found {type(raw).__name__}, expected a mapping of the offer's fields")
            continue
        before = len(problems)
        extra = sorted(set(map(str, raw)) - _FIELDS)
        if extra:
            bad(kp, f"unknown field(s) {', '.join(extra)}; known: {', '.join(sorted(_FIELDS))}")
        for f in _REQUIRED:
            if raw.get(f) in (None, ""):
                bad(f"{kp}.{f}", f"missing {f}")
        kind = _enum(Kind, raw.get("kind"), f"{kp}.kind", bad)
        upfront = _enum(Upfront, raw.get("upfront"), f"{kp}.upfront", bad)
        term = raw.get("term_months")
        if term is not None and (isinstance(term, bool) or not isinstance(term, int) or term not in (12, 36)):
            bad(f"{kp}.term_months", f"found {term!r}, expected 12 or 36 (months)")
        gpi = raw.get("gpus_per_instance")
        if gpi is not None and (isinstance(gpi, bool) or not isinstance(gpi, int) or gpi < 1):
            bad(f"{kp}.gpus_per_instance", f"found {gpi!r}, expected a whole number of at least 1")
        od = _number(raw.get("on_demand"), f"{kp}.on_demand", bad, allow_none=True)
        rate = _number(raw.get("effective_rate"), f"{kp}.effective_rate", bad, allow_none=True)
        share = _number(raw.get("upfront_share"), f"{kp}.upfront_share", bad, allow_none=True)
        gap = raw.get("gap") or ""
        if rate is None and not (isinstance(gap, str) and gap.strip()):
            bad(kp, "has no effective_rate: give effective_rate (USD per instance-hour), or effective_rate: null "
                    "with gap: <why>")
        if rate is not None:
            if gap:
                bad(f"{kp}.gap", "an offer with an effective_rate cannot also be a gap")
            if od is None:
                bad(f"{kp}.on_demand", "an offer with an effective_rate needs the on-demand rate it is measured "
                                       "against (USD per instance-hour, same source and region)")
            elif rate > od:
                bad(f"{kp}.effective_rate", f"found {rate:g}, above the on-demand rate {od:g}: a commitment "
                                            "that costs more than on demand is a typo")
        if share is not None and share > 1:
            bad(f"{kp}.upfront_share", f"found {share:g}, expected a share from 0 to 1")
        if upfront is Upfront.NONE and share not in (None, 0.0):
            bad(f"{kp}.upfront_share", "a no-upfront offer pays nothing upfront: expected 0")
        if upfront is Upfront.ALL and share not in (None, 1.0):
            bad(f"{kp}.upfront_share", "an all-upfront offer pays the whole term upfront: expected 1")
        if len(problems) > before:
            continue
        if share is None and upfront is not Upfront.PARTIAL:
            share = 0.0 if upfront is Upfront.NONE else 1.0
        as_of = str(raw.get("as_of"))
        src = PriceSource(f"commitment.{key}", str(raw.get("source")), as_of, parse_as_of(as_of),
                          "gap" if rate is None else str(raw.get("confidence") or "verified_secondary"),
                          str(raw.get("notes") or (f"rate: {raw['rate_key']}" if raw.get("rate_key") else "")))
        out.append(Offer(str(key), str(raw["provider"]).lower(), kind, str(raw.get("offering_class") or ""),
                         str(raw["gpu"]), str(raw["instance"]), int(gpi), str(raw.get("region") or ""), int(term),
                         upfront, od, rate, share, src, gap.strip() if isinstance(gap, str) else ""))
    return tuple(out), tuple(problems)


def load_offers(path: str | pathlib.Path | None = None) -> tuple[Offer, ...]:
    """The offers of a commitments file; CatalogError listing every bad entry when any is wrong."""
    offers, problems = read_offers(path)
    if problems:
        raise CatalogError(problems)
    return offers


def _enum(cls: type[Enum], value: Any, key_path: str, bad: Any) -> Any:
    if value is None:
        return None
    for m in cls:
        if m.value == str(value).lower():
            return m
    bad(key_path, f"found {value!r}, expected one of {', '.join(m.value for m in cls)}")
    return None


def _number(value: Any, key_path: str, bad: Any, *, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        bad(key_path, f"found {value!r}, expected a number of at least 0")
        return None
    return float(value)


def path_of(catalog: Any) -> pathlib.Path:
    """The offers file of a catalog: ``commitments.yaml`` in its directory, else the shipped one (a test catalog
    directory need not carry offers)."""
    own = pathlib.Path(catalog.directory) / FILE
    return own if own.is_file() else default_path()


def catalog_offers(catalog: Any) -> Mapping[str, Offer]:
    """The offers of ``catalog``'s offers file by key (``path_of``); CatalogError listing every bad entry.

    Parsed once per file and version (its modification time and size), as ``Catalog.load`` keeps the
    catalog: the engine asks for them on every projection of a plan with commitments."""
    path = path_of(catalog).resolve()
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (None, None)
    return _offers(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _offers(path: str, stamp: tuple) -> Mapping[str, Offer]:
    return MappingProxyType({o.key: o for o in load_offers(path)})
