#!/usr/bin/env python3
"""The one entry point: `python run.py COMMAND [options]`; `python run.py --help` lists commands.

Each command is a small function below that parses nothing itself: argparse does that, and
the work lives in the packages (datagen/, schema/, dashboard/). Every user-fixable problem
is a `schema.errors.UserError`, printed as one line with a non-zero exit code.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy.exc import DBAPIError

from schema.config import Settings
from schema.errors import UserError


# ---------------------------------------------------------------- argument types
def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def settings_from(args) -> Settings:
    return Settings.from_env(database_url=getattr(args, "database_url", None))


def engine_from(args):
    from schema.db import create_engine

    return create_engine(settings_from(args).database_url)


def write_json(path: str | None, figures: dict) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2, default=str)
        print(f"figures written to {path}", file=sys.stderr)


# ---------------------------------------------------------------- commands
def cmd_init_db(args) -> int:
    from schema.manage import init_db

    created = init_db(engine_from(args))
    print(f"created {len(created)} tables" + (f": {', '.join(created)}" if created else " (schema already up to date)"))
    return 0


def cmd_generate(args) -> int:
    from datagen.pipeline import generate_into

    report = generate_into(
        engine_from(args), orders=args.orders, seed=args.seed, start=args.start, months=args.months, replace=args.replace
    )
    print(report.summary())
    return 0


def cmd_refresh(args) -> int:
    from schema.db import redact
    from schema.manage import is_empty
    from schema.refresh import NotInitialised, refresh

    engine = engine_from(args)
    if is_empty(engine):
        raise NotInitialised(
            f"nothing to refresh: {redact(settings_from(args).database_url)} holds no orders, customers or products; "
            "load data first (`python run.py generate`)"
        )
    report = refresh(engine, via=args.via)
    print("\n".join(report.lines()))
    return 0


def cmd_dictionary(args) -> int:
    from schema import readme_sections
    from schema.dictionary import render_markdown

    if args.update_readme:
        import dashboard.queries.catalogue  # noqa: F401 - registers the datasets and glossary sections

        changed = readme_sections.update_file()
        print("README.md updated" if changed else "README.md already up to date")
    else:
        print(render_markdown())
    return 0


def cmd_query(args) -> int:
    from dashboard.queries.catalogue import DATASETS, configure, parse_params, run_dataset
    from dashboard.queries.export import to_csv, to_json, to_table
    from dashboard.queries.registry import get_dataset

    if args.list or not args.dataset:
        for name in sorted(DATASETS):
            print(f"{name:<30} {DATASETS[name].title}")
        return 0
    ds = get_dataset(args.dataset)
    filters = filters_from(args)
    configure(settings_from(args))  # before the params: the settings give some of their defaults
    params = parse_params(ds, dict(_key_value(p) for p in args.param or []))
    frame = run_dataset(ds.name, filters, params)
    if args.format == "json":
        print(to_json(ds.name, frame, filters.only(*ds.dimensions), params))
    elif args.format == "csv":
        sys.stdout.write(to_csv(frame))
    else:
        print(to_table(frame))
    return 0


def filters_from(args):
    """The query options as a strict Filters (bad values raise InvalidFilter)."""
    from dashboard.queries.filters import Filters, parse_date

    for key, text in (("from", args.date_from), ("to", args.date_to)):
        if text:
            parse_date(text, key)  # the strict message, before Filters.parse words it as a notice
    query = {"from": args.date_from, "to": args.date_to, "scope": args.scope, "category": args.category, "brand": args.brand,
             "payment_method": args.payment_method, "city": args.city, "platform": args.platform, "campaign": args.campaign}
    return Filters.parse({k: v for k, v in query.items() if v})


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise UserError(f"--param takes KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


def cmd_bench(args) -> int:
    if args.target == "generate":
        from datagen.bench import bench_generate, format_bench_generate

        figures = bench_generate(args.database_url, orders=args.orders, seed=args.seed)
        print(format_bench_generate(figures))
    elif args.target == "queries":
        from dashboard.queries.bench import bench_queries, format_bench_queries

        figures = bench_queries(args.database_url, orders=args.orders, seed=args.seed, reuse=args.reuse)
        print(format_bench_queries(figures))
    elif args.target == "dashboard":
        from dashboard.bench import bench_dashboard, format_bench_dashboard

        figures = bench_dashboard(args.database_url, orders=args.orders, seed=args.seed, reuse=args.reuse)
        print(format_bench_dashboard(figures))
    else:  # pragma: no cover - argparse restricts the choices
        raise UserError(f"unknown benchmark {args.target!r}")
    write_json(args.json, figures)
    return 0


def cmd_serve(args) -> int:
    from dashboard.server import serve

    return serve(settings_from(args), host=args.host, port=args.port, workers=args.workers, debug=args.debug)


def cmd_demo(args) -> int:
    from datagen.pipeline import generate_into
    from schema.manage import is_empty

    engine = engine_from(args)
    if is_empty(engine):
        print(f"empty database: generating {args.orders:,} demo orders ...", file=sys.stderr)
        report = generate_into(engine, orders=args.orders, seed=42, start=date(2022, 1, 1), months=36, replace=False)
        print(report.summary(), file=sys.stderr)
    else:
        print("the database already holds data: serving it as it is", file=sys.stderr)
    engine.dispose()
    return cmd_serve(args)


# ---------------------------------------------------------------- parser
class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line (what is wrong and where help is), exit code 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def add_database_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="SQLAlchemy URL; default $DATABASE_URL, else sqlite file data/ecommerce.db")


def add_serve_options(p: argparse.ArgumentParser) -> None:
    add_database_option(p)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=positive_int, default=8050, help="port (default 8050)")
    p.add_argument("--workers", type=positive_int, help="run gunicorn with N worker processes instead of the dev server")
    p.add_argument("--debug", action="store_true", help="Dash debug mode: reloader and in-browser error reports")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="run.py", description="E-commerce BI: data, analytics and dashboard.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    p = sub.add_parser("init-db", help="create the tables and views, install refresh procedures on MySQL (idempotent)")
    add_database_option(p)
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("generate", help="fill every table with synthetic data")
    add_database_option(p)
    p.add_argument("--orders", type=positive_int, default=20_000, help="orders in total (default 20000)")
    p.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data (default 42)")
    p.add_argument("--start", type=iso_date, default=date(2022, 1, 1), help="first day, YYYY-MM-DD (default 2022-01-01)")
    p.add_argument("--months", type=positive_int, default=36, help="months of history (default 36)")
    p.add_argument("--replace", action="store_true", help="overwrite data already in the database")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("refresh", help="recompute derived columns and summary tables, re-create the views")
    add_database_option(p)
    p.add_argument(
        "--via", choices=["auto", "statements", "procedures", "refresh_all"], default="auto",
        help="auto (default): stored procedures on MySQL/MariaDB, statements from Python elsewhere",
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("dictionary", help="print the data dictionary (Markdown) generated from the schema")
    p.add_argument("--update-readme", action="store_true", help="rewrite the generated sections of README.md instead")
    p.set_defaults(func=cmd_dictionary)

    p = sub.add_parser("bench", help="benchmarks that print figures")
    p.add_argument("target", choices=["generate", "queries", "dashboard"], help="what to measure")
    add_database_option(p)
    p.add_argument("--orders", type=positive_int, default=1_000_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--reuse", action="store_true", help="queries, dashboard: measure the data already in --database-url")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("serve", help="serve the dashboard (Flask dev server; --workers N for gunicorn)")
    add_serve_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="generate demo data if the database is empty, then serve the dashboard")
    add_serve_options(p)
    p.add_argument("--orders", type=positive_int, default=20_000, help="orders to generate when empty (default 20000)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("query", help="print a dataset of the metric catalogue (`query --list` lists them)")
    p.add_argument("dataset", nargs="?", help="dataset name, e.g. kpis")
    p.add_argument("--list", action="store_true", help="list the datasets")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day (inclusive)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (inclusive)")
    for name in ("category", "brand", "payment-method", "city", "platform", "campaign"):
        p.add_argument(f"--{name}", action="append", metavar="NAME", help=f"only this {name.replace('-', ' ')} (repeatable)")
    p.add_argument("--scope", choices=["gross", "valid", "net"], help="which orders count (default valid)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="dataset parameter, e.g. limit=20 (repeatable)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    add_database_option(p)
    p.set_defaults(func=cmd_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except DBAPIError as exc:  # a server that went away mid-command, a permissions problem
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        print(f"error: the database refused the command: {reason}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted; nothing was committed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
