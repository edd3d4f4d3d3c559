"""The one currency table (pricing/currencies.py): every formatter reads it, JPY has no decimals anywhere."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

from pricing import currencies, export_csv, export_xlsx, fx, report, rounding
from pricing.catalog import Catalog
from pricing.engine import project
from pricing.errors import UnknownNameError
from pricing.load import loads_checked

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("code, symbol, decimals", [("USD", "$", 2), ("EUR", "€", 2), ("GBP", "£", 2),
                                                    ("JPY", "¥", 0), ("INR", "₹", 2), ("KRW", "₩", 0),
                                                    ("CHF", "CHF ", 2)])
def test_the_table(code, symbol, decimals):
    c = currencies.currency(code.lower())
    assert (c.code, c.symbol, c.decimals) == (code, symbol, decimals) and c.name
    assert (currencies.symbol(code), currencies.decimals(code)) == (symbol, decimals)


def test_fx_re_exports_the_same_table():
    assert fx.CURRENCIES is currencies.CURRENCIES and fx.currency is currencies.currency


def test_a_code_the_table_lacks_is_its_own_symbol_with_two_decimals():
    assert currencies.symbol("xaf") == "XAF " and currencies.decimals("XAF") == 2
    assert currencies.iso_code(" xaf ") == "XAF"   # a plan may name it when it pins fx_rate
    with pytest.raises(UnknownNameError, match="unknown currency 'EURO'"):
        currencies.iso_code("EURO")
    with pytest.raises(UnknownNameError):
        currencies.currency("XAF")


# 1,234,567.891 in each currency, rounded once to its minor unit (half-even), then written by each formatter:
# EUR/GBP/INR to the cent 1,234,567.89; JPY to the yen 1,234,568 (.891 rounds up).
AMOUNT = 1_234_567.891
EXPECTED = {
    "EUR": ("€1,234,567.89", "1234567.89", '"€"#,##0.00;[Red]-"€"#,##0.00'),
    "GBP": ("£1,234,567.89", "1234567.89", '"£"#,##0.00;[Red]-"£"#,##0.00'),
    "INR": ("₹1,234,567.89", "1234567.89", '"₹"#,##0.00;[Red]-"₹"#,##0.00'),
    "JPY": ("¥1,234,568", "1234568", '"¥"#,##0;[Red]-"¥"#,##0'),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_formatter_writes_a_currency_the_same_way(code):
    text, csv_cell, excel = EXPECTED[code]
    places = currencies.decimals(code)
    cents = int(rounding.to_cents(AMOUNT, places)[0])
    assert cents == (123456800 if code == "JPY" else 123456789)
    assert rounding.money(cents / 100, code) == text                 # aicost report (text), compare, providers
    assert export_csv.amount(cents, places) == csv_cell              # CSV files
    assert export_xlsx.money_format(code) == excel                   # the workbook's number format
    assert rounding.money(-cents / 100, code) == "-" + text


def test_to_cents_rounds_half_even_at_the_currencys_minor_unit():
    # to the yen: 2.5 -> 2 and 3.5 -> 4 (half-even), 0.5 -> 0; as cents (x 100)
    assert rounding.to_cents([2.5, 3.5, 0.5, 1234.5], 0).tolist() == [200, 400, 0, 123400]
    # to the cent, as before: 0.125 -> 0.12, 0.135 -> 0.14 (their shortest decimal form, half-even)
    assert rounding.to_cents([0.125, 0.135], 2).tolist() == [12, 14]
    with pytest.raises(ValueError, match="whole amount"):
        export_csv.amount(12345, 0)  # cents of a yen: never written as if they were whole


JPY_PLAN = """\
format: aicost-plan/1
name: Tokyo team
currency: JPY
fx_rate: 150
start: 2027-01
months: 3
provider: aws
people:
  - {name: Toil, hours_per_month: 1, hourly_rate: 150.45}
  - {name: Review, hours_per_month: 1, hourly_rate: 150.75}
"""


@pytest.fixture(scope="module")
def base_catalog():
    return Catalog.load()


def test_a_jpy_plan_is_rounded_to_the_yen_and_its_parts_add_up(base_catalog):
    # a rate on a line is in the plan's currency: Toil 1 h x ¥150.45 -> ¥150 (half-even to the yen);
    # Review 1 h x ¥150.75 -> ¥151 (each month);
    # a month ¥301, the horizon 3 x ¥301 = ¥903 (the unrounded ¥903.6 would show ¥904: not the sum of its parts)
    proj = project(loads_checked(JPY_PLAN, catalog=base_catalog), base_catalog)
    data = report.report_data(proj)
    assert [li["monthly"] for li in data["line_items"]] == [[150.0] * 3, [151.0] * 3]
    assert data["monthly"] == [301.0] * 3 and data["total"] == 903.0
    text = report.text_report(proj)
    assert "Horizon total        ¥903\n" in text and "¥301/month" in text
    rows = list(csv.DictReader(io.StringIO(export_csv.to_text(proj))))
    assert [r["amount"] for r in rows[:2]] == ["150", "151"]
    assert sum(int(r["amount"]) for r in rows) == 903


SYMBOLS = "€£¥₹₩"
"""Currency signs that only the table may spell out."""


def _tables(path: Path) -> list[str]:
    """String constants of the code (docstrings left out) holding a currency sign, and dicts keyed by ISO codes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                and any(s in node.value for s in SYMBOLS):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
        if isinstance(node, ast.Dict):
            codes = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
                     and len(k.value) == 3 and k.value.isupper() and k.value in currencies.CURRENCIES]
            if len(codes) >= 2:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: a table keyed by {codes}")
    return found


def test_no_other_currency_table_in_the_code():
    """grep: no currency sign (€, £, ¥, ₹, ₩) in a string of the code and no table keyed by currency codes
    outside pricing/currencies.py (docstrings may show examples)."""
    found = [hit for folder in ("pricing", "gui") for path in sorted((ROOT / folder).rglob("*.py"))
             if path != ROOT / "pricing" / "currencies.py" for hit in _tables(path)]
    assert not found, "\n".join(found)


def test_the_check_finds_a_table():
    """The check above is not blind: the tables this module replaced would be found."""
    assert _tables(ROOT / "pricing" / "currencies.py")  # the one table itself is found


def test_a_jpy_plans_savings_split_into_whole_yen(base_catalog, tmp_path):
    """The strategies' parts of a saving are whole yen too, and still add up to the saving shown."""
    from pricing import report_model
    text = (ROOT / "resources" / "examples" / "support-assistant.yaml").read_text(encoding="utf-8")
    plan = loads_checked(text.replace("currency: USD\n", "currency: JPY\nfx_rate: 150\n"), catalog=base_catalog,
                         base_dir=ROOT / "resources" / "examples")
    rep = report_model.gather(plan, base_catalog, monte_carlo=False, texts=False)
    assert rep.scenarios and rep.summary.decimals == 0
    for sf in rep.scenarios:
        parts = [st.total for st in sf.strategies]
        assert all(c % 100 == 0 for c in parts), parts                   # whole yen (cents x 100)
        assert sum(parts) == sf.saving == rep.summary.total - sf.summary.total
        for _, monthly in sf.attribution.parts:
            assert all(int(c) % 100 == 0 for c in monthly)
    paths = export_csv.export(plan, tmp_path / "jpy.csv", catalog=base_catalog, report=rep).paths
    rows = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8-sig"))))
    for scen in {r["scenario"] for r in rows} - {"baseline"}:
        total = next(r for r in rows if r["scenario"] == scen and r["level"] == "total")
        strategies = [r for r in rows if r["scenario"] == scen and r["level"] == "strategy"]
        assert "." not in total["saving"] and all("." not in r["saving"] for r in strategies)
        assert sum(int(r["saving"]) for r in strategies) == int(total["saving"])
