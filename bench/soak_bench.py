"""A soak of the deployed shape (issue 18): 10 PCs rewriting their session files at a real cadence.

    .venv/bin/python bench/soak_bench.py [--minutes 30] [--pcs 10] [--retention-minutes 10]

The three processes of docker-compose.yml without Docker (`gfx-assets code-server`, `dagster-daemon`,
`dagster-webserver`, each in a process group of its own, docker/dagster.yaml with its paths moved under
the bench's home), on the embedded PostgreSQL of .gfx/bench-soak. Each PC's session file gains one hand
every 60-120 s (random, per PC), rewritten in place as PokerGFX does; a rewrite's latency is from the end
of its write to the moment its hand count shows in gfx_sessions (polled every second). Every minute: the
RSS of the daemon, the webserver and the code server (each process tree's main process), and the size
of the `dagster` database. Retention runs every 5 minutes with a window of --retention-minutes (a scaled-down
GFX_RUN_RETENTION_DAYS), so the soak shows the database going flat once the window is reached.
At the end: every hand of every file in gfx_sessions and gfx_hands.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from pathlib import Path

import psutil
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import ensure_database  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session  # noqa: E402
from gfx_assets_tests.e2e.devserver import free_port  # noqa: E402
from gfx_assets_tests.support import write_registry  # noqa: E402

DEFAULT_HOME = REPO / ".gfx" / "bench-soak"
BIN = Path(sys.executable).parent


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, 2)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait()


def rss_mb(process: subprocess.Popen) -> float:
    """RSS of the process the command became (a Python launcher may sit between)."""
    with suppress(psutil.Error):
        main = psutil.Process(process.pid)
        children = main.children()
        target = children[0] if children and "python" in main.name() and not main.cmdline()[1:2] else main
        return target.memory_info().rss / 2**20
    return 0.0


def dagster_db_mb(url: str) -> float:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20


def shown_hands(target: str) -> dict[tuple[str, int], int]:
    with psycopg.connect(target) as conn:
        rows = conn.execute("SELECT gfx_pc_id, session_id, hand_count FROM gfx_sessions").fetchall()
    return {(pc, session): count for pc, session, count in rows}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:  # noqa: PLR0915 - one soak, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--pcs", type=int, default=10)
    parser.add_argument("--retention-minutes", type=float, default=10)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    shutil.rmtree(args.home, ignore_errors=True)
    home = args.home.resolve()
    nas_root, dagster_home = home / "nas", home / "dagster_home"
    (dagster_home / "storage").mkdir(parents=True)
    instance = (REPO / "docker" / "dagster.yaml").read_text().replace("/opt/dagster/home", str(dagster_home))
    (dagster_home / "dagster.yaml").write_text(instance)
    pcs = [f"PC{n:02d}" for n in range(1, args.pcs + 1)]
    write_registry(nas_root / "config" / "pc_registry.json", {pc: pc for pc in pcs})
    rng = random.Random(18)
    sessions = {pc: SyntheticSession(rng.getrandbits(62)) for pc in pcs}
    hand_counts = dict.fromkeys(pcs, 0)
    with embedded_server_lease(home / "pg") as server_url, ExitStack() as processes:
        target = ensure_database(server_url, "gfx")
        storage = ensure_database(server_url, "dagster")
        migrate(target)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GFX_", "DAGSTER_"))} | {
            "DAGSTER_HOME": str(dagster_home),
            "GFX_HOME": str(home / "gfx_home"),
            "GFX_DATABASE_URL": target,
            "GFX_DAGSTER_STORAGE_URL": storage,
            "GFX_NAS_ROOT": str(nas_root),
            "GFX_RUN_RETENTION_DAYS": str(args.retention_minutes / 1440),
        }
        grpc_port, ui_port = free_port(), free_port()
        workspace = home / "workspace.yaml"
        workspace.write_text(
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {grpc_port}\n"
            "      location_name: gfx_assets\n"
        )
        grpc = ["-h", "127.0.0.1", "-p", str(grpc_port), "-m", "gfx_assets.definitions"]
        started = {
            "code server": start(
                [sys.executable, "-m", "gfx_assets.cli", "code-server", *grpc], env, home / "cs.log"
            ),
        }
        time.sleep(15)
        started["daemon"] = start(
            [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], env, home / "d.log"
        )
        started["webserver"] = start(
            [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(ui_port), "-w", str(workspace)],
            env,
            home / "w.log",
        )
        for process in started.values():
            processes.callback(stop, process)
        written: dict[tuple[str, int], tuple[int, float]] = {}  # the last rewrite not yet seen: count, time
        next_write = {pc: time.monotonic() + rng.uniform(0, 60) for pc in pcs}
        latencies: list[tuple[float, float]] = []  # (minute of the soak, seconds)
        samples: list[dict[str, float]] = []
        soak_start = time.monotonic()
        next_sample, next_retention = soak_start, soak_start + 300
        while time.monotonic() - soak_start < args.minutes * 60:
            now = time.monotonic()
            for pc in pcs:
                if now >= next_write[pc]:
                    session = sessions[pc]
                    session.add_hand()
                    hand_counts[pc] += 1
                    path = nas_root / pc / "1201" / session.file_name
                    write_session(path, session)
                    written[(pc, session.game_id)] = (hand_counts[pc], time.monotonic())
                    next_write[pc] = now + rng.uniform(60, 120)
            shown = shown_hands(target)
            for key, (count, at) in list(written.items()):
                if shown.get(key, 0) >= count:
                    latencies.append(((at - soak_start) / 60, time.monotonic() - at))
                    del written[key]
            if now >= next_sample:
                sample = {name: rss_mb(process) for name, process in started.items()}
                sample |= {"minute": (now - soak_start) / 60, "dagster_db_mb": dagster_db_mb(storage)}
                samples.append(sample)
                next_sample += 60
            if now >= next_retention:
                subprocess.run(
                    [str(BIN / "dagster"), "asset", "materialize", "-m", "gfx_assets.definitions"]
                    + ["--select", "maintenance/dagster_run_history"],
                    env=env,
                    capture_output=True,
                    timeout=300,
                )
                next_retention += 300
            time.sleep(1)
        time.sleep(30)  # the last rewrites land
        with psycopg.connect(target) as conn:
            stored = dict(conn.execute("SELECT gfx_pc_id, hand_count FROM gfx_sessions").fetchall())
            hands = dict(conn.execute("SELECT gfx_pc_id, count(*) FROM gfx_hands GROUP BY 1").fetchall())
    expected = hand_counts
    print(
        f"{args.pcs} PCs for {args.minutes:.0f} min, one rewrite per PC every 60-120 s: "
        f"{len(latencies)} rewrites seen"
    )
    print(f"every hand landed: gfx_sessions {stored == expected}, gfx_hands {hands == expected}")
    for start_minute in range(0, int(args.minutes), 5):
        window = [s for minute, s in latencies if start_minute <= minute < start_minute + 5]
        if window:
            print(
                f"minutes {start_minute:2d}-{start_minute + 5:2d}: {len(window)} rewrites, file -> row "
                f"p50 {statistics.median(window):.1f} s, p95 {percentile(window, 0.95):.1f} s"
            )
    print("minute | code server MB | daemon MB | webserver MB | dagster db MB")
    for sample in samples:
        print(
            f"{sample['minute']:6.1f} | {sample['code server']:.0f} | {sample['daemon']:.0f} | "
            f"{sample['webserver']:.0f} | {sample['dagster_db_mb']:.1f}"
        )


if __name__ == "__main__":
    main()
