"""What a field spec is (kind, unit, limits, typical range, label, help); how a raw value of a kind is read, shown."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from pricing import currencies
from pricing import plan as P
from pricing.errors import PlanError, closest, shorten
from pricing.fields import units as U
from pricing.fields.units import Unit
from pricing.quantities import (format_number, format_share, found, parse_data_size, parse_number, parse_quantity,
                                parse_share, size_unit)


class Kind(Enum):
    """What kind of value a field holds, which says how it is read, written, edited and shown."""

    TEXT = "text"                # free text, never empty (names of lines and plans)
    NAME = "name"                # a name from a list (catalog GPU, tier, provider, model...): ``names`` says which
    AMOUNT = "amount"            # a number, fractions allowed (2M, 1.5k, 0.06)
    INTEGER = "integer"          # a whole number (GPUs, people, months between runs)
    SHARE = "share"              # a fraction written 35% or 0.35
    FACTOR = "factor"            # a multiplier above 1 (1.6 = 60% more)
    MONTH = "month"              # a month of the plan, 1-based (1 = the plan's first month)
    YEAR_MONTH = "year_month"    # a calendar month (2027-01)
    CURRENCY = "currency"        # a 3-letter ISO 4217 code
    ENUM = "enum"                # one of a closed set of values (``choices``)
    NAMES = "names"              # a list of names (closed when ``choices`` is given)
    RULES = "rules"              # storage lifecycle rules [{after_days: N, tier: NAME}]
    SAMPLE = "sample"            # a sample text or file whose tokens are counted (read by the plan-file reader)
    FLAG = "flag"                # true or false
    WORK_UNIT = "work_unit"      # the plan's unit of work: {name: ticket, line: NAME} or {name: ticket, per_month: N}


NUMERIC_KINDS = frozenset({Kind.AMOUNT, Kind.INTEGER, Kind.SHARE, Kind.FACTOR, Kind.MONTH})


class NameList(Enum):
    """Where the names of a NAME field come from (the editors offer them; the checks test them)."""

    GPU = "gpu"                          # GPU keys of the catalog (H100-80GB, L4...)
    PROVIDER = "provider"                # clouds of the catalog (aws, gcp, azure...)
    STORAGE_TIER = "storage tier"        # storage tiers of the line's provider in the catalog
    STORAGE_KIND = "storage kind"        # what stored data is (open list: the suggestions are ``choices``)
    PLATFORM = "platform"                # managed ML platforms of the catalog
    ANNOTATION_TASK = "annotation task"  # labelling tasks of the catalog
    MLOPS_KIND = "mlops kind"            # MLOps unit kinds of the line's provider in the catalog
    API_PROVIDER = "api provider"        # model API providers of genai-prices
    API_MODEL = "model"                  # models of genai-prices
    LINE = "line"                        # names of the plan's own lines
    OFFER = "commitment offer"           # commitment offers of the catalog (commitments.yaml)
    MODEL_FAMILY = "model family"        # model families of resources/catalog/models.yaml


NAME_LISTS: dict[NameList, str] = {
    NameList.GPU: "a catalog GPU key or alias (`aicost catalog gpus`)",
    NameList.PROVIDER: "a cloud of the catalog (aws, gcp, azure, lambda, nebius, runpod)",
    NameList.STORAGE_TIER: "a storage tier of the provider (`aicost catalog storage`)",
    NameList.STORAGE_KIND: "any name",
    NameList.PLATFORM: "a managed platform of the catalog (sagemaker, vertex...)",
    NameList.ANNOTATION_TASK: "a labelling task of the catalog (`aicost catalog annotation`)",
    NameList.MLOPS_KIND: "an MLOps kind of the catalog (`aicost catalog mlops`)",
    NameList.API_PROVIDER: "a genai-prices provider (openai, anthropic, google...)",
    NameList.API_MODEL: "a genai-prices model id (`aicost catalog apis --search gpt`)",
    NameList.LINE: "names of the plan's lines",
    NameList.OFFER: "an offer key of the catalog's commitments.yaml (`aicost commitments PLAN` lists them)",
    NameList.MODEL_FAMILY: "a model family of the catalog (resources/catalog/models.yaml) such as llama-3.1-70b",
}
"""What the names of each list are, in words (docs, messages)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What a value may be; anything outside is refused (by the plan-file reader and the editors alike)."""

    minimum: float | None = 0.0
    """Smallest value (None: no lower bound); for NAMES, the fewest names."""
    maximum: float | None = None
    """Largest value (None: no upper bound; shares default to 100%)."""
    allow_zero: bool = True


@dataclass(frozen=True, slots=True)
class Typical:
    """What is plausible for a field: a value far outside is flagged before it moves the headline."""

    low: float
    high: float
    why: str
    """Where the range comes from (hardware, published runs, price lists)."""
    usd: bool = False
    """An amount of money in USD: for a plan in another currency it is scaled by the plan's exchange rate."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One value of a closed set, as written in the file and as shown to users."""

    value: Any
    """The value in the plan (an Enum member, or the text itself)."""
    text: str
    """As written in the plan file (``on_demand``)."""
    label: str
    """As shown in forms and reports (``on demand``)."""
    help: str = ""


def enum_choices(cls: type[enum.Enum], labels: Mapping[Any, str] | None = None) -> tuple[Choice, ...]:
    """Choices of an Enum, labelled by ``labels`` (default: the value with spaces)."""
    return tuple(Choice(m, m.value, (labels or {}).get(m, m.value.replace("_", " "))) for m in cls)


def text_choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    """Choices whose value is their text: (text, label) pairs."""
    return tuple(Choice(text, text, label) for text, label in pairs)


class _Computed:
    """The default of a field computed when a plan is made (the plan's start: this month)."""

    def __repr__(self) -> str:
        return "COMPUTED"


COMPUTED: Any = _Computed()
"""``FieldSpec.default`` of a field whose default is computed (``Plan.start``: the current month)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the plan (or one parameter of a savings strategy): everything every reader of it needs."""

    key: str
    """YAML key = dataclass attribute (``gpus_per_instance``)."""
    kind: Kind
    label: str
    """User words, with the unit where a number needs one: ``New data (TB/month)``; ``{cur}`` is the plan's
    currency."""
    help: str
    """What the field means and how it drives cost (tooltips, docs)."""
    unit: Unit | None = None
    limits: Limits = Limits()
    typical: Typical | None = None
    rangeable: bool = False
    """May be written as a range (low/likely/high) for Monte Carlo and the tornado."""
    required: bool = False
    default: Any = None
    """The dataclass default (``COMPUTED`` when computed); ``None`` for a field that may be empty."""
    none_means: str = ""
    """What an empty value means ("once", "horizon", "no cap"); empty when the field cannot be empty."""
    choices: tuple[Choice, ...] = ()
    """The values of an ENUM or a closed NAMES field; suggestions for an open NAME list."""
    names: NameList | None = None
    """Where a NAME or NAMES field's names come from."""
    example: str = ""
    """What a value looks like, in words ("a share such as 30%"): error messages, tooltips, first values."""
    source: str = ""
    """Where the default comes from (a published figure, a catalog lever, the engine's default)."""
    lever: str | None = None
    """Catalog lever (levers.yaml) whose value replaces ``default`` when the catalog has it."""
    swings: bool = False
    """An ENUM the tornado moves to its neighbouring choices (``choices`` are in order): its low is the next choice,
    its high the one before (serving precision: bf16, fp8, fp4, int4 in bytes per weight)."""

    # -- what it is ------------------------------------------------------------------------------

    @property
    def integer(self) -> bool:
        """Whole numbers only (sampled values are rounded)."""
        return self.kind in (Kind.INTEGER, Kind.MONTH)

    @property
    def share(self) -> bool:
        return self.kind is Kind.SHARE

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def optional(self) -> bool:
        """May be empty (``None``); ``none_means`` says what that means."""
        return bool(self.none_means)

    @property
    def maximum(self) -> float | None:
        """The largest value (shares: 100% unless the limits say otherwise)."""
        if self.limits.maximum is None and self.kind is Kind.SHARE:
            return 1.0
        return self.limits.maximum

    def label_for(self, currency: str = "USD") -> str:
        return self.label.replace("{cur}", currency)

    def choice(self, value: Any) -> Choice | None:
        return next((c for c in self.choices if c.value == value or c.text == value), None)

    # -- reading -------------------------------------------------------------------------------

    def read(self, raw: Any, *, currency: str | None = None) -> Any:
        """The plan value of a raw value (from YAML, or text typed in an editor); raises PlanError saying what
        is expected. One reader for the plan file, the scenarios and the editors: their messages agree.

        Numbers may be typed with a unit the field's unit converts from (``100 GB`` in a TB field is 0.1,
        ``$2.5/h``, ``3 weeks`` in days: ``pricing.fields.units.in_unit``) and as simple arithmetic
        (``2*0.3*160``: ``pricing.quantities.parse_quantity``). Money typed with a sign or code must be in
        ``currency`` (the plan's) when it is given."""
        if self.kind in _UNIT_READERS and isinstance(raw, str):
            return _UNIT_READERS[self.kind](self, raw, currency)
        return _READERS[self.kind](self, raw)

    # -- showing -------------------------------------------------------------------------------

    def text(self, value: Any) -> str:
        """A value for reading (reports, comparisons, tornado): ``35%``, ``1.2M``, ``on demand``, ``—``."""
        if value is None:
            return self.none_means or "—"
        if isinstance(value, P.Range):
            spread = f" ± {share_text(value.spread)}" if value.spread is not None else ""
            return f"{self.text(value.likely)}{spread} (range {self.text(value.low)} – {self.text(value.high)})"
        return value_text(value, share=self.share, integer=self.integer)

    def unusual(self, value: float | None, *, currency: str = "USD", fx_rate: float = 1.0) -> str | None:
        """Why a value is far outside what is plausible for the field (None when it is within).

        Typical money amounts are in USD: ``fx_rate`` (units of the plan's currency per USD) scales them."""
        t = self.typical
        if t is None or value is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        scale = fx_rate if t.usd else 1.0
        low, high = t.low * scale, t.high * scale
        if low <= value <= high:
            return None
        side = "high" if value > high else "low"
        return (f"{self.text(value)} is unusually {side} for {self.label_for(currency)}: typically "
                f"{self.text(low)} to {self.text(high)} ({t.why})")


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """A section of the plan (a list of lines, the platform, or the plan's own settings) and its fields."""

    path: str
    """Key path: ``compute.training``, ``services.platform``; ``""`` for the plan's settings."""
    title: str
    """How the section is titled (tree, reports): ``Model APIs``."""
    noun: str
    """What one of its lines is called (menus, undo texts): ``API line``."""
    cls: type
    """The dataclass of its lines (``Plan`` for the settings)."""
    fields: tuple[FieldSpec, ...]
    """In plan-file order (the order a save writes them)."""
    help: str = ""

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.path or 'plan'} has no field {key!r}")

    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def has(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)


# ---------------------------------------------------------------------------------------------
# Value texts
# ---------------------------------------------------------------------------------------------


def number_text(value: float) -> str:
    """A number as plans write it, exactly: ``1.2M``, ``20k``, ``2,400``, ``0.06``."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        if abs(v) >= 10_000:  # the largest suffix, when three decimals of it are exact: 1.2M, 840k (not 1234.57k)
            suffix, mult = next((s, m) for s, m in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3))
                                if abs(v) >= m)
            if int(v) % (mult // 1000) == 0:
                return f"{int(v) / mult:g}{suffix}"
        return f"{int(v):,}"
    return f"{v:,.10g}"


def share_text(value: float) -> str:
    """``35%`` (as many decimals as the value needs, up to 4)."""
    return f"{float(value) * 100:.4f}".rstrip("0").rstrip(".") + "%"


def value_text(value: Any, *, share: bool = False, integer: bool = False) -> str:
    """A value of any kind for reading; ``share`` shows numbers as percentages, ``integer`` as whole numbers."""
    if value is None:
        return "—"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, P.WorkUnit):
        return work_unit_text(value)
    if isinstance(value, P.Sample):
        where = f"file {value.path}" if value.path else "inline text"
        how = "exact" if value.exact else f"approximate: {value.reason}" if value.reason else "approximate"
        return f"{where} ({value.tokens:,} tokens, {value.encoding or 'no encoding'}, {how})"
    if isinstance(value, tuple) and value and isinstance(value[0], P.LifecycleRule):
        return "; ".join(f"after {number_text(r.after_days)} days to {r.tier}" for r in value)
    if isinstance(value, tuple):
        return ", ".join(value_text(v, share=share, integer=integer) for v in value) if value else "—"
    if isinstance(value, (int, float)):
        if share:
            return share_text(value)
        return number_text(round(value) if integer else value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Readers: raw value (YAML, or text typed in a form) -> plan value, by kind
# ---------------------------------------------------------------------------------------------


def describe(value: Any) -> str:
    """A raw value in a message: ``nothing``, ``a mapping``, ``a list``, or the value itself."""
    if value is None:
        return "nothing"
    if is_mapping(value):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bytes):
        return f"binary data ({len(value):,} bytes)"
    return shorten(value)


def is_mapping(v: Any) -> bool:
    """A YAML mapping, as read (a dict) or as a scenario freezes it (a tuple of (key, value) pairs)."""
    if isinstance(v, Mapping):
        return True
    return (isinstance(v, tuple) and len(v) > 0
            and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in v))


def as_dict(v: Any) -> dict[str, Any]:
    return dict(v.items()) if isinstance(v, Mapping) else dict(v)


def _text(spec: FieldSpec, v: Any) -> str:
    if v is None or isinstance(v, (bool, list, tuple, dict)) or is_mapping(v):
        raise PlanError(f"found {describe(v)}, expected text")
    s = str(v).strip()
    if not s:
        raise PlanError("found empty text, expected a name")
    return s


_LOWERCASE = frozenset({NameList.PROVIDER, NameList.API_PROVIDER})
"""Provider ids are lower case (the catalog's and genai-prices'): ``AWS`` means ``aws``."""


def _name(spec: FieldSpec, v: Any) -> str:
    s = _text(spec, v)
    return s.lower() if spec.names in _LOWERCASE else s


def _typed(spec: FieldSpec, text: str, currency: str | None) -> float | str:
    """A number typed with its unit, in the field's unit (a number), or the text itself when it is plain.

    A data size (``800 GB``, ``10 TiB/month``, or text that is no number at all) in a data field is left as text
    for ``quantities.parse_data_size``: one reader of sizes, in plan files and in the editor alike."""
    data = spec.unit is not None and spec.unit.dimension is U.Dimension.DATA
    if data and size_unit(text) is not None:
        return text
    try:
        q = parse_quantity(text)
    except PlanError:
        if data:
            return text  # parse_data_size says what a size looks like
        raise
    if data and q.unit and q.unit.upper().endswith("B"):  # an unknown size unit (ZB): parse_data_size names it
        return text
    if q.percent:
        return text  # the number reader says a percentage is not a number here
    if not q.unit or q.unit == "$" and currency is None:  # "$1.5k": plans have always allowed a dollar sign
        if spec.unit is not None and spec.unit.dimension is U.Dimension.DATA and set(q.suffixes) & set("GTB"):
            raise PlanError(f"found {text.strip()!r}: {q.suffixes[-1]} is read as a multiplier (a billion, a "
                            f"trillion) of {spec.unit.text}; write the data size with its unit, such as 100 GB "
                            f"or 2 TB")
        return format_number(q.value)
    try:
        return format_number(U.in_unit(q.value, q.unit, spec.unit, currency=currency))
    except ValueError as exc:
        raise PlanError(f"found {text.strip()!r}: {exc}") from None


def _shown(text: str, number: Any) -> str:
    return text.strip() if not isinstance(number, (int, float)) else f"{text.strip()} (= {number_text(number)})"


def _amount_typed(spec: FieldSpec, text: str, currency: str | None) -> float:
    return _with_text(_amount, spec, text, currency)


def _integer_typed(spec: FieldSpec, text: str, currency: str | None) -> int:
    return _with_text(_integer, spec, text, currency)


def _factor_typed(spec: FieldSpec, text: str, currency: str | None) -> float:
    return _with_text(_factor, spec, text, currency)


def _with_text(reader: Callable[[FieldSpec, Any], Any], spec: FieldSpec, text: str, currency: str | None) -> Any:
    """Read typed text through the number reader, messages quoting what was typed (``100 GB (= 0.1)``)."""
    number = _typed(spec, text, currency)
    if isinstance(number, str):
        return reader(spec, number)
    try:
        return reader(spec, number)
    except PlanError as exc:
        message = exc.problems[0].message
        found_number = f"found {number!r}"
        if message.startswith(found_number):
            plain = text.strip() == str(number)
            message = f"found {text.strip() if plain else _shown(text, number)}" + message[len(found_number):]
        raise PlanError(message) from None


def _amount(spec: FieldSpec, v: Any) -> float:
    lim = spec.limits
    if spec.unit is not None and spec.unit.dimension is U.Dimension.DATA:  # a size may carry its unit: 800 GB, 10 TiB
        return parse_data_size(v, unit_bytes=spec.unit.of.scale, unit=spec.unit.text.split("/")[0],
                               minimum=lim.minimum, allow_zero=lim.allow_zero, maximum=lim.maximum)
    return parse_number(v, minimum=lim.minimum, allow_zero=lim.allow_zero, maximum=lim.maximum)


def _integer(spec: FieldSpec, v: Any) -> int:
    lim = spec.limits
    return int(parse_number(v, minimum=lim.minimum, allow_zero=lim.allow_zero, maximum=lim.maximum, integer=True))


def _share(spec: FieldSpec, v: Any) -> float:
    share = parse_share(v, maximum=spec.maximum if spec.maximum is not None else 1.0,
                        allow_zero=spec.limits.allow_zero)
    if spec.limits.minimum and share < spec.limits.minimum:
        raise PlanError(f"found {_found(v)}, expected at least {share_text(spec.limits.minimum)}")
    return share


def _factor(spec: FieldSpec, v: Any) -> float:
    x = parse_number(v, allow_zero=False, maximum=spec.limits.maximum)
    if x <= 1.0:
        such = f" such as {spec.example.rsplit(' ', 1)[-1]}" if spec.example else ""
        raise PlanError(f"found {shorten(v)}, expected a factor above 1{such} (1.6 = 60% more)")
    return x


def _found(v: Any) -> str:
    return found(v)


def _year_month(spec: FieldSpec, v: Any) -> P.YearMonth:
    if isinstance(v, _dt.date):
        year, month = v.year, v.month
    elif isinstance(v, str):
        parts = v.strip().split("-")
        if not (len(parts) in (2, 3) and len(parts[0]) == 4 and all(p.isdigit() and p.isascii() for p in parts)):
            raise PlanError(f"found {found(v)}, expected a month such as 2027-01")
        year, month = int(parts[0]), int(parts[1])
        try:
            _dt.date(year, month, int(parts[2]) if len(parts) == 3 else 1)
        except ValueError:
            raise PlanError(f"found {found(v)}, which is not a real month; expected a month such as 2027-01") \
                from None
    else:
        raise PlanError(f"found {describe(v)}, expected a month such as 2027-01")
    low, high = spec.limits.minimum, spec.limits.maximum  # years (MIN_YEAR, MAX_YEAR for the plan's start)
    if (low is not None and year < low) or (high is not None and year > high):
        raise PlanError(f"found {found(v) if not isinstance(v, _dt.date) else v.isoformat()}, expected a month "
                        f"from {int(low or 1)}-01 to {int(high or 9999)}-12")
    return P.YearMonth(year, month)


def _currency(spec: FieldSpec, v: Any) -> str:
    """A code of the one currency table (pricing.currencies), or any ISO 4217-shaped code (the plan pins fx_rate)."""
    try:
        return currencies.iso_code(_text(spec, v))
    except PlanError:
        raise PlanError(f"found {shorten(v)}, expected a 3-letter currency code such as USD, EUR, GBP") from None


def _enum(spec: FieldSpec, v: Any) -> Any:
    text = v.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(v, str) else v
    for c in spec.choices:
        if c.text == text or (c.value == v and not isinstance(v, str)):
            return c.value
    known = [c.text for c in spec.choices]
    sugg = closest(str(v), known, n=2) if isinstance(v, str) else []
    hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
    raise PlanError(f"found {describe(v)}, expected one of {', '.join(known)}{hint}")


def _names(spec: FieldSpec, v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = (v,)
    if not isinstance(v, (list, tuple)) or is_mapping(v) or not all(isinstance(x, str) and x.strip() for x in v):
        raise PlanError(f"found {describe(v)}, expected {spec.example or 'a list of names'}")
    names = tuple(dict.fromkeys(x.strip() for x in v))
    if spec.limits.minimum and len(names) < spec.limits.minimum:
        raise PlanError(f"found {describe(v)}, expected {spec.example or 'a list of names'}")
    if spec.choices and spec.names is None:  # a closed list: every name must be one of them
        known = [c.text for c in spec.choices]
        for n in names:
            if n not in known:
                sugg = closest(n, known, n=2)
                hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
                raise PlanError(f"found {shorten(n)}{hint}; "
                                f"expected {spec.example or 'names among ' + ', '.join(known)}")
    return names


_RULE_SHAPE = "{after_days: N, tier: NAME}"


def _rule(v: Any, where: str) -> P.LifecycleRule:
    if not is_mapping(v) or set(as_dict(v)) != {"after_days", "tier"}:
        raise PlanError(f"{where}found {describe(v)}, expected {_RULE_SHAPE}")
    m = as_dict(v)
    try:
        return P.LifecycleRule(RULE_FIELDS[0].read(m["after_days"]), RULE_FIELDS[1].read(m["tier"]))
    except PlanError as exc:
        raise PlanError(f"{where}{exc.problems[0].message}") from None


def _rules(spec: FieldSpec, v: Any) -> tuple[P.LifecycleRule, ...]:
    """A list of {after_days, tier} (or one of them), in order of age (sorted: the order written doesn't matter)."""
    if is_mapping(v):
        v = (v,)
    if not isinstance(v, (list, tuple)) or (not v and spec.limits.minimum):
        raise PlanError(f"found {describe(v)}, expected a list of rules such as "
                        "[{after_days: 30, tier: infrequent}, {after_days: 180, tier: archive}]")
    rules = [_rule(r, f"rule {i + 1}: ") for i, r in enumerate(v)]
    days = [r.after_days for r in rules]
    if len(set(days)) != len(days):
        raise PlanError("two rules have the same after_days")
    return tuple(sorted(rules, key=lambda r: r.after_days))


def _flag(spec: FieldSpec, v: Any) -> bool:
    if not isinstance(v, bool):
        raise PlanError(f"found {describe(v)}, expected true or false")
    return v


_UNIT_SHAPE = "{name: ticket, line: <API or inference line>} or {name: ticket, per_month: 100k, growth: 5%}"
_UNIT_TEXT = re.compile(r"^\s*(?P<name>[^:]+?)\s*:\s*(?P<rest>.+?)\s*$")
_PER_MONTH = re.compile(r"^(?P<n>\S+)\s*(?:/\s*month|a month|per month)"
                        r"(?:\s*\+\s*(?P<g>\S+%)\s*(?:/\s*month|a month)?)?$")


def _work_unit(spec: FieldSpec, v: Any) -> P.WorkUnit:
    """``{name, line}`` / ``{name, per_month[, growth]}``, or as typed in the editor: ``ticket: Answer generation``,
    ``ticket: 100k/month`` (``+ 5%/month`` for growth)."""
    if isinstance(v, str):
        m = _UNIT_TEXT.match(v)
        if not m:
            raise PlanError(f"found {v!r}, expected 'ticket: <line name>' or 'ticket: 100k/month'")
        rest = m["rest"]
        pm = _PER_MONTH.match(rest)
        v = ({"name": m["name"], "per_month": pm["n"], **({"growth": pm["g"]} if pm["g"] else {})} if pm
             else {"name": m["name"], "line": rest})
    if not is_mapping(v):
        raise PlanError(f"found {describe(v)}, expected {_UNIT_SHAPE}")
    d = as_dict(v)
    extra = set(d) - {"name", "line", "per_month", "growth"}
    if extra or "name" not in d or ("line" in d) == ("per_month" in d) or ("growth" in d and "line" in d):
        raise PlanError(f"found {describe(v)}, expected {_UNIT_SHAPE}")
    name = _text(spec, d["name"])
    if "line" in d:
        return P.WorkUnit(name, line=_text(spec, d["line"]))
    per_month = parse_number(d["per_month"], allow_zero=False)
    growth = parse_share(d.get("growth", 0.0), maximum=10.0)
    return P.WorkUnit(name, per_month=per_month, growth=growth)


def work_unit_text(u: P.WorkUnit) -> str:
    """A unit of work as the editor shows and reads it back: ``ticket: Answer generation``, ``ticket: 100k/month``."""
    if u.line is not None:
        return f"{u.name}: {u.line}"
    grow = f" + {share_text(u.growth)}/month" if u.growth else ""
    return f"{u.name}: {number_text(u.per_month).replace(',', '')}/month{grow}"


def _sample(spec: FieldSpec, v: Any) -> Any:
    raise PlanError("a sample is read by the plan-file reader (it may name a file next to the plan)")


RULE_FIELDS: tuple[FieldSpec, ...] = (
    # No rule waits a century; archive tiers' minimum storage durations are 90 to 365 days (S3 Glacier Deep
    # Archive 180, GCS Archive 365), so rules fall between a month and a few years.
    FieldSpec("after_days", Kind.AMOUNT, "After (days)", "Age in days after which data moves to the tier.",
              unit=U.DAYS, limits=Limits(allow_zero=False, maximum=36_500), required=True,
              typical=Typical(7, 1825, "a week to five years: storage classes' minimum durations are 30-365 days"),
              example="a number of days such as 90"),
    FieldSpec("tier", Kind.NAME, "Tier", "The colder tier the data moves to.", names=NameList.STORAGE_TIER,
              required=True, example="a storage tier such as infrequent"),
)
"""The fields of one storage lifecycle rule (``{after_days: 90, tier: infrequent}``)."""


_UNIT_READERS: dict[Kind, Callable[[FieldSpec, str, str | None], Any]] = {
    Kind.AMOUNT: _amount_typed, Kind.INTEGER: _integer_typed, Kind.FACTOR: _factor_typed,
}
"""Kinds whose typed text may carry a unit and arithmetic (MONTH stays a plain month number)."""

_READERS: dict[Kind, Callable[[FieldSpec, Any], Any]] = {
    Kind.TEXT: _text, Kind.NAME: _name, Kind.AMOUNT: _amount, Kind.INTEGER: _integer, Kind.SHARE: _share,
    Kind.FACTOR: _factor, Kind.MONTH: _integer, Kind.YEAR_MONTH: _year_month, Kind.CURRENCY: _currency,
    Kind.ENUM: _enum, Kind.NAMES: _names, Kind.RULES: _rules, Kind.FLAG: _flag, Kind.SAMPLE: _sample,
    Kind.WORK_UNIT: _work_unit,
}


# ---------------------------------------------------------------------------------------------
# Writing: a plan value back to the plan file's YAML
# ---------------------------------------------------------------------------------------------


def yaml_value(spec: FieldSpec | None, value: Any) -> Any:
    """A plan value as the plan file writes it (shares as percentages that read back to the same float)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, P.WorkUnit):
        if value.line is not None:
            return {"name": value.name, "line": value.line}
        return {"name": value.name, "per_month": format_number(value.per_month),
                **({"growth": format_share(value.growth)} if value.growth else {})}
    if isinstance(value, tuple) and value and isinstance(value[0], P.LifecycleRule):
        return [{"after_days": format_number(x.after_days), "tier": x.tier} for x in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if spec is not None and spec.share:
        return format_share(value)
    return format_number(value)


def dataclass_default(cls: type, attr: str) -> Any:
    """The default of a dataclass field (``COMPUTED`` for a default factory; a KeyError when it has none)."""
    for f in dataclasses.fields(cls):
        if f.name == attr:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                return COMPUTED
            raise KeyError(f"{cls.__name__}.{attr} has no default")
    raise KeyError(f"{cls.__name__} has no field {attr!r}")


def keys_where(sections: Iterable[SectionSpec], test: Callable[[FieldSpec], bool]) -> frozenset[str]:
    """Keys of the fields, in any of ``sections``, that pass ``test``."""
    return frozenset(f.key for s in sections for f in s.fields if test(f))
