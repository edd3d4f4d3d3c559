"""The PDF reports: what they say (read back with pypdf), page sizes, vector charts, cancel, headless use."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text back (test extra)")

from pricing import compare as C  # noqa: E402
from pricing import report_model as RM  # noqa: E402
from pricing import series  # noqa: E402
from pricing.plan import Plan  # noqa: E402

from gui.pdf import export_compare_pdf, export_pdf  # noqa: E402
from gui.workers import Cancelled  # noqa: E402
from pricing.load import load_checked, loads_checked  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "resources" / "examples"
SECTIONS = ("Monthly cost by category", "Cumulative cost", "Uncertainty", "What moves the total", "Cost drivers",
            "Line items", "Savings scenarios", "Cost by category", "By year", "By month",
            "Assumptions: every input of the plan", "Prices used")


def text_of(path: Path) -> str:
    """All pages' text, with Qt's word spacing (tabs) and ligatures (ﬁ) made plain, words one space apart."""
    reader = pypdf.PdfReader(str(path))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFKC", raw))


@pytest.fixture(autouse=True, scope="module")
def _application(qapp):
    """pytest-qt's QApplication, before any export: export_pdf would start a bare QGuiApplication otherwise,
    and no QApplication could be made after it in this process."""
    return qapp


@pytest.fixture(scope="module")
def support_pdf(tmp_path_factory, base_catalog, _application):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", base_catalog)
    path = tmp_path_factory.mktemp("pdf") / "support.pdf"
    export_pdf(plan, path, catalog=base_catalog, generated=dt.date(2027, 1, 15), samples=1000)
    return plan, path


def test_the_report_holds_the_name_totals_and_every_section(support_pdf, base_catalog):
    from pricing import engine
    from gui.widgets import MoneyFormat
    plan, path = support_pdf
    text = text_of(path)
    proj = engine.project(plan, base_catalog)
    h = series.headline(proj)
    fmt = MoneyFormat(plan.currency)
    assert plan.name in text
    assert fmt.auto(h.total) in text                         # the horizon total as the app's headline shows it
    assert f"{fmt.auto(h.run_rate_now)}/mo" in text
    assert fmt.full(h.total) in text                         # ... and to the cent in the tables
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Frugal" in text and "Self-host answers" in text
    assert "genai-prices data of" in text and "Prepared 15 January 2027" in text
    for line in plan.services.apis:
        assert line.name in text
    n = len(pypdf.PdfReader(str(path)).pages)
    assert n > 1
    assert f"Page 1 of {n}" in text and f"Page {n} of {n}" in text


def test_category_tables_add_up_to_the_total(support_pdf, base_catalog):
    from pricing import engine
    from gui.widgets import MoneyFormat
    plan, path = support_pdf
    s = RM.summarize(engine.project(plan, base_catalog))
    fmt = MoneyFormat(plan.currency)
    text = text_of(path)
    for year_total in s.category_table(RM.year_periods(s.months)).column_totals:
        assert fmt.full(int(year_total) / 100) in text
    for cat, _ in s.category_table(RM.year_periods(s.months)).rows:
        assert fmt.full(s.category_total(cat) / 100) in text


def test_charts_are_vectors_not_images(support_pdf):
    _, path = support_pdf
    for page in pypdf.PdfReader(str(path)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            assert ref.get_object().get("/Subtype") != "/Image"


def test_page_sizes(tmp_path, base_catalog):
    plan = load_checked(EXAMPLES / "finetuned-open-model.yaml", base_catalog)
    sizes = {}
    for name in ("A4", "Letter"):
        out = tmp_path / f"{name}.pdf"
        export_pdf(plan, out, catalog=base_catalog, page_size=name, samples=300)
        box = pypdf.PdfReader(str(out)).pages[0].mediabox
        sizes[name] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"A4": (595, 842), "Letter": (612, 792)}
    with pytest.raises(ValueError, match="page_size"):
        export_pdf(plan, tmp_path / "x.pdf", catalog=base_catalog, page_size="A3", samples=300)
    assert not (tmp_path / "x.pdf").exists()


def test_a_formula_like_name_is_just_text(tmp_path, base_catalog):
    text = (EXAMPLES / "support-assistant.yaml").read_text(encoding="utf-8").replace(
        "name: Support assistant", "name: '=HYPERLINK(\"x\")'")
    plan = loads_checked(text, base_dir=EXAMPLES, catalog=base_catalog)
    out = tmp_path / "hostile.pdf"
    export_pdf(plan, out, catalog=base_catalog, samples=300)
    assert '=HYPERLINK("x")' in text_of(out)


def test_long_horizons_and_an_empty_plan(tmp_path, base_catalog):
    text = (EXAMPLES / "vision-inhouse.yaml").read_text(encoding="utf-8").replace("months: 36", "months: 120")
    plan = loads_checked(text, base_dir=EXAMPLES, catalog=base_catalog)
    out = tmp_path / "long.pdf"
    export_pdf(plan, out, catalog=base_catalog, samples=300)
    body = text_of(out)
    assert "Dec 2036" in body and "2036" in body
    empty = tmp_path / "empty.pdf"
    export_pdf(Plan(name="Nothing yet"), empty, catalog=base_catalog)
    assert "Nothing yet" in text_of(empty) and "no savings scenarios" in text_of(empty)


def test_progress_and_cancel(tmp_path, base_catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", base_catalog)
    seen: list[int] = []
    out = tmp_path / "p.pdf"
    export_pdf(plan, out, catalog=base_catalog, samples=500, progress=lambda d, t: seen.append(d * 100 // t))
    assert seen == sorted(seen) and seen[-1] == 100 and out.exists()
    calls = {"n": 0}

    def cancel_late() -> bool:  # cancel while the pages are being painted
        calls["n"] += 1
        return calls["n"] > 6
    target = tmp_path / "c.pdf"
    with pytest.raises(Exception) as err:
        export_pdf(plan, target, catalog=base_catalog, samples=500, cancel=cancel_late)
    assert isinstance(err.value, Cancelled) or type(err.value).__name__ == "Cancelled"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf"]  # nothing half-written, no temp file
    out.write_bytes(b"old")
    with pytest.raises(Exception) as err:
        export_pdf(plan, out, catalog=base_catalog, samples=500, cancel=lambda: True)
    assert type(err.value).__name__ == "Cancelled"
    assert out.read_bytes() == b"old"  # a cancelled export leaves the existing file alone


def test_an_unwritable_folder_is_an_os_error(tmp_path, base_catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", base_catalog)
    with pytest.raises(OSError):
        export_pdf(plan, tmp_path / "missing" / "r.pdf", catalog=base_catalog, samples=300)


def test_comparison_report(tmp_path, base_catalog):
    path = str(EXAMPLES / "support-assistant.yaml")
    cmp = C.compare([C.load_entry(path, base_catalog), C.load_entry(path + "#Frugal", base_catalog),
                     C.load_entry(str(EXAMPLES / "finetuned-open-model.yaml"), base_catalog)])
    out = tmp_path / "cmp.pdf"
    export_compare_pdf(cmp, out, page_size="Letter")
    text = text_of(out)
    for heading in ("Figures", "Monthly cost", "B against A", "C against A", "Cost differences by line",
                    "What changed in the inputs"):
        assert heading in text, heading
    assert "Sent as batch" in text and "gpt-4.1-nano" in text      # inputs named by the schema's labels
    assert round(float(pypdf.PdfReader(str(out)).pages[0].mediabox.width)) == 612


def test_headless_export_starts_its_own_application(tmp_path):
    """`aicost report --pdf` has no window: export_pdf starts a QGuiApplication on the offscreen platform."""
    out = tmp_path / "headless.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    code = ("import sys; from pricing.load import load_checked; from gui.pdf import export_pdf; "
            f"export_pdf(load_checked({str(EXAMPLES / 'support-assistant.yaml')!r}), {str(out)!r}, samples=200); "
            "from PySide6.QtGui import QGuiApplication; print(QGuiApplication.platformName())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "offscreen"
    assert out.read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------
# File > Export PDF… / Export CSV… (gui/export_actions.py)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def host(qtbot):
    from PySide6.QtWidgets import QMainWindow
    w = QMainWindow()
    w.presenter = ErrorPresenter()
    qtbot.addWidget(w)
    return w


from gui.errors import ErrorPresenter  # noqa: E402


def test_export_pdf_action_asks_remembers_and_runs_off_the_ui_thread(host, plan_document, tmp_path, qtbot,
                                                                    monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    from gui import export_actions
    asked = []

    def fake_dialog(parent, title, start, filters, selected):
        asked.append((start, selected))
        return str(tmp_path / "report"), export_actions.PDF_FILTERS["Letter"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    job = export_actions.export_pdf(host, plan_document)
    with qtbot.waitSignal(job.succeeded, timeout=30000) as blocker:
        pass
    out = tmp_path / "report.pdf"
    assert blocker.args == [(out,)]
    assert round(float(pypdf.PdfReader(str(out)).pages[0].mediabox.width)) == 612  # the filter chose Letter
    assert "Exported report.pdf" in host.statusBar().currentMessage()
    assert asked[0][0].endswith("Support assistant.pdf")
    job = export_actions.export_pdf(host, plan_document)  # the second time: the last folder, the last page size
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    assert asked[1] == (str(tmp_path / "Support assistant.pdf"), export_actions.PDF_FILTERS["Letter"])


def test_export_csv_action_writes_the_three_files(host, plan_document, tmp_path, qtbot):
    from gui import export_actions
    job = export_actions.export_csv(host, plan_document, path=tmp_path / "costs")
    with qtbot.waitSignal(job.succeeded, timeout=30000) as blocker:
        pass
    assert [p.name for p in blocker.args[0]] == ["costs.csv", "costs-summary.csv", "costs-monthly.csv"]
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in blocker.args[0])


def test_cancel_leaves_no_file(host, plan_document, tmp_path, qtbot):
    from gui import export_actions
    out = tmp_path / "out"
    out.mkdir()
    job = export_actions.export_pdf(host, plan_document, path=out / "r.pdf", page_size="A4")
    job.dialog.canceled.emit()  # what the Cancel button does
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    assert job.worker.state.value == "cancelled"
    assert list(out.iterdir()) == []
    assert "cancelled" in host.statusBar().currentMessage()


def test_errors_go_to_the_presenter(host, plan_document, tmp_path, qtbot):
    from gui import export_actions
    job = export_actions.export_pdf(host, plan_document, path=tmp_path / "missing" / "r.pdf", page_size="A4")
    with qtbot.waitSignal(job.failed, timeout=30000):
        pass
    assert host.presenter.last_dialog is not None and "missing" in host.presenter.last_dialog.text()


def test_a_plan_that_cannot_be_priced_is_not_exported(host, plan_document, tmp_path):
    import dataclasses
    from gui import export_actions
    plan = plan_document.plan
    line = dataclasses.replace(plan.mlops[0], kind="no_such_kind")
    plan_document.apply(plan.with_section("mlops", (line,) + plan.mlops[1:]), "break it")
    assert plan_document.projection is None
    assert export_actions.export_pdf(host, plan_document, path=tmp_path / "r.pdf") is None
    assert export_actions.export_csv(host, plan_document, path=tmp_path / "r.csv") is None
    assert "can't be priced" in host.presenter.last_dialog.text()
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "r.csv").exists()
