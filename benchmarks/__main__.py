"""``python -m benchmarks``: build (or reuse) the demo stores, measure, print one table, write the JSON.

Every measurement runs in its own child process, so peak RSS is that process's own and no
run warms another's Python heap. See ``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.stores import (
    NOW,
    ZONE,
    BenchStore,
    ensure_store,
    pg_available,
    run_measured,
)

RESULTS = Path(__file__).with_name("results")
SEARCH_WORDS = ["maria", "gonz", "5512", "silva"]
CONSOLE_SCENARIOS = ["page_down", "jump_to_end", "sorts", "filters", "search", "keys_while_counting", "metrics"]


def compile_bytecode() -> None:
    """Write the bytecode cache of chatadmin's modules, as any start after a user's first does.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (as on some CI machines) every start would compile
    the package's source again: about an eighth of the imports' instructions, which no user's
    second start pays (a wheel is compiled when installed; an editable install on first use).
    """
    import compileall

    import chatadmin

    compileall.compile_dir(Path(chatadmin.__file__).parent, quiet=1)


def child(module: str, spec: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Run ``python -m benchmarks.<module> SPEC``: its JSON answer and its peak RSS in MB."""
    spec = {**spec, "spawned_at": time.time()}
    _, peak, out = run_measured([sys.executable, "-m", f"benchmarks.{module}", json.dumps(spec)], dict(os.environ))
    return json.loads(out.strip().splitlines()[-1]), peak


def measure_store(store: BenchStore, args: argparse.Namespace, log: Any) -> dict[str, Any]:
    base = {"url": store.url, "now": NOW, "zone": ZONE, "runs": args.runs, "search_words": SEARCH_WORDS}
    run: dict[str, Any] = {
        "backend": store.backend,
        "size": store.size,
        "seed": store.seed,
        "demo_build_s": store.build_s,
        "demo_build_peak_rss_mb": store.build_peak_rss_mb,
        "demo_built_at": store.built_at,
        "load_before": os.getloadavg(),
    }
    if not args.skip_console:
        log(f"  console: {args.starts} cold starts …")
        starts = []
        for _ in range(args.starts):
            answer, peak = child("console_run", {**base, "session": False})
            starts.append({**answer["start"], "peak_rss_mb": peak})
        run["starts"] = starts
        log("  console: keys, filters, search, sorts, metrics …")
        answer, peak = child("console_run", {**base, "session": True, "scenarios": CONSOLE_SCENARIOS})
        run["console"] = {"figures": answer["figures"], "peak_rss_mb": peak, "start": answer["start"]}
    if not args.skip_store:
        log("  store: through the Backend …")
        answer, peak = child("store_run", base)
        run["store"] = {"figures": answer["figures"], "detail": answer["detail"], "peak_rss_mb": peak}
    run["load_after"] = os.getloadavg()
    return run


def measure_peer(name: str, store: BenchStore, compared_with: str, args: argparse.Namespace) -> dict[str, Any]:
    answer, peak = child("peers", {"url": store.url, "peer": name, "runs": args.runs})
    title = {"stock": "Textual DataTable", "fast": "textual-fastdatatable"}[name]
    return {**answer, "name": title, "rows": store.size, "peak_rss_mb": peak, "compared_with": compared_with}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("textual", "sqlalchemy", "psycopg", "textual-fastdatatable", "pyarrow"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def pg_version() -> str | None:
    import sqlalchemy as sa

    from benchmarks.stores import pg_admin_url

    engine = sa.create_engine(pg_admin_url())
    try:
        with engine.connect() as connection:
            return str(connection.scalar(sa.text("show server_version")))
    finally:
        engine.dispose()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k conversations, few runs: a smoke run of a couple of minutes")
    parser.add_argument("--sizes", help="comma-separated store sizes (default 100000,1000000)")
    parser.add_argument("--pg-sizes", help="sizes on PostgreSQL, when fewer than --sizes (default: the same)")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument("--runs", type=int, help="repetitions per figure (default 20; quick 5)")
    parser.add_argument("--starts", type=int, help="cold starts of the console per store (default 7; quick 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-peers", dest="peers", action="store_false", help="skip the stock and fast data tables")
    parser.add_argument("--skip-console", action="store_true", help="skip the console figures")
    parser.add_argument("--skip-store", action="store_true", help="skip the Backend figures")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes (default benchmarks/results)")
    parser.add_argument("--show", type=Path, help="print the tables of an earlier run's JSON (and refresh them in it)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in (args.sizes or ("10000" if args.quick else "100000,1000000")).split(",")]
    args.pg_sizes = [int(s) for s in args.pg_sizes.split(",")] if args.pg_sizes else args.sizes
    args.runs = args.runs or (5 if args.quick else 20)
    args.starts = args.starts or (3 if args.quick else 7)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    return args


def show(path: Path) -> int:
    result = json.loads(path.read_text())
    result["summary"] = {key: report.figures_of(run) for key, run in result["runs"].items()}
    result["tables"] = report.tables(result["runs"], result["peers"])
    for name in ("table", "peer_table"):
        result.pop(name, None)
    print("\n\n".join(text for text in result["tables"].values() if text))
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.show:
        return show(args.show)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    compile_bytecode()
    stores: list[BenchStore] = []
    notes: list[str] = []
    for backend in args.backends:
        if backend == "postgres" and (problem := pg_available()):
            notes.append(f"PostgreSQL skipped: {problem}")
            log(notes[-1])
            continue
        for size in args.sizes if backend == "sqlite" else args.pg_sizes:
            stores.append(ensure_store(backend, size, args.seed, log))
    runs: dict[str, dict[str, Any]] = {}
    for store in stores:
        log(f"measuring {store.key} …")
        runs[store.key] = measure_store(store, args, log)
    peers: dict[str, dict[str, Any]] = {}
    sqlite_stores = {s.size: s for s in stores if s.backend == "sqlite"}
    if args.peers and sqlite_stores:
        small, large = min(sqlite_stores), max(sqlite_stores)
        log(f"peers: stock DataTable at {small:,}, textual-fastdatatable at {large:,} …")
        peers["stock"] = measure_peer("stock", sqlite_stores[small], sqlite_stores[small].key, args)
        peers["fast"] = measure_peer("fast", sqlite_stores[large], sqlite_stores[large].key, args)
    tables = report.tables(runs, peers)
    print("\n\n".join(text for text in tables.values() if text))
    for note in notes:
        print(f"\n{note}")
    stamp = datetime.now().strftime("%Y-%m-%d")
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{stamp}{'-quick' if args.quick else ''}"
    path = args.out / f"{name}.json"
    again = 2
    while path.exists():  # a second run the same day keeps the first for comparison
        path = args.out / f"{name}-{again}.json"
        again += 1
    result = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "postgresql": pg_version() if "postgres" in {s.backend for s in stores} else None},
        "versions": versions(),
        "settings": {"runs": args.runs, "starts": args.starts, "seed": args.seed, "now": NOW, "zone": ZONE, "size": [120, 40]},
        "targets": {name: {"statistic": t.statistic, "limit": t.limit, "unit": t.unit} for name, t in report.TARGETS.items()},
        "summary": {key: report.figures_of(run) for key, run in runs.items()},
        "runs": runs,
        "peers": peers,
        "notes": notes,
        "tables": tables,
    }
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    log(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
