"""Fitting the serving model's efficiencies to published throughputs, and the calibration table."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from pricing.models_catalog import Measurement, ModelCatalog
from pricing.serving import Efficiency, GpuPerf, ServingParams, evaluate

EFFICIENCY_FIELDS = tuple(Efficiency.__slots__)
START = 0.5
"""Every efficiency starts the fit at one half (the result does not depend on it: tests/pricing)."""


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """One published figure next to what the model predicts for it."""

    measurement: Measurement
    predicted: float
    """Output tokens/s of the whole system (all tensor-parallel GPUs), as published."""

    @property
    def error(self) -> float:
        """predicted / published - 1."""
        return self.predicted / self.measurement.output_tokens_per_s - 1.0


def _sets(measurements: Sequence[Measurement]) -> list[tuple[tuple, list[int]]]:
    """Indices of the measurements that share model, GPU, precision, TP and engine settings."""
    groups: dict[tuple, list[int]] = {}
    for i, m in enumerate(measurements):
        groups.setdefault((m.model, m.gpu, m.precision, m.tensor_parallel, m.kv_cache, m.max_batch), []).append(i)
    return list(groups.items())


def predict(measurements: Sequence[Measurement], models: ModelCatalog, gpus: Mapping[str, GpuPerf],
            params: ServingParams) -> np.ndarray:
    """Modelled output tokens/s of the whole system for each measurement (one replica of its TP)."""
    out = np.empty(len(measurements))
    for (model, gpu, precision, tp, kv, max_batch), idx in _sets(measurements):
        p = params if max_batch is None else replace(params, max_batch=max_batch)
        isl = np.array([measurements[i].input_tokens for i in idx])
        osl = np.array([measurements[i].output_tokens for i in idx])
        perf = evaluate(models.spec(model), gpus[gpu], precision, isl, osl, p, tensor_parallel=tp, kv_cache=kv)
        out[idx] = np.broadcast_to(perf.output_tokens_per_s, isl.shape)
    return out


def _levenberg_marquardt(residuals: Callable[[np.ndarray], np.ndarray], x0: np.ndarray,
                         iterations: int = 200) -> np.ndarray:
    """Least squares by Levenberg-Marquardt with a forward-difference Jacobian (a few parameters)."""
    x = np.array(x0, dtype=float)
    r = residuals(x)
    cost = float(r @ r)
    damping = 1e-3
    for _ in range(iterations):
        jac = np.empty((r.size, x.size))
        for j in range(x.size):
            step = 1e-6 * max(1.0, abs(x[j]))
            xs = x.copy()
            xs[j] += step
            jac[:, j] = (residuals(xs) - r) / step
        a, g = jac.T @ jac, jac.T @ r
        while True:
            dx = -np.linalg.solve(a + damping * np.diag(np.diag(a) + 1e-12), g)
            r_new = residuals(x + dx)
            cost_new = float(r_new @ r_new)
            if cost_new < cost:
                x, r, improvement = x + dx, r_new, cost - cost_new
                cost, damping = cost_new, damping / 3.0
                break
            damping *= 4.0
            if damping > 1e10:
                return x
        if improvement < 1e-12 * max(cost, 1e-12) and float(np.max(np.abs(dx))) < 1e-9:
            break
    return x


@dataclass(frozen=True, slots=True)
class FitResult:
    efficiency: Efficiency
    rows: tuple[CalibrationRow, ...]
    """The fitted measurements with their predictions."""
    rms_log_error: float

    @property
    def worst(self) -> CalibrationRow:
        return max(self.rows, key=lambda row: abs(row.error))


def fit(measurements: Sequence[Measurement], models: ModelCatalog, gpus: Mapping[str, GpuPerf],
        params: ServingParams) -> FitResult:
    """Efficiencies minimising the squared log error of the ``use: fit`` measurements.

    Log error, because the figures span 283 to 66,057 tokens/s and a 20% miss should weigh the
    same on each; the factors are fitted in log space so they stay positive.
    """
    used = [m for m in measurements if m.use == "fit"]
    published = np.log([m.output_tokens_per_s for m in used])

    def residuals(x: np.ndarray) -> np.ndarray:
        eff = Efficiency(**dict(zip(EFFICIENCY_FIELDS, np.exp(x))))
        return np.log(predict(used, models, gpus, replace(params, efficiency=eff))) - published

    x = _levenberg_marquardt(residuals, np.full(len(EFFICIENCY_FIELDS), math.log(START)))
    eff = Efficiency(**{f: float(v) for f, v in zip(EFFICIENCY_FIELDS, np.exp(x))})
    r = residuals(x)
    predicted = np.exp(r + published)
    rows = tuple(CalibrationRow(m, float(p)) for m, p in zip(used, predicted))
    return FitResult(eff, rows, float(math.sqrt(float(r @ r) / r.size)))


def calibration_rows(measurements: Sequence[Measurement], models: ModelCatalog, gpus: Mapping[str, GpuPerf],
                     params: ServingParams) -> tuple[CalibrationRow, ...]:
    """Every measurement (fitted and checks) with the model's prediction at ``params``."""
    return tuple(CalibrationRow(m, float(p)) for m, p in zip(measurements, predict(measurements, models, gpus, params)))


def table_markdown(rows: Sequence[CalibrationRow], models: ModelCatalog) -> str:
    """The calibration table: model, GPU, ISL/OSL, published, predicted, error."""
    lines = ["| model | precision | GPU (TP) | ISL/OSL | published tok/s | predicted tok/s | error | use |",
             "|---|---|---|---|---:|---:|---:|---|"]
    for row in rows:
        m = row.measurement
        lines.append(f"| {models.spec(m.model).name} | {m.precision.value} | {m.gpu} (TP{m.tensor_parallel}) | "
                     f"{m.input_tokens:,.0f}/{m.output_tokens:,.0f} | {m.output_tokens_per_s:,.0f} | "
                     f"{row.predicted:,.0f} | {row.error:+.0%} | "
                     f"{m.use}{'' if m.use == 'fit' else ' (' + m.engine + ')'} |")
    return "\n".join(lines)
