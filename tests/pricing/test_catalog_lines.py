"""A catalog problem says its file AND line (the plan reader's YAML-with-lines tree, pricing/planfile/yamltree.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pricing.catalog import Catalog
from pricing.catalog.reader import line_of, read_yaml
from pricing.errors import CatalogError

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ROOT / "resources" / "catalog"


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the shipped catalog to break."""
    shutil.copytree(SHIPPED, tmp_path / "catalog")
    return tmp_path / "catalog"


def line_number(text: str, needle: str, start: str = "") -> int:
    """1-based line of the first ``needle`` after the first ``start`` (the test finds it; the reader must agree)."""
    offset = text.index(start) if start else 0
    return text[:text.index(needle, offset)].count("\n") + 1


def problems(directory: Path) -> list:
    with pytest.raises(CatalogError) as err:
        Catalog.load(directory)
    return err.value.problems


def test_the_shipped_catalog_with_its_anchors_and_aliases_loads():
    cat = Catalog.load(SHIPPED)
    assert cat.gpu_price("H100-80GB", "aws").value == 6.88
    # *sky_aws (an alias) carries the source of the anchor &sky_aws
    assert cat.gpu_price("H100-80GB", "aws", "spot").source.source.startswith("https://github.com/skypilot-org")


def test_a_bad_price_is_reported_at_its_file_and_line(copy):
    gpus = copy / "gpus.yaml"
    text = gpus.read_text(encoding="utf-8")
    broken = text.replace("          value: 6.88\n", "          value: -6.88\n", 1)
    gpus.write_text(broken, encoding="utf-8")
    want = line_number(broken, "value: -6.88")
    found = [p for p in problems(copy) if p.key_path == "gpus.H100-80GB.prices.aws.on_demand.value"]
    assert len(found) == 1
    p = found[0]
    assert p.file == str(gpus) and p.line == want
    assert str(p).startswith(f"{gpus}:{want}: gpus.H100-80GB.prices.aws.on_demand.value: found -6.88")


def test_a_missing_field_is_reported_at_the_entry_that_lacks_it(copy):
    gpus = copy / "gpus.yaml"
    text = gpus.read_text(encoding="utf-8")
    broken = text.replace("          confidence: verified_catalog\n          notes: p5.4xlarge",
                          "          notes: p5.4xlarge", 1)
    assert broken != text
    gpus.write_text(broken, encoding="utf-8")
    # the entry gpus.H100-80GB.prices.aws.on_demand starts on the line of its key, under "aws:" of H100-80GB
    want = line_number(broken, "on_demand:", "  H100-80GB:")
    found = [p for p in problems(copy) if p.key_path == "gpus.H100-80GB.prices.aws.on_demand.confidence"]
    assert [(p.line, p.message) for p in found] == [(want, "missing confidence")]


def test_a_key_written_twice_is_a_problem_with_its_line(copy):
    """YAML alone keeps the last of two equal keys without a word; the reader says where the second one is."""
    gpus = copy / "gpus.yaml"
    text = gpus.read_text(encoding="utf-8")
    broken = text.replace("          value: 6.88\n", "          value: 6.88\n          value: 7.00\n", 1)
    gpus.write_text(broken, encoding="utf-8")
    want = line_number(broken, "value: 7.00")
    found = [p for p in problems(copy) if "appears twice" in p.message]
    assert [(p.file, p.line, p.key_path) for p in found] == [(str(gpus), want,
                                                              "gpus.H100-80GB.prices.aws.on_demand.value")]


def test_invalid_yaml_is_reported_with_its_line(copy):
    egress = copy / "egress.yaml"
    egress.write_text("kinds: [internet\nnext: 1\n", encoding="utf-8")
    p = problems(copy)[0]
    assert (p.file, p.line) == (str(egress), 2) and p.message.startswith("not valid YAML")


def test_line_of_falls_back_to_the_enclosing_key():
    doc, lines, found = read_yaml("a:\n  b:\n    - {c: 1}\n    - {c: 2}\n", "x.yaml")
    assert doc == {"a": {"b": [{"c": 1}, {"c": 2}]}} and found == []
    assert line_of(lines, "a.b[1].c") == 4
    assert line_of(lines, "a.b[1].missing") == 4
    assert line_of(lines, "a.nope.deeper") == 1
    assert line_of(lines, "zzz") is None


def test_an_alias_bomb_is_still_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))  # 10^9 values if expanded
    with pytest.raises(CatalogError, match="more than 200000 YAML values"):
        read_yaml(bomb, "bomb.yaml")
