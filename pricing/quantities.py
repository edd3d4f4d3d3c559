"""Quantities as users write them ("2M", "2.5e6", "2_000_000", "35%", "7B") turned into numbers."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pricing.currencies import SIGNS
from pricing.errors import SHORT, QuantityError, shorten

SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
"""Multipliers of the suffixes a quantity may end with (``B`` is billion, as in "7B parameters")."""

TINY = 1e-9
"""Smallest magnitude of a non-zero value: a plan's smallest real amounts are prices of a few 1e-7 dollars a unit
(a storage request), so anything smaller is a typo, and a denormal such as 1e-320 divides into infinity (a
throughput of 1e-320 tokens/s made the bill infinite, issue 17)."""

EXPECTED_NUMBER = "a number such as 120, 2.5e6, 2_000_000 or 2M (suffixes k, M, B, T)"
EXPECTED_SHARE = "a share between 0 and 1, such as 0.35, or a percentage such as 35%"


_NUM = re.compile(r"(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?")
_MAX_TEXT = 200
"""Longer text is no quantity anyone types (and keeps the expression reader's work bounded)."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as typed, before a field reads it: ``100 GB`` is (100, ``GB``), ``$2.5/h`` is (2.5, ``$/h``)."""

    value: float
    """The number, its suffixes (k, M, B, T), arithmetic (``2*0.3*160``) and ``%`` applied (``35%`` is 0.35)."""
    unit: str
    """The unit written with it, as written (spaces squeezed, a leading currency sign moved in: ``$/h``); ``""``
    when none. Which units a field takes, and what they convert to, is the schema's business
    (``pricing.fields.units.in_unit``)."""
    percent: bool = False
    """A ``%`` was written (a share typed as a percentage)."""
    suffixes: str = ""
    """The k/M/B/G/T suffixes used, in order (``G`` alone in a data field looks like a unit cut short)."""
    arithmetic: bool = False
    """The number was computed (``2*0.3*160``): messages show the result beside the text."""


class _Expr:
    """Reads ``+ - * /`` and parentheses over numbers with suffixes and ``%`` (no names, no powers: no eval)."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.percent = False
        self.suffixes = ""
        self.ops = 0

    def error(self, why: str = "") -> QuantityError:
        return QuantityError(f"found {self.text.strip()!r}{': ' + why if why else ''}, expected {EXPECTED_NUMBER}")

    def skip(self) -> None:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.i] if self.i < len(self.text) else ""

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-") and self.peek():
            op = self.text[self.i]
            self.i += 1
            self.ops += 1
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> float:
        value = self.factor()
        while self.peek() in ("*", "/") and self.peek():
            op = self.text[self.i]
            rest = self.text[self.i + 1:].lstrip(" ")
            if op == "/" and not (rest[:1].isdigit() or rest[:1] in (".", "(")):
                break  # "2.5/h": a unit starts here, not a division
            self.i += 1
            self.ops += 1
            right = self.factor()
            if op == "*":
                value *= right
            elif right == 0:
                raise self.error("division by zero")
            else:
                value /= right
        return value

    def factor(self) -> float:
        sign = 1.0
        if self.peek() in ("-", "+") and self.peek():
            sign = -1.0 if self.text[self.i] == "-" else 1.0
            self.i += 1
        c = self.peek()
        if c == "(":
            self.i += 1
            value = self.expr()
            if self.peek() != ")":
                raise self.error("a parenthesis is not closed")
            self.i += 1
            self.ops += 1
        else:
            m = _NUM.match(self.text, self.i)
            if m is None:
                raise self.error()
            num = m.group(0)
            if "__" in num or num.endswith("_") or "_." in num or "._" in num or "_e" in num.lower():
                raise self.error()
            value = float(num.replace("_", ""))
            self.i = m.end()
            # a suffix letter (2M, 0.5 M) unless a word starts there (GB, MB: a unit, read by the field)
            j = self.i
            while j < len(self.text) and self.text[j] == " ":
                j += 1
            if j < len(self.text) and self.text[j] in SUFFIXES and not (j + 1 < len(self.text)
                                                                        and self.text[j + 1].isalpha()):
                value *= SUFFIXES[self.text[j]]
                self.suffixes += self.text[j]
                self.i = j + 1
        if self.peek() == "%":
            self.i += 1
            if self.suffixes:
                raise QuantityError(f"found {self.text.strip()!r}: a percentage cannot have a k/M/B/T suffix")
            value /= 100.0
            self.percent = True
        return sign * value


def parse_quantity(text: str) -> Quantity:
    """Read a quantity as typed (a plan file's text, or a form's): a number with its suffixes (``2M``,
    ``2.5e6``, ``2_000_000``), a percentage (``35%``), simple arithmetic (``2*0.3*160``, ``(10+5)%``), then the
    unit written after it (``100 GB``, ``$2.5/h``, ``8 GPUs``, ``1.6x``), which stays text: the field that reads
    the quantity says which units it takes (``pricing.fields.units.in_unit``). Raises QuantityError saying
    what is expected; never evaluates anything but numbers and ``+ - * / ( )``."""
    if not isinstance(text, str):
        raise QuantityError(f"found {text!r}, expected {EXPECTED_NUMBER}")
    raw = text
    text = " ".join(text.split())
    if not text or len(text) > _MAX_TEXT:
        raise QuantityError(f"found {shorten(raw.strip())}, expected {EXPECTED_NUMBER}")
    sign = ""
    if text[:1] in "+-" and text[1:2] in SIGNS:  # -$5
        sign, text = text[0], text[1:]
    prefix = ""
    if text[:1] in SIGNS:
        prefix, text = text[0], text[1:].lstrip()
    reader = _Expr(sign + text)
    value = reader.expr()
    unit = reader.text[reader.i:].strip()
    if unit and not (unit[0].isalpha() or unit[0] == "/" or unit[0] in SIGNS):
        raise reader.error()
    if reader.percent and unit:
        raise QuantityError(f"found {shorten(raw.strip())}: a percentage takes no unit; expected {EXPECTED_SHARE}")
    if prefix:  # $2.5/h -> "$/h"; $2.5 per hour -> "$ per hour"
        unit = prefix + unit if not unit or unit.startswith("/") else f"{prefix} {unit}"
    return Quantity(value, unit, reader.percent, reader.suffixes, reader.ops > 0)


def _parse_text(text: str) -> tuple[float, bool]:
    """A number without a unit (a leading ``$`` allowed, as plans have always written prices); returns (value,
    was_percentage)."""
    q = parse_quantity(text)
    if q.unit and q.unit not in ("$",):
        raise QuantityError(f"found {shorten(text.strip())}, expected {EXPECTED_NUMBER}")
    return q.value, q.percent


def parse_number(value: object, *, minimum: float | None = 0.0, allow_zero: bool = True,
                 integer: bool = False, maximum: float | None = None) -> float:
    """A finite number from a YAML value (number or text); raises QuantityError saying what is expected.

    ``minimum`` (default 0) rejects negative amounts; ``allow_zero=False`` rejects 0;
    ``integer`` asks for a whole number (e.g. GPUs, months).
    """
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"found {value!r}, expected {EXPECTED_NUMBER}")
    if isinstance(value, (int, float)):
        number = _float(value)
    elif isinstance(value, str):
        number, is_pct = _parse_text(value)
        if is_pct:
            raise QuantityError(f"found {found(value)}, expected {EXPECTED_NUMBER}, not a percentage")
    else:
        raise QuantityError(f"found a {type(value).__name__}, expected {EXPECTED_NUMBER}")
    if not math.isfinite(number):  # digits past the float range (not .inf): say the field's own limit when it has one
        if isinstance(value, float) or math.isnan(number):
            raise QuantityError(f"found {found(value)}, expected a finite number")
        if number > 0 and maximum is not None:
            raise QuantityError(f"found {found(value)}, expected a number of at most {bound_text(maximum)}")
        if number < 0 and minimum is not None:
            raise QuantityError(f"found {found(value)}, expected a number of at least {bound_text(minimum)}")
        raise QuantityError(f"found {found(value)}, expected a finite number")
    if minimum is not None and number < minimum:
        raise QuantityError(f"found {found(value)}, expected a number of at least {bound_text(minimum)}")
    if 0 < abs(number) < TINY:
        raise QuantityError(f"found {found(value)}, expected 0 or a number of at least {TINY:g}")
    if not allow_zero and number == 0:
        raise QuantityError(f"found {found(value)}, expected a number above 0")
    if maximum is not None and number > maximum:
        raise QuantityError(f"found {found(value)}, expected a number of at most {bound_text(maximum)}")
    if integer and number != int(number):
        raise QuantityError(f"found {found(value)}, expected a whole number")
    return number


def _float(value: int | float) -> float:
    """A YAML number as a float: an integer past the float range (1 followed by 400 zeros, in digits or hex) is
    infinite, which every reader refuses as not finite."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def bound_text(x: float) -> str:
    """A limit in a message, the way plans write numbers: ``240``, ``100k``, ``1M``, ``0.5``."""
    if float(x).is_integer() and abs(x) >= 10_000:
        for suffix, mult in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
            if abs(x) >= mult and (x / mult) == int(x / mult):
                return f"{int(x / mult)}{suffix}"
    return f"{x:g}"


def found(value: object) -> str:
    """A number that was read, in a message about its limits: as the user wrote it (``2M``, ``128``), so text
    typed in a form and the same value in a plan file give the same message."""
    if not isinstance(value, str):
        return shorten(value)
    text = value.strip()
    return text if len(text) <= SHORT else f"{text[:SHORT - 1]}\u2026 ({len(text):,} characters)"


def parse_share(value: object, *, maximum: float = 1.0, allow_zero: bool = True) -> float:
    """A fraction from ``0.35`` or ``35%``; at most ``maximum`` (1.0 = 100%) unless said otherwise."""
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"found {value!r}, expected {EXPECTED_SHARE}")
    if isinstance(value, (int, float)):
        share, is_pct = _float(value), False
    elif isinstance(value, str):
        share, is_pct = _parse_text(value)
    else:
        raise QuantityError(f"found a {type(value).__name__}, expected {EXPECTED_SHARE}")
    if not is_pct and math.isfinite(share) and share > maximum and share > 1:  # 35 written for 35%
        hint = f" (did you mean {share:g}%?)" if share <= 100 * maximum else ""
        raise QuantityError(f"found {found(value)}, expected {EXPECTED_SHARE}{hint}")
    if not math.isfinite(share):
        raise QuantityError(f"found {found(value)}, expected a finite share")
    if share < 0:
        raise QuantityError(f"found {found(value)}, expected a share of at least 0%")
    if 0 < share < TINY:
        raise QuantityError(f"found {found(value)}, expected 0% or a share of at least {TINY * 100:g}%")
    if share > maximum:
        raise QuantityError(f"found {found(value)}, expected at most {maximum * 100:g}%")
    if not allow_zero and share == 0:
        raise QuantityError(f"found {found(value)}, expected a share above 0%")
    return share


def format_number(value: float) -> int | float:
    """The plainest YAML number for a value: ints stay ints, floats keep full precision."""
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return float(value)


def format_share(value: float) -> str:
    """A share written back as a percentage that parses to exactly the same float."""
    pct = value * 100.0
    for digits in range(0, 17):
        text = f"{pct:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{pct:.0f}"
        if _parse_text(text + "%")[0] == value:
            return text + "%"
    return repr(value)  # a fraction that no short percentage reproduces exactly


# ---------------------------------------------------------------------------------------------
# Data sizes: "800 GB", "10 TiB", "2 PB" (one parser for the plan file and the editors)
# ---------------------------------------------------------------------------------------------

DATA_UNITS: dict[str, float] = {
    "B": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15, "EB": 1e18,
    "KIB": 2.0**10, "MIB": 2.0**20, "GIB": 2.0**30, "TIB": 2.0**40, "PIB": 2.0**50, "EIB": 2.0**60,
}
"""Bytes in each data-size unit a plan may write, by upper-case symbol: decimal (SI) GB, TB, PB are powers of
1000; binary (IEC) GiB, TiB, PiB powers of 1024. Bits (Gb) are not sizes a plan states."""

EXPECTED_SIZE = ("a size such as 800 GB, 10 TiB or 2 PB (decimal GB/TB/PB, binary GiB/TiB/PiB), or a plain "
                 "number in {unit}")

_SIZE_UNIT = re.compile(r"^(?P<unit>(?:[KMGTPE]i?)?B)\s*(?:/\s*(?:month|mo))?$", re.IGNORECASE)
"""The unit text after a size's number (``GB``, ``TiB/month``), as ``parse_quantity`` leaves it."""


def size_unit(text: str) -> str | None:
    """The data-size symbol of typed text (``"800 GB"`` -> ``"GB"``, ``"10 TiB/month"`` -> ``"TiB"``), None when the
    text is not a number followed by a size unit. The number is read by ``parse_quantity``, as every number is."""
    try:
        q = parse_quantity(text)
    except QuantityError:
        return None
    m = _SIZE_UNIT.match(q.unit) if q.unit and not q.percent else None
    return m["unit"] if m else None


def parse_data_size(value: object, *, unit_bytes: float, unit: str = "TB", minimum: float | None = 0.0,
                    allow_zero: bool = True, maximum: float | None = None) -> float:
    """A data size in the field's unit (``unit_bytes`` bytes each, e.g. 1e12 for decimal TB).

    A plain number (or number text) is already in that unit; ``"800 GB"``, ``"10 TiB"``, ``"2 PB"`` (a rate field
    may add ``/month``) are converted: 10 TiB = 10 x 2^40 bytes = 10.99511627776 TB. Limits apply to the converted
    value; messages say what was written."""
    if isinstance(value, str):
        symbol = size_unit(value)
        if symbol is not None:
            factor = DATA_UNITS.get(symbol.upper())
            if factor is None:
                raise QuantityError(f"found {shorten(value.strip())}: unknown unit {symbol!r}; expected "
                                    + EXPECTED_SIZE.format(unit=unit))
            converted = parse_quantity(value).value * factor / unit_bytes
            _check_limits(value, converted, unit, minimum=minimum, allow_zero=allow_zero, maximum=maximum)
            return converted
        try:
            return parse_number(value, minimum=minimum, allow_zero=allow_zero, maximum=maximum)
        except QuantityError as exc:
            if _is_number(value):  # a number out of its limits: that message is the one to give
                raise
            raise QuantityError(f"found {shorten(value.strip())}, expected "
                                + EXPECTED_SIZE.format(unit=unit)) from exc
    return parse_number(value, minimum=minimum, allow_zero=allow_zero, maximum=maximum)


def _is_number(text: str) -> bool:
    """Whether ``text`` reads as a number whatever its limits (then a limit's message is the one to give)."""
    try:
        parse_number(text, minimum=None, allow_zero=True)
    except QuantityError:
        return False
    return True


def _check_limits(value: object, number: float, unit: str, *, minimum: float | None, allow_zero: bool,
                  maximum: float | None) -> None:
    plain = found(value).replace(" ", "") == f"{number:g}{unit}"
    shown = found(value) if plain else f"{found(value)} ({number:g} {unit})"
    if not math.isfinite(number):
        raise QuantityError(f"found {value!r}, expected a finite size")
    if minimum is not None and number < minimum:
        raise QuantityError(f"found {shown}, expected a size of at least {bound_text(minimum)} {unit}")
    if not allow_zero and number == 0:
        raise QuantityError(f"found {shown}, expected a size above 0")
    if maximum is not None and number > maximum:
        raise QuantityError(f"found {shown}, expected a size of at most {bound_text(maximum)} {unit}")
