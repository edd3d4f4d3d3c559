"""Annotation as vendors charge it (issue 15, item 7): workers per item, a labelling service's per-object fee, expert
task rates, and gaps that are visible problems with the key that fills them."""
from __future__ import annotations

import pytest

from pricing import engine
from pricing.catalog import Catalog
from pricing.errors import PlanFileError
from pricing.load import loads_checked

HEAD = "format: aicost-plan/1\nname: Labels\nstart: 2027-01\nmonths: 3\nannotation:\n"


def project(lines: str, prices: str = ""):
    return engine.project(loads_checked(HEAD + lines + (("prices:\n" + prices) if prices else ""), file="l.yaml"))


def test_consensus_workers_each_paid():
    li = project("  - {name: Boxes, task: bounding_box, items: 10k, workers_per_item: 3, review_passes: 1.2}\n"
                 ).line_items[0]
    # 10,000 items x 1.2 passes x 3 workers x 0.036 USD (Ground Truth / Mechanical Turk per box per worker) = 1,296
    assert li.monthly == pytest.approx([1296.0, 0, 0])
    assert li.quantity("labels")[0] == pytest.approx(36_000)


def test_ground_truth_fee_per_object_and_pass_not_per_worker():
    li = project("  - {name: Boxes, task: bounding_box, items: 10k, workers_per_item: 3, service: ground_truth}\n",
                 "  annotation.fee.ground_truth_service: 0.08\n").line_items[0]
    # workers: 10,000 x 3 x 0.036 = 1,080; fee: 10,000 objects x 0.08 = 800
    assert li.monthly[0] == pytest.approx(1080 + 800)
    assert "annotation.fee.ground_truth_service" in [s.key for s in li.sources]


def test_the_fee_gap_is_a_problem_naming_the_key_never_zero():
    with pytest.raises(PlanFileError) as err:
        project("  - {name: Boxes, task: bounding_box, items: 10k, service: ground_truth}\n")
    (p,) = err.value.problems
    assert p.line == 6 and p.key_path == "annotation[0]"
    assert "prices: {annotation.fee.ground_truth_service: <USD per object>}" in p.message


def test_expert_rates_by_task_are_sourced():
    c = Catalog.load()
    expert = c.annotation_price("rlhf_preference_expert")
    assert expert.value == 100.0 and "claru.ai" in expert.source.source
    li = project("  - {name: Code preferences, task: expert_rlhf, items: 600}\n").line_items[0]
    assert li.monthly[0] == pytest.approx(600 * 100.0)   # the article's 600-annotation batch: 60,000 USD


def test_every_task_is_priced_or_a_named_gap():
    c = Catalog.load()
    for e in c.entries("annotation"):
        assert e.value is not None or (e.gap and e.key.startswith("annotation.fee.")), e.key
        assert e.source.source and e.source.as_of, e.key
