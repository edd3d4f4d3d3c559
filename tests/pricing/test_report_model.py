"""The report model (pricing/report_model.py): one immutable report, gathered once from one projection."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pricing import engine, report, report_model, uncertainty
from pricing.catalog import Catalog
from pricing.load import load_checked

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "resources" / "examples"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


@pytest.fixture(scope="module")
def support(catalog):
    return load_checked(EXAMPLES / "support-assistant.yaml", catalog)


def counting_projections(monkeypatch, plan) -> list:
    """Every engine.project call on ``plan`` itself (scenarios project their own, changed plans)."""
    calls = []
    real = engine.project

    def project(p, *a, **k):
        if p is plan:
            calls.append(p)
        return real(p, *a, **k)
    monkeypatch.setattr(engine, "project", project)
    return calls


def test_the_baseline_is_projected_once_and_a_given_projection_not_at_all(support, catalog, monkeypatch):
    calls = counting_projections(monkeypatch, support)
    rep = report_model.gather(support, catalog, tornado=False, samples=200)
    assert len(calls) == 1
    assert [s.name for s in rep.scenarios] == ["Frugal", "Self-host answers"]
    assert all(s.result.baseline is rep.projection for s in rep.scenarios)  # evaluated against that projection
    proj = rep.projection
    again = report_model.gather(support, catalog, projection=proj, tornado=False, samples=200)
    assert len(calls) == 1 and again.projection is proj
    assert again.summary is rep.summary  # one projection, one summary (kept per projection)


def test_a_report_is_immutable_and_its_parts_add_up(support, catalog):
    rep = report_model.gather(support, catalog, samples=300)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.plan = None  # type: ignore[misc]
    s = rep.summary
    assert s.total == sum(li.total for li in s.lines) == int(s.monthly.sum()) == int(s.cells.sum())
    for sf in rep.scenarios:
        assert sf.saving == s.total - sf.summary.total == sum(st.total for st in sf.strategies)
    best = rep.best_scenario()
    assert best is not None and best.saving == max(sf.saving for sf in rep.scenarios)
    # the plan has ranges: the Monte Carlo and the tornado ran, with the samples asked for
    assert rep.monte_carlo.samples == rep.uncertainty.samples == 300 and rep.tornado.bars
    assert rep.inputs is not None and rep.prices and rep.dates is not None


def test_only_what_is_asked_is_gathered(support, catalog, monkeypatch):
    monkeypatch.setattr(uncertainty, "monte_carlo", lambda *a, **k: pytest.fail("Monte Carlo not asked for"))
    monkeypatch.setattr(uncertainty, "tornado", lambda *a, **k: pytest.fail("tornado not asked for"))
    rep = report_model.gather(support, catalog, scenarios=False, monte_carlo=False, tornado=False, texts=False)
    assert rep.scenarios == () and rep.monte_carlo is None and rep.tornado is None
    assert rep.inputs is None and rep.prices == () and rep.dates is None
    assert report.report_data(rep) == report.report_data(rep.projection)  # JSON from the report or the projection


def test_progress_runs_to_100_and_cancel_stops(support, catalog):
    seen = []
    report_model.gather(support, catalog, samples=4000, progress=lambda d, t: seen.append(100 * d // t))
    assert seen == sorted(seen) and seen[0] == 5 and seen[-1] == 100 and len(seen) > 5
    asked = {"n": 0}

    def cancel() -> bool:
        asked["n"] += 1
        return asked["n"] > 3   # during the scenarios or the Monte Carlo
    with pytest.raises(uncertainty.Cancelled):
        report_model.gather(support, catalog, samples=4000, cancel=cancel)


def test_report_of_assembles_parts_already_computed(support, catalog, monkeypatch):
    proj = engine.project(support, catalog)
    mc = uncertainty.monte_carlo(support, catalog, samples=200)
    calls = counting_projections(monkeypatch, support)
    rep = report_model.report_of(proj, monte_carlo=mc)
    assert calls == [] and rep.monte_carlo is mc
    # the percentiles rounded once, to the cent (half-even), as the JSON and the CSV show them
    assert rep.uncertainty.total_p50 == round(mc.total_p50 * 100)
    assert report.uncertainty_data(rep)["total_p50"] == rep.uncertainty.total_p50 / 100
