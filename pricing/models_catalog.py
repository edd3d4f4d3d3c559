"""Model families and serving constants from resources/catalog/models.yaml and serving.yaml."""
from __future__ import annotations

import datetime
import functools
import math
import pathlib
import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

from pricing import userfiles
from pricing.catalog import default_directory
from pricing.catalog.reader import line_of, read_yaml
from pricing.errors import CatalogError, PlanError, Problem, QuantityError, UnknownNameError
from pricing.planfile.yamltree import MAX_BYTES
from pricing.quantities import parse_number
from pricing.serving import Efficiency, ModelSpec, Precision, ServingError, ServingParams

MODELS_FILE = "models.yaml"
SERVING_FILE = "serving.yaml"


_MODEL_INTS = ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "kv_latent_dim", "experts",
               "experts_per_token", "sliding_window", "sliding_layers", "intermediate_size",
               "expert_intermediate_size", "vocab_size")
_MODEL_FIELDS = frozenset({"name", "aliases", "params", "active_params", "source", "as_of", "notes", *_MODEL_INTS})
_EFFICIENCY_FIELDS = tuple(Efficiency.__slots__)


@dataclass(frozen=True, slots=True)
class ModelFamily:
    """A models.yaml entry: the serving spec plus the sizes that let a test recount its parameters."""

    spec: ModelSpec
    aliases: tuple[str, ...]
    intermediate_size: int = 0
    expert_intermediate_size: int = 0
    vocab_size: int = 0


@dataclass(frozen=True, slots=True)
class Measurement:
    """A published serving throughput (serving.yaml ``measurements``)."""

    model: str
    precision: Precision
    gpu: str
    tensor_parallel: int
    input_tokens: float
    output_tokens: float
    output_tokens_per_s: float
    """Whole system (all ``tensor_parallel`` GPUs)."""
    use: str
    """``fit`` (the efficiencies are fitted to it) or ``check`` (shown, not fitted)."""
    source: str
    engine: str = "TensorRT-LLM"
    kv_cache: str | None = None
    max_batch: int | None = None


@dataclass(frozen=True, slots=True)
class ServingData:
    """Everything serving.yaml holds."""

    params: ServingParams
    peak_to_average: float
    measurements: tuple[Measurement, ...]
    fit: Mapping[str, Any]
    """How the efficiencies were fitted (method, points, errors, date); empty before the first fit."""


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", "-", str(name).strip().lower())


class _Reader:
    """Collects every problem with file and key path, like the price catalog's reader."""

    def __init__(self, path: pathlib.Path):
        self.path = path
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        """The line of every key path (the price catalog reader's ``read_yaml``)."""

    def problem(self, key_path: str, message: str, line: int | None = None) -> None:
        if line is None and key_path:
            line = line_of(self.lines, key_path)
        self.problems.append(Problem(message, key_path, line, str(self.path)))

    def load(self) -> dict:
        try:
            text = userfiles.read_text(self.path, MAX_BYTES)  # a regular file, read to a cap
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(Problem(f"cannot read the catalog file: {exc}", "", None, str(self.path))) from None
        doc, self.lines, found = read_yaml(text, str(self.path))
        self.problems.extend(found)
        if not isinstance(doc, dict):
            raise CatalogError(Problem(f"found {type(doc).__name__}, expected a mapping", "", None, str(self.path)))
        return doc

    def mapping(self, value: Any, key_path: str) -> dict:
        if not isinstance(value, dict):
            self.problem(key_path, f"found {type(value).__name__}, expected a mapping")
            return {}
        return value

    def text(self, raw: Mapping, field: str, key_path: str, *, required: bool = True) -> str:
        value = raw.get(field)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{key_path}.{field}", f"missing {field}")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(f"{key_path}.{field}", f"found {type(value).__name__}, expected text")
            return ""
        return str(value).strip()

    def number(self, value: Any, key_path: str, *, integer: bool = False, positive: bool = True,
               maximum: float | None = None) -> float | None:
        try:
            v = parse_number(value, integer=integer, allow_zero=not positive, maximum=maximum)
        except QuantityError as exc:
            self.problem(key_path, str(exc))
            return None
        if not math.isfinite(v):
            self.problem(key_path, f"found {value!r}, expected a finite number")
            return None
        return v

    def finish(self) -> None:
        if self.problems:
            raise CatalogError(self.problems)


# ---------------------------------------------------------------------------------------------
# models.yaml
# ---------------------------------------------------------------------------------------------


def _read_model(r: _Reader, key: str, raw: Any, kp: str) -> ModelFamily | None:
    if not isinstance(raw, dict):
        r.problem(kp, f"found {type(raw).__name__}, expected a mapping with params, layers, heads, source")
        return None
    extra = set(raw) - _MODEL_FIELDS
    if extra:
        r.problem(kp, f"unknown field(s) {', '.join(sorted(map(str, extra)))}; expected some of "
                      f"{', '.join(sorted(_MODEL_FIELDS))}")
    name = r.text(raw, "name", kp)
    source = r.text(raw, "source", kp)
    as_of = r.text(raw, "as_of", kp)
    notes = r.text(raw, "notes", kp, required=False)
    params = r.number(raw.get("params"), f"{kp}.params") if "params" in raw else None
    if "params" not in raw:
        r.problem(f"{kp}.params", "missing params (total parameters, e.g. 70B)")
    active = params
    if raw.get("active_params") is not None:
        active = r.number(raw["active_params"], f"{kp}.active_params")
        if active is not None and params is not None and active > params:
            r.problem(f"{kp}.active_params", f"active_params {active:,.3g} exceeds params {params:,.3g}")
    ints: dict[str, int] = {}
    for f in _MODEL_INTS:
        if raw.get(f) is not None:
            v = r.number(raw[f], f"{kp}.{f}", integer=True)
            if v is not None:
                ints[f] = int(v)
    for f in ("layers", "attention_heads", "head_dim"):
        if f not in raw:
            r.problem(f"{kp}.{f}", f"missing {f}")
    if not ints.get("kv_heads") and not ints.get("kv_latent_dim"):
        r.problem(kp, "give kv_heads (grouped-query attention) or kv_latent_dim (latent attention)")
    if bool(ints.get("experts")) != bool(ints.get("experts_per_token")):
        r.problem(kp, "give both experts and experts_per_token for a mixture-of-experts model, or neither")
    elif ints.get("experts") and ints["experts_per_token"] >= ints["experts"]:
        r.problem(f"{kp}.experts_per_token", "must be fewer than experts")
    if ints.get("experts") and active == params:
        r.problem(f"{kp}.active_params", "a mixture-of-experts model needs active_params below params")
    if bool(ints.get("sliding_window")) != bool(ints.get("sliding_layers")):
        r.problem(kp, "give both sliding_window and sliding_layers, or neither")
    elif ints.get("sliding_layers", 0) > ints.get("layers", 0):
        r.problem(f"{kp}.sliding_layers", "cannot exceed layers")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        r.problem(f"{kp}.aliases", "expected a list of names")
        aliases = []
    if params is None or active is None or any(f not in ints for f in ("layers", "attention_heads", "head_dim")):
        return None
    spec = ModelSpec(key, name, params, active, ints["layers"], ints["attention_heads"], ints["head_dim"],
                     ints.get("kv_heads", 0), ints.get("kv_latent_dim", 0), ints.get("experts", 0),
                     ints.get("experts_per_token", 0), ints.get("sliding_window", 0), ints.get("sliding_layers", 0),
                     ints.get("hidden_size", 0), source, as_of, notes)
    return ModelFamily(spec, tuple(aliases), ints.get("intermediate_size", 0),
                       ints.get("expert_intermediate_size", 0), ints.get("vocab_size", 0))


@dataclass(frozen=True, slots=True)
class ModelCatalog:
    """The model families, found by key or alias."""

    families: Mapping[str, ModelFamily]
    alias: Mapping[str, str]
    path: str

    def keys(self) -> tuple[str, ...]:
        return tuple(self.families)

    def family(self, name: str) -> ModelFamily:
        key = self.alias.get(_norm(name))
        if key is None:
            raise UnknownNameError("model family", str(name), list(self.families) + list(self.alias),
                                   f"known families are in {self.path}; or give params, active_params, layers, "
                                   "kv_heads and head_dim")
        return self.families[key]

    def spec(self, name: str) -> ModelSpec:
        return self.family(name).spec


def _stamp(path: pathlib.Path) -> tuple:
    try:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return (None, None)


@functools.lru_cache(maxsize=8)
def _models(path: str, stamp: tuple) -> ModelCatalog:
    r = _Reader(pathlib.Path(path))
    doc = r.load()
    for k in doc:
        if k != "models":
            r.problem(str(k), f"unknown section {k!r}; expected models")
    families: dict[str, ModelFamily] = {}
    alias: dict[str, str] = {}
    for key, raw in r.mapping(doc.get("models"), "models").items():
        kp = f"models.{key}"
        fam = _read_model(r, str(key), raw, kp)
        if fam is None:
            continue
        families[str(key)] = fam
        for a in (str(key), *fam.aliases):
            n = _norm(a)
            if alias.get(n, str(key)) != str(key):
                r.problem(f"{kp}.aliases", f"name {a!r} is used by both {alias[n]!r} and {key!r}")
            alias[n] = str(key)
    if not families and not r.problems:
        r.problem("models", "no model families defined")
    r.finish()
    return ModelCatalog(families, alias, path)


def load_models(path: pathlib.Path | str | None = None) -> ModelCatalog:
    """The model catalog (``resources/catalog/models.yaml`` unless ``path``); CatalogError names file and key."""
    p = pathlib.Path(path) if path is not None else default_directory() / MODELS_FILE
    return _models(str(p), _stamp(p))


# ---------------------------------------------------------------------------------------------
# serving.yaml
# ---------------------------------------------------------------------------------------------


def _value(r: _Reader, raw: Any, kp: str, **kw: Any) -> float | None:
    """A ``{value, source, as_of, notes}`` record's value; source and as_of are required."""
    if not isinstance(raw, dict):
        r.problem(kp, "expected {value: <number>, source: <where from>, as_of: <date read>}")
        return None
    r.text(raw, "source", kp)
    r.text(raw, "as_of", kp)
    extra = set(raw) - {"value", "source", "as_of", "notes"}
    if extra:
        r.problem(kp, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
    if "value" not in raw:
        r.problem(f"{kp}.value", "missing value")
        return None
    return r.number(raw["value"], f"{kp}.value", **kw)


def _read_measurements(r: _Reader, items: Any) -> tuple[Measurement, ...]:
    if not isinstance(items, list):
        r.problem("measurements", "expected a list of measurement sets")
        return ()
    out: list[Measurement] = []
    allowed = {"model", "precision", "gpu", "tp", "use", "source", "as_of", "points", "engine", "kv_cache",
               "max_batch", "notes"}
    for i, raw in enumerate(items):
        kp = f"measurements[{i}]"
        if not isinstance(raw, dict):
            r.problem(kp, "expected a mapping with model, precision, gpu, tp, use, source, points")
            continue
        extra = set(raw) - allowed
        if extra:
            r.problem(kp, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
        model, gpu, source = r.text(raw, "model", kp), r.text(raw, "gpu", kp), r.text(raw, "source", kp)
        r.text(raw, "as_of", kp)
        use = r.text(raw, "use", kp)
        if use and use not in ("fit", "check"):
            r.problem(f"{kp}.use", f"found {use!r}, expected fit or check")
        try:
            precision = Precision.parse(raw.get("precision"))
        except PlanError as exc:
            r.problem(f"{kp}.precision", str(exc))
            continue
        tp = r.number(raw.get("tp"), f"{kp}.tp", integer=True)
        max_batch = r.number(raw["max_batch"], f"{kp}.max_batch", integer=True) if "max_batch" in raw else None
        points = raw.get("points")
        if not isinstance(points, list) or not points:
            r.problem(f"{kp}.points", "expected a list of [input tokens, output tokens, output tokens/s]")
            continue
        for j, pt in enumerate(points):
            pp = f"{kp}.points[{j}]"
            if not (isinstance(pt, list) and len(pt) == 3):
                r.problem(pp, "expected [input tokens, output tokens, output tokens/s]")
                continue
            vals = [r.number(v, f"{pp}[{k}]") for k, v in enumerate(pt)]
            if None in vals or tp is None or not model or not gpu:
                continue
            out.append(Measurement(model, precision, gpu, int(tp), vals[0], vals[1], vals[2], use, source,
                                   r.text(raw, "engine", kp, required=False) or "TensorRT-LLM",
                                   r.text(raw, "kv_cache", kp, required=False) or None,
                                   int(max_batch) if max_batch is not None else None))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _serving(path: str, stamp: tuple) -> ServingData:
    r = _Reader(pathlib.Path(path))
    doc = r.load()
    known = ("engine", "weight_bytes_per_param", "peak_to_average", "efficiency", "fit", "measurements")
    for k in doc:
        if k not in known:
            r.problem(str(k), f"unknown section {k!r}; expected {', '.join(known)}")
    engine = r.mapping(doc.get("engine"), "engine")
    frac = _value(r, engine.get("kv_cache_fraction"), "engine.kv_cache_fraction", maximum=1.0)
    max_batch = _value(r, engine.get("max_batch"), "engine.max_batch", integer=True)
    tol = _value(r, engine.get("tp_tolerance"), "engine.tp_tolerance", positive=False, maximum=1.0)
    _value(r, engine.get("kv_reservation"), "engine.kv_reservation")
    wb = r.mapping(doc.get("weight_bytes_per_param"), "weight_bytes_per_param")
    bytes_per_param = []
    for p in Precision:
        if p.value not in wb:
            r.problem(f"weight_bytes_per_param.{p.value}", "missing")
            continue
        v = _value(r, wb[p.value], f"weight_bytes_per_param.{p.value}")
        if v is not None:
            bytes_per_param.append((p.value, v))
    pta = _value(r, doc.get("peak_to_average"), "peak_to_average")
    if pta is not None and pta < 1:
        r.problem("peak_to_average.value", f"found {pta:g}, expected 1 or more (busiest hour / average hour)")
    eff_raw = doc.get("efficiency")
    eff = None
    if eff_raw is not None:  # absent before the first run of tools/fit_serving.py
        vals = {}
        for f in _EFFICIENCY_FIELDS:
            v = _value(r, r.mapping(eff_raw, "efficiency").get(f), f"efficiency.{f}", maximum=1.5)
            if v is not None:
                vals[f] = v
        if len(vals) == len(_EFFICIENCY_FIELDS):
            eff = Efficiency(**vals)
    fit = doc.get("fit") or {}
    measurements = _read_measurements(r, doc.get("measurements"))
    r.finish()
    params = ServingParams(eff, tuple(bytes_per_param), frac, int(max_batch), tol, path)
    return ServingData(params, pta, measurements, fit)


def load_serving(path: pathlib.Path | str | None = None, *, require_fit: bool = True) -> ServingData:
    """Serving constants, fitted efficiencies and measurements (``resources/catalog/serving.yaml``).

    ``require_fit=False`` (the fit script) accepts a file whose efficiencies are not fitted yet.
    """
    p = pathlib.Path(path) if path is not None else default_directory() / SERVING_FILE
    data = _serving(str(p), _stamp(p))
    if require_fit and data.params.efficiency is None:
        raise CatalogError(Problem("no fitted efficiencies: run tools/fit_serving.py", "efficiency", None, str(p)))
    return data


# ---------------------------------------------------------------------------------------------
# A plan's model: a family, a family with other sizes, or sizes alone
# ---------------------------------------------------------------------------------------------

_SHAPE = ("layers", "attention_heads", "head_dim", "kv_heads")


def resolve_model(catalog: ModelCatalog, *, family: str | None = None, params: float | None = None,
                  active_params: float | None = None, name: str = "", **shape: int | None) -> tuple[ModelSpec, str]:
    """The ModelSpec of a serving line and a note saying where its architecture came from.

    ``family`` gives everything (``params``/``active_params`` then override its sizes, e.g. a pruned
    variant). Without it ``params`` is required, and the attention shape (``layers``,
    ``attention_heads``, ``head_dim``, ``kv_heads``; ``kv_latent_dim``; ``experts``,
    ``experts_per_token``) is taken as given; what is missing comes from the catalog family nearest
    in active parameters (a mixture-of-experts one when ``active_params < params``), and the note
    says so, because the KV cache per token and so the batch depend on it.
    """
    unknown = set(shape) - {*_SHAPE, "kv_latent_dim", "experts", "experts_per_token", "sliding_window",
                            "sliding_layers"}
    if unknown:
        raise TypeError(f"unknown architecture field(s) {', '.join(sorted(unknown))}")
    given = {k: int(v) for k, v in shape.items() if v is not None}
    if family is not None:
        base = catalog.spec(family)
        spec = replace(base, params=params if params is not None else base.params,
                       active_params=(active_params if active_params is not None
                                      else params if params is not None and not base.is_moe else base.active_params),
                       **given)
        note = f"architecture of {base.key} ({base.source.split(' ')[0]})"
        return spec, note
    if params is None:
        raise ServingError("give model_family, or params (total parameters, e.g. 70B)")
    active = params if active_params is None else active_params
    if active > params:
        raise ServingError(f"active_params {active:,.3g} exceeds params {params:,.3g}")
    moe = active < params
    pool = [f.spec for f in catalog.families.values() if f.spec.is_moe == moe] or \
        [f.spec for f in catalog.families.values()]
    nearest = min(pool, key=lambda s: abs(math.log(s.active_params / active)))
    needed = list(_SHAPE) + (["experts", "experts_per_token"] if moe else [])
    if given.get("kv_latent_dim"):
        needed.remove("kv_heads")
    borrowed = [k for k in needed if k not in given]
    fields = {k: getattr(nearest, k) for k in borrowed}
    if "kv_heads" in borrowed and nearest.kv_latent_dim:
        fields["kv_latent_dim"] = nearest.kv_latent_dim
    if not moe:
        fields.update(experts=0, experts_per_token=0)
    shape = {k: getattr(nearest, k) for k in ("layers", "attention_heads", "head_dim")}
    spec = ModelSpec(name or f"{params / 1e9:g}B model", name or f"{params / 1e9:g}B model", params, active,
                     **{**shape, **fields, **given})
    if not borrowed:
        return spec, "architecture as given"
    return spec, (f"{', '.join(borrowed)} taken from {nearest.key}, the catalog family nearest "
                  f"{active / 1e9:g}B active parameters; give them for your model (they set the KV cache per token)")
