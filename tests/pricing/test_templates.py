"""Templates (resources/templates): every one loads with the real loader and is priced, each says where its figures
come from, and one is checked line by line by hand (API prices against genai-prices, the authority)."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from genai_prices import Usage, calc_price

from pricing import engine, planfile, templates as T
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.load import load_checked
from pricing.plan import YearMonth

START = YearMonth(2027, 1)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_the_five_templates_the_start_page_offers():
    keys = [s.key for s in T.templates()]
    assert keys[:5] == ["rag-assistant", "finetune-selfhost", "pretrain", "vision-annotation", "agent-platform"]
    assert all(s.kind is T.Kind.TEMPLATE for s in T.templates())
    assert [s.key for s in T.examples()] == ["finetuned-open-model", "support-assistant", "vision-inhouse"]


@pytest.mark.parametrize("starter", T.templates(), ids=lambda s: s.key)
def test_every_template_loads_with_the_real_loader_and_is_priced(starter, catalog):
    # the loader the window and `aicost` use: a field renamed or a rule tightened later fails here
    plan = load_checked(starter.path, catalog)
    assert plan.name == starter.name and starter.summary
    proj = engine.project(plan, catalog)
    assert proj.total > 0 and np.all(proj.monthly > 0)
    assert not any(s.key for s in proj.undated_sources() if s.key.startswith("api."))
    # the plan file round-trips (what Save writes reads back as the same plan)
    assert planfile.loads(planfile.dumps(plan), base_dir=starter.path.parent) == plan


@pytest.mark.parametrize("starter", T.templates(), ids=lambda s: s.key)
def test_every_template_says_where_its_figures_come_from(starter):
    notes = starter.notes
    assert "Prices:" in notes, "the header names the sources of its prices"
    assert "catalog" in notes or "genai-prices" in notes
    # volumes are stated as assumptions, or come from a published figure
    assert re.search(r"assumption|Volumes", notes, re.IGNORECASE)
    # at least one public source: a URL, an arXiv paper or a repository path
    assert re.search(r"https?://|arXiv|docs/en/", notes)
    # scenarios to try, so the Savings panel starts with something to show
    assert load_checked(starter.path).scenarios


def test_a_new_plan_from_a_template_starts_this_month(catalog):
    path = T.templates()[0].path
    plan = T.from_template(path, catalog)
    assert plan.start == YearMonth.today()
    assert T.from_template(path, catalog, START).start == START


def test_a_broken_template_is_reported_with_file_line_and_key(tmp_path, catalog):
    bad = tmp_path / "bad.yaml"
    bad.write_text(T.templates()[0].path.read_text().replace("requests_per_month: 252k", "requests_per_month: lots"))
    with pytest.raises(PlanError) as err:
        T.from_template(bad, catalog)
    p = err.value.problems[0]
    assert p.file and p.file.endswith("bad.yaml") and p.line and p.key_path == "services.apis[0].requests_per_month"


def test_header_and_summary():
    s = T.describe(T.templates()[0].path, T.Kind.TEMPLATE)
    assert s.name == "Knowledge assistant (RAG on APIs)"
    assert s.summary.startswith("An internal knowledge assistant")
    assert T.header("# one\n#two\nname: x\n# not header\n") == ["one", "two"]


def genai(model: str, provider: str, inp: int, out: int, cached: int = 0) -> float:
    """What genai-prices itself charges for one request in January 2027."""
    usage = Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached)
    when = dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC)
    return float(calc_price(usage, model, provider_id=provider, genai_request_timestamp=when).total_price)


def test_the_rag_template_by_hand(catalog):
    plan = T.from_template(T.templates()[0].path, catalog, START)
    proj = engine.project(plan, catalog)
    line = {li.name: li.monthly for li in proj.line_items}
    # Answer generation: 252,000 requests x (3,500 input, none cached: the 500-token instructions are under
    #   OpenAI's 1,024-token caching minimum, 400 output) on gpt-4.1
    #   by hand at 2 / 8 USD per M tokens: (3,500 x 2 + 400 x 8) / 1e6 = 0.0102 USD
    per_request = genai("gpt-4.1", "openai", 3500, 400, 0)
    assert per_request == pytest.approx(0.0102, rel=1e-12)
    assert line["Answer generation"][0] == pytest.approx(252_000 * per_request)         # 2,570.40
    #   growing 5% a month: 24 months = 2,570.40 x (1.05^24 - 1) / 0.05
    assert line["Answer generation"].sum() == pytest.approx(252_000 * per_request * (1.05 ** 24 - 1) / 0.05)
    # embeddings, text-embedding-3-small at 0.02 USD per M tokens
    assert line["Question embeddings"][0] == pytest.approx(252_000 * genai("text-embedding-3-small", "openai", 30, 0))
    assert line["Question embeddings"][0] == pytest.approx(0.1512)                     # 252k x 30 x 0.02 / 1e6
    assert list(line["Corpus embedding (first load)"][:2]) == pytest.approx([20.0, 0.0])  # 2M x 500 x 0.02 / 1e6
    assert list(line["Corpus re-embedding (changed passages)"][:2]) == pytest.approx([0.0, 1.0])  # from month 2
    # storage: S3 Standard 0.023 USD per billed GB-month on the volume held; AWS bills binary GB (2^30 bytes,
    #   resources/catalog/storage.yaml billing_units), so a plan's decimal GB is 1e9 / 2^30 = 0.9313 billed GB;
    #   a month's new data counts half in its month
    #   corpus: (500 + 20 / 2) GB x 0.9313 x 0.023 = 10.92; over 24 months 500 x 24 + 20 x (0.5 + ... + 23.5)
    #   = 17,760 GB-months
    billed = 1e9 / 2**30
    assert line["Document corpus"][0] == pytest.approx(510 * billed * 0.023)              # 10.92
    assert line["Document corpus"].sum() == pytest.approx(17_760 * billed * 0.023)
    assert line["Vector index and snapshots"][0] == pytest.approx((50 + 1) * billed * 0.023)
    # egress: 50 GB a month growing 5%, the first 100 billed GB of each month free, then 0.09 USD per billed GB
    assert line["Answers to users"].sum() == pytest.approx(sum(max(0.0, 50 * billed * 1.05 ** k - 100) * 0.09
                                                               for k in range(24)))
    # annotation: 2,000 items x 2 passes x 0.012 USD (Ground Truth text classification) = 48 a month
    assert list(line["Answer quality reviews"][:3]) == pytest.approx([48.0, 48.0, 48.0])
    # MLOps: EKS 73, one load balancer 16.425, 100 GB of logs x 0.5, 10,000 CI minutes x 0.006
    assert [line[n][0] for n in ("Kubernetes control plane", "API load balancer", "Request and answer logs",
                                 "CI minutes")] == pytest.approx([73.0, 16.425, 50.0, 60.0])
    # people: 40 h x 95 USD
    assert line["Prompt, retrieval and eval upkeep"][0] == pytest.approx(3_800.0)
    # month 1 in all: the lines above
    month1 = (252_000 * 0.0102 + 0.1512 + 20.0 + 510 * billed * 0.023 + 51 * billed * 0.023 + 0.0 + 48.0 + 73.0
              + 16.425 + 50.0 + 60.0 + 3_800.0)
    assert proj.monthly[0] == pytest.approx(month1)                                    # 6,649.99
