"""The plan fuzzer in the suite (issue 17): every input that once failed is replayed, then a few seconds of new ones.

``tests/fuzzplans.py`` says what "handled" means (refused with located one-line problems, or accepted with finite,
non-negative totals within the bound that add up). ``AICOST_FUZZ_SECONDS`` and ``AICOST_FUZZ_SEED`` run it longer
or elsewhere; a failure prints its seed and input: save the input in tests/data/fuzz-corpus/ with the fix.
"""
import json
import os

import pytest

from gui import cli
from pricing.catalog import Catalog
from tests import fuzzplans

CATALOG = Catalog.load()
CORPUS = sorted(fuzzplans.CORPUS.glob("*.yaml"))


def read(path):
    return path.read_bytes().decode("utf-8", "surrogatepass")


def test_the_corpus_is_there():
    assert len(CORPUS) >= 40   # the hand-made inputs and what the fuzzer found in the code before the fix


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_a_past_failure_is_handled(path):
    assert fuzzplans.failures(read(path), CATALOG) == []


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_a_past_failure_through_the_command(path, capsys):
    """`aicost report --json`: exit 0 with strict JSON, or exit 2 with every line of stderr `file:line: ...`."""
    code = cli.main(["report", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in err
    if code == 0:
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    else:
        assert out == "" and err
        for line in err.splitlines():
            assert line.startswith(f"{path}:"), line
            assert line[len(str(path)) + 1:].split(":", 1)[0].isdigit(), line   # a line number


def test_fuzzing_for_a_few_seconds():
    seed = int(os.environ.get("AICOST_FUZZ_SEED", "20270117"))
    seconds = float(os.environ.get("AICOST_FUZZ_SECONDS", "4"))
    tried, found = fuzzplans.run(CATALOG, seed=seed, seconds=seconds)
    assert tried >= 30, tried  # a slow machine still tries some
    assert not found, (f"seed {seed}: {len(found)} of {tried} inputs mishandled; the first:\n"
                       f"{found[0][1]}\n--- input ---\n{found[0][0][:3000]}")
