"""Catalog reader: resources/catalog/*.yaml into the catalog's tables, every problem with file, line and key path."""
from __future__ import annotations

import datetime
import math
import pathlib
from dataclasses import replace
from typing import Any, Mapping

import yaml

from pricing import resources, userfiles, userprices
from pricing.catalog.names import _Data, _Gpu, _Lineup, _norm, _norm_gpu, _Provider, _Shape
from pricing.catalog.values import (_PRICING_LABEL, _UNIT, ANY_PROVIDER, CONFIDENCE_LEVELS, HOURS_PER_MONTH, PRICINGS,
                                    CatalogEntry, GpuSpec, PriceSource, ThroughputFigure, Tier, parse_as_of)
from pricing.errors import CatalogError, PlanError, Problem
from pricing.planfile.yamltree import MAX_BYTES, _prescan, _Tree

# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when installed: the catalog is read at every start (its pure-Python twin takes ~15x longer)."""


def read_yaml(text: str, file: str) -> tuple[Any, dict[str, int], list[Problem]]:
    """A catalog file's YAML as plain values, the line of every key path and the problems found (duplicate keys),
    with the plan reader's tree (``planfile.yamltree``): its limits (depth, size) hold, and anchors and aliases
    are allowed (catalog entries share their sources with ``&src`` / ``*src``). CatalogError when it is not YAML."""
    try:
        _prescan(text, file, allow_aliases=True)
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        tree = _Tree(file, allow_aliases=True)
        value = tree.build(node, "", 0, loader) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CatalogError(Problem(f"not valid YAML: {exc.problem or exc.context}", "",
                                   mark.line + 1 if mark else None, file)) from None
    except yaml.YAMLError as exc:
        raise CatalogError(Problem(f"not valid YAML: {exc}", "", None, file)) from None
    except PlanError as exc:  # the tree's limits: reported as this catalog file's problems
        raise CatalogError(list(exc.problems)) from None
    return value, tree.lines, tree.problems


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of ``path``, else of its nearest enclosing key (a missing ``gpus.L4.specs.source`` is reported
    at ``gpus.L4.specs``); None when not even its section is in the file."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None

_PRICE_FIELDS = frozenset({"value", "tiers", "per_hour", "unit", "source", "as_of", "confidence", "notes", "gap",
                           "name", "aliases", "region", "instance", "range", "term", "value_min", "value_max",
                           "provider"})
_GPU_PRICE_FIELDS = _PRICE_FIELDS | {"gpus_per_instance"}
"""A GPU price record also says how many GPUs the instance it comes from holds (``any``: billed per GPU)."""
_SHAPE_FIELDS = frozenset({"gpus", "instance", "region", "notes", *PRICINGS})
_SHAPE_PRICE_FIELDS = frozenset({"instance_price", "gap", "range", "source", "as_of", "confidence", "notes"})
MAX_SHAPE_GPUS = 72
"""The most GPUs one rented machine holds: a GB200/GB300 NVL72 rack (pricing.fields MAX_GPUS_PER_INSTANCE)."""
_PEAK_FIELDS = {"fp8_dense_tflops": "fp8", "fp4_dense_tflops": "fp4", "int8_dense_tops": "int8"}
"""gpus.yaml spec fields of the per-precision dense peaks -> GpuSpec.peaks keys."""
_THROUGHPUT_FIELDS = frozenset({"model", "hardware", "gpu", "gpus", "engine", "precision", "workload",
                                "value", "value_per_gpu", "unit", "source", "as_of", "confidence", "notes"})


def default_directory() -> pathlib.Path:
    """The catalog the user installed (``aicost prices update``, pricing/userprices.py), else ``catalog`` of the
    app's resources (a checkout, an installed wheel or the bundle: pricing/resources.py)."""
    return userprices.catalog_dir() or bundled_directory()


def bundled_directory() -> pathlib.Path:
    """The catalog shipped with the app (the fallback, and what ``aicost prices reset`` goes back to)."""
    return resources.resource_path("catalog")


class _Reader:
    """Reads the catalog files into a :class:`_Data`, collecting every problem with file and key path."""

    def __init__(self, directory: pathlib.Path):
        self.data = _Data(directory)
        self.problems: list[Problem] = []
        self.file = ""
        self.lines: dict[str, int] = {}
        """The line of every key path of the file being read."""

    # -- helpers --------------------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, path, line_of(self.lines, path) if path else None, self.file))

    def mapping(self, value: Any, path: str, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"found {type(value).__name__}, expected a mapping of {what}")
            return {}
        return value

    def text(self, raw: Mapping, field: str, path: str, *, required: bool = True) -> str:
        value = raw.get(field)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{path}.{field}", f"missing {field}")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(f"{path}.{field}", f"found {type(value).__name__}, expected text")
            return ""
        return str(value).strip()

    def number(self, value: Any, path: str, *, positive: bool = True) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"found {value!r}, expected a number")
            return None
        v = float(value)
        if not math.isfinite(v) or v < 0 or (positive and v == 0):
            self.problem(path, f"found {value!r}, expected a finite number {'above' if positive else 'of at least'} 0")
            return None
        return v

    def aliases(self, raw: Mapping, path: str) -> list[str]:
        value = raw.get("aliases", [])
        if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
            self.problem(f"{path}.aliases", "expected a list of names")
            return []
        return value

    def add_alias(self, table: dict[str, str], alias: str, target: str, path: str, what: str) -> None:
        other = table.get(alias)
        if other is not None and other != target:
            self.problem(path, f"{what} name {alias!r} is used by both {other!r} and {target!r}")
        else:
            table[alias] = target

    def source(self, key: str, raw: Mapping, path: str, *, gap: bool) -> PriceSource:
        src = self.text(raw, "source", path)
        as_of = self.text(raw, "as_of", path)
        notes = self.text(raw, "notes", path, required=False)
        if gap:
            confidence = "gap"
        else:
            confidence = self.text(raw, "confidence", path)
            if confidence and confidence not in CONFIDENCE_LEVELS:
                self.problem(f"{path}.confidence",
                             f"found {confidence!r}, expected one of {', '.join(CONFIDENCE_LEVELS)}")
        return PriceSource(key, src, as_of, parse_as_of(as_of), confidence, notes)

    def tiers(self, value: Any, path: str) -> tuple[Tier, ...] | None:
        if not isinstance(value, list) or not value:
            self.problem(path, "expected a list of tiers {upto: <GB or null>, price: <USD>}")
            return None
        out: list[Tier] = []
        lower = 0.0
        for i, t in enumerate(value):
            tp = f"{path}[{i}]"
            if not isinstance(t, dict) or set(t) - {"upto", "price"} or "price" not in t:
                self.problem(tp, "expected {upto: <number or null>, price: <number>}")
                return None
            price = self.number(t["price"], f"{tp}.price", positive=False)
            upto = t.get("upto")
            last = i == len(value) - 1
            if upto is None:
                if not last:
                    self.problem(f"{tp}.upto", "only the last tier may be unbounded (upto: null)")
                    return None
            else:
                u = self.number(upto, f"{tp}.upto")
                if u is None:
                    return None
                if u <= lower:
                    self.problem(f"{tp}.upto", f"tier bounds must increase (found {u:g} after {lower:g})")
                    return None
                if last:
                    self.problem(f"{tp}.upto", "the last tier must be unbounded (upto: null)")
                    return None
                upto, lower = u, u
            if price is None:
                return None
            out.append(Tier(upto, price))
        if not any(t.price > 0 for t in out):
            self.problem(path, "every tier is free: a tiered price needs a paid tier")
            return None
        return tuple(out)

    def entry(self, raw: Any, path: str, *, key: str, section: str, provider: str, item: str,
              description: str, unit: str, fields: frozenset = _PRICE_FIELDS) -> list[CatalogEntry]:
        """One YAML price record -> entries (two for a min/max range); problems recorded, never raised."""
        if not isinstance(raw, dict):
            self.problem(path, f"found {type(raw).__name__}, expected a mapping with value (or gap), source, as_of")
            return []
        extra = set(raw) - fields
        if extra:
            self.problem(path, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
        unit = self.text(raw, "unit", path, required=False) or unit
        if not unit:
            self.problem(f"{path}.unit", "missing unit")
        if key in self.data.entries:
            self.problem(path, f"key {key} is defined twice")
        has = [f for f in ("value", "tiers", "per_hour", "value_min") if raw.get(f) is not None]
        gap = raw.get("gap")
        if not has:
            if not isinstance(gap, str) or not gap.strip():
                self.problem(path, "has no value: give value (or tiers/per_hour), or value: null with gap: <why>")
                return []
            src = self.source(key, raw, path, gap=True)
            return [CatalogEntry(key, section, provider, item, description, None, unit, (), src, gap.strip())]
        if gap is not None:
            self.problem(f"{path}.gap", "an entry with a value cannot also be a gap")
        if len(has) > 1 and set(has) != {"value", "tiers"}:
            self.problem(path, f"give only one of value, tiers, per_hour, value_min/value_max (found {', '.join(has)})")
            return []
        src = self.source(key, raw, path, gap=False)
        notes = src.notes
        rng = raw.get("range")
        if rng is not None:
            if (isinstance(rng, list) and len(rng) == 2
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)):
                notes = f"{notes} Spread across zones: {rng[0]:g}-{rng[1]:g}.".strip()
            else:
                self.problem(f"{path}.range", "expected [min, max]")
        tiers: tuple[Tier, ...] = ()
        if "value_min" in has:
            lo = self.number(raw.get("value_min"), f"{path}.value_min")
            hi = self.number(raw.get("value_max"), f"{path}.value_max")
            if lo is None or hi is None:
                return []
            if lo > hi:
                self.problem(path, f"value_min {lo:g} is above value_max {hi:g}")
            return [CatalogEntry(f"{key}.{end}", section, provider, f"{item}.{end}", f"{description} ({end})",
                                 v, unit, (), replace(src, key=f"{key}.{end}",
                                                      notes=f"{notes} Range {lo:g}-{hi:g}.".strip()), "")
                    for end, v in (("min", lo), ("max", hi))]
        if "per_hour" in has:
            hourly = self.number(raw["per_hour"], f"{path}.per_hour")
            if hourly is None:
                return []
            value = hourly * HOURS_PER_MONTH
            notes = f"Published as {hourly:g} USD per hour; x {HOURS_PER_MONTH:g} h per month. {notes}".strip()
        elif "tiers" in has:
            parsed = self.tiers(raw["tiers"], f"{path}.tiers")
            if parsed is None:
                return []
            tiers = parsed
            value = next(t.price for t in tiers if t.price > 0)
            if raw.get("value") is not None and raw.get("value") != value:
                self.problem(f"{path}.value",
                             f"found {raw.get('value')!r}, but the first paid tier's rate is {value:g}")
        else:
            v = self.number(raw["value"], f"{path}.value")
            if v is None:
                return []
            value = v
        if not src.source or not src.as_of:
            return []
        return [CatalogEntry(key, section, provider, item, description, value, unit, tiers,
                             replace(src, notes=notes), "")]

    def add(self, entries: list[CatalogEntry]) -> None:
        for e in entries:
            self.data.entries.setdefault(e.key, e)

    def load_file(self, name: str) -> dict:
        path = self.data.directory / name
        self.file = str(path)
        self.lines = {}
        try:
            text = userfiles.read_text(path, MAX_BYTES)  # a regular file, read to a cap
        except FileNotFoundError:
            self.problem("", "catalog file is missing")
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            self.problem("", f"cannot read the catalog file: {exc}")
            return {}
        try:
            doc, self.lines, found = read_yaml(text, self.file)
        except CatalogError as exc:
            self.problems.extend(exc.problems)
            return {}
        self.problems.extend(found)  # a key written twice (YAML would keep the last one silently)
        if not isinstance(doc, dict):
            self.problem("", f"found {type(doc).__name__}, expected a mapping of catalog sections")
            return {}
        return doc

    def sections(self, doc: dict, allowed: tuple[str, ...]) -> None:
        for k in doc:
            if k not in allowed:
                self.problem(str(k), f"unknown section {k!r}; expected {', '.join(allowed)}")

    # -- files ----------------------------------------------------------------------------

    def read(self) -> _Data:
        self.read_gpus(self.load_file("gpus.yaml"))
        self.read_storage(self.load_file("storage.yaml"))
        self.read_egress(self.load_file("egress.yaml"))
        self.read_platforms(self.load_file("platforms.yaml"))
        self.read_annotation(self.load_file("annotation.yaml"))
        self.read_mlops(self.load_file("mlops.yaml"))
        self.read_levers(self.load_file("levers.yaml"))
        if self.problems:
            raise CatalogError(self.problems)
        return self.data

    def read_gpus(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("providers", "gpus"))
        for p, raw in self.mapping(doc.get("providers"), "providers", "providers").items():
            path = f"providers.{p}"
            if not isinstance(raw, dict):
                self.problem(path, "expected a mapping with name, aliases, pricing")
                continue
            pricing = raw.get("pricing")
            if not isinstance(pricing, list) or not pricing or any(x not in PRICINGS for x in pricing):
                self.problem(f"{path}.pricing", f"expected a list among {', '.join(PRICINGS)}")
                pricing = ["on_demand"]
            p = _norm(p)
            d.providers[p] = _Provider(p, self.text(raw, "name", path), tuple(pricing),
                                       self.text(raw, "notes", path, required=False))
            for a in (p, *self.aliases(raw, path)):
                self.add_alias(d.provider_alias, _norm(a), p, f"{path}.aliases", "provider")
        if not d.providers:
            self.problem("providers", "no providers defined")
        for g, raw in self.mapping(doc.get("gpus"), "gpus", "GPUs").items():
            self.read_gpu(str(g), raw, f"gpus.{g}")

    def read_gpu(self, g: str, raw: Any, path: str) -> None:
        d = self.data
        if not isinstance(raw, dict):
            self.problem(path, "expected a mapping with name, aliases, specs, prices")
            return
        name = self.text(raw, "name", path)
        for a in (g, *self.aliases(raw, path)):
            self.add_alias(d.gpu_alias, _norm_gpu(a), g, f"{path}.aliases", "GPU")
            compact = _norm_gpu(a).replace("-", "")
            d.gpu_compact[compact] = g if d.gpu_compact.get(compact, g) == g else None
        spec_raw = raw.get("specs")
        spath = f"{path}.specs"
        if not isinstance(spec_raw, dict):
            self.problem(spath, "missing specs (bf16_dense_tflops, memory_gb, source, as_of, confidence)")
            return
        extra = set(spec_raw) - {"bf16_dense_tflops", "fp16_tensor_tflops", "memory_gb", "memory_bandwidth_tb_s",
                                 "peak_gap", "source", "as_of", "confidence", "notes", *_PEAK_FIELDS,
                                 "peaks_source", "peaks_as_of"}
        if extra:
            self.problem(spath, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
        key = f"gpu.{g}.peak_tflops"
        src = self.source(key, spec_raw, spath, gap=False)
        memory = self.number(spec_raw.get("memory_gb"), f"{spath}.memory_gb")
        bw = spec_raw.get("memory_bandwidth_tb_s")
        bw = None if bw is None else self.number(bw, f"{spath}.memory_bandwidth_tb_s")
        peak_gap = ""
        if spec_raw.get("bf16_dense_tflops") is not None:
            peak = self.number(spec_raw["bf16_dense_tflops"], f"{spath}.bf16_dense_tflops")
            note, unit = "", "TFLOP/s (dense BF16)"
        elif spec_raw.get("fp16_tensor_tflops") is not None:
            peak = self.number(spec_raw["fp16_tensor_tflops"], f"{spath}.fp16_tensor_tflops")
            note = (f"{g} has no BF16 tensor support; peak is its FP16 tensor figure "
                    f"({spec_raw['fp16_tensor_tflops']:g} TFLOP/s)")
            unit = "TFLOP/s (FP16 tensor)"
        else:
            peak, unit = None, "TFLOP/s (dense BF16)"
            peak_gap = self.text(spec_raw, "peak_gap", spath)
            note = (f"peak TFLOP/s unpublished ({peak_gap.rstrip('.')}); set prices: {{{key}: <TFLOP/s>}}"
                    if peak_gap else "")
        peaks = {k: v for f, k in _PEAK_FIELDS.items() if spec_raw.get(f) is not None
                 and (v := self.number(spec_raw[f], f"{spath}.{f}")) is not None}
        peaks_src = ""
        if peaks:
            read = self.text(spec_raw, "peaks_as_of", spath)
            peaks_src = f"{self.text(spec_raw, 'peaks_source', spath)} (read {read})"
        spec = GpuSpec(g, name, memory or 0.0, peak, note, src, bw, tuple(peaks.items()), peaks_src)
        d.gpus[g] = _Gpu(g, name, spec, peak_gap, unit)
        desc = f"{name}: peak {unit}"
        if peak is None:
            self.add([CatalogEntry(key, "gpus", "", g, desc, None, unit, (), replace(src, confidence="gap"),
                                   peak_gap or "peak not published")])
        else:
            self.add([CatalogEntry(key, "gpus", "", g, desc, peak, unit, (),
                                   replace(src, notes="; ".join(x for x in (note, src.notes) if x)), "")])
        prices = self.mapping(raw.get("prices"), f"{path}.prices", "providers")
        for p, per in prices.items():
            ppath = f"{path}.prices.{p}"
            prov = d.providers.get(str(p))
            if prov is None:
                self.problem(ppath, f"unknown provider {p!r}; expected one of {', '.join(d.providers)}")
                continue
            base: dict[str, int | None] = {}
            instances: dict[str, str] = {}
            for pricing, rec in self.mapping(per, ppath, "pricing models").items():
                epath = f"{ppath}.{pricing}"
                if pricing in ("shapes", "shapes_complete"):
                    continue
                if pricing == "reserved":
                    self.problem(epath, "reserved prices are derived from levers.yaml reserved_discount; "
                                        "do not list them")
                    continue
                if pricing not in prov.pricing:
                    self.problem(epath, f"{p} does not sell {pricing} (its pricing: {', '.join(prov.pricing)})")
                    continue
                instance = rec.get("instance") if isinstance(rec, dict) else None
                region = rec.get("region") if isinstance(rec, dict) else None
                where = ", ".join(str(x) for x in (instance, region) if x)
                desc = f"{name} on {prov.name}, {_PRICING_LABEL[pricing]}" + (f" ({where})" if where else "")
                self.add(self.entry(rec, epath, key=f"gpu.{g}.{p}.{pricing}", section="gpus", provider=p,
                                    item=g, description=desc, unit=_UNIT["gpu"], fields=_GPU_PRICE_FIELDS))
                if isinstance(rec, dict):
                    base[pricing] = self.gpus_per_instance(rec.get("gpus_per_instance"), f"{epath}.gpus_per_instance")
                    instances[pricing] = str(instance or "")
            per_map = per if isinstance(per, dict) else {}
            complete = per_map.get("shapes_complete", False)
            if not isinstance(complete, bool):
                self.problem(f"{ppath}.shapes_complete", f"found {complete!r}, expected true or false")
                complete = False
            shapes = self.read_shapes(g, name, prov, per_map.get("shapes"), f"{ppath}.shapes", set(base.values()))
            d.gpu_lineups[(g, p)] = _Lineup(tuple(base.items()), tuple(instances.items()), shapes, complete)
            od = d.entries.get(f"gpu.{g}.{p}.on_demand")
            spot = d.entries.get(f"gpu.{g}.{p}.spot")
            if od and spot and od.value is not None and spot.value is not None and spot.value > od.value:
                self.problem(f"{ppath}.spot", f"spot {spot.value:g} is above on-demand {od.value:g}")

    def gpus_per_instance(self, value: Any, path: str) -> int | None:
        """GPUs in the instance a price comes from; None for ``any`` (billed per GPU) or when not stated."""
        if value is None or value == "any":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SHAPE_GPUS:
            self.problem(path, f"found {value!r}, expected a whole number of GPUs from 1 to {MAX_SHAPE_GPUS}, or any "
                               "(billed per GPU whatever the count)")
            return None
        return value

    def read_shapes(self, g: str, name: str, prov: _Provider, raw: Any, path: str,
                    base_sizes: set) -> tuple[_Shape, ...]:
        """The other instance sizes of a GPU at a provider: ``{gpus, instance, region, <pricing>: {instance_price
        (USD per instance-hour) or gap, source, as_of, confidence}}``; each priced size is an entry
        ``gpu.<GPU>.<provider>.<pricing>.<N>gpu`` in USD per GPU-hour (the instance price / N)."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(path, "expected a list of instance sizes ({gpus, instance, on_demand: {instance_price, ...}})")
            return ()
        out: list[_Shape] = []
        seen = {s for s in base_sizes if s is not None}
        for i, rec in enumerate(raw):
            spath = f"{path}[{i}]"
            if not isinstance(rec, dict):
                self.problem(spath, "expected a mapping with gpus, instance and its prices")
                continue
            extra = set(rec) - _SHAPE_FIELDS
            if extra:
                self.problem(spath, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
            gpus = self.gpus_per_instance(rec.get("gpus"), f"{spath}.gpus")
            instance = self.text(rec, "instance", spath)
            if gpus is None:
                if rec.get("gpus") is None:
                    self.problem(f"{spath}.gpus", "missing gpus (GPUs in the instance)")
                continue
            if gpus in seen:
                self.problem(f"{spath}.gpus", f"a {gpus}-GPU instance is already listed for {g} at {prov.key}")
                continue
            seen.add(gpus)
            region = rec.get("region")
            where = ", ".join(str(x) for x in (instance, region) if x)
            for pricing in PRICINGS:
                if pricing not in rec:
                    continue
                ppath = f"{spath}.{pricing}"
                if pricing == "reserved":
                    self.problem(ppath, "reserved prices are derived from levers.yaml reserved_discount; do not list "
                                        "them")
                    continue
                if pricing not in prov.pricing:
                    self.problem(ppath, f"{prov.key} does not sell {pricing} (its pricing: {', '.join(prov.pricing)})")
                    continue
                prec = rec[pricing]
                if not isinstance(prec, dict):
                    self.problem(ppath, "expected {instance_price: <USD per instance-hour>, source, as_of, confidence}")
                    continue
                extra = set(prec) - _SHAPE_PRICE_FIELDS
                if extra:
                    self.problem(ppath, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
                entry_raw = {k: v for k, v in prec.items() if k in ("gap", "source", "as_of", "confidence", "notes")}
                if prec.get("instance_price") is not None:
                    ip = self.number(prec["instance_price"], f"{ppath}.instance_price")
                    if ip is None:
                        continue
                    entry_raw["value"] = ip / gpus
                    entry_raw["notes"] = (f"{instance} at {ip:g} USD/h / {gpus} GPUs = {ip / gpus:.6g} per GPU-hour. "
                                          f"{prec.get('notes') or ''}").strip()
                    rng = prec.get("range")
                    if rng is not None:
                        if (isinstance(rng, list) and len(rng) == 2
                                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)):
                            entry_raw["range"] = [rng[0] / gpus, rng[1] / gpus]
                        else:
                            self.problem(f"{ppath}.range", "expected [min, max] instance prices")
                desc = f"{name} on {prov.name}, {_PRICING_LABEL[pricing]}, {gpus}-GPU instance ({where})"
                self.add(self.entry(entry_raw, ppath, key=f"gpu.{g}.{prov.key}.{pricing}.{gpus}gpu", section="gpus",
                                    provider=prov.key, item=g, description=desc, unit=_UNIT["gpu"]))
            od = self.data.entries.get(f"gpu.{g}.{prov.key}.on_demand.{gpus}gpu")
            spot = self.data.entries.get(f"gpu.{g}.{prov.key}.spot.{gpus}gpu")
            if od and spot and od.value is not None and spot.value is not None and spot.value > od.value:
                self.problem(f"{spath}.spot", f"spot {spot.value:g} is above on-demand {od.value:g} per GPU-hour")
            out.append(_Shape(gpus, instance, tuple(x for x in PRICINGS if x in rec and x != "reserved")))
        return tuple(sorted(out, key=lambda s: s.gpus))

    def read_named(self, items: Any, path: str, *, section: str, prefix: str, provider: str, unit: str,
                   names: dict[str, str], alias: dict[str, str], what: str) -> None:
        for item, raw in self.mapping(items, path, what + "s").items():
            item = str(item)
            ipath = f"{path}.{item}"
            name = self.text(raw, "name", ipath) if isinstance(raw, dict) else item
            names[item] = name
            if isinstance(raw, dict):
                for a in (item, *self.aliases(raw, ipath)):
                    self.add_alias(alias, _norm(a), item, f"{ipath}.aliases", what)
            desc = f"{name}" + (f" ({provider})" if provider and provider != ANY_PROVIDER else "")
            self.add(self.entry(raw, ipath, key=f"{prefix}.{item}", section=section, provider=provider, item=item,
                                description=desc, unit=unit))

    def provider_sections(self, doc: dict, section: str, what: str) -> dict:
        out = {}
        for p, items in self.mapping(doc.get(section), section, "providers").items():
            if p != ANY_PROVIDER and p not in self.data.providers:
                self.problem(f"{section}.{p}",
                             f"unknown provider {p!r}; expected one of {', '.join(self.data.providers)}")
                continue
            out[p] = items
        return out

    def standard_names(self, doc: dict, field: str) -> tuple[str, ...]:
        names = doc.get(field)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(field, "expected a list of names")
            return ()
        return tuple(names)

    def read_storage(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("standard_tiers", "billing_units", "storage"))
        d.standard_tiers = self.standard_names(doc, "standard_tiers")
        # how many bytes each cloud's billed "GB" holds (storage, transfer and log volumes): gb_bytes.<provider>
        for p, raw in self.provider_sections(doc, "billing_units", "billing units").items():
            self.add(self.entry(raw, f"billing_units.{p}", key=f"gb_bytes.{p}", section="storage", provider=p,
                                item="gb_bytes", description=f"Bytes in a billed GB ({p})", unit=_UNIT["gb_bytes"]))
        for p, items in self.provider_sections(doc, "storage", "storage tiers").items():
            d.storage[p], d.storage_alias[p] = {}, {}
            self.read_named(items, f"storage.{p}", section="storage", prefix=f"storage.{p}", provider=p,
                            unit=_UNIT["storage"], names=d.storage[p], alias=d.storage_alias[p], what="storage tier")

    def read_egress(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("standard_kinds", "egress"))
        d.standard_kinds = self.standard_names(doc, "standard_kinds")
        for p, items in self.provider_sections(doc, "egress", "egress kinds").items():
            d.egress[p], d.egress_alias[p] = {}, {}
            self.read_named(items, f"egress.{p}", section="egress", prefix=f"egress.{p}", provider=p,
                            unit=_UNIT["egress"], names=d.egress[p], alias=d.egress_alias[p], what="egress kind")

    def read_platforms(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("platforms",))
        for name, raw in self.mapping(doc.get("platforms"), "platforms", "platforms").items():
            provider = raw.get("provider", "") if isinstance(raw, dict) else ""
            if provider and provider not in d.providers:
                self.problem(f"platforms.{name}.provider", f"unknown provider {provider!r}")
            self.read_named({name: raw}, "platforms", section="platforms", prefix="platform", provider=provider,
                            unit=_UNIT["platform"], names=d.platforms, alias=d.platform_alias, what="platform")

    def read_annotation(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("tasks", "fees"))
        self.read_named(doc.get("tasks"), "tasks", section="annotation", prefix="annotation", provider="",
                        unit="", names=d.tasks, alias=d.task_alias, what="annotation task")
        fees: dict[str, str] = {}
        self.read_named(doc.get("fees"), "fees", section="annotation", prefix="annotation.fee", provider="",
                        unit="", names=fees, alias={}, what="annotation fee")

    def read_mlops(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("mlops",))
        for p, items in self.provider_sections(doc, "mlops", "MLOps kinds").items():
            d.mlops[p] = {}
            self.read_named(items, f"mlops.{p}", section="mlops", prefix=f"mlops.{p}", provider=p, unit="",
                            names=d.mlops[p], alias=d.mlops_alias, what="MLOps kind")
            for kind in d.mlops[p]:
                e = d.entries.get(f"mlops.{p}.{kind}")
                if e is None:
                    continue
                other = d.mlops_unit.setdefault(kind, e.unit)
                if other != e.unit:
                    self.problem(f"mlops.{p}.{kind}.unit", f"found {e.unit!r}, but {kind} is {other!r} elsewhere")

    def read_levers(self, doc: dict) -> None:
        d = self.data
        self.sections(doc, ("reserved_discount", "levers", "training_mfu", "self_hosting_throughput"))
        for k, raw in self.mapping(doc.get("reserved_discount"), "reserved_discount", "providers").items():
            k = str(k)
            p = k.split(".", 1)[0]
            path = f"reserved_discount.{k}"
            if p not in d.providers:
                self.problem(path, f"unknown provider {p!r}")
                continue
            term = raw.get("term", "") if isinstance(raw, dict) else ""
            desc = f"Committed-use / reserved discount at {d.providers[p].name}" + (f" ({term})" if term else "")
            entries = self.entry(raw, path, key=f"reserved_discount.{k}", section="levers", provider=p,
                                 item=f"reserved_discount.{k}", description=desc, unit=_UNIT["reserved_discount"])
            for e in entries:
                if e.value is not None and e.value >= 1:
                    self.problem(f"{path}.value", f"found {e.value:g}, expected a fraction below 1")
            self.add(entries)
        for section in ("levers", "training_mfu"):
            for k, raw in self.mapping(doc.get(section), section, "levers").items():
                name = raw.get("name") if isinstance(raw, dict) else None
                self.add(self.entry(raw, f"{section}.{k}", key=f"lever.{k}", section="levers", provider="",
                                    item=str(k), description=str(name or k), unit=""))
        figures = []
        for k, raw in self.mapping(doc.get("self_hosting_throughput"), "self_hosting_throughput",
                                   "throughput figures").items():
            path = f"self_hosting_throughput.{k}"
            if not isinstance(raw, dict):
                self.problem(path, "expected a mapping")
                continue
            extra = set(raw) - _THROUGHPUT_FIELDS
            if extra:
                self.problem(path, f"unknown field(s) {', '.join(sorted(map(str, extra)))}")
            gpu = d.gpu_alias.get(_norm_gpu(str(raw.get("gpu", ""))))
            if gpu is None:
                self.problem(f"{path}.gpu", f"unknown GPU {raw.get('gpu')!r}")
                continue
            key = f"lever.throughput.{k}"
            per_gpu = self.number(raw.get("value_per_gpu"), f"{path}.value_per_gpu")
            total = self.number(raw.get("value"), f"{path}.value")
            gpus = raw.get("gpus")
            if not isinstance(gpus, int) or isinstance(gpus, bool) or gpus < 1:
                self.problem(f"{path}.gpus", f"found {gpus!r}, expected a whole number of GPUs")
                continue
            src = self.source(key, raw, path, gap=False)
            if per_gpu is None or total is None or not src.source or not src.as_of:
                continue
            texts = {f: self.text(raw, f, path) for f in ("model", "hardware", "engine", "precision", "workload")}
            unit = self.text(raw, "unit", path, required=False) or "output tokens/s (total, whole system)"
            fig = ThroughputFigure(key, texts["model"], texts["hardware"], gpu, gpus, texts["engine"],
                                   texts["precision"], texts["workload"], total, per_gpu, unit, src)
            figures.append(fig)
            desc = (f"{fig.model} on {fig.hardware}, {fig.engine}, {fig.precision}, {fig.workload}: "
                    f"output tokens/s per GPU")
            self.add([CatalogEntry(key, "levers", "", f"throughput.{k}", desc, per_gpu,
                                   "output tokens/s per GPU", (), src, "")])
        d.throughput = tuple(figures)
