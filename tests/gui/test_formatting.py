"""The window's and the PDF's money format (gui/formatting.py) reads the one currency table: same text as the rest."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from pricing import currencies, rounding

from gui.formatting import MoneyFormat, currency_symbol

US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.mark.parametrize("code, text", [("EUR", "€1,234,567.89"), ("GBP", "£1,234,567.89"), ("INR", "₹1,234,567.89"),
                                        ("JPY", "¥1,234,568"), ("CHF", "CHF 1,234,567.89")])
def test_money_format_matches_the_text_report(code, text):
    # 1,234,567.891 rounded once to the currency's minor unit (the yen: 1,234,568), then written
    cents = int(rounding.to_cents(1_234_567.891, currencies.decimals(code))[0])
    fmt = MoneyFormat(code, US)
    assert fmt.full(cents / 100) == text == rounding.money(cents / 100, code)
    assert fmt.symbol == currency_symbol(code) == currencies.symbol(code)


def test_small_amounts_keep_the_currencys_decimals():
    assert MoneyFormat("EUR", US).auto(12.5) == "€12.50"
    assert MoneyFormat("JPY", US).auto(12.0) == "¥12"       # no sen: the yen has no minor unit shown
    assert MoneyFormat("JPY", US).compact(5.0) == "¥5"
    assert MoneyFormat("USD", US).compact(5.0) == "$5.00"


def test_set_currency_changes_symbol_and_decimals():
    fmt = MoneyFormat("USD", US)
    fmt.set_currency("JPY")
    assert (fmt.symbol, fmt.decimals, fmt.full(1500)) == ("¥", 0, "¥1,500")
