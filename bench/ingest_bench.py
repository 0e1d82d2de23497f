"""Ingestion benchmarks, measured side by side in one run (see BENCHMARKS.md for results).

    .venv/bin/python bench/ingest_bench.py --files 1000

1. parse: `parse_session` (strict JSON, field extraction, jsonb safety checks) + SHA-256 against a
   bare `json.loads` of the same bytes, on the real fixtures and on synthetic files;
2. sync: a full `gfx_sessions` materialization of N synthetic files, PostgreSQL sink vs. REST sink
   (against the PostgREST-compatible test server), both into the embedded PostgreSQL;
3. sensor: one `gfx_nas_sensor` tick over the same N files once they are synced (stat + manifest).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor  # noqa: E402
from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import ensure_database  # noqa: E402
from gfx_assets.lib.pokergfx.session import parse_session, sha256_hex  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import seed_nas  # noqa: E402
from gfx_assets.resources import SupabaseSinkResource  # noqa: E402
from gfx_assets_tests.postgrest_app import create_app, serve  # noqa: E402
from gfx_assets_tests.support import nas, postgres_sink, sync  # noqa: E402

FIXTURES = REPO.parent / "shared" / "fixtures" / "pokergfx" / "table-GG"
KEY = "sb_secret_bench-only"


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def _each(blobs: list[tuple[bytes, str]], work: Callable[[bytes, str], object]) -> None:
    """Run `work` on every file, keeping no result (so neither side pays for holding documents)."""
    for raw, name in blobs:
        work(raw, name)


def bench_parse(files: list[Path], label: str) -> dict:
    blobs = [(path.read_bytes(), path.name) for path in files]
    megabytes = sum(len(raw) for raw, _ in blobs) / 1e6
    baseline = best_of(5, lambda: _each(blobs, lambda raw, name: json.loads(raw)))
    ours = best_of(5, lambda: _each(blobs, lambda raw, name: (sha256_hex(raw), parse_session(raw, name))))
    return {
        "corpus": label,
        "files": len(blobs),
        "MB": round(megabytes, 1),
        "json.loads MB/s": round(megabytes / baseline),
        "parse+hash MB/s": round(megabytes / ours),
        "ratio": round(ours / baseline, 2),
    }


def fresh_database(server: str, name: str) -> str:
    url = ensure_database(server, name)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    migrate(url)
    return url


def bench_sync(root: Path, server: str, count: int) -> list[dict]:
    rows = []
    pg_url = fresh_database(server, "bench_postgres")
    rest_url = fresh_database(server, "bench_rest")
    with dg.instance_for_test() as instance, serve(create_app(rest_url, service_key=KEY)) as base:
        for label, sink in (
            ("postgres", postgres_sink(pg_url)),
            ("supabase_rest", SupabaseSinkResource(url=base, service_key=KEY)),
        ):
            started = time.perf_counter()
            result = sync(instance, "PC01", nas(root), sink)
            seconds = time.perf_counter() - started
            assert result.success
            rows.append(
                {
                    "sink": label,
                    "files": count,
                    "seconds": round(seconds, 2),
                    "files/s": round(count / seconds),
                }
            )
        rows.append(bench_tick(instance, root, pg_url, count))
    return rows


def bench_tick(instance: dg.DagsterInstance, root: Path, url: str, count: int) -> dict:
    resources = {"nas": nas(root), "sink": postgres_sink(url)}

    def tick() -> None:
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            assert not gfx_nas_sensor(context).run_requests

    return {
        "sink": "sensor tick (synced)",
        "files": count,
        "seconds": round(best_of(3, tick), 3),
        "files/s": "-",
    }


def table(rows: list[dict]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(row[key]) for key in header) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with embedded_server_lease(REPO / ".gfx" / "bench") as server:  # stopped after, if started here
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            paths = seed_nas(root, ["PC01"], sessions_per_pc=args.files, hands=(1, 60), seed=7)
            old = time.time() - 600
            for path in paths:
                os.utime(path, (old, old))
            real = sorted(FIXTURES.rglob("*.json"))
            print(table([bench_parse(real, "real fixtures"), bench_parse(paths, "synthetic")]))
            print()
            print(table(bench_sync(root, server, len(paths))))
        print(
            f"\npython {sys.version.split()[0]}, {os.cpu_count()} cores; "
            "parse: best of 5 runs, tick: best of 3"
        )


if __name__ == "__main__":
    main()
