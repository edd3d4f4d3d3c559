"""Text as a PDF shows it: cut to a readable length, no control characters, no tower of combining accents."""
from __future__ import annotations

import unicodedata

from pricing.errors import printable

MAX_TEXT = 2_000
"""Longest text a PDF shows (a name, a note): longer ones end with an ellipsis. A plan name of 100,000 characters
is no name to read, and every later measure of it would cost as much as the whole page."""

MAX_MARKS = 2
"""Combining marks kept on one base character: real scripts stack two or three (Vietnamese ệ is e + two); a name of
hundreds of them drew a column of accents over the rows above and below it (issue 17: over the Total row)."""


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, the last an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def tame(text: object) -> str:
    """``text`` as drawn: cut to ``MAX_TEXT``, control characters shown as U+FFFD (the command line's sanitizer),
    at most ``MAX_MARKS`` combining marks after each base character. Linear in the text."""
    text = printable(cut(str(text)))
    if text.isascii():
        return text
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.combining(ch):
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)
