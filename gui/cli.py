"""The `aicost` command: the desktop window, or headless subcommands (report, validate, catalog, tokens)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _load(path: str):
    from pricing import planfile
    return planfile.load(path)


def cmd_report(args: argparse.Namespace) -> int:
    from pricing import engine, report
    plan = _load(args.plan)
    if args.scenario:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(args.scenario))
    proj = engine.project(plan, months=args.months)
    if args.csv:
        from pricing import export_csv
        export_csv.write(proj, args.csv)
    if args.pdf:
        from gui.report_pdf import export_pdf
        export_pdf(proj.plan, args.pdf, page_size=args.page_size)
    if args.xlsx:
        from pricing import export_xlsx
        export_xlsx.export(proj.plan, args.xlsx, first_fiscal_month=args.fiscal_year_start)
    mc = None
    if args.uncertainty:
        from pricing import uncertainty
        mc = uncertainty.monte_carlo(proj.plan, samples=args.samples, seed=args.seed, distribution=args.distribution,
                                     progress=_progress_line("Monte Carlo") if sys.stderr.isatty() else None)
    if args.json:
        data = report.report_data(proj)
        if mc is not None:
            data["uncertainty"] = report.uncertainty_data(mc, proj)
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not (args.csv or args.pdf or args.xlsx):
        sys.stdout.write(report.text_report(proj))
        if mc is not None:
            sys.stdout.write(report.uncertainty_text(mc, proj))
    if not args.json:
        for written in (args.csv if args.csv != "-" else None, args.pdf, args.xlsx):
            if written:
                print(f"wrote {written}")
    return EXIT_OK


def _progress_line(what: str):
    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r{what}: {done * 100 // max(total, 1)}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def cmd_drivers(args: argparse.Namespace) -> int:
    from pricing import report, uncertainty
    plan = _load(args.plan)
    tornado = uncertainty.tornado(plan, swing=args.swing)
    if args.json:
        json.dump(report.tornado_data(tornado, plan), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.tornado_text(tornado, plan, top=args.top))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from pricing import planfile
    from pricing.errors import PlanError
    status = EXIT_OK
    for path in args.plans:
        try:
            planfile.load(path)
            print(f"{path}: ok")
        except PlanError as exc:
            status = EXIT_INPUT
            for p in exc.problems:
                _err(str(p))
    return status


def cmd_catalog(args: argparse.Namespace) -> int:
    from pricing.catalog import Catalog
    section = args.section
    if section == "apis":
        from pricing import apiprices
        models = apiprices.list_models(args.search or "", provider=args.provider, limit=args.limit)
        print(f"LLM API prices from genai-prices, price data of {apiprices.data_date().isoformat()} "
              "(USD per million tokens)")
        print(f"{'provider':<14}{'model':<44}{'input':>10}{'cached':>10}{'output':>10}")
        for m in models:
            f = lambda x: "-" if x is None else f"{x:g}"  # noqa: E731
            print(f"{m.provider:<14}{m.model[:43]:<44}{f(m.input_per_mtok):>10}{f(m.cached_input_per_mtok):>10}"
                  f"{f(m.output_per_mtok):>10}" + ("  tiered" if m.tiered else ""))
        return EXIT_OK
    cat = Catalog.load()
    if args.provider and args.provider.lower() not in cat.providers and args.provider.lower() != "any":
        from pricing.errors import UnknownNameError
        raise UnknownNameError("provider", args.provider, cat.providers)
    entries = cat.entries(section, args.provider.lower() if args.provider else None)
    if args.json:
        from pricing.report import source_data
        json.dump([{"key": e.key, "section": e.section, "provider": e.provider, "item": e.item,
                    "description": e.description, "value": e.value, "unit": e.unit,
                    "tiers": [{"upto": t.upto, "price": t.price} for t in e.tiers],
                    "gap": e.gap, **{"source": source_data(e.source)}} for e in entries],
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    kw = max([len(e.key) for e in entries] + [3])
    print(f"{'key':<{kw}}  {'value':>10}  {'unit':<24}  {'as of':<12}  confidence / source")
    for e in entries:
        value = "GAP" if e.value is None else f"{e.value:g}" + ("*" if e.tiers else "")
        as_of = e.source.as_of_date.isoformat() if e.source.as_of_date else "undated"
        tail = f"{e.source.confidence}; {e.gap}" if e.gap else f"{e.source.confidence}; {e.source.source[:70]}"
        print(f"{e.key:<{kw}}  {value:>10}  {e.unit[:24]:<24}  {as_of:<12}  {tail}")
    if any(e.tiers for e in entries):
        print("\n* volume-tiered: the value is the first paid tier; `--json` lists every tier")
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    try:
        from gui.app import run_app
    except ImportError as exc:  # the desktop app is not part of this build
        _err(f"the desktop window is not available: {exc}")
        return EXIT_FAIL
    return run_app(getattr(args, "plan", None))


def cmd_smoke_test(args: argparse.Namespace) -> int:
    from gui.smoke import run
    return run(args.plan)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aicost", description="AI Cost Planner: what an AI project will cost, "
                                "what drives it, and what to change.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("report", help="project a plan and print its costs")
    r.add_argument("plan", help="plan file (YAML)")
    r.add_argument("--months", type=_positive_int, help="horizon in months (default: the plan's)")
    r.add_argument("--csv", metavar="FILE", help="also write monthly costs per line item as CSV ('-' for stdout)")
    r.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli.md)")
    r.add_argument("--pdf", metavar="FILE", help="also write the PDF report (works headless)")
    r.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help="PDF page size (default A4)")
    r.add_argument("--xlsx", metavar="FILE", help="also write an Excel workbook whose cells are live formulas")
    r.add_argument("--fiscal-year-start", type=_month_number, default=1, metavar="MONTH",
                   help="first month of the fiscal year for the workbook's summary, 1-12 (default 1: calendar year)")
    r.add_argument("--scenario", metavar="NAME", help="report the plan with this savings scenario applied")
    r.add_argument("--uncertainty", action="store_true",
                   help="Monte Carlo over the plan's ranges: P10/P50/P90 per month and for the horizon")
    r.add_argument("--samples", type=_positive_int, default=10_000, help="Monte Carlo samples (default 10000)")
    r.add_argument("--seed", type=int, default=2027, help="Monte Carlo seed (same seed, same figures)")
    r.add_argument("--distribution", choices=["pert", "triangular", "uniform"], default="pert",
                   help="how each range is sampled (default pert; uniform ignores likely)")
    r.set_defaults(func=cmd_report)

    d = sub.add_parser("drivers", help="which inputs move the bill most (tornado: each input at low and high)")
    d.add_argument("plan")
    d.add_argument("--swing", type=float, default=0.2, help="swing of inputs without a range (default 0.2 = +-20%%)")
    d.add_argument("--top", type=_positive_int, default=15, help="inputs listed (text output)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_drivers)

    v = sub.add_parser("validate", help="check plan files and list every problem")
    v.add_argument("plans", nargs="+", metavar="PLAN")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("catalog", help="list catalog prices with their sources and dates")
    c.add_argument("section", nargs="?", choices=["gpus", "storage", "egress", "platforms", "annotation",
                                                   "mlops", "levers", "apis"])
    c.add_argument("--provider", help="only this provider (aws, gcp, azure, lambda, nebius, runpod)")
    c.add_argument("--search", help="apis: filter models by name")
    c.add_argument("--limit", type=_positive_int, default=50, help="apis: most models listed")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_catalog)

    try:
        from gui import cmd_tokens
        cmd_tokens.add_parser(sub)
    except ImportError:
        pass
    try:
        from gui import cmd_compare
        cmd_compare.add_parser(sub)
    except ImportError:
        pass
    try:
        from gui import cmd_commitments
        cmd_commitments.add_parser(sub)
    except ImportError:
        pass
    for name, module in (("savings", "cmd_savings"), ("breakeven", "cmd_savings")):
        try:
            mod = __import__(f"gui.{module}", fromlist=["add_parser"])
            getattr(mod, f"add_{name}_parser")(sub)
        except (ImportError, AttributeError):
            pass

    st = sub.add_parser("smoke-test", help="open a plan in the window offscreen, render it and quit (checks an install)")
    st.add_argument("plan", nargs="?")
    st.set_defaults(func=cmd_smoke_test)

    o = sub.add_parser("open", help="open the desktop window (on a plan)")
    o.add_argument("plan", nargs="?")
    o.set_defaults(func=cmd_open)
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found {value}")
    return value


def _month_number(text: str) -> int:
    value = _positive_int(text)
    if value > 12:
        raise argparse.ArgumentTypeError(f"expected a month number from 1 to 12, found {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    from pricing.errors import PlanError
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        return cmd_open(argparse.Namespace(plan=None))
    try:
        return args.func(args)
    except PlanError as exc:
        for p in exc.problems:
            _err(str(p))
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except OSError as exc:
        _err(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": "))
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
