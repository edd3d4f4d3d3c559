"""Words for counted things, said one way everywhere: ``plural(1, "month")`` is "1 month", else "3 months"."""
from __future__ import annotations

from typing import Callable

_IRREGULAR = {"person": "people", "batch": "batches", "address": "addresses", "entry": "entries",
              "strategy": "strategies", "company": "companies", "is": "are", "was": "were", "has": "have"}
"""Plurals that adding an s gets wrong (the nouns and verbs the app counts)."""


def noun_for(count: float, noun: str, many: str | None = None) -> str:
    """``noun`` for one, its plural for any other count (0 months, 1.5 months); ``many`` when the plural is odd."""
    if count == 1:
        return noun
    if many is not None:
        return many
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    last = noun.rsplit(" ", 1)[-1]
    if last.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def plural(count: float, noun: str, many: str | None = None, *, number: Callable[[float], str] | None = None) -> str:
    """``3 months``, ``1 line``, ``0 problems``: the count (``number`` formats it; a whole count by default) and
    the noun agreeing with it."""
    shown = number(count) if number is not None else (f"{count:,.0f}" if float(count).is_integer() else f"{count:g}")
    return f"{shown} {noun_for(count, noun, many)}"


def verb_for(count: float, one: str, many: str) -> str:
    """The verb agreeing with a count: ``verb_for(1, "stops", "stop")`` is "stops"."""
    return one if count == 1 else many
