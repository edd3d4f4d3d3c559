"""Token estimates: counts per model's own encoding, costs as apiprices prices them, applying to a plan."""
from __future__ import annotations

import dataclasses

import pytest

from pricing import apiprices, tokens
from pricing import token_estimate as te
from pricing.plan import ApiLine, Plan, Range, Sample, Services
from pricing.token_estimate import ModelRef, Usage

GPT4O = ModelRef("openai", "gpt-4o")              # o200k_base, exact
GPT4O_MINI = ModelRef("openai", "gpt-4o-mini")    # o200k_base too: shares gpt-4o's count
GPT4 = ModelRef("openai", "gpt-4")                # cl100k_base, exact
CLAUDE = ModelRef("anthropic", "claude-sonnet-4-5")  # approximate: no offline tokenizer

TEXT = "Summarise this support ticket in two sentences.\n" * 40 + "Customer: my invoice shows VAT twice."


def test_each_model_is_counted_in_its_own_encoding():
    counts = te.count_text_for(TEXT, [GPT4O, GPT4, CLAUDE])
    assert list(counts) == [GPT4O, GPT4, CLAUDE]
    for ref in (GPT4O, GPT4, CLAUDE):
        assert counts[ref] == tokens.count_text(TEXT, ref.model, ref.provider)
    assert counts[GPT4O].encoding == "o200k_base" and counts[GPT4O].exact
    assert counts[GPT4].encoding == "cl100k_base" and counts[GPT4].exact
    assert not counts[CLAUDE].exact and "not an OpenAI model" in counts[CLAUDE].reason


def test_models_sharing_an_encoding_are_counted_once(monkeypatch):
    calls: list[str] = []
    real = tokens.count_text

    def spy(text, model, provider=None):
        if text:
            calls.append(model)
        return real(text, model, provider)

    monkeypatch.setattr(tokens, "count_text", spy)
    counts = te.count_text_for(TEXT, [GPT4O, GPT4O_MINI, GPT4, GPT4O])
    assert calls == ["gpt-4o", "gpt-4"]
    assert counts[GPT4O_MINI].tokens == counts[GPT4O].tokens
    assert counts[GPT4O_MINI] == real(TEXT, "gpt-4o-mini", "openai")   # its own reason and wanted encoding


def test_a_file_is_counted_per_encoding_with_progress_over_all_passes(tmp_path):
    path = tmp_path / "prompt.txt"
    path.write_text(TEXT * 50, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    counts = te.count_file_for(path, [GPT4O, GPT4, GPT4O_MINI], progress=lambda d, t: seen.append((d, t)))
    for ref in (GPT4O, GPT4, GPT4O_MINI):
        assert counts[ref] == tokens.count_file(path, ref.model, ref.provider)
    size = path.stat().st_size
    assert seen[-1] == (2 * size, 2 * size)          # two encodings, two passes
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_file_count_can_be_cancelled(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 100_000, encoding="utf-8")
    with pytest.raises(tokens.Cancelled):
        te.count_file_for(path, [GPT4O], cancel=lambda: True)


@pytest.mark.parametrize("output_tokens, requests, fx", [(350, 300_000, 1.0), (0, 1, 1.0), (120, 2e6, 0.92)])
def test_costs_are_apiprices_request_costs(output_tokens, requests, fx):
    counts = te.count_text_for(TEXT, [GPT4O, GPT4])
    rows = te.estimate(counts, Usage(output_tokens, requests), fx_rate=fx)
    assert [r.ref for r in rows] == [GPT4O, GPT4]
    for row in rows:
        model = apiprices.resolve(row.ref.provider, row.ref.model)
        per_request = apiprices.request_cost(model, counts[row.ref].tokens, output_tokens) * fx
        assert row.tokens == counts[row.ref].tokens
        assert row.cost_per_request == pytest.approx(per_request, rel=1e-12)
        assert row.cost_per_1k == pytest.approx(per_request * 1000, rel=1e-12)
        assert row.cost_per_month == pytest.approx(per_request * requests, rel=1e-12)
        assert row.input_per_mtok == model.input_per_mtok and row.output_per_mtok == model.output_per_mtok
        assert row.source is not None and row.source.as_of_date == apiprices.data_date()
        assert row.priced and not row.error


def test_an_unknown_model_is_a_row_with_the_reason_not_an_error():
    counts = te.count_text_for(TEXT, [ModelRef("openai", "gpt-nonexistent-9")])
    (row,) = te.estimate(counts, Usage(100, 1000))
    assert not row.priced and row.cost_per_month is None
    assert "unknown model" in row.error
    assert row.tokens == counts[ModelRef("openai", "gpt-nonexistent-9")].tokens


def test_estimate_for_plan_uses_its_currency_and_price_overrides():
    key = apiprices.override_keys("openai", "gpt-4o")[0]   # the input price
    plan = Plan(currency="EUR", fx_rate=0.9, prices=((key, 1.0),))
    counts = te.count_text_for(TEXT, [GPT4O])
    (row,) = te.estimate_for_plan(counts, Usage(200, 10_000), plan)
    model = apiprices.resolve("openai", "gpt-4o", {key: 1.0})
    assert model.input_per_mtok == 1.0
    assert row.cost_per_request == pytest.approx(apiprices.request_cost(model, row.tokens, 200) * 0.9)
    assert row.source.overridden


def _row(ref=GPT4O, tokens_=1234, output=350):
    return te.EstimateRow(ref=ref, name="GPT-4o", encoding="o200k_base", tokens=tokens_, exact=True, reason="",
                          output_tokens=output, cost_per_request=0.01, cost_per_1k=10.0, cost_per_month=100.0)


def _plan_with_line(**kw) -> Plan:
    line = ApiLine(name="Answers", provider="openai", model="gpt-4", requests_per_month=300_000, input_tokens=900,
                   output_tokens=100, growth=0.1, **kw)
    return Plan(services=Services(apis=(line,)))


def test_apply_to_an_existing_line_sets_model_and_tokens_and_keeps_the_rest():
    plan = _plan_with_line(sample_input=Sample(text="hello", tokens=1))
    new = te.apply_to_plan(plan, _row(), 0)
    (line,) = new.services.apis
    assert (line.provider, line.model, line.input_tokens, line.output_tokens) == ("openai", "gpt-4o", 1234, 350)
    assert line.sample_input is None                        # the sample would recount over the new number
    assert line.requests_per_month == 300_000 and line.growth == 0.1 and line.name == "Answers"
    assert plan.services.apis[0].model == "gpt-4"           # the old plan is untouched


def test_apply_can_set_requests_and_drops_ranges_of_the_fields_it_sets():
    rng = Range(800, 900, 1000)
    plan = _plan_with_line(ranges=(("input_tokens", rng), ("growth", Range(0.05, 0.1, 0.15))))
    (line,) = te.apply_to_plan(plan, _row(), 0, requests_per_month=50_000).services.apis
    assert line.requests_per_month == 50_000
    assert dict(line.ranges) == {"growth": Range(0.05, 0.1, 0.15)}


def test_apply_as_a_new_line_appends_one_with_a_free_name():
    plan = _plan_with_line()
    plan = dataclasses.replace(plan, services=Services(apis=plan.services.apis + (
        dataclasses.replace(plan.services.apis[0], name="GPT-4o calls"),)))
    new = te.apply_to_plan(plan, _row(), te.NEW_LINE, requests_per_month=1000)
    assert len(new.services.apis) == 3
    added = new.services.apis[-1]
    assert added.name == "GPT-4o calls (2)"
    assert ((added.model, added.input_tokens, added.output_tokens, added.requests_per_month)
            == ("gpt-4o", 1234, 350, 1000))
    named = te.apply_to_plan(plan, _row(), te.NEW_LINE, name="  Drafts ")
    assert named.services.apis[-1].name == "Drafts"


def test_apply_to_a_missing_line_is_an_error():
    with pytest.raises(IndexError):
        te.apply_to_plan(Plan(), _row(), 0)
