"""Ranges of uncertain inputs as plans and forms write them: ``2M ± 30%``, ``1M..2M``, ``{low, likely, high}``."""
from __future__ import annotations

import re
from typing import Any, Callable

from pricing import plan as P
from pricing.currencies import SIGNS
from pricing.errors import PlanError
from pricing.quantities import format_number, format_share, parse_number, parse_share

PLUS_MINUS = ("±", "+/-", "+-")
"""Ways of writing "plus or minus" (``2M ± 30%``, ``2M +/- 30%``, ``2M +- 30%``)."""
THROUGH = ".."
"""Between bounds: ``1M..2M`` (likely halfway), ``1M..1.2M..2M`` (low, likely, high)."""

EXPECTED = ("a range such as 2M ± 30%, 2M +/- 500k, 1M..2M, 1M..1.2M..2M or {low: 1M, likely: 1.2M, high: 2M}")


def is_range(v: Any) -> bool:
    """Whether a raw value is written as a range (the field then reads it with ``read_range``)."""
    if isinstance(v, dict):
        return bool(set(v) & {"low", "likely", "high"})
    if not isinstance(v, str):
        return False
    if any(t in v for t in PLUS_MINUS):
        return True
    parts = v.split(THROUGH)  # "1M..2M" (not a path such as ../prompts, nor text ending "...")
    return 2 <= len(parts) <= 3 and all(_BOUND.match(p) for p in parts)


_BOUND = re.compile(r"^\s*[-+]?\s*[" + re.escape("".join(SIGNS)) + r"]?\s*(\d|\.\d|\()")


def read_range(v: Any, reader: Callable[[Any], Any], share: bool = False) -> P.Range:
    """``{low, likely, high}``; ``likely ± 30%`` (relative for amounts, percentage points for shares such as
    utilization: ``60% ± 10%`` is 50%..70%); ``likely ± 500k`` (absolute); ``low..high`` (likely halfway);
    ``low..likely..high``. Each bound is read by ``reader`` (the field's own: units, suffixes and limits apply).
    Raises PlanError saying what is expected."""
    if isinstance(v, dict):
        missing = [k for k in ("low", "likely", "high") if k not in v]
        extra = [k for k in v if k not in ("low", "likely", "high")]
        if missing or extra:
            raise PlanError("a range is {low: N, likely: N, high: N}"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + (f"; unknown {', '.join(map(str, extra))}" if extra else ""))
        low, likely, high = (float(reader(v[k])) for k in ("low", "likely", "high"))
        spread = None
    elif isinstance(v, str) and THROUGH in v and not any(t in v for t in PLUS_MINUS):
        parts = [p.strip() for p in v.split(THROUGH)]
        if len(parts) not in (2, 3) or not all(parts) or any(p.startswith(".") for p in parts):
            raise PlanError(f"found {v.strip()!r}, expected {EXPECTED}")
        bounds = [float(reader(p)) for p in parts]
        if len(bounds) == 2:
            low, high = bounds
            likely = float(reader(_plain((low + high) / 2)))
        else:
            low, likely, high = bounds
        spread = None
    else:
        for token in PLUS_MINUS:
            if token in v:
                centre, _, spread_text = v.partition(token)
                break
        likely = float(reader(centre.strip()))
        spread_text = spread_text.strip()
        if not spread_text:
            raise PlanError(f"found {v.strip()!r}: nothing after ±; expected {EXPECTED}")
        if spread_text.endswith("%") and share:
            spread = parse_share(spread_text, maximum=1.0)  # shares: ± percentage points
            low, high = max(likely - spread, 0.0), likely + spread
        elif spread_text.endswith("%"):
            spread = parse_share(spread_text, maximum=1.0)  # amounts: ± a share of the likely value
            low, high = likely * (1.0 - spread), likely * (1.0 + spread)
        else:
            half = parse_number(spread_text)
            low, high, spread = likely - half, likely + half, None
        low, high = float(reader(_plain(low))), float(reader(_plain(high)))
    if not low <= likely <= high:
        raise PlanError(f"a range needs low <= likely <= high; found low {low:g}, likely {likely:g}, high {high:g}")
    return P.Range(low, likely, high, spread)


def _plain(x: float) -> float | int:
    """A computed bound handed back to a field reader (which checks it against the field's limits)."""
    return format_number(x)


def range_text(rng: P.Range, number: Callable[[float], str], share: bool = False) -> str:
    """A range as a user types it back (``read_range`` reads it to the same range): ``1.2M ± 30%`` when written
    with a relative spread, ``1M..2M`` when likely is halfway, else ``1M..1.2M..2M``. ``number`` writes one
    value (a share as ``35%``)."""
    if rng.spread is not None:
        return f"{number(rng.likely)} ± {format_share(rng.spread)}"
    if rng.likely == (rng.low + rng.high) / 2:
        return f"{number(rng.low)}..{number(rng.high)}"
    return f"{number(rng.low)}..{number(rng.likely)}..{number(rng.high)}"
