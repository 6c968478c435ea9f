"""The benchmark stores: demo stores built once with ``chatadmin demo`` and cached by back end, size and seed.

SQLite stores are files under ``benchmarks/.cache/``; PostgreSQL stores are schemas of one
benchmark database on the server named by ``CHATADMIN_BENCH_PG``. A build runs the real
command (``chatadmin demo --conversations N --no-console``) in a child process, so its time
and peak memory are the figures a user sees; the manifest keeps them for later runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa

CACHE = Path(__file__).with_name(".cache")
MANIFEST = CACHE / "stores.json"
# the instant and zone every benchmark store is built at and read at, so figures repeat
NOW = "2026-11-24T18:00:00Z"
ZONE = "America/Mexico_City"
PG_SERVER = os.environ.get("CHATADMIN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/chatadmin_bench")


@dataclass(frozen=True)
class BenchStore:
    """One cached store: where it is, and what building it cost."""

    backend: str
    size: int
    seed: int
    url: str
    build_s: float
    build_peak_rss_mb: float
    built_at: str
    built_now: bool = False

    @property
    def key(self) -> str:
        return f"{self.backend}-{self.size}-s{self.seed}"


def _manifest() -> dict[str, dict[str, object]]:
    if MANIFEST.exists():
        return dict(json.loads(MANIFEST.read_text()))
    return {}


def _save(store: BenchStore) -> None:
    manifest = _manifest()
    entry = asdict(store)
    entry.pop("built_now")
    manifest[store.key] = entry
    CACHE.mkdir(exist_ok=True)
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def pg_admin_url() -> sa.URL:
    return sa.make_url(PG_SERVER).set(database="postgres")


def pg_available() -> str | None:
    """None when the benchmark PostgreSQL server answers; else why not."""
    try:
        engine = sa.create_engine(pg_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not there"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def _ensure_pg_database() -> None:
    name = sa.make_url(PG_SERVER).database
    engine = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def _pg_schema_url(schema: str) -> str:
    url = sa.make_url(PG_SERVER).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _conversations_in(url: str) -> int | None:
    from chatadmin.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT count(*) FROM conversations")) or 0)
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a child process to its end: wall seconds, its own peak RSS in MB, and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise RuntimeError(f"{' '.join(command[1:4])} … failed ({child.returncode}): {err.read().strip()[-3000:]}")
        return elapsed, usage.ru_maxrss / 1024, out.read()


def _run_demo(url: str, size: int, seed: int) -> tuple[float, float]:
    """Run ``chatadmin demo`` into ``url``; its wall time and peak RSS in MB."""
    env = dict(os.environ, CHATADMIN_NOW=NOW, CHATADMIN_TZ=ZONE)
    command = [sys.executable, "-m", "chatadmin", "demo", "--conversations", str(size), "--seed", str(seed)]
    command += ["--no-console", "--db", url]
    elapsed, peak, _ = run_measured(command, env)
    return elapsed, peak


def ensure_store(backend: str, size: int, seed: int, log: object = print) -> BenchStore:
    """The cached store for (backend, size, seed), built now when missing or incomplete."""
    key = f"{backend}-{size}-s{seed}"
    known = _manifest().get(key)
    if backend == "sqlite":
        path = CACHE / f"demo-{size}-s{seed}.sqlite3"
        url = f"sqlite:///{path}"
    else:
        _ensure_pg_database()
        schema = f"demo_{size}_s{seed}"
        url = _pg_schema_url(schema)
    if known is not None and _conversations_in(url) == size:
        return BenchStore(**{**known, "url": url})  # type: ignore[arg-type]
    log(f"building the {backend} store of {size:,} conversations (seed {seed}) with chatadmin demo …")  # type: ignore[operator]
    CACHE.mkdir(exist_ok=True)
    if backend == "sqlite":
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    else:
        engine = sa.create_engine(PG_SERVER)
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engine.dispose()
    build_s, peak_mb = _run_demo(url, size, seed)
    if backend == "postgres":
        _analyze(url, log)
    if _conversations_in(url) != size:
        raise RuntimeError(f"chatadmin demo left {_conversations_in(url)} conversations in {key}, not {size}")
    store = BenchStore(
        backend=backend,
        size=size,
        seed=seed,
        url=url,
        build_s=round(build_s, 2),
        build_peak_rss_mb=round(peak_mb, 1),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        built_now=True,
    )
    _save(store)
    log(f"  built in {build_s:.1f} s")  # type: ignore[operator]
    return store


def _analyze(url: str, log: object = print) -> None:
    """What autovacuum soon does after a bulk load (this server runs without it): the planner's
    statistics, and the visibility map, without which PostgreSQL's index-only scans (counts,
    metrics) still read every row's page. Only the new store's tables: a bare VACUUM would go
    through every other cached store in the database as well."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        tables = connection.exec_driver_sql(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
            " WHERE schemaname = current_schema() ORDER BY tablename"
        ).scalars().all()
        connection.exec_driver_sql(f"VACUUM ANALYZE {', '.join(tables)}")
        # and the load's dirty buffers written now, not by a checkpoint during the measurements
        try:
            connection.exec_driver_sql("CHECKPOINT")
        except sa.exc.DBAPIError as exc:  # it needs a superuser or the pg_checkpoint role
            log(f"  no CHECKPOINT ({exc.orig}): the server's own may run during the first measurements")  # type: ignore[operator]
    engine.dispose()


def drop_store(backend: str, size: int, seed: int) -> None:
    """Remove a cached store (file or schema) and its manifest entry."""
    manifest = _manifest()
    manifest.pop(f"{backend}-{size}-s{seed}", None)
    if MANIFEST.exists():
        MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if backend == "sqlite":
        for leftover in CACHE.glob(f"demo-{size}-s{seed}.sqlite3*"):
            leftover.unlink()
        return
    engine = sa.create_engine(PG_SERVER)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "demo_{size}_s{seed}" CASCADE')
    engine.dispose()
