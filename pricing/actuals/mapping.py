"""Mapping billing rows to plan lines: rules compiled to one SQL query (first match wins), and rules proposed
where the match is obvious (an API line's model, a GPU line's instance family, the only storage line...).

Matching, for every key: case-insensitive, ``*`` and ``?`` wildcards, a list means any of its values.
``model`` compares model ids with separators normalised (``Claude Haiku 4.5`` = ``claude-haiku-4-5``)
and accepts dated snapshots of the id (``gpt-4o`` matches ``gpt-4o-2024-08-06`` but not ``gpt-4o-mini``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from pricing.actuals.config import Rule
from pricing.actuals.units import LINE_UNIT, conversion
from pricing.errors import Problem

_COLUMNS = {"service": ("service_name",), "service_category": ("service_category",), "provider": ("provider",),
            "sku": ("sku_id",), "meter": ("sku_meter",), "region": ("region",),
            "resource": ("resource_name", "resource_id"), "instance_type": ("instance_type",),
            "charge_category": ("charge_category",), "unit": ("consumed_unit",)}
_NORM_SQL = "regexp_replace(lower(trim({col})), '[ ._/]+', '-', 'g')"
_DATED = r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-latest)?"
"""A dated snapshot of a model id (OpenAI ``-2024-08-06``, Anthropic ``-20241022``) or its ``-latest`` alias."""

GPU_INSTANCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "H100-80GB": ("p5.*", "a3-highgpu-*", "a3-megagpu-*", "*ND96isr_H100_v5*"),
    "H200-141GB": ("p5en.*", "p5e.*"),
    "B200": ("p6-b200.*",),
    "A100-80GB": ("p4de.*", "*ND96amsr_A100_v4*"),
    "A100-40GB": ("p4d.*", "a2-highgpu-*", "*ND96asr_v4*"),
    "L40S": ("g6e.*",),
    "L4": ("g6.*", "g2-standard-*"),
    "A10G": ("g5.*",),
    "T4": ("g4dn.*", "*NC*as_T4_v3*"),
    "A10": ("*NV*ads_A10_v5*",),
    "H100-NVL": ("*NC*ads_H100_v5*",),
}
"""Instance types that carry each catalog GPU, from the ``instance:`` of every GPU price in
resources/catalog/gpus.yaml (AWS p5.48xlarge = H100, p5en = H200, p6-b200 = B200, p4de = A100-80GB,
p4d = A100-40GB, g6e = L40S, g6 = L4, g5 = A10G, g4dn = T4; GCP a3-highgpu = H100, a2-highgpu =
A100-40GB, g2-standard = L4; Azure ND96isr_H100_v5, ND96amsr_A100_v4, ND96asr_v4, NC*as_T4_v3,
NV*ads_A10_v5, NC*ads_H100_v5), plus a3-megagpu (H100, Google Cloud's A3 Mega machine type)."""


@dataclass(frozen=True, slots=True)
class PlanLine:
    """A line of the projection that rules can point at."""

    index: int
    name: str
    key_path: str
    section: str


@dataclass(frozen=True, slots=True)
class ResolvedRule:
    rule: Rule
    line: int | None
    """Index of the plan line (None when the rule names no line of the plan)."""
    origin: str
    """``plan`` (saved with the plan) or ``proposed``."""
    reason: str = ""
    """Why a proposed rule was proposed."""


def plan_lines(line_items: Sequence[Any]) -> tuple[PlanLine, ...]:
    return tuple(PlanLine(i, li.name, li.key_path, li.section) for i, li in enumerate(line_items))


def line_reference(lines: Sequence[PlanLine], index: int) -> str:
    """How a rule made in the window names a plan line: by its name when no other line has it (a name
    survives the lines being reordered), else by its key path (``services.apis[1]``)."""
    line = lines[index]
    same = sum(1 for ln in lines if ln.name.strip().lower() == line.name.strip().lower())
    return line.name if same == 1 and line.name.strip() else line.key_path


def resolve(rules: Sequence[Rule], lines: Sequence[PlanLine], origin: str = "plan",
            key_path: str = "actuals.rules") -> tuple[tuple[ResolvedRule, ...], tuple[Problem, ...]]:
    """Each rule's plan line, by key path or (case-insensitive) name; problems for the ones that name none."""
    by_path = {ln.key_path: ln.index for ln in lines}
    by_name: dict[str, list[int]] = {}
    for ln in lines:
        by_name.setdefault(ln.name.strip().lower(), []).append(ln.index)
    out, problems = [], []
    for i, rule in enumerate(rules):
        target = by_path.get(rule.line)
        if target is None:
            hits = by_name.get(rule.line.lower(), [])
            if len(hits) == 1:
                target = hits[0]
            elif len(hits) > 1:
                problems.append(Problem(f"{len(hits)} plan lines are named {rule.line!r}: name the line by its key "
                                        f"path ({', '.join(lines[h].key_path for h in hits)})",
                                        f"{key_path}[{i}].line"))
            else:
                from pricing.errors import closest
                sugg = closest(rule.line, [ln.name for ln in lines] + [ln.key_path for ln in lines], n=3)
                hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
                problems.append(Problem(f"no plan line {rule.line!r}{hint}", f"{key_path}[{i}].line"))
        out.append(ResolvedRule(rule, target, origin))
    return tuple(out), tuple(problems)


def _ilike(pattern: str) -> str:
    """A rule pattern (``*``, ``?`` wildcards) as an ILIKE pattern with ``\\`` as the escape character."""
    out = []
    for ch in pattern:
        if ch in "\\%_":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def normalize_model(text: str) -> str:
    return re.sub(r"[ ._/]+", "-", text.strip().lower())


def model_regex(pattern: str) -> str:
    """The RE2 pattern a ``model`` rule value compiles to (matched against normalised model ids)."""
    norm = normalize_model(pattern)
    if "*" in norm or "?" in norm:
        return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in norm)
    return re.escape(norm) + _DATED


def condition(rule: Rule, params: list[Any]) -> str:
    """The SQL condition of one rule (values appended to ``params``)."""
    parts = []
    for key, patterns in rule.match:
        alts = []
        for p in patterns:
            if key == "model":
                alts.append(f"regexp_full_match({_NORM_SQL.format(col='model')}, ?)")
                params.append(model_regex(p))
            else:
                for col in _COLUMNS[key]:
                    alts.append(f"{col} ILIKE ? ESCAPE '\\'")
                    params.append(_ilike(p))
        parts.append("(" + " OR ".join(alts) + ")")
    for tag, patterns in rule.tags:
        path = '$."' + tag.replace("\\", "\\\\").replace('"', '\\"') + '"'
        alts = []
        for p in patterns:
            alts.append("json_extract_string(tags, ?) ILIKE ? ESCAPE '\\'")
            params += [path, _ilike(p)]
        parts.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(parts) if parts else "TRUE"


def case_expression(rules: Sequence[ResolvedRule]) -> tuple[str, list[Any]]:
    """``CASE WHEN <rule 0> THEN 0 ... ELSE -1 END``: the index of the first rule a group matches."""
    params: list[Any] = []
    whens = []
    for i, r in enumerate(rules):
        if r.line is None:
            continue
        whens.append(f"WHEN {condition(r.rule, params)} THEN {i}")
    if not whens:
        return "-1", params
    return "CASE " + " ".join(whens) + " ELSE -1 END", params


@dataclass(frozen=True, slots=True)
class Cell:
    """Mapped cost (or usage) of one rule's rows in one month, in one currency and unit."""

    rule: int
    """Index into the rules (-1: no rule matched)."""
    month: str
    """``YYYY-MM``."""
    currency: str | None
    has_cost: bool
    cost: Decimal
    rows: int
    unit: str | None
    gpu_count: float | None
    quantity: float | None
    q_rows: int
    """Rows among ``rows`` whose quantity is known."""
    through: Any


@dataclass(frozen=True, slots=True)
class UnmappedGroup:
    service_category: str | None
    service_name: str | None
    sku_id: str | None
    currency: str | None
    month: str
    cost: Decimal
    rows: int


_USAGE_ROWS = "charge_category IS NULL OR lower(trim(charge_category)) = 'usage'"
"""Rows whose charge period says how far the bill has got: usage, not a tax, a purchase or a recurring fee
(those span their whole billing period on the day they are billed: a month-to-date export with the month's
tax row would otherwise count as a complete month, and be compared with the whole month's plan)."""


def mapped_cells(con: Any, rules: Sequence[ResolvedRule],
                 cost_column: str) -> tuple[tuple[Cell, ...], tuple[UnmappedGroup, ...]]:
    """Run the rules over the store's groups: cost and usage per rule and month, and what no rule took."""
    case, params = case_expression(rules)
    column = "billed" if cost_column == "billed" else "effective"
    base = f"SELECT *, {case} AS rule FROM groups WHERE month IS NOT NULL"
    cells = con.execute(
        f"SELECT rule, strftime(month, '%Y-%m'), currency, has_cost, COALESCE(sum({column}), 0), sum(rows), "
        f"consumed_unit, gpu_count, sum(quantity), sum(q_rows), max(through) FILTER (WHERE {_USAGE_ROWS}) "
        f"FROM ({base}) GROUP BY ALL ORDER BY 1, 2", params).fetchall()
    unmapped = con.execute(
        f"SELECT service_category, service_name, sku_id, currency, strftime(month, '%Y-%m'), "
        f"COALESCE(sum({column}), 0), sum(rows) FROM ({base}) WHERE rule = -1 AND has_cost GROUP BY ALL "
        "ORDER BY 6 DESC", params).fetchall()
    return (tuple(Cell(int(r[0]), r[1], r[2], bool(r[3]), Decimal(r[4]), int(r[5]), r[6], r[7], r[8], int(r[9] or 0),
                       r[10]) for r in cells),
            tuple(UnmappedGroup(r[0], r[1], r[2], r[3], r[4], Decimal(r[5]), int(r[6])) for r in unmapped))


# ---------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    rule: Rule
    reason: str


def propose(con: Any, plan: Any, lines: Sequence[PlanLine], existing: Sequence[ResolvedRule],
            cost_column: str = "effective") -> tuple[tuple[Proposal, ...], tuple[str, ...]]:
    """Rules for what is obvious among the rows no existing rule maps, and notes on what is ambiguous.

    * an API line's model -> rows whose model id is that model (or a dated snapshot of it); failing
      that, the SKUs whose id names the model as a whole word;
    * a GPU line -> compute rows whose instance type is of that GPU's family (GPU_INSTANCE_FAMILIES)
      or whose SKU names the GPU, when exactly one plan line uses that GPU;
    * the only storage line -> ServiceCategory Storage; the only egress line -> Networking rows counted
      in bytes (GB, TB...: not the load balancer or NAT hours that Networking bills too).
    """
    case, params = case_expression(existing)
    column = "billed" if cost_column == "billed" else "effective"
    rows = con.execute(
        f"SELECT service_category, sku_id, sku_meter, model, instance_type, consumed_unit, "
        f"COALESCE(sum({column}), 0) FROM (SELECT *, {case} AS rule FROM groups WHERE month IS NOT NULL) "
        f"WHERE rule = -1 AND has_cost GROUP BY ALL HAVING sum({column}) <> 0", params).fetchall()
    proposals: list[Proposal] = []
    notes: list[str] = []
    line_objs = {ln.key_path: _plan_line(plan, ln.key_path) for ln in lines}

    # API lines by model
    by_model: dict[str, list[PlanLine]] = {}
    for ln in lines:
        obj = line_objs.get(ln.key_path)
        if ln.section == "services.apis" and obj is not None:
            by_model.setdefault(normalize_model(obj.model), []).append(ln)
    for model, lns in by_model.items():
        rx = re.compile(model_regex(model))
        word = re.compile(r"(?<![a-z0-9])" + re.escape(model)
                          + r"(?![a-z]|-(?:mini|nano|pro|turbo|audio|realtime|search))")
        model_hits = [r for r in rows if r[3] and rx.fullmatch(normalize_model(r[3]))]
        sku_hits = sorted({r[1] for r in rows if not r[3] and r[1] and word.search(normalize_model(r[1]))})
        if not model_hits and not sku_hits:
            continue
        if len(lns) > 1:
            notes.append(f"{len(lns)} API lines use {model} ({', '.join(ln.name for ln in lns)}): add rules on "
                         "project, workspace or tags to tell their rows apart")
            continue
        if model_hits:
            proposals.append(Proposal(Rule((("model", (model,)),), (), lns[0].name),
                                      f"rows whose model is {model} (or a dated snapshot of it)"))
        if sku_hits:
            proposals.append(Proposal(Rule((("sku", tuple(sku_hits)),), (), lns[0].name),
                                      f"SKUs naming {model}"))

    # GPU lines by GPU
    by_gpu: dict[str, list[PlanLine]] = {}
    for ln in lines:
        obj = line_objs.get(ln.key_path)
        if ln.section.startswith("compute.") and obj is not None and getattr(obj, "gpu", None):
            by_gpu.setdefault(obj.gpu, []).append(ln)
    for gpu, lns in by_gpu.items():
        fams = [re.compile(_glob_regex(f), re.I) for f in GPU_INSTANCE_FAMILIES.get(gpu, ())]
        token = re.compile(r"(?<![a-z0-9])" + re.escape(gpu.split("-")[0].lower()) + r"(?![a-z0-9])")
        inst = sorted({r[4] for r in rows if r[4] and any(f.fullmatch(r[4]) for f in fams)})
        skus = sorted({r[1] for r in rows if not r[4] and r[1] and (any(f.fullmatch(r[1]) for f in fams)
                                                                    or token.search(r[1].lower()))})
        if not inst and not skus:
            continue
        if len(lns) > 1:
            notes.append(f"{len(lns)} compute lines use {gpu} ({', '.join(ln.name for ln in lns)}): add rules on "
                         "tags or resource names to tell their rows apart")
            continue
        if inst:
            proposals.append(Proposal(Rule((("instance_type", tuple(inst)),), (), lns[0].name),
                                      f"instances with {gpu} GPUs"))
        if skus:
            proposals.append(Proposal(Rule((("sku", tuple(skus)),), (), lns[0].name), f"SKUs naming {gpu}"))

    for section, category, what in (("data.storage", "Storage", "storage"), ("data.egress", "Networking", "egress")):
        lns = [ln for ln in lines if ln.section == section]
        hits = [r for r in rows if r[0] and r[0].lower() == category.lower()]
        if section == "data.egress":
            # Networking also bills load balancers, NAT gateways and IP addresses by the hour: only the rows
            # counted in bytes are data sent out
            hits = [r for r in hits if conversion(r[5], "GB") is not None]
        if not hits:
            continue
        if len(lns) == 1:
            match: tuple = (("service_category", (category,)),)
            if section == "data.egress":
                match += (("unit", tuple(sorted({r[5] for r in hits}))),)
            proposals.append(Proposal(Rule(match, (), lns[0].name), f"the plan's only {what} line"))
        elif len(lns) > 1:
            notes.append(f"{len(lns)} {what} lines: add rules on resource names or tags for the {category} rows")
    return tuple(proposals), tuple(notes)


def _glob_regex(glob: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)


def _plan_line(plan: Any, key_path: str) -> Any:
    m = re.fullmatch(r"(.+)\[(\d+)\]", key_path)
    if not m:
        return None
    try:
        return plan.section(m.group(1))[int(m.group(2))]
    except (AttributeError, IndexError):
        return None


def quantity_in_line_unit(cell: Cell, section: str) -> float | None:
    """A cell's consumed quantity in its plan line's unit, or None (unknown unit, GPUs per instance unknown)."""
    target = LINE_UNIT.get(section)
    if target is None or cell.quantity is None:
        return None
    conv = conversion(cell.unit, target)
    if conv is None:
        return None
    q = cell.quantity * conv.factor
    if conv.per_gpu:
        if not cell.gpu_count:
            return None
        q *= cell.gpu_count
    return q
