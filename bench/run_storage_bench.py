"""What each sync run adds to Dagster's own storage (issue 18), and the steady state that retention keeps.

    .venv/bin/python bench/run_storage_bench.py [--runs 30] [--pcs 10] [--cadence 90] [--show-hours 12]

On the embedded PostgreSQL of its own GFX_HOME (.gfx/bench-run-storage): a PC folder whose one session
file gains a hand before every `gfx-assets sync --pc PC01` (a new process each time, as the NAS sensor's
run is one run of gfx_sessions_job: the sync, hands and ledger steps and their checks). After a warm-up
run, it measures the `dagster` database over `--runs` runs: event-log rows and bytes (tables and indexes,
after VACUUM so the sizes are of live rows) per run, by event type. Then the steady state under retention:
`--pcs` PCs each rewriting their file every `--cadence` seconds for `--show-hours` hours a day, kept for
GFX_RUN_RETENTION_DAYS (14) days, and the size after `maintenance/dagster_run_history` purged everything
older than the window (runs backdated by SQL) to show the space is reused.
"""

import argparse
import collections
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.empty_sync_bench import gfx_env, machine  # noqa: E402
from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.postgres import EMBEDDED_DAGSTER_DB, with_database  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session  # noqa: E402
from gfx_assets_tests.support import write_registry  # noqa: E402

DEFAULT_HOME = REPO / ".gfx" / "bench-run-storage"
RETENTION_DAYS = 14


def storage(dagster_url: str) -> tuple[int, int, dict[str, int]]:
    """(bytes of every table with its indexes and TOAST, event-log rows, rows by event type)."""
    with psycopg.connect(dagster_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        size = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()[0]
        types = dict(
            conn.execute("SELECT dagster_event_type, count(*) FROM event_logs GROUP BY 1").fetchall()
        )
    return int(size), sum(types.values()), {str(key): value for key, value in types.items()}


def event_bytes(dagster_url: str) -> dict[str, int]:
    """Bytes of the serialised events by type (the `event` column), as stored now."""
    with psycopg.connect(dagster_url) as conn:
        rows = conn.execute(
            "SELECT coalesce(dagster_event_type, 'log message'), sum(octet_length(event))"
            " FROM event_logs GROUP BY 1"
        ).fetchall()
    return {kind: int(total) for kind, total in rows}


def sync_once(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gfx_assets.cli", "sync", "--pc", "PC01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"gfx-assets sync exited {result.returncode}:\n{result.stderr[-3000:]}")


def rewrite(path: Path, session: SyntheticSession) -> None:
    session.add_hand()
    write_session(path, session)
    settled = time.time() - 60
    os.utime(path, (settled, settled))


def purge_all(env: dict[str, str], dagster_url: str) -> None:
    """Backdate every run past the window, then let the retention asset delete them."""
    with psycopg.connect(dagster_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE runs SET update_timestamp = update_timestamp - make_interval(days => %s)",
            (RETENTION_DAYS + 1,),
        )
    command = ["dagster", "asset", "materialize", "-m", "gfx_assets.definitions", "--select"]
    subprocess.run(
        [str(Path(sys.executable).parent / command[0]), *command[1:], "maintenance/dagster_run_history"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pcs", type=int, default=10)
    parser.add_argument("--cadence", type=float, default=90.0, help="seconds between rewrites of one PC")
    parser.add_argument("--show-hours", type=float, default=12.0, help="hours a day the PCs write")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    shutil.rmtree(args.home, ignore_errors=True)
    args.home.mkdir(parents=True)
    nas_root = args.home / "nas"
    session = SyntheticSession(seed=7)
    path = nas_root / "PC01" / "1201" / session.file_name
    write_registry(nas_root / "config" / "pc_registry.json", {"PC01": "PC01"})
    with embedded_server_lease(args.home.resolve()) as server_url:
        env = gfx_env(args.home, nas_root)
        env["DAGSTER_HOME"] = str(args.home.resolve() / "dagster_home")
        dagster_url = with_database(server_url, EMBEDDED_DAGSTER_DB)
        rewrite(path, session)
        sync_once(env)  # warm-up: migrations, Dagster's tables, the first content
        size_before, rows_before, types_before = storage(dagster_url)
        started = time.perf_counter()
        for _ in range(args.runs):
            rewrite(path, session)
            sync_once(env)
        seconds = time.perf_counter() - started
        size_after, rows_after, types_after = storage(dagster_url)
        sizes = event_bytes(dagster_url)
        purge_all(env, dagster_url)
        size_purged, rows_purged, _ = storage(dagster_url)
        measured_on = machine(server_url)
    per_run_bytes = (size_after - size_before) / args.runs
    per_run_rows = (rows_after - rows_before) / args.runs
    runs_per_day = args.pcs * args.show_hours * 3600 / args.cadence
    steady = per_run_bytes * runs_per_day * RETENTION_DAYS
    by_type = collections.Counter(types_after)
    by_type.subtract(types_before)
    print(f"{args.runs} runs of gfx_sessions_job (one rewrite each) in {seconds:.0f} s")
    print(
        f"per run: {per_run_rows:.1f} event-log rows, {per_run_bytes / 1024:.1f} KiB of the dagster database"
    )
    print(
        "event-log rows per run by type: "
        + ", ".join(f"{kind} {count / args.runs:.1f}" for kind, count in by_type.most_common() if count)
    )
    print(
        "event bytes per run by type: "
        + ", ".join(
            f"{kind} {total / (args.runs + 1) / 1024:.1f} KiB"
            for kind, total in sorted(sizes.items(), key=lambda i: -i[1])
        )
    )
    print(
        f"{args.pcs} PCs x one rewrite per {args.cadence:.0f} s x {args.show_hours:.0f} h a day = "
        f"{runs_per_day:.0f} runs/day; kept {RETENTION_DAYS} days: {steady / 2**30:.2f} GiB steady state"
    )
    print(
        f"after the retention purged every run: {rows_purged} event-log rows, "
        f"{size_purged / 2**20:.1f} MiB (was {size_after / 2**20:.1f} MiB; space is reused, not returned)"
    )
    print(measured_on)


if __name__ == "__main__":
    main()
