"""Importing exports: every format's totals to the cent, refused rows with their row and column, re-imports, store."""
from __future__ import annotations

import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pricing.actuals import formats as F
from pricing.actuals.store import ActualsStore, Cancelled, store_path_for

DATA = Path(__file__).resolve().parent.parent / "data" / "actuals"


def totals(store: ActualsStore, column: str = "effective") -> Decimal:
    value = store.con.execute(f"SELECT COALESCE(sum({column}), 0) FROM groups WHERE month IS NOT NULL").fetchone()[0]
    return Decimal(value).quantize(Decimal("0.0001"))


@pytest.fixture
def store():
    s = ActualsStore()
    yield s
    s.close()


def test_focus_ai_tokens_effective_and_billed_to_the_cent(store):
    (out,) = store.import_files([str(DATA / "focus_ai_tokens.csv")])
    rec = out.record
    assert rec.kind == "focus" and rec.container == "csv" and rec.rows == 9
    # EffectiveCost, readable rows: 25.00 + 20.00 + 0.75 + 30.00 + 25.00 + 0.00 (commitment, amortised) + 5.00
    assert totals(store, "effective") == Decimal("105.7500")
    # BilledCost adds the row whose EffectiveCost is "12,50" (12.50 billed) and the 100.00 commitment purchase
    assert totals(store, "billed") == Decimal("218.2500")
    # refused: the "12,50" row for EffectiveCost only; the undated row for both
    assert (rec.refused_effective, rec.refused_billed) == (2, 1)
    assert rec.warnings == 1  # ConsumedQuantity "n/a": the cost counts, the quantity is unknown


def test_bad_cells_are_listed_with_file_line_row_and_column(store):
    store.import_files([str(DATA / "focus_ai_tokens.csv")])
    found = [(i.row, i.line, i.column, i.value, i.refuses) for i in store.issues()]
    assert found == [
        (6, 7, "EffectiveCost", "12,50", "effective"),       # data row 6 is line 7 (after the header)
        (7, 8, "ChargePeriodStart", "sometime in February", "both"),
        (9, 10, "ConsumedQuantity", "n/a", "none"),
    ]
    text = str(store.issues()[0].problem())
    assert text.startswith(f"{DATA / 'focus_ai_tokens.csv'}:7: EffectiveCost: row 6: EffectiveCost is '12,50'")


def test_bom_reordered_columns_and_quoted_json_are_read(store):
    store.import_files([str(DATA / "focus_ai_tokens.csv")])
    rows = store.con.execute("SELECT DISTINCT model, tags FROM groups WHERE sku_id = 'gpt-4o-input' "
                             "AND month = DATE '2027-01-01'").fetchall()
    # SkuPriceDetails' ModelId and the Tags object, both quoted JSON in the CSV, are parsed
    assert rows == [("gpt-4o-2024-08-06", '{"team": "search", "env": "prod"}')]


def test_gzip_and_parquet_give_the_same_totals(store, tmp_path):
    import duckdb
    src = DATA / "focus_ai_tokens.csv"
    gz = tmp_path / "focus.csv.gz"
    with open(src, "rb") as fh, gzip.open(gz, "wb") as out:
        out.write(fh.read())
    pq = tmp_path / "focus.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}', header=true, all_varchar=true)) TO '{pq}' (FORMAT parquet)")
    for path, container in ((gz, "csv.gz"), (pq, "parquet")):
        s = ActualsStore()
        (out,) = s.import_files([str(path)])
        assert out.record.container == container
        assert totals(s, "effective") == Decimal("105.7500")
        assert totals(s, "billed") == Decimal("218.2500")
        assert (out.record.refused_effective, out.record.refused_billed) == (2, 1)
        rows = [(i.row, i.column) for i in s.issues()]
        assert rows == [(6, "EffectiveCost"), (7, "ChargePeriodStart"), (9, "ConsumedQuantity")]
        if container == "parquet":
            assert all(i.line is None for i in s.issues())  # Parquet has rows, not lines
        s.close()


def test_reimport_of_the_same_content_does_not_double_count(store, tmp_path):
    src = DATA / "focus_infra.csv"
    copy = tmp_path / "renamed.csv"
    shutil.copy(src, copy)
    store.import_files([str(src)])
    again = store.import_files([str(src), str(copy)])
    assert [o.duplicate_of for o in again] == [str(src), str(src)]
    assert len(store.files()) == 1
    # 550.40 + 23.00 + 1.04 + 25.30 + 4.96
    assert totals(store) == Decimal("604.7000")


def test_store_beside_the_plan_reopens_without_importing(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("format: aicost-plan/1\n")
    path = store_path_for(plan)
    assert path.name == "plan.yaml.actuals.duckdb"
    with ActualsStore(path) as s:
        s.import_files([str(DATA / "focus_infra.csv")])
    with ActualsStore(path) as s:
        assert [f.path for f in s.files()] == [str(DATA / "focus_infra.csv")]
        assert totals(s) == Decimal("604.7000")
        gone = s.forget("focus_infra.csv")
        assert gone is not None and s.files() == () and totals(s) == 0


def test_openai_costs_api_page(store):
    (out,) = store.import_files([str(DATA / "openai_costs.json")])
    assert out.record.kind == "openai_costs" and out.record.container == "json"
    # 12.34 + 5.66 + 1.5 + 20.0; the "abc" amount is refused
    assert totals(store) == Decimal("39.5000")
    assert out.record.refused_effective == 1
    (issue,) = store.issues()
    assert issue.column == "amount.value" and "data[1].results[0]" in issue.message
    months = store.con.execute("SELECT DISTINCT strftime(month, '%Y-%m') FROM groups ORDER BY 1").fetchall()
    assert months == [("2027-01",), ("2027-02",)]  # start_time 1798761600 = 2027-01-01T00:00:00Z
    models = store.con.execute("SELECT model, sku_meter FROM groups WHERE sku_id LIKE 'gpt-4o-2024%' "
                               "ORDER BY 2").fetchall()
    assert set(models) == {("gpt-4o-2024-08-06", "input"), ("gpt-4o-2024-08-06", "output")}


def test_openai_dashboard_cost_csv(store):
    (out,) = store.import_files([str(DATA / "openai_costs.csv")])
    assert out.record.kind == "openai_costs"
    assert totals(store) == Decimal("14.0000")  # 7.25 + 2.75 + 4.00
    assert store.con.execute("SELECT DISTINCT currency FROM groups").fetchall() == [("USD",)]  # "usd" upper-cased


def test_anthropic_cost_report_amounts_are_cents(store):
    store.import_files([str(DATA / "anthropic_cost_report.json")])
    # "1234.5" + "250" + "100" cents = 12.345 + 2.50 + 1.00 dollars
    assert totals(store) == Decimal("15.8450")


def test_anthropic_console_csvs_cost_and_usage(store):
    outs = store.import_files([str(DATA / "anthropic_costs.csv"), str(DATA / "anthropic_usage.csv")])
    assert [o.record.kind for o in outs] == ["anthropic_costs", "anthropic_usage"]
    assert totals(store) == Decimal("10.5000")  # 3.00 + 7.00 + 0.50; the usage file carries no cost
    tokens = store.con.execute("SELECT sum(quantity) FROM groups WHERE NOT has_cost").fetchone()[0]
    assert tokens == 1_000_000 + 200_000 + 100_000  # no-cache input + cache read + output (writes are 0)


def test_openai_usage_counts_uncached_cached_and_output_tokens(store):
    store.import_files([str(DATA / "openai_usage.json")])
    rows = dict(store.con.execute("SELECT sku_meter, sum(quantity) FROM groups GROUP BY 1").fetchall())
    # input_tokens 3M includes the 1M cached ones
    assert rows == {"input": 2_000_000, "cached_input": 1_000_000, "output": 400_000}


def test_a_file_that_is_not_an_export_says_where_and_what_was_expected(store):
    with pytest.raises(F.ExportError) as err:
        store.import_files([str(DATA / "focus_infra.csv"), str(DATA / "not_an_export.csv")])
    (problem,) = err.value.problems
    assert problem.file == str(DATA / "not_an_export.csv") and problem.line == 1
    assert "date, description, amount" in problem.message and "ChargePeriodStart" in problem.message
    assert store.files() == ()  # nothing imported when one file is not an export


def test_a_focus_file_missing_a_column_is_told_which(tmp_path, store):
    bad = tmp_path / "almost.csv"
    bad.write_text("BilledCost,BillingCurrency,ChargePeriodStart\n1,USD,2027-01-01\n")
    with pytest.raises(F.ExportError, match="closest is FOCUS, which lacks EffectiveCost"):
        store.import_files([str(bad)])


@pytest.mark.parametrize("name", ["broken.csv", "broken.csv.gz"])
def test_a_row_with_too_many_values_is_reported_with_its_line(tmp_path, store, name):
    src = (DATA / "focus_infra.csv").read_text().splitlines()
    src.insert(3, src[2] + ",extra")
    bad = tmp_path / name
    text = ("\n".join(src) + "\n").encode()
    bad.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    with pytest.raises(F.ExportError) as err:
        store.import_files([str(bad)])
    problem = err.value.problems[0]
    assert problem.line == 4 and "22 values where the header has 21 columns" in problem.message
    assert store.files() == ()


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b'{"hello": "world"}', "JSON without an API page"),
    (b"\x00\x01\x02binary", "binary data"),
])
def test_other_unknown_files(tmp_path, store, content, message):
    f = tmp_path / "x.bin"
    f.write_bytes(content)
    with pytest.raises(F.ExportError, match=message):
        store.import_files([str(f)])


def test_progress_and_cancel(store):
    seen = []
    store.import_files([str(DATA / "focus_infra.csv")], progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] and all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    with pytest.raises(Cancelled):
        store.import_files([str(DATA / "focus_ai_tokens.csv")], cancel=lambda: True)
    assert [f.path for f in store.files()] == [str(DATA / "focus_infra.csv")]  # the cancelled file left nothing
