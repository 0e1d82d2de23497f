"""`gfx-assets sync` with nothing to sync (issue 11), beside the startup of the same command line.

    .venv/bin/python bench/empty_sync_bench.py [--repeat 3]

On the embedded PostgreSQL of its own GFX_HOME (.gfx/bench-empty-sync, kept running by this script for
the whole run, as `gfx-assets dev` would), two cases of 3 PCs, each timed as the whole command (a new
process, as a user types it):

- no files: the PC folders exist and are empty;
- nothing new: 3 settled files per PC, all synced by a first `gfx-assets sync` before the timing;
- and, for comparison, not empty: one new file in every PC before each timing, so each PC gets a run.

Beside each: how many sessions the command opened on Dagster's storage database (the `sessions`
counter of pg_stat_database), and the references `gfx-assets --help` and `python -c 'import
gfx_assets'` measured in the same run. Medians of --repeat runs.
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.postgres import EMBEDDED_DAGSTER_DB, with_database  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, seed_nas, write_session  # noqa: E402

PCS = ["PC01", "PC02", "PC03"]
DEFAULT_HOME = REPO / ".gfx" / "bench-empty-sync"
SETTLED_AGO_SECONDS = 600


def gfx_env(home: Path, nas_root: Path) -> dict[str, str]:
    """The caller's environment without its GFX_/DAGSTER_ settings, plus this bench's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GFX_", "DAGSTER_"))}
    return {**env, "GFX_HOME": str(home), "GFX_NAS_ROOT": str(nas_root)}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def dagster_sessions(server_url: str) -> int:
    """Sessions ever opened on Dagster's storage database (PostgreSQL 14+ counts them at their end)."""
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", (EMBEDDED_DAGSTER_DB,)
        ).fetchone()
    return row[0] if row else 0


def sync_case(
    name: str,
    env: dict[str, str],
    server_url: str,
    repeat: int,
    before_each: Callable[[], None] = lambda: None,
) -> dict:
    command = [sys.executable, "-m", "gfx_assets.cli", "sync"]
    seconds, sessions, output = [], [], ""
    for _ in range(repeat):
        before_each()
        before = dagster_sessions(server_url)
        elapsed, output = timed(command, env)
        seconds.append(elapsed)
        sessions.append(dagster_sessions(server_url) - before)
    return {
        "case": name,
        "median s": f"{statistics.median(seconds):.2f}",
        "runs (s)": " / ".join(f"{s:.2f}" for s in seconds),
        "Dagster storage sessions": statistics.median(sessions),
        "output": output.strip().replace("\n", "; "),
    }


def reference(name: str, command: list[str], env: dict[str, str], repeat: int) -> dict:
    seconds = [timed(command, env)[0] for _ in range(repeat)]
    return {
        "case": name,
        "median s": f"{statistics.median(seconds):.2f}",
        "runs (s)": " / ".join(f"{s:.2f}" for s in seconds),
        "Dagster storage sessions": "-",
        "output": "",
    }


def prepare_nas(nas_root: Path, with_files: bool) -> None:
    shutil.rmtree(nas_root, ignore_errors=True)
    paths = seed_nas(nas_root, PCS, sessions_per_pc=3, hands=(5, 20), seed=11)
    old = time.time() - SETTLED_AGO_SECONDS
    for path in paths:
        if with_files:
            os.utime(path, (old, old))
        else:
            path.unlink()


def add_one_file_per_pc(nas_root: Path, rng: random.Random) -> None:
    """A new settled export in every PC folder: each PC then needs a run of one file."""
    for pc in PCS:
        session = SyntheticSession(rng.getrandbits(63))
        session.add_hand()
        path = nas_root / pc / "new" / session.file_name
        write_session(path, session)
        old = time.time() - SETTLED_AGO_SECONDS
        os.utime(path, (old, old))


def run(home: Path, repeat: int) -> tuple[list[dict], str]:
    """The rows of the table, and the machine and versions they were measured on."""
    home.mkdir(parents=True, exist_ok=True)
    with embedded_server_lease(home.resolve()) as server_url:
        rows = []
        for case, with_files in (("sync, no files", False), ("sync, nothing new", True)):
            nas_root = home / ("nas-files" if with_files else "nas-empty")
            prepare_nas(nas_root, with_files)
            env = gfx_env(home, nas_root)
            timed([sys.executable, "-m", "gfx_assets.cli", "sync"], env)  # migrate, land what is there
            rows.append(sync_case(case, env, server_url, repeat))
        env, rng = gfx_env(home, home / "nas-files"), random.Random(5)
        # Not empty: a run per PC, for the connections a run opens on Dagster's storage.
        new_files = partial(add_one_file_per_pc, home / "nas-files", rng)
        rows.append(sync_case("sync, 1 new file per PC (3 runs)", env, server_url, repeat, new_files))
        rows.append(
            reference("gfx-assets --help", [sys.executable, "-m", "gfx_assets.cli", "--help"], env, repeat)
        )
        rows.append(
            reference(
                "python -c 'import gfx_assets'", [sys.executable, "-c", "import gfx_assets"], env, repeat
            )
        )
        return rows, machine(server_url)


def table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(str(row[key]) for key in columns) + " |" for row in rows]
    return "\n".join(lines)


def machine(server_url: str) -> str:
    import dagster

    with psycopg.connect(with_database(server_url, "postgres")) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    cores, load = os.cpu_count(), ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.platform()}, {cores} cores, load average {load} (1/5/15 min); "
        f"Python {platform.python_version()}, Dagster {dagster.__version__}, PostgreSQL {postgres}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (the median is shown)")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="GFX_HOME of this bench")
    args = parser.parse_args()
    rows, measured_on = run(args.home, args.repeat)
    print(table(rows, ["case", "median s", "runs (s)", "Dagster storage sessions"]))
    print()
    for row in rows:
        if row["output"]:
            print(f"{row['case']}: {row['output']}")
    print(f"\n{measured_on}")


if __name__ == "__main__":
    main()
