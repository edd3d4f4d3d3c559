"""Money and quantities as text: amounts by the user's locale (QLocale), numbers as plans write them."""
from __future__ import annotations

from PySide6.QtCore import QLocale

from pricing import currencies
from pricing.errors import PlanError
from pricing.quantities import parse_number

# ---------------------------------------------------------------------------------------------
# Money and quantities as text
# ---------------------------------------------------------------------------------------------

VIEW_WORDS = {"amortised": "amortised over their term", "cash": "as cash, upfront in the month paid"}
"""How the window says which view commitments are charged in (``engine.View`` values)."""


def currency_symbol(code: str) -> str:
    """The symbol of an ISO 4217 code (``EUR`` -> ``€``), from the one currency table (``pricing.currencies``)."""
    return currencies.symbol(code)


def display_locale() -> QLocale:
    """The user's locale; the bare "C" locale (nothing configured, e.g. CI) reads as US English, not "1234.5$"."""
    loc = QLocale()
    if loc.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return loc


class MoneyFormat:
    """Amounts in the plan's currency, formatted by the user's locale (separators, symbol position); the
    symbol and the decimals (none for JPY) come from the one currency table (``pricing.currencies``)."""

    def __init__(self, currency: str = "USD", locale: QLocale | None = None):
        self.locale = locale or display_locale()
        self.set_currency(currency)

    def set_currency(self, currency: str) -> None:
        self.currency = currency
        entry = currencies.known(currency)
        self.symbol = entry.symbol
        self.decimals = entry.decimals
        """Minor-unit digits of the currency (``full`` shows them; JPY: 0)."""

    def full(self, amount: float) -> str:
        """``$1,234.56`` (``¥1,235``)"""
        return self.locale.toCurrencyString(amount, self.symbol, self.decimals)

    def whole(self, amount: float) -> str:
        """``$1,235`` (for large amounts in headlines and tables)."""
        return self.locale.toCurrencyString(amount, self.symbol, 0)

    def auto(self, amount: float) -> str:
        """Cents only where they matter (below 100)."""
        return self.full(amount) if abs(amount) < 100 else self.whole(amount)

    def compact(self, amount: float) -> str:
        """``$42.1k``, ``$1.46M`` (axes and tight places)."""
        a = abs(amount)
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                value = amount / div
                digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
                number = self.locale.toString(value, "f", digits)
                number = _trim_zeros(number, self.locale)
                return self.locale.toCurrencyString(value, self.symbol, digits).replace(
                    self.locale.toString(value, "f", digits), number + suffix, 1)
        return self.locale.toCurrencyString(amount, self.symbol, 0 if a >= 10 or a == 0 else self.decimals)

    def percent(self, share: float, digits: int = 0) -> str:
        return self.locale.toString(share * 100.0, "f", digits) + self.locale.percent()


def _trim_zeros(number: str, locale: QLocale) -> str:
    point = locale.decimalPoint()
    if point in number:
        number = number.rstrip("0").rstrip(point)
    return number


def quantity_text(value: float | None) -> str:
    """A number as a user would type it: ``300k``, ``2M``, ``1.5B``, ``120``; parses back to ``value``."""
    if value is None:
        return ""
    v = float(value)
    if abs(v) >= 10_000:
        for suffix, mult in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
            if abs(v) >= mult:
                text = f"{v / mult:.6g}{suffix}"
                if "e" not in text and parse_number(text, minimum=None) == v:
                    return text
    text = f"{v:.12g}"
    try:
        if parse_number(text, minimum=None) == v:
            return text
    except PlanError:
        pass
    return repr(v)


def share_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:.6g}%"
