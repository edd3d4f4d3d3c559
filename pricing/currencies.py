"""The one currency table: ISO 4217 code, symbol, decimals and name of every currency the app knows.

Every formatter reads it (``rounding.money``, the CSV and Excel exports, the window and the PDF),
so an amount in JPY has no decimals wherever it is shown, and ``€`` is the euro's symbol everywhere.
It sits in the lowest layer of ``pricing`` (``rounding`` reads it); ``pricing.fx`` re-exports it next
to the exchange rates.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from pricing.errors import UnknownNameError


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency as the app shows it."""

    code: str
    """ISO 4217 code (``EUR``)."""
    symbol: str
    """Symbol written before amounts (``€``); a trailing space where the symbol is letters (``CHF 12.00``)."""
    decimals: int
    """Minor-unit digits amounts are rounded to and shown with (JPY and KRW: 0)."""
    name: str
    """English name."""


_TABLE = (
    Currency("USD", "$", 2, "US dollar"),
    Currency("EUR", "€", 2, "Euro"),
    Currency("GBP", "£", 2, "Pound sterling"),
    Currency("JPY", "¥", 0, "Japanese yen"),
    Currency("CHF", "CHF ", 2, "Swiss franc"),
    Currency("INR", "₹", 2, "Indian rupee"),
    Currency("CNY", "CN¥", 2, "Chinese yuan renminbi"),
    Currency("CAD", "CA$", 2, "Canadian dollar"),
    Currency("AUD", "A$", 2, "Australian dollar"),
    Currency("SEK", "SEK ", 2, "Swedish krona"),
    Currency("NOK", "NOK ", 2, "Norwegian krone"),
    Currency("DKK", "DKK ", 2, "Danish krone"),
    Currency("PLN", "zł ", 2, "Polish zloty"),
    Currency("CZK", "Kč ", 2, "Czech koruna"),
    Currency("BRL", "R$", 2, "Brazilian real"),
    Currency("KRW", "₩", 0, "South Korean won"),
    Currency("SGD", "S$", 2, "Singapore dollar"),
    Currency("HKD", "HK$", 2, "Hong Kong dollar"),
    Currency("MXN", "MX$", 2, "Mexican peso"),
    Currency("NZD", "NZ$", 2, "New Zealand dollar"),
    Currency("ZAR", "R ", 2, "South African rand"),
)

CURRENCIES: Mapping[str, Currency] = MappingProxyType({c.code: c for c in _TABLE})
"""Every currency the app knows, by code (the order the plan settings offer them in)."""

SIGNS: Mapping[str, str] = MappingProxyType({c.symbol: c.code for c in _TABLE if len(c.symbol) == 1})
"""Currency codes by one-character sign (``$``, ``€``...): an amount may be typed with its sign (``$2.5/h``)."""

DEFAULT_DECIMALS = 2
"""Decimals of a code the table lacks (a plan may name any ISO code when it pins its own ``fx_rate``)."""


def currency(code: str) -> Currency:
    """The currency of a code (case-insensitive); UnknownNameError listing close codes otherwise."""
    c = CURRENCIES.get(str(code).strip().upper())
    if c is None:
        raise UnknownNameError("currency", str(code), CURRENCIES)
    return c


def known(code: str) -> Currency:
    """The table's entry for ``code``, or one made up for a code it lacks: the code as its symbol
    (``XAF 1,200.00``) and ``DEFAULT_DECIMALS``."""
    text = str(code).strip().upper()
    return CURRENCIES.get(text) or Currency(text, text + " ", DEFAULT_DECIMALS, text)


def symbol(code: str) -> str:
    """``€`` for ``EUR``; a code the table lacks is its own symbol, followed by a space (``XAF ``)."""
    return known(code).symbol


def decimals(code: str) -> int:
    """Minor-unit digits of ``code`` (``JPY``: 0); ``DEFAULT_DECIMALS`` for a code the table lacks."""
    return known(code).decimals


def iso_code(code: str) -> str:
    """``code`` upper-cased when it is a currency the table knows or any three ASCII letters (an ISO 4217
    shape); UnknownNameError listing close codes otherwise."""
    text = str(code).strip().upper()
    if text in CURRENCIES or (len(text) == 3 and text.isascii() and text.isalpha()):
        return text
    raise UnknownNameError("currency", str(code), CURRENCIES, hint="expected a 3-letter ISO 4217 code")


__all__ = ["CURRENCIES", "Currency", "DEFAULT_DECIMALS", "currency", "decimals", "iso_code", "known", "symbol"]
