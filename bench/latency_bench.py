"""File renamed into a PC folder -> its row in gfx_sessions, under `gfx-assets dev` (issue 11).

    .venv/bin/python bench/latency_bench.py [--samples 10]

Starts `gfx-assets dev --no-simulator` on a fresh GFX_HOME (its own embedded PostgreSQL and sample NAS,
a free port; gfx_assets_tests/e2e/devserver.py), waits until the UI is up, the code location loaded
and the sample files landed, then per sample: waits a random 0-5 s (so samples fall anywhere in the
sensor's 5 s loop), writes a synthetic PokerGFX export under a temporary name outside the PC folders
with an mtime past the settle time (a finished file), renames it into a date folder of the PC, and
polls gfx_sessions every 50 ms until its row is visible. Each sample is then broken down with the
timestamps of Dagster's storage (latency_timeline.py) and the next waits until its run has finished.
Prints p50 / p95 / max of the total and of each segment, the machine and the versions.
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from latency_timeline import (  # noqa: E402
    SEGMENTS,
    Sample,
    marks_of,
    queued_behind,
    run_for_file,
    sensor_interval,
    tick_spacing,
    wait_until_finished,
)

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession  # noqa: E402
from gfx_assets_tests.e2e.devserver import gfx_dev, location_loaded, wait_for  # noqa: E402

SAMPLE_NAS_FILES = 9  # cli/demo.py: 3 PCs x 3 sessions
POLL_SECONDS = 0.05
SENSOR_LOOP_SECONDS = 5.0  # Dagster's sensor daemon loop (dagster/_daemon/sensor.py)
FINISHED_FILE_AGE_SECONDS = 5.0  # past GFX_SETTLE_SECONDS (1 s by default)
START_SECONDS = 300
ROW_SECONDS = 120


def target_url(home: Path) -> str:
    return f"postgresql://postgres@/gfx?host={home.resolve() / 'pgdata'}"


def rows(conn: psycopg.Connection, statement: str, *params: object) -> list[tuple]:
    return conn.execute(statement, params).fetchall()


def wait_until_idle(url: str, home: Path) -> None:
    """UI up, code location loaded, the sample NAS landed."""
    wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, START_SECONDS, "the Dagster UI")
    wait_for(lambda: location_loaded(url), START_SECONDS, "the code location")

    def landed() -> bool:
        with psycopg.connect(target_url(home)) as conn:
            return rows(conn, "SELECT count(*) FROM gfx_sessions")[0][0] >= SAMPLE_NAS_FILES

    wait_for(landed, START_SECONDS, "the sample NAS to land")


def drop_file(nas_root: Path, pc_id: str, seed: int) -> tuple[str, int, float]:
    """A finished export renamed into the PC's date folder: (NAS path, game id, time of the rename)."""
    session = SyntheticSession(seed, created=None)
    for _ in range(5):
        session.add_hand()
    incoming = nas_root / ".incoming"
    incoming.mkdir(exist_ok=True)
    temporary = incoming / f"{session.file_name}.part"
    temporary.write_bytes(session.to_json_bytes())
    finished = time.time() - FINISHED_FILE_AGE_SECONDS
    os.utime(temporary, (finished, finished))
    nas_path = f"{pc_id}/{time.strftime('%m%d')}/{session.file_name}"
    (nas_root / nas_path).parent.mkdir(parents=True, exist_ok=True)
    os.rename(temporary, nas_root / nas_path)
    return nas_path, session.game_id, time.time()


def wait_for_row(conn: psycopg.Connection, pc_id: str, game_id: int) -> float:
    deadline = time.monotonic() + ROW_SECONDS
    statement = "SELECT 1 FROM gfx_sessions WHERE gfx_pc_id = %s AND session_id = %s"
    while time.monotonic() < deadline:
        if rows(conn, statement, pc_id, game_id):
            return time.time()
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"the row of {game_id} did not appear within {ROW_SECONDS} s")


def measure(instance, home: Path, pc_id: str, count: int, rng: random.Random) -> list[Sample]:
    samples = []
    with psycopg.connect(target_url(home), autocommit=True) as conn:
        for index in range(count):
            time.sleep(rng.uniform(0, SENSOR_LOOP_SECONDS))
            nas_path, game_id, renamed = drop_file(home / "nas", pc_id, rng.getrandbits(63))
            row_visible = wait_for_row(conn, pc_id, game_id)
            record = run_for_file(instance, pc_id, nas_path, 60)
            wait_until_finished(instance, record.dagster_run.run_id, 300)
            behind = queued_behind(instance, record, pc_id)
            sample = Sample(renamed, row_visible, marks_of(instance, record), behind)
            samples.append(sample)
            waited = f", created while unfinished: {', '.join(behind)}" if behind else ""
            print(f"sample {index + 1}/{count}: {sample.total:.2f} s{waited}", flush=True)
    return samples


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report(samples: list[Sample], spacing: list[float]) -> str:
    series: dict[str, Callable[[Sample], float]] = {"file -> row visible (total)": lambda s: s.total}
    series |= {name: (lambda s, name=name: s.segments()[name]) for name in SEGMENTS}
    lines = ["| segment | p50 s | p95 s | max s |", "| --- | --- | --- | --- |"]
    for name, value in series.items():
        values = [value(sample) for sample in samples]
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        lines.append(f"| {name} | {p50:.2f} | {p95:.2f} | {max(values):.2f} |")
    totals = ", ".join(f"{sample.total:.2f}" for sample in samples)
    return "\n".join(lines) + f"\n\nsamples (s): {totals}\n{gfx_nas_sensor_ticks(spacing)}"


def gfx_nas_sensor_ticks(spacing: list[float]) -> str:
    if not spacing:
        return "gfx_nas_sensor: fewer than two ticks during the samples"
    median = statistics.median(spacing)
    return (
        f"gfx_nas_sensor ticks during the samples: {len(spacing) + 1}, seconds between tick starts: "
        f"median {median:.2f}, min {min(spacing):.2f}, max {max(spacing):.2f}; a file arriving at a random "
        f"moment waits for the next tick {median / 2:.2f} s at p50, {median * 0.95:.2f} s at p95"
    )


def worker_start_floor(repeat: int = 3) -> str:
    """What every run pays before RUN_START, measured now: a new interpreter importing Dagster, and one
    loading the project's definitions as a run worker does (medians of `repeat`)."""
    commands = {
        "python -c 'import dagster'": "import dagster",
        "+ gfx_assets definitions (defs())": "import gfx_assets.definitions as d; d.defs()",
    }
    parts = []
    for label, code in commands.items():
        seconds = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            seconds.append(time.perf_counter() - started)
        parts.append(f"{label}: {statistics.median(seconds):.2f} s")
    return "run worker floor (new process, medians of 3): " + "; ".join(parts)


def machine(home: Path) -> str:
    import dagster

    with psycopg.connect(target_url(home)) as conn:
        postgres = rows(conn, "SHOW server_version")[0][0]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, load average {load} (1/5/15 min); "
        f"Python {platform.python_version()}, Dagster {dagster.__version__}, PostgreSQL {postgres}"
    )


def dagster_instance(home: Path):
    """The dev instance, read from its DAGSTER_HOME with its storage class (dagster_storage.py)."""
    os.environ["GFX_HOME"] = str(home.resolve())
    os.environ["DAGSTER_HOME"] = str(home.resolve() / "dagster_home")
    import dagster as dg

    return dg.DagsterInstance.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--pc", default="PC01", help="the PC folder files are renamed into")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-latency-", dir=REPO / ".gfx"))
    try:
        with gfx_dev({"GFX_HOME": str(home)}, "--no-simulator") as (_, url):
            wait_until_idle(url, home)
            with dagster_instance(home) as instance:
                started = time.time()
                samples = measure(instance, home, args.pc, args.samples, random.Random(args.seed))
                spacing, setup = tick_spacing(instance, started), sensor_interval(instance)
            measured_on, floor = machine(home), worker_start_floor()
        print(f"\n{report(samples, spacing)}\n{floor}\n\n{setup}\n{measured_on}")
    except BaseException:
        print(f"kept {home} (its embedded PostgreSQL holds Dagster's storage) for a look", file=sys.stderr)
        raise
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
