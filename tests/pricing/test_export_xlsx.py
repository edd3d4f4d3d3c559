"""Excel export: recalculated by an independent formula engine (`formulas`), every month and the horizon tie
to the engine to the cent; changing an input moves the totals by the hand-computed amount; plan text never
becomes a formula; the file is written atomically."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from pricing import commitments as cm
from pricing import engine, export_xlsx as X, planfile, uncertainty
from pricing.load import load_checked
from pricing.catalog import Catalog
from pricing.rounding import to_cents

formulas = pytest.importorskip("formulas")

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


class Book:
    """An exported workbook recalculated by `formulas`; cells read by sheet and A1 reference."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.model = formulas.ExcelModel().loads(str(path)).finish()
        self.solution = self.model.calculate()
        self.wb = openpyxl.load_workbook(path)

    def value(self, sheet: str, ref: str, solution=None) -> float:
        got = (solution or self.solution)[f"'[{self.name}]{sheet.upper()}'!{ref}"].value[0][0]
        return float(got)

    def row_of(self, sheet: str, first_cell: str, label: str | None = None) -> int:
        ws = self.wb[sheet]
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 1).value == first_cell and (label is None or ws.cell(r, 2).value == label):
                return r
        raise AssertionError(f"no row {first_cell!r} / {label!r} on {sheet}")

    def input_cell(self, name: str) -> str:
        ws = self.wb["Inputs"]
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value == name:
                return f"D{r}"
        raise AssertionError(f"no input {name}")

    def months(self, row: int, n: int, solution=None) -> np.ndarray:
        return np.array([self.value("Monthly", f"{_col(X.FIRST_MONTH_COL + k)}{row}", solution) for k in range(n)])

    def recalc(self, **inputs: float):
        """The workbook recalculated with named inputs changed (as a user would type them on Inputs)."""
        cells = {f"'[{self.name}]INPUTS'!{self.input_cell(k)}": v for k, v in inputs.items()}
        return self.model.calculate(inputs=cells)


def _col(c: int) -> str:
    return openpyxl.utils.get_column_letter(c + 1)


def export(plan, tmp_path: Path, catalog, name: str = "plan.xlsx", **kw) -> Book:
    path = tmp_path / name
    X.export(plan, path, catalog=catalog, **kw)
    return Book(path)


def assert_ties(book: Book, proj) -> None:
    """Every month of the grand total, the horizon and each category tie to the engine to the cent."""
    n = len(proj.months)
    total = book.months(book.row_of("Monthly", "Total"), n)
    # to the cent: the recalculated amounts round to the engine's cents, and differ by float noise only
    assert to_cents(total).tolist() == to_cents(proj.monthly).tolist()
    assert np.abs(total - proj.monthly).max() < 1e-6
    horizon = book.value("Monthly", f"D{book.row_of('Monthly', 'Total')}")
    assert abs(horizon - proj.total) < 1e-6
    for cat, arr in proj.category_totals.items():
        if not arr.any():
            continue
        got = book.months(book.row_of("Monthly", cat.value, "total"), n)
        assert np.abs(got - arr).max() < 1e-6, cat
    for li in proj.line_items:  # and every line's own cost row (computed for lines sharing account-wide tiers)
        try:
            row = book.row_of("Monthly", li.name, "cost")
        except AssertionError:
            row = book.row_of("Monthly", li.name, f"cost ({X.COMPUTED})")
        got = book.months(row, n)
        assert np.abs(got - li.monthly).max() < 1e-6, li.name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_plans_recalculate_to_the_engines_cents(path, tmp_path, catalog):
    plan = load_checked(path, catalog)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    assert_ties(book, engine.project(plan, catalog))


EVERY_SECTION = """\
format: aicost-plan/1
name: Every section
currency: EUR
fx_rate: 0.9
start: 2027-11
months: 14
provider: aws
compute:
  training:
    - {name: Given hours, gpu: H100-80GB, gpus: 8, hours: 100, runs: 2, month: 2, interruption_overhead: 10%}
    - {name: From FLOPs, gpu: A100-80GB, gpus: 16, params: 7B, tokens: 50B, mfu: 35%, month: 3, every: 4}
  fine_tuning:
    - {name: Monthly LoRA, gpu: L4, gpus: 1, hours: 20, month: 1, every: 1, provider: gcp}
  inference:
    - name: Capped serving
      gpu: L4
      requests_per_month: 3M
      growth: 25%
      input_tokens: 500
      output_tokens: 300
      tokens_per_second_per_gpu: 900
      throughput_basis: total
      utilization: 55%
      min_gpus: 1
      max_gpus: 9
      start: 2
      end: 12
    - {name: Idle at first, gpu: H100-80GB, requests_per_month: 0, output_tokens: 100, min_gpus: 0, start: 5}
  exploration:
    - {name: Notebooks, gpu: A10G, people: 3, hours_per_week: 20, idle_share: 30%, interruption_overhead: 5%,
       gpus_per_instance: 2, start: 2, end: 13}
data:
  storage:
    - name: Lake
      size_tb: 60
      growth_tb_per_month: 12
      tier: standard
      compression: 20%
      start: 2
      lifecycle:
        - {after_days: 60, tier: infrequent}
        - {after_days: 200, tier: archive}
  egress:
    - {name: Cross-AZ, tb_per_month: 3, kind: inter_az, end: 10}
    - {name: Internet, tb_per_month: 8, kind: internet, growth: 40%, start: 3}
services:
  platform: {name: sagemaker, markup: 22%, applies_to: [training]}
  apis:
    - {name: Chat, provider: openai, model: gpt-4o, requests_per_month: 400k, growth: 5%, input_tokens: 1500,
       output_tokens: 300, cached_input_share: 40%, response_cache_hit_rate: 15%, start: 2, end: 13}
    - {name: Embed, provider: openai, model: text-embedding-3-small, requests_per_month: 1M, input_tokens: 300}
annotation:
  - {name: Boxes, task: bounding_box, items: 90k, review_passes: 1.5, month: 2, over_months: 5, every: 3}
  - {name: Given price, task: text_classification, items: 10k, price_per_item: 0.07, month: 14}
mlops:
  - {name: Cluster, kind: k8s_control_plane, quantity: 2, start: 3}
  - {name: Own gateway, kind: load_balancer, quantity: 3, unit_price: 20, end: 7}
people:
  - {name: Toil, hours_per_month: 50, hourly_rate: 90, start: 2, end: 12}
prices:
  gpu.H100-80GB.aws.on_demand: 4.25
"""
"""Every section and option the Monthly sheet re-expresses: FLOP-derived hours, repeats, throughput on total
tokens with a GPU cap and an end month, a service idle at first (min_gpus 0), notebooks with overhead, storage
with compression and a two-step lifecycle (three tiers, tiered S3 rates), inter-AZ and tiered internet egress
with growth, a cached-input API and an embeddings API, a platform markup, annotation batches that overlap
(5 months spread, every 3) and one priced on the line, MLOps at catalog and given prices, people, a price
override, a second provider, and a currency other than USD."""


def test_every_section_recalculates_to_the_engines_cents(tmp_path, catalog):
    plan = planfile.loads(EVERY_SECTION)
    proj = engine.project(plan, catalog)
    # the plan exercises what it says: the cap bites, the lifecycle fills three tiers, the batches overlap
    serving = next(li for li in proj.line_items if li.name == "Capped serving")
    assert serving.quantity("GPUs").max() == 9 and any("max_gpus" in n for n in serving.notes)
    lake = next(li for li in proj.line_items if li.name == "Lake")
    assert {q for q, _ in lake.quantities} >= {"GB-months standard", "GB-months infrequent", "GB-months archive"}
    boxes = next(li for li in proj.line_items if li.name == "Boxes")
    assert boxes.quantity("items").max() > 90_000 / 5 + 1  # two batches running in the same month
    book = export(plan, tmp_path, catalog, with_tornado=False)
    assert_ties(book, proj)
    assert "€" in book.wb["Monthly"].cell(book.row_of("Monthly", "Total"), 4).number_format


CHANGES = """\
format: aicost-plan/1
name: Inputs move totals
start: 2027-01
months: 6
provider: aws
compute:
  training:
    - {name: Run, gpu: H100-80GB, gpus: 8, hours: 100, month: 2}
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 1M, output_tokens: 200, tokens_per_second_per_gpu: 500,
       utilization: 50%, min_gpus: 1}
people:
  - {name: Toil, hours_per_month: 40, hourly_rate: 100}
prices:
  gpu.H100-80GB.aws.on_demand: 4.0
  gpu.L4.aws.on_demand: 1.0
"""


def test_changing_an_input_moves_every_month_and_total_by_the_hand_computed_amount(tmp_path, catalog):
    plan = planfile.loads(CHANGES)
    proj = engine.project(plan, catalog)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    total_row = book.row_of("Monthly", "Total")
    base = book.months(total_row, 6)
    assert np.abs(base - proj.monthly).max() < 1e-6

    # H100 4.00 -> 5.00 $/GPU-hour: the run's 8 GPUs x 100 h = 800 GPU-hours in month 2 cost 800 x 1.00 = 800 more
    moved = book.months(total_row, 6, book.recalc(px_gpu_H100_80GB_aws_on_demand=5.0))
    assert moved - base == pytest.approx([0, 800, 0, 0, 0, 0], abs=1e-6)

    # people 40 -> 50 h a month at $100: 1,000 more every month, 6,000 over the horizon
    sol = book.recalc(ppl1_hours_per_month=50)
    assert book.months(total_row, 6, sol) - base == pytest.approx([1000] * 6, abs=1e-6)
    assert book.value("Monthly", f"D{total_row}", sol) - proj.total == pytest.approx(6000, abs=1e-6)

    # serving: 1M requests x 200 tokens = 2e8 tokens; one L4 serves 500 x 3600 x 730 x 50% = 6.57e8 a month, so
    # 1 GPU. At 5M requests: 1e9 / 6.57e8 = 1.52 -> 2 GPUs: one more L4 all month = 730 x $1.00 = 730 a month
    sol = book.recalc(inf1_requests_per_month=5e6)
    assert book.months(total_row, 6, sol) - base == pytest.approx([730] * 6, abs=1e-6)
    # ... and the Summary follows the Monthly sheet
    summary_total = book.value("Summary", f"C{book.row_of('Summary', 'Total')}", sol)
    assert summary_total - proj.total == pytest.approx(6 * 730, abs=1e-6)


def test_summary_by_fiscal_year_with_a_first_fiscal_month(tmp_path, catalog):
    plan = planfile.loads("""\
format: aicost-plan/1
name: Fiscal
start: 2027-01
months: 24
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
""")
    book = export(plan, tmp_path, catalog, first_fiscal_month=4, with_tornado=False)
    ws = book.wb["Summary"]
    assert [ws.cell(2, c).value for c in range(2, 5)] == [
        "FY2027 (2027-01..2027-03, 3 months)", "FY2028 (2027-04..2028-03)", "FY2029 (2028-04..2028-12, 9 months)"]
    r = book.row_of("Summary", "Total")
    # $1,000 a month: 3 months in FY2027, 12 in FY2028, 9 in FY2029
    assert [book.value("Summary", f"{c}{r}") for c in "BCD"] == pytest.approx([3000, 12000, 9000])
    assert book.value("Summary", f"E{r}") == pytest.approx(24000)
    assert X.fiscal_year(2027, 3, 4) == 2027 and X.fiscal_year(2027, 4, 4) == 2028
    assert X.fiscal_year(2027, 12, 1) == 2027


def test_scenarios_and_drivers_sheets(tmp_path, catalog):
    plan = load_checked(ROOT / "resources" / "examples" / "vision-inhouse.yaml", catalog)
    book = export(plan, tmp_path, catalog)
    proj = engine.project(plan, catalog)
    from pricing import scenarios
    frugal = scenarios.evaluate(plan, plan.scenario("Frugal"), catalog, proj)
    r = book.row_of("Scenarios", "Frugal")
    n = len(proj.months)
    got = np.array([book.value("Scenarios", f"{_col(3 + k)}{r}") for k in range(n)])
    assert np.abs(got - frugal.projection.monthly).max() < 1e-6
    saving = book.value("Scenarios", f"C{r + 2}")
    assert saving == pytest.approx(frugal.saving_total, abs=1e-6)
    # Drivers: every line by its live horizon total, and one tornado row per bar
    ws = book.wb["Drivers"]
    tornado = uncertainty.tornado(plan, catalog)
    labels = [ws.cell(rr, 1).value for rr in range(1, ws.max_row + 1)]
    assert all(b.input.label in labels for b in tornado.bars)
    top = max(proj.line_items, key=lambda li: li.total)
    assert ws.cell(4, 1).value == top.name
    assert book.value("Drivers", "C4") == pytest.approx(top.total, abs=1e-6)


HOSTILE = """\
format: aicost-plan/1
name: '=HYPERLINK("http://x","y")'
start: 2027-01
months: 2
compute:
  exploration:
    - {name: "=A1*2", gpu: A10G, people: 1, hours_per_week: 10, idle_share: 50%}
people:
  - {name: "+SUM(1,2)", hours_per_month: 10, hourly_rate: 100}
  - {name: "-2+3", hours_per_month: 1, hourly_rate: 1}
  - {name: "@cmd", hours_per_month: 1, hourly_rate: 1}
scenarios:
  - name: "=1+1"
    strategies:
      auto_shutdown: {idle_cut: 50%}
"""


def test_plan_text_is_never_a_formula(tmp_path, catalog):
    plan = planfile.loads(HOSTILE)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    seen = []
    for ws in book.wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                hostile = ("=HYPERLINK", "+SUM", "-2+3", "@cmd", "=1+1", "=A1*2")
                if isinstance(cell.value, str) and cell.value.startswith(hostile):
                    seen.append(cell.value)
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)  # stays text when edited in Excel
    assert {"+SUM(1,2)", "-2+3", "@cmd", "=1+1", "=A1*2"} <= set(seen)
    assert any(v.startswith("=HYPERLINK") for v in seen)
    assert_ties(book, engine.project(plan, catalog))


def test_layout_frozen_headers_named_inputs_sources(tmp_path, catalog):
    plan = planfile.loads(CHANGES)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    assert book.wb["Monthly"].freeze_panes == "E5"
    assert book.wb["Inputs"].freeze_panes == "B2"
    names = book.wb.defined_names
    for name in ("px_gpu_H100_80GB_aws_on_demand", "trn1_gpus", "trn1_hours", "inf1_requests_per_month",
                 "ppl1_hourly_rate", "fx_rate", "horizon_total"):
        assert name in names
    ws = book.wb["Inputs"]
    r = int(book.input_cell("px_gpu_H100_80GB_aws_on_demand")[1:])
    assert ws.cell(r, 4).value == 4.0 and ws.cell(r, 5).value == "USD per GPU-hour"
    assert "override" in (ws.cell(r, 6).value + ws.cell(r, 8).value).lower()  # the plan's override says so
    r = int(book.input_cell("px_gpu_L4_aws_on_demand")[1:])
    assert ws.cell(r, 6).value  # every price has a source ...
    assert ws.cell(2, 1).value == "fx_rate"
    cost = book.wb["Monthly"].cell(book.row_of("Monthly", "Run", "cost"), X.FIRST_MONTH_COL + 2)
    assert cost.number_format.startswith('"$"') and cost.value.startswith("=")
    assert book.wb["Monthly"].column_dimensions["B"].width > 40


def test_computed_inputs_are_marked_and_listed(tmp_path, catalog):
    plan = planfile.loads(EVERY_SECTION)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    notes = [c.value for c in book.wb["Notes"]["A"] if c.value]
    assert any(n.startswith(X.COMPUTED) and "Lake" in n for n in notes)
    marked = [c.value for c in book.wb["Monthly"]["B"] if c.value and X.COMPUTED in c.value]
    assert any("share of the initial volume" in m for m in marked)


def test_commitments_in_the_workbook_follow_the_cash_amortised_switch(tmp_path, catalog):
    plan = load_checked(ROOT / "resources" / "examples" / "finetuned-open-model.yaml", catalog)
    proj = engine.project(plan, catalog)
    offer = next(o for o in cm.load_offers() if o.key == "aws.p5.4xlarge.ri_standard.3y.all_upfront")
    c = cm.Commitment(offer, 3, 2)
    book = export(plan, tmp_path, catalog, view="cash", commitments=[c], with_tornado=False)
    n = len(proj.months)
    total_row = book.row_of("Monthly", "Total")
    cash = cm.monthly(proj, [c], "cash", catalog)
    amortised = cm.monthly(proj, [c], "amortised", catalog)
    assert np.abs(book.months(total_row, n) - cash).max() < 1e-6
    flipped = book.months(total_row, n, book.recalc(view_cash=0))
    assert np.abs(flipped - amortised).max() < 1e-6
    # a cheaper H100 moves the lines and the commitment's charge with it: recomputed by hand from the engine's
    # figures at 3.90 -> 3.00 $/GPU-hour (every H100 cost in the plan is linear in that price)
    h100 = sum(li.monthly for li in proj.line_items if li.section.startswith("compute.") and "H100" in
               str([s.key for s in li.sources]))
    eff = cm.effect(proj, [c], catalog)
    expect = amortised + (h100 - eff.credit + eff.amortised) * (3.0 / 3.9 - 1)
    moved = book.months(total_row, n, book.recalc(view_cash=0, px_gpu_H100_80GB_aws_on_demand=3.0))
    assert np.abs(moved - expect).max() < 1e-6


def test_written_atomically(tmp_path, catalog, monkeypatch):
    plan = planfile.loads(CHANGES)
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous")

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(X.workbook, "write_workbook", boom)  # export() calls it in the package's workbook module
    with pytest.raises(RuntimeError):
        X.export(plan, target, catalog=catalog, with_tornado=False)
    assert target.read_bytes() == b"previous" and sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]
    monkeypatch.undo()
    with pytest.raises(uncertainty.Cancelled):
        X.export(plan, target, catalog=catalog, with_tornado=False, cancel=lambda: True)
    assert target.read_bytes() == b"previous"
    target.chmod(0o640)
    X.export(plan, target, catalog=catalog, with_tornado=False)
    assert target.read_bytes()[:2] == b"PK" and (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_bad_fiscal_month_and_view_are_refused(tmp_path, catalog):
    plan = planfile.loads(CHANGES)
    with pytest.raises(ValueError, match="first_fiscal_month"):
        X.export(plan, tmp_path / "a.xlsx", catalog=catalog, first_fiscal_month=13, with_tornado=False)
    with pytest.raises(ValueError, match="view"):
        X.export(plan, tmp_path / "a.xlsx", catalog=catalog, view="accrual", with_tornado=False)
    assert not (tmp_path / "a.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice is not installed (apt: libreoffice-calc-nogui)")
def test_libreoffice_recalculates_the_same_totals(tmp_path, catalog):
    """A second, independent engine: LibreOffice headless recalculates (cached values zeroed first)."""
    import csv
    import re
    import zipfile
    plan = planfile.loads(EVERY_SECTION)
    src = tmp_path / "plan.xlsx"
    X.export(plan, src, catalog=catalog, with_tornado=False)
    zeroed = tmp_path / "zeroed.xlsx"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(zeroed, "w", zipfile.ZIP_DEFLATED) as b:
        for item in a.infolist():
            data = a.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
            b.writestr(item, data)
    profile = tmp_path / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        '<value>0</value></prop></item></oor:items>')
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
                    "--outdir", str(tmp_path), str(zeroed)], check=True, capture_output=True, timeout=120)
    with open(tmp_path / "zeroed-Monthly.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    total = next(r for r in rows if r and r[0] == "Total")
    proj = engine.project(plan, catalog)
    got = np.array([float(v) for v in total[X.FIRST_MONTH_COL:X.FIRST_MONTH_COL + len(proj.months)]])
    assert np.abs(got - proj.monthly).max() < 1e-6 and proj.total > 0


def test_defined_names_stay_unique_when_keys_sanitise_alike():
    import io

    import xlsxwriter
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    b = X._Book(wb, planfile.loads(CHANGES), 6, X.money_format("USD"))
    b.formats()
    b.inputs = wb.add_worksheet("Inputs")
    # Excel names ignore case and allow no dots or dashes: these three would be one name
    got = [b.input(k, "line", "label", 1.0, "unit") for k in ("px_api.gpt-4.1", "px_api_gpt_4_1", "PX_API_GPT_4_1")]
    assert got == ["px_api_gpt_4_1", "px_api_gpt_4_1_2", "PX_API_GPT_4_1_3"]
    assert b.input("9lives", "line", "label", 1.0, "unit") == "_9lives"  # a name cannot start with a digit
    wb.close()


SHARED_EGRESS = """\
format: aicost-plan/1
name: Shared egress tier
start: 2027-01
months: 3
provider: aws
data:
  egress:
    - {name: Partner feed, tb_per_month: 60 GB}
    - {name: Dashboards, tb_per_month: 50 GB}
    - {name: GCP copy, tb_per_month: 500 GB, provider: gcp}
"""


def test_lines_sharing_an_account_tier_carry_the_engines_figures_with_a_note(tmp_path, catalog):
    """AWS's free 100 GB of internet egress is the account's: two AWS lines share it, so neither line's cost can be
    written as a formula of its own inputs. The workbook carries the engine's figures for them (marked computed, with
    a note on the Notes sheet) and still ties to the cent; a line alone under its tier keeps its live formula."""
    plan = planfile.loads(SHARED_EGRESS)
    proj = engine.project(plan, catalog)
    # by hand: AWS bills 2^30-byte GB. 60e9 + 50e9 bytes = 110e9 / 2^30 = 102.445 billed GB a month, the first 100
    # free, the rest at 0.09: 2.445 x 0.09 = 0.2200 USD a month, shared 60:50 by volume
    gib = 2**30
    billed = 110e9 / gib
    month = (billed - 100) * 0.09
    feed, dash, copy = proj.line_items
    assert feed.monthly == pytest.approx([month * 60 / 110] * 3)
    assert dash.monthly == pytest.approx([month * 50 / 110] * 3)
    # GCP alone: 500e9 / 2^30 = 465.66 billed GB at a flat 0.12
    assert copy.monthly == pytest.approx([500e9 / gib * 0.12] * 3)
    book = export(plan, tmp_path, catalog, with_tornado=False)
    assert_ties(book, proj)
    for name in ("Partner feed", "Dashboards"):  # the engine's figures, marked as computed
        row = book.row_of("Monthly", name, f"cost ({X.COMPUTED})")
        assert not str(book.wb["Monthly"].cell(row, X.FIRST_MONTH_COL + 1).value).startswith("=")
    notes = {row[0]: row[1] for row in book.wb["Notes"].iter_rows(values_only=True) if row[0]}
    for name in ("Partner feed", "Dashboards"):
        note = notes[f"{X.COMPUTED}: {name}"]
        assert "share of egress.aws.internet" in note and "in proportion to each line's volume" in note
    assert f"{X.COMPUTED}: GCP copy" not in notes
    # the GCP line keeps its formula: 500 -> 1000 GB a month doubles its cost in every month
    row = book.row_of("Monthly", "GCP copy", "cost")
    assert str(book.wb["Monthly"].cell(row, X.FIRST_MONTH_COL + 1).value).startswith("=")
    moved = book.months(row, 3, book.recalc(egr3_tb_per_month=1.0))
    assert moved == pytest.approx([1e12 / gib * 0.12] * 3)
