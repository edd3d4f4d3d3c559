"""Load = read, then check: the file's format first (no prices), then the catalog's checks, problems as values."""
import pytest

from pricing import load, planfile
from pricing.catalog import Catalog
from pricing.errors import CatalogError, PlanFileError

PLAN = """\
format: aicost-plan/1
name: T
start: 2027-01
months: 12
provider: aws
compute:
  training:
    - {name: FT, gpu: H1OO, gpus: 8, hours: 10}
"""


def test_reading_knows_no_prices_and_checking_places_problems_at_their_line():
    plan = planfile.loads(PLAN, file="t.yaml")          # an unknown GPU is not a format problem
    assert plan.compute.training[0].gpu == "H1OO"
    got, problems = load.loads(PLAN, file="t.yaml", catalog=Catalog.load())
    assert got == plan
    [p] = problems
    assert (p.key_path, p.line, p.file) == ("compute.training[0].gpu", 8, "t.yaml")   # line 8 of PLAN
    assert "unknown GPU 'H1OO'" in p.message
    with pytest.raises(PlanFileError) as exc:
        load.loads_checked(PLAN, file="t.yaml")
    assert exc.value.problems == tuple(problems) or list(exc.value.problems) == problems


def test_format_problems_come_back_as_values_without_a_plan():
    plan, problems = load.loads("format: aicost-plan/1\nmonths: many\n", file="t.yaml")
    assert plan is None and [p.key_path for p in problems] == ["months"] and problems[0].line == 2


def test_a_broken_catalog_is_the_catalogs_problem_not_the_plans(tmp_path, monkeypatch):
    """An empty catalog folder: one CatalogError naming the catalog's files, nothing reported against t.yaml."""
    from pricing.catalog import core
    monkeypatch.setattr(core, "default_directory", lambda: tmp_path)
    with pytest.raises(CatalogError) as exc:
        load.loads(PLAN.replace("H1OO", "H100"), file="t.yaml")
    problems = exc.value.problems
    assert problems and all(p.file != "t.yaml" and p.key_path != "prices" for p in problems)
    assert any("gpus.yaml" in f"{p.file} {p.message}" for p in problems)
