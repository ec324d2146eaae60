"""`python run.py bench generate`: how fast the synthetic dataset is generated and bulk-loaded,
next to a baseline measured in the same run: the seed projects' way (a Python loop calling Faker
once per text column per row, then ``DataFrame.to_sql(if_exists="append")``) on a sample.

    figures = bench_generate(database_url, orders=1_000_000, seed=42, baseline_sample=20_000)
    print(format_bench_generate(figures))

``database_url`` None (or any SQLite URL) -> a fresh temporary SQLite file; a MySQL/MariaDB or
PostgreSQL URL -> fresh databases ``bench_<pid>`` and ``bench_<pid>_baseline`` on that server,
dropped afterwards. Nothing existing is touched. Wall times are reported with the CPU time of
this process next to them (on a busy machine the difference is time spent waiting for a core or
for the server).
"""
from __future__ import annotations

import contextlib
import gc
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from schema.db import backend, create_engine, normalise_url, redact
from schema.manage import init_db
from schema.tables import ORDER_STATUSES, PAYMENT_GROUPS

#: Targets for 1M orders (generate + load, wall), scaled linearly with the number of orders.
TARGET_SECONDS_PER_MILLION = {"sqlite": 30.0, "mysql": 60.0}
TARGET_PEAK_MEMORY_MIB = 3 * 1024
BASELINE_METHOD = "Python loop, one Faker call per text column per row; DataFrame.to_sql(if_exists='append')"


# ---------------------------------------------------------------- fresh databases
@contextlib.contextmanager
def fresh_database(url: str | None, suffix: str = ""):
    """Yield the URL of a new, empty database of the kind ``url`` names; remove it afterwards."""
    if url is None or normalise_url(url).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench_gen_") as tmp:
            yield f"sqlite:///{os.path.join(tmp, f'bench{suffix}.db')}"
        return
    server = normalise_url(url)
    kind = "postgresql" if server.get_backend_name() == "postgresql" else "mysql"
    name = f"bench_{os.getpid()}{suffix}"
    admin_url = server.set(database="postgres" if kind == "postgresql" else None).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    quoted = f'"{name}"' if kind == "postgresql" else f"`{name}`"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
            conn.exec_driver_sql(
                f"CREATE DATABASE {quoted}" + (" ENCODING 'UTF8' TEMPLATE template0" if kind == "postgresql" else " CHARACTER SET utf8mb4")
            )
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(sa.exc.DBAPIError), admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}" + (" WITH (FORCE)" if kind == "postgresql" else ""))
        admin.dispose()


def _peak_memory_mib() -> float:
    """This process's peak resident memory plus its largest child's (the SQLite loader's helper
    process): an upper bound, since the forked helper shares most of its pages with this process."""
    peak = sum(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else float("inf")


# ---------------------------------------------------------------- ours
def bench_generate(database_url: str | None, orders: int = 1_000_000, seed: int = 42, baseline_sample: int = 20_000,
                   progress: bool | None = None) -> dict:
    """Generate ``orders`` orders, load them into a fresh database, measure a baseline; return figures."""
    from datagen.loader import load_dataset
    from datagen.synthetic import GenerationSpec, generate

    started = time.perf_counter()
    figures: dict = {"orders": orders, "seed": seed, "cpu_count": os.cpu_count(), "load_average_before": _load_average()}
    with fresh_database(database_url) as url:
        engine = create_engine(url)
        try:
            kind = backend(engine)
            figures["backend"] = kind
            figures["database"] = "temporary SQLite file" if kind == "sqlite" else redact(url)

            cpu, t0 = time.process_time(), time.perf_counter()
            data = generate(GenerationSpec(orders=orders, seed=seed))
            figures["generate_seconds"] = time.perf_counter() - t0
            figures["generate_cpu_seconds"] = time.process_time() - cpu

            t0 = time.perf_counter()
            init_db(engine)
            figures["schema_seconds"] = time.perf_counter() - t0

            cpu, t0 = time.process_time(), time.perf_counter()
            report = load_dataset(engine, data, progress=progress)
            figures["load_seconds"] = report.seconds
            figures["load_cpu_seconds"] = time.process_time() - cpu
            figures["method"] = report.method
            del data
            gc.collect()
        finally:
            engine.dispose()
    figures["peak_memory_mib"] = _peak_memory_mib()  # before the (small) baseline runs
    figures["tables"] = [
        {"name": t.name, "rows": t.rows, "seconds": t.seconds, "rows_per_second": _rate(t.rows, t.seconds)} for t in report.tables
    ]
    rows = report.rows
    figures["rows"] = rows
    figures["total_seconds"] = figures["generate_seconds"] + figures["schema_seconds"] + figures["load_seconds"]
    figures["rows_per_second_generate"] = _rate(rows, figures["generate_seconds"])
    figures["rows_per_second_load"] = _rate(rows, figures["load_seconds"])
    figures["rows_per_second_total"] = _rate(rows, figures["generate_seconds"] + figures["load_seconds"])

    target = TARGET_SECONDS_PER_MILLION.get(figures["backend"])
    figures["target_seconds"] = None if target is None else target * orders / 1_000_000
    figures["target_peak_memory_mib"] = TARGET_PEAK_MEMORY_MIB

    if baseline_sample and baseline_sample > 0:
        with fresh_database(database_url, suffix="_baseline") as url:
            figures["baseline"] = bench_baseline(url, orders=baseline_sample, seed=seed)
        base = figures["baseline"]
        figures["speedup"] = {
            "generate": figures["rows_per_second_generate"] / base["rows_per_second_generate"],
            "load": figures["rows_per_second_load"] / base["rows_per_second_load"],
            "total": figures["rows_per_second_total"] / base["rows_per_second_total"],
        }
    figures["load_average_after"] = _load_average()
    figures["bench_seconds"] = time.perf_counter() - started
    return figures


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not on every platform
        return None


# ---------------------------------------------------------------- the baseline
def bench_baseline(url: str, orders: int = 20_000, seed: int = 42) -> dict:
    """The seed projects' way over ``orders`` orders (plus their customers and payment methods)."""
    from faker import Faker

    fake = Faker()
    Faker.seed(seed)
    rnd = random.Random(seed)
    start, end = date(2022, 1, 1), date(2024, 12, 31)
    n_customers = max(50, orders // 5)

    t0 = time.perf_counter()
    methods = [
        {"payment_method_id": i, "method_name": f"{group.title()} {fake.credit_card_provider()}"[:40] + f" {i}",
         "method_group": group, "is_digital": int(group != "cod")}
        for i, group in enumerate(PAYMENT_GROUPS, start=1)
    ]
    customers = []
    for i in range(1, n_customers + 1):
        signup = fake.date_between(start_date=start, end_date=end)
        customers.append({
            "customer_id": i,
            "customer_code": fake.bothify(text=f"C{i:07d}?"),
            "customer_name": fake.name(),
            "email": fake.email(),
            "address": fake.street_address(),
            "city": fake.city(),
            "state": fake.state(),
            "country": fake.country()[:60],
            "gender": rnd.choice("FM"),
            "age": rnd.randint(16, 80),
            "platform": rnd.choice(("web", "android", "ios")),
            "signup_date": signup,
            "last_active_date": signup + timedelta(days=rnd.randint(0, 365)),
        })
    order_rows = []
    for i in range(1, orders + 1):
        status = fake.random_element(ORDER_STATUSES)
        valid = int(status != "canceled")
        order_rows.append({
            "order_id": i,
            "order_code": fake.bothify(text=f"ODR{i:09d}?"),
            "customer_id": rnd.randint(1, n_customers),
            "order_date": fake.date_time_between(start_date=datetime(2022, 1, 1), end_date=datetime(2024, 12, 31)).replace(microsecond=0),
            "status": status,
            "payment_method_id": rnd.randint(1, len(methods)),
            "is_gross": 1,
            "is_valid": valid,
            "is_net": int(status == "completed"),
            "total": round(rnd.uniform(5, 500), 2),
        })
    frames = {"payment_methods": pd.DataFrame(methods), "customers": pd.DataFrame(customers), "orders": pd.DataFrame(order_rows)}
    generate_seconds = time.perf_counter() - t0

    engine = create_engine(url)
    try:
        init_db(engine)
        tables = []
        t0 = time.perf_counter()
        for name, frame in frames.items():
            t1 = time.perf_counter()
            frame.to_sql(name, engine, if_exists="append", index=False)
            seconds = time.perf_counter() - t1
            tables.append({"name": name, "rows": len(frame), "seconds": seconds, "rows_per_second": _rate(len(frame), seconds)})
        load_seconds = time.perf_counter() - t0
    finally:
        engine.dispose()
    rows = sum(len(f) for f in frames.values())
    return {
        "method": BASELINE_METHOD,
        "orders": orders,
        "rows": rows,
        "tables": tables,
        "generate_seconds": generate_seconds,
        "load_seconds": load_seconds,
        "rows_per_second_generate": _rate(rows, generate_seconds),
        "rows_per_second_load": _rate(rows, load_seconds),
        "rows_per_second_total": _rate(rows, generate_seconds + load_seconds),
    }


# ---------------------------------------------------------------- rendering
def format_bench_generate(figures: dict) -> str:
    """A plain-text report of bench_generate's figures."""
    f = figures
    lines = [
        f"bench generate: {f['orders']:,} orders (seed {f['seed']}) into {f['database']} [{f['backend']}, {f['method']}]",
        "",
        f"{'table':<20} {'rows':>12} {'seconds':>9} {'rows/s':>12}",
        f"{'-' * 20} {'-' * 12} {'-' * 9} {'-' * 12}",
    ]
    for t in f["tables"]:
        lines.append(f"{t['name']:<20} {t['rows']:>12,} {t['seconds']:>9.2f} {t['rows_per_second']:>12,.0f}")
    lines.append(f"{'-' * 20} {'-' * 12} {'-' * 9} {'-' * 12}")
    lines.append(f"{'load':<20} {f['rows']:>12,} {f['load_seconds']:>9.2f} {f['rows_per_second_load']:>12,.0f}")
    lines += [
        "",
        f"generate       {f['generate_seconds']:8.2f} s wall  {f['generate_cpu_seconds']:8.2f} s cpu  {f['rows_per_second_generate']:>12,.0f} rows/s",
        f"create schema  {f['schema_seconds']:8.2f} s wall",
        f"load           {f['load_seconds']:8.2f} s wall  {f['load_cpu_seconds']:8.2f} s cpu  {f['rows_per_second_load']:>12,.0f} rows/s",
        f"total          {f['total_seconds']:8.2f} s wall" + _target(f["total_seconds"], f.get("target_seconds"), "s"),
        f"peak memory    {f['peak_memory_mib']:8.0f} MiB" + _target(f["peak_memory_mib"], f.get("target_peak_memory_mib"), "MiB"),
    ]
    if f.get("load_average_before") is not None:
        lines.append(
            f"machine        {f.get('cpu_count')} cores, load average {f['load_average_before']:.1f} before, "
            f"{f.get('load_average_after') or 0:.1f} after (other work slows wall times; cpu times are this process only)"
        )
    base = f.get("baseline")
    if base:
        lines += [
            "",
            f"baseline ({base['orders']:,} orders, {base['rows']:,} rows): {base['method']}",
            f"  generate {base['generate_seconds']:8.2f} s  {base['rows_per_second_generate']:>12,.0f} rows/s",
            f"  load     {base['load_seconds']:8.2f} s  {base['rows_per_second_load']:>12,.0f} rows/s  ("
            + ", ".join(f"{t['name']} {t['rows_per_second']:,.0f}" for t in base["tables"]) + ")",
            f"  total             {base['rows_per_second_total']:>12,.0f} rows/s",
            f"ours / baseline: generate x{f['speedup']['generate']:.1f}, load x{f['speedup']['load']:.1f}, "
            f"generate+load x{f['speedup']['total']:.1f} (rows/s)",
        ]
    return "\n".join(lines)


def _target(value: float, target: float | None, unit: str) -> str:
    if target is None:
        return ""
    verdict = "meets" if value <= target else "MISSES"
    shown = f"{target:,.1f}" if unit == "s" else f"{target:,.0f}"
    return f"   ({verdict} the target of {shown} {unit})"
