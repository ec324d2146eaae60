"""The bench dashboard table: one line per page, '!' after a figure that misses its target, then
the slowest callbacks with the datasets they load (where the time goes)."""
from __future__ import annotations

from dashboard.queries.bench import cpu_reference_text

TARGETS = {"uncached_p95_ms": 150.0, "cached_p95_ms": 30.0, "browser_ms": 2000.0, "points_per_trace": 5000}
SLOWEST = 10


def _ms(value, target=None, width=8) -> str:
    if value is None:
        return f"{'-':>{width}} "
    flag = "!" if target is not None and value > target else " "
    return f"{value:>{width}.1f}{flag}"


def _whole(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def _load(pair) -> str:
    return f"{pair[0]:.1f} -> {pair[-1]:.1f}" if pair else "?"


def format_bench_dashboard(figures: dict) -> str:
    t = figures["targets"]
    orders = f"{figures['orders']:,} orders" if figures.get("orders") else "data as it is"
    lines = [f"dashboard pages on {figures['database']} [{figures['backend']}, {orders}]; {figures.get('cpu_count')} cores, "
             f"load average {_load(figures.get('load_average_replay'))} (server replay), "
             f"{_load(figures.get('load_average_browser'))} (browser); {cpu_reference_text(figures)}"]
    head = (f"{'page':<16} {'callbacks':>9} {'changes':>7} | {'uncached p50':>12} {'p95':>9} {'cpu p95':>9} | "
            f"{'cached p50':>10} {'p95':>9} {'cpu p95':>9} | {'points':>7} {'rows':>5} | {'browser cold':>12} {'warm':>9}")
    lines += ["", head, "-" * len(head)]
    misses = []
    for name, p in figures["pages"].items():
        unc, cached = p["uncached"] or {}, p["cached"] or {}
        unc_cpu, cached_cpu = p.get("uncached_cpu") or {}, p.get("cached_cpu") or {}
        b = p.get("browser") or {}
        points_flag = "!" if p["max_points"] > t["points_per_trace"] else " "
        lines.append(
            f"{name:<16} {p['callbacks']:>9} {len(p['changes']):>7} | "
            f"{_ms(unc.get('p50_ms'), None, 11)} {_ms(unc.get('p95_ms'), t['uncached_p95_ms'])} {_ms(unc_cpu.get('p95_ms'))}| "
            f"{_ms(cached.get('p50_ms'), None, 9)} {_ms(cached.get('p95_ms'), t['cached_p95_ms'])} {_ms(cached_cpu.get('p95_ms'))}| "
            f"{p['max_points']:>6}{points_flag} {p['grid_rows']:>5} | "
            f"{_ms(b.get('cold_p50_ms'), t['browser_ms'], 11)} {_ms(b.get('warm_p50_ms'), t['browser_ms'])}")
        if any(flag for flag in (
                (unc.get("p95_ms") or 0) > t["uncached_p95_ms"], (cached.get("p95_ms") or 0) > t["cached_p95_ms"],
                p["max_points"] > t["points_per_trace"],
                (b.get("cold_p50_ms") or 0) > t["browser_ms"], (b.get("warm_p50_ms") or 0) > t["browser_ms"],
                b.get("timeouts"))):
            misses.append(name)
        for error in p.get("errors") or []:
            lines.append(f"  error: {error}")
    lines.append("")
    lines.append("server time of a page = the SUM of its callbacks' times for one filter change (each POSTed in turn to "
                 "/_dash-update-component through Flask's test client, the browser's body); cpu = this process's CPU "
                 "time for the same (SQLite runs in-process); uncached: query cache cleared before each change; "
                 "points = most points in one trace of any figure returned; rows = most rows in a grid")
    browser = figures.get("browser") or {}
    if browser.get("skipped"):
        lines.append(f"browser: skipped ({browser['skipped']})")
    else:
        lines.append(f"browser = p50 over {browser.get('loads')} loads of ms from navigation start until the page is fully "
                     "drawn (no Dash callback pending, KPI cards filled, every graph drawn); cold: query cache cleared "
                     "before the load; warm: the same page loaded again. Where the time goes (p50 ms: load event = "
                     "Dash's JavaScript fetched and run / last callback response cold / warm):")
        lines.append("  " + "; ".join(
            f"{name} {_whole(b.get('load_event_p50_ms'))} / {_whole(b.get('responses_cold_p50_ms'))} / "
            f"{_whole(b.get('responses_warm_p50_ms'))}"
            for name, b in ((name, p.get("browser") or {}) for name, p in figures["pages"].items())))
    lines.append(f"targets: page p95 <= {t['uncached_p95_ms']:.0f} ms uncached, <= {t['cached_p95_ms']:.0f} ms cached; "
                 f"drawn within {t['browser_ms']:.0f} ms; <= {t['points_per_trace']:,} points per trace; "
                 + (f"missed ('!') by {len(misses)}: {', '.join(misses)}" if misses else "all met"))
    lines += ["", _slowest(figures)]
    return "\n".join(lines)


def _slowest(figures: dict) -> str:
    rows = [(name, cb, f) for name, p in figures["pages"].items() for cb, f in p["per_callback"].items()
            if f.get("uncached")]
    rows.sort(key=lambda r: r[2]["uncached"]["p95_ms"], reverse=True)
    head = (f"{'slowest callbacks (p95, ms)':<28} {'uncached':>9} {'cpu':>7} {'query':>7} {'q cpu':>7} | "
            f"{'cached':>7} {'cpu':>7} | {'points':>6}  datasets")
    lines = [head, "-" * len(head)]
    for _name, cb, f in rows[:SLOWEST]:
        def p95(key, width=7):
            value = (f.get(key) or {}).get("p95_ms")
            return f"{value:>{width}.1f}" if value is not None else f"{'-':>{width}}"
        lines.append(f"{cb:<28} {p95('uncached', 9)} {p95('uncached_cpu')} {p95('uncached_query')} "
                     f"{p95('uncached_query_cpu')} | {p95('cached')} {p95('cached_cpu')} | {f['max_points']:>6}  "
                     f"{', '.join(f['datasets']) or '-'}")
    lines.append("query = time in run_dataset (cache lookup, SQL, DataFrame); the rest is building the figure or "
                 "component, Dash's JSON encoding and Flask; cpu = this process only (a database server's work is "
                 "in the wall time)")
    return "\n".join(lines)
