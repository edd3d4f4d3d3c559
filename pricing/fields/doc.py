"""The field tables of docs/plan-format.md and docs/scenarios.md, generated from the schema.

A doc holds ``<!-- fields:NAME -->`` ... ``<!-- /fields -->`` where a table goes (NAME: ``plan`` for
the settings, a section path such as ``compute.training``, or ``strategy.spot``); the prose around
them is written by hand. Regenerate with::

    python -m pricing.fields.doc            # rewrites the tables of both docs
    python -m pricing.fields.doc --check    # exit 1 when a doc and the schema disagree (the tests run it)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from pricing.fields import ALL_SECTIONS, STRATEGY_PARAMS
from pricing.fields.spec import COMPUTED, NAME_LISTS, FieldSpec, Kind, number_text, share_text

DOCS = ("docs/plan-format.md", "docs/scenarios.md")
"""The docs with generated tables, relative to the repository."""
REGENERATE = "python -m pricing.fields.doc"

_BLOCK = re.compile(r"(<!-- fields:(?P<name>[\w.]+) -->\n)(?P<body>.*?)(<!-- /fields -->)", re.S)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _num(spec: FieldSpec, x: float) -> str:
    return share_text(x) if spec.share else number_text(x)


def _unit(spec: FieldSpec) -> str:
    if spec.unit is None or spec.share or spec.kind is Kind.MONTH:
        return ""
    return " " + spec.unit.text.replace("{cur}", "currency")


def value_rule(spec: FieldSpec) -> str:
    """What a value of the field may be, in words: ``whole number, 1 to 72 GPUs``."""
    lim, kind = spec.limits, spec.kind
    if kind in (Kind.AMOUNT, Kind.INTEGER, Kind.SHARE, Kind.FACTOR, Kind.MONTH):
        what = {Kind.AMOUNT: "number", Kind.INTEGER: "whole number", Kind.SHARE: "share",
                Kind.FACTOR: "factor", Kind.MONTH: "plan month"}[kind]
        low = lim.minimum if lim.minimum is not None else None
        if kind is Kind.FACTOR:
            lower = "above 1"
        elif low is not None and low == 0 and not lim.allow_zero:
            lower = f"above {_num(spec, 0)}"
        else:
            lower = f"from {_num(spec, low)}" if low is not None else ""
        upper = f" to {_num(spec, spec.maximum)}" if spec.maximum is not None else ""
        if lower.startswith("above") and upper:
            upper = f", at most {_num(spec, spec.maximum)}"  # type: ignore[arg-type]
        extra = " (within the horizon)" if kind is Kind.MONTH else ""
        return f"{what}, {lower}{upper}{_unit(spec)}{extra}"
    if kind is Kind.NAME:
        return NAME_LISTS[spec.names] if spec.names is not None else "a name"  # type: ignore[index]
    if kind is Kind.ENUM:
        return "one of " + ", ".join(f"`{c.text}`" for c in spec.choices)
    if kind is Kind.NAMES:
        if spec.choices:
            return "a list among " + ", ".join(f"`{c.text}`" for c in spec.choices)
        return f"a list of {NAME_LISTS[spec.names]}" if spec.names is not None else "a list of names"
    if kind is Kind.YEAR_MONTH and spec.limits.minimum and spec.limits.maximum:  # limits are years
        return f"a month such as `2027-01`, from {int(spec.limits.minimum)}-01 to {int(spec.limits.maximum)}-12"
    return {Kind.TEXT: "text", Kind.YEAR_MONTH: "a month such as `2027-01`",
            Kind.CURRENCY: "a 3-letter currency code (USD, EUR...)",
            Kind.RULES: "a list of `{after_days: N, tier: NAME}`",
            Kind.SAMPLE: "a file path (relative to the plan) or inline text",
            Kind.FLAG: "`true` or `false`",
            Kind.WORK_UNIT: "`{name: ticket, line: NAME}` or `{name: ticket, per_month: N, growth: 5%}`"}[kind]


def default_text(spec: FieldSpec) -> str:
    if spec.required:
        return "**required**"
    if spec.default is COMPUTED:
        return "this month"
    if spec.default is None or spec.default == ():
        return f"empty: {spec.none_means}" if spec.none_means else "—"
    choice = spec.choice(spec.default) if spec.choices and not isinstance(spec.default, tuple) else None
    if choice is not None:
        return f"`{choice.text}`"
    if isinstance(spec.default, tuple):
        return ", ".join(f"`{x}`" for x in spec.default)
    text = spec.text(spec.default)
    return text + (" (catalog lever)" if spec.lever else "")


def typical_text(spec: FieldSpec) -> str:
    t = spec.typical
    if t is None:
        return ""
    return f"{_num(spec, t.low)} to {_num(spec, t.high)}" + (" USD" if t.usd else "")


def table(fields: tuple[FieldSpec, ...], *, strategy: bool = False) -> str:
    """A markdown table of fields: key, label, meaning, values, typical, default, range."""
    head = ("| key | label | meaning | value | typical | default | range |\n"
            "|---|---|---|---|---|---|---|\n")
    rows = []
    for f in fields:
        meaning = f.help + (f" Source: {f.source}." if strategy and f.source else "")
        label = _cell(f.label.replace('{cur}', 'currency'))
        rows.append(f"| `{f.key}` | {label} | {_cell(meaning)} | {_cell(value_rule(f))} | "
                    f"{_cell(typical_text(f))} | {_cell(default_text(f))} | {'yes' if f.rangeable else ''} |")
    return head + "\n".join(rows) + "\n"


def tables() -> dict[str, str]:
    """Every table a doc may hold, by its marker name."""
    out = {("plan" if s.path == "" else s.path): table(s.fields) for s in ALL_SECTIONS}
    out.update({f"strategy.{name}": table(params, strategy=True) for name, params in STRATEGY_PARAMS.items()})
    return out


def render(text: str) -> str:
    """``text`` with every marked table replaced by the schema's; raises KeyError for an unknown marker."""
    known = tables()

    def sub(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in known:
            raise KeyError(f"no field table {name!r} (known: {', '.join(known)})")
        return m.group(1) + known[name] + m.group(4)
    return _BLOCK.sub(sub, text)


def root() -> Path:
    """The repository (docs/ is next to pricing/)."""
    return Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    stale = []
    for rel in DOCS:
        path = root() / rel
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            stale.append(rel)
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"out of date with the schema: {', '.join(stale)}; run `{REGENERATE}`", file=sys.stderr)
        return 1
    for rel in stale:
        print(f"rewrote the field tables of {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["render", "tables", "table", "value_rule", "default_text", "main"]
