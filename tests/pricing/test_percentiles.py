"""Percentiles of columns read in passes (pricing.percentiles) equal numpy's of the whole matrix, bit for bit."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pricing.percentiles import column_percentiles, order_indexes


def _passes(matrix: np.ndarray, q, memory: int, blocks: int = 5):
    parts = np.array_split(matrix, blocks)
    calls = []

    def replay():
        calls.append(1)
        return iter(parts)
    return column_percentiles(replay, len(matrix), matrix.shape[1], q, memory=memory), len(calls)


def test_order_indexes_are_numpys():
    # 11 values, P10: virtual index 0.1 x 10 = 1.0 -> the 2nd value exactly; P50 -> the 6th; P95 -> 9.5
    prev, nxt, gamma = order_indexes(11, [10, 50, 95, 100, 0])
    assert prev.tolist() == [1, 5, 9, 10, 0] and nxt.tolist() == [2, 6, 10, 10, 1]  # P0: weight 0 on the 2nd
    assert gamma[2] == pytest.approx(0.5)


def test_equal_to_numpy_when_everything_fits():
    m = np.random.default_rng(1).normal(size=(5000, 7))
    got, passes = _passes(m, [10, 50, 90], memory=1 << 30)
    assert passes == 2 and np.array_equal(got, np.percentile(m, [10, 50, 90], axis=0))


@pytest.mark.parametrize("memory", [200, 5_000, 200_000])
def test_equal_to_numpy_in_little_memory(memory):
    rng = np.random.default_rng(2)
    m = np.column_stack([
        rng.lognormal(3, 2, 20_001) * 1e6,          # growth compounded: orders of magnitude
        np.full(20_001, 42.0),                      # a month before anything starts: one value
        np.round(rng.normal(size=20_001), 1),       # many ties
        np.where(rng.random(20_001) < 0.5, 7.0, rng.uniform(7, 8, 20_001)),  # half the samples at a floor
        -rng.exponential(size=20_001),              # negative amounts
    ])
    q = [0, 1, 10, 33.3, 50, 90, 99.9, 100]
    got, passes = _passes(m, q, memory=memory)
    assert np.array_equal(got, np.percentile(m, q, axis=0))
    assert passes >= 2


@settings(max_examples=60, deadline=None)
@given(m=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=60),
                    elements=st.floats(-1e9, 1e9, allow_nan=False)),
       memory=st.sampled_from([0, 100, 10_000, 10**8]), blocks=st.integers(1, 4))
def test_any_matrix(m, memory, blocks):
    if m.shape[0] < blocks:
        blocks = 1
    got, _ = _passes(m, [10, 50, 90], memory=memory, blocks=blocks)
    assert np.array_equal(got, np.percentile(m, [10, 50, 90], axis=0))
