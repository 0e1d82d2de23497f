"""GFX sync speed and memory (issue 11), every contender measured side by side in one run.

    .venv/bin/python bench/sync_bench.py --corpus full    # 3 PCs x 162 real-shaped files, ~280 MB
    .venv/bin/python bench/sync_bench.py --corpus small   # 5,000 files of ~12 KB
    options: --repeat 3 (medians), --no-external (skip Sling and dlt), --whole-rounds 1, --rest

Each contender writes into its own fresh, migrated database on the bench's embedded PostgreSQL
(`.gfx/bench`), in rounds: every round runs every contender once, in rotating order, so load on the
machine hits them alike.
- `gfx-assets sync`: the whole command as a user runs it, in a child process (wall time, and the
  child's own peak RSS, VmHWM): registry, scan, parse + hash + COPY of the contents into the ledger
  gfx_session_snapshots (whose trigger keeps each game's gfx_sessions row), manifest, then the hand
  tables and the ledger's digests (gfx_session_snapshots asset) the same job loads, with Dagster's
  storage in PostgreSQL.
- `gfx_sessions` step: the same child but materializing only `gfx_sessions` (what the sync wrote before
  the hand tables joined the job), timed inside the child around the materializations.
- binary COPY: the same ledger rows, built in a child before its clock starts, in one binary COPY into
  gfx_session_snapshots of a freshly migrated database (same keys, indexes and trigger as the sync meets).
- binary COPY, all rows: every row the whole command writes (ledger with digests, manifest, players,
  hands, seats, events; `sync_bench_references.all_rows`), built in a child before its clock starts by
  the sync's own mapping, COPYed (binary) into the same freshly migrated tables: the whole command's
  reference (its ratio is the last column).
- execute_values: the same rows upserted with psycopg2's `execute_values` (ON CONFLICT on the key).
- Sling / dlt: the same files, one row per file (path + document as jsonb), see external_tools.py.
- Dagster's floor (under the table): the whole command on the tiny corpus, once, after the warm-up; the
  peak RSS targets are this floor + 64 MB, of the process and of its tree.
- `gfx-assets sync (REST)` (`--rest`, in the whole command's rounds): the whole command through the REST
  sink to the tests' PostgREST look-alike, see sync_bench_rest.py; "REST / direct" under the table.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sync_bench_references import (  # noqa: E402
    all_rows,
    binary_copy,
    binary_copy_all,
    execute_values_upsert,
    session_rows,
)
from sync_bench_rest import (  # noqa: E402
    REST_COMMAND,
    WHOLE_COMMAND,
    Contender,
    child_env,
    cli_child,
    peak_rss_mb,
    rest_contender,
    rest_summary,
)
from tree_memory import TreeMemory  # noqa: E402

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2, ensure_database  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import seed_nas  # noqa: E402

BENCH_HOME = REPO / ".gfx" / "bench"
ALL_ROWS = "binary COPY, all rows"
CORPORA = {  # name: (PCs, files per PC, hands per file (min, max)); ~6 KB per hand
    "full": (3, 162, (1, 190)),
    "small": (1, 5000, (1, 3)),
    "tiny": (2, 6, (1, 4)),  # the smoke test's
}


def corpus(name: str, bench_home: Path = BENCH_HOME) -> tuple[Path, Path]:
    """The corpus's NAS root (only PC folders: Sling reads every file under it) and its registry."""
    pcs, per_pc, hands = CORPORA[name]
    home = bench_home / f"corpus-{name}"
    registry = home / "pc_registry.json"
    if not registry.exists():
        staging = home / "seed"
        paths = seed_nas(staging, [f"PC{n:02d}" for n in range(1, pcs + 1)], per_pc, hands, seed=11)
        old = time.time() - 3600
        for path in paths:
            os.utime(path, (old, old))
        (staging / "config" / "pc_registry.json").rename(registry)
        (staging / "config").rmdir()
        staging.rename(home / "nas")
    return home / "nas", registry


def fresh_database(server: str, name: str) -> str:
    url = ensure_database(server, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        for schema in ("sling", "dlt_bench", "dlt_bench_staging"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    migrate(url)
    return url


def run_child(role: str, env: dict[str, str]) -> dict:
    """This script in a child process as `role`; its last stdout line is a JSON object of figures.
    Peak RSS is the child's own VmHWM: the rusage of a forked child also counts its parent's pages.
    The tree's peak RSS adds the child's descendants: the hand load's worker processes
    (GFX_HAND_LOAD_PROCESSES) and Dagster's compute-log capture of each step (two `tail -F` and two
    `watch_orphans.py` processes, ~26 MB); the sum of their RSS, sampled every 50 ms (`TreeMemory`)."""
    command = [sys.executable, __file__, "--child", role]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        with TreeMemory(child.pid) as tree:
            returncode = child.wait()
        seconds = time.perf_counter() - started
        out.seek(0), err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    if returncode != 0:
        raise RuntimeError(f"{role} failed ({returncode}): {errors[-3000:]}")
    figures = {"seconds": seconds, **json.loads(output.strip().splitlines()[-1])}
    return figures | ({"tree_peak_rss_mb": tree.peak_mb} if "peak_rss_mb" in figures else {})


def step_child() -> None:
    """Materialize `gfx_sessions` of every PC in-process with the settings of the environment and
    print the seconds spent inside the materializations (Dagster's import and set-up excluded)."""
    import dagster as dg

    from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
    from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
    from gfx_assets.lib.nas_sync.registry import load_registry
    from gfx_assets.resources import build
    from gfx_assets.settings import get_settings

    settings = get_settings()
    resources = build(settings)
    pcs = sorted(load_registry(settings.nas_root, settings.pc_registry).enabled())
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, pcs)
        started = time.perf_counter()
        for pc in pcs:
            result = dg.materialize([gfx_sessions], partition_key=pc, instance=instance, resources=resources)
            assert result.success
        print(json.dumps({"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))


def reference_child(build: Callable[[Path, Path], list], write: Callable[[str, list], float]) -> None:
    """Build the rows from the corpus of the environment (untimed), then time `write` of them."""
    from gfx_assets.settings import get_settings

    settings = get_settings()
    rows = build(settings.nas_root, settings.pc_registry)
    print(json.dumps({"seconds": write(settings.database_url.get_secret_value(), rows)}))


CHILDREN = {
    "cli": cli_child,
    "step": step_child,
    "binary_copy": lambda: reference_child(session_rows, binary_copy),
    "binary_copy_all": lambda: reference_child(all_rows, binary_copy_all),
    "execute_values": lambda: reference_child(session_rows, execute_values_upsert),
}


def database_name(contender: str) -> str:
    """The database a contender writes into on the bench's server."""
    return "bench_sync_" + re.sub(r"[^a-z0-9]+", "_", contender.lower()).strip("_")


def measure_round(
    contenders: dict[str, Callable[[str], dict]],
    server: str,
    results: dict[str, list[dict]],
    offset: int,
    skip: frozenset[str] = frozenset(),
) -> None:
    names = [name for name in contenders if name not in skip]
    for name in names[offset % len(names) :] + names[: offset % len(names)]:
        url = fresh_database(server, database_name(name))
        results.setdefault(name, []).append(contenders[name](url))


def contenders_for(
    nas_root: Path, registry: Path, server: str, external: bool, rest: bool = False
) -> dict[str, Callable[[str], dict]]:
    storage = dagster_storage(server)

    def child(role: str) -> Contender:
        return lambda url: run_child(role, child_env(nas_root, registry, url, storage))

    contenders: dict[str, Contender] = {
        WHOLE_COMMAND: child("cli"),
        "gfx_sessions step": child("step"),
        "binary COPY": child("binary_copy"),
        ALL_ROWS: child("binary_copy_all"),
        "execute_values": child("execute_values"),
    }
    if rest:
        contenders[REST_COMMAND] = rest_contender(
            lambda url, rest_url: run_child("cli", child_env(nas_root, registry, url, storage, rest_url))
        )
    if external:
        from external_tools import dlt_load_json_tree, sling_load_json_tree

        for tool, load in (("Sling", sling_load_json_tree), ("dlt", dlt_load_json_tree)):
            contenders[tool] = lambda url, load=load: _tool(load(nas_root, url, "gfx_files"))
    return contenders


def _tool(run: object) -> dict:
    return {"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb}


def report(results: dict[str, list[dict]], megabytes: float, files: int) -> str:
    """One line per contender: its median, and its ratio to the ledger's COPY and to the all-rows COPY."""
    median = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    lines = [
        "| contender | median s | MB/s | × binary COPY | × COPY all rows | peak RSS MB (max) "
        "| process tree, MB (max) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, runs in results.items():
        seconds = median[name]
        rss, tree = (_most(runs, figure) for figure in ("peak_rss_mb", "tree_peak_rss_mb"))
        lines.append(
            f"| {name} | {seconds:.2f} | {megabytes / seconds:.1f} | {seconds / median['binary COPY']:.2f} "
            f"| {seconds / median[ALL_ROWS]:.2f} | {rss} | {tree} |"
        )
    return "\n".join(lines + rest_summary(results))


def _most(runs: list[dict], figure: str) -> str:
    values = [run[figure] for run in runs if figure in run]
    return f"{max(values):.0f}" if values else "-"


def dagster_storage(server: str) -> str:
    return as_sqlalchemy_psycopg2(ensure_database(server, "bench_sync_dagster"))


def run(
    name: str,
    server: str,
    repeat: int,
    external: bool,
    bench_home: Path = BENCH_HOME,
    whole_rounds: int = 1,
    rest: bool = False,
) -> dict:
    """Every contender `repeat` times on corpus `name` (the whole command, which also loads the hand
    tables and takes minutes on the full corpus, in the first `whole_rounds` rounds only, and so does
    its REST twin with `rest`), and Dagster's floor once: {"files", "megabytes", "results", "floor",
    "table"}."""
    nas_root, registry = corpus(name, bench_home)
    files = sorted(nas_root.rglob("*.json"))
    megabytes = sum(path.stat().st_size for path in files) / 1e6
    contenders = contenders_for(nas_root, registry, server, external, rest)
    storage = dagster_storage(server)
    # warm-up, untimed: Dagster's storage tables are created by a sync of the tiny corpus, and the
    # step reads this corpus into the page cache, which every contender then shares
    tiny_nas, tiny_registry = corpus("tiny", bench_home)
    run_child("cli", child_env(tiny_nas, tiny_registry, fresh_database(server, "bench_sync_warmup"), storage))
    contenders["gfx_sessions step"](fresh_database(server, "bench_sync_warmup"))
    floor_url = fresh_database(server, "bench_sync_floor")
    floor = run_child("cli", child_env(tiny_nas, tiny_registry, floor_url, storage))  # Dagster's floor
    results: dict[str, list[dict]] = {}
    for round_number in range(repeat):
        skip = frozenset({WHOLE_COMMAND, REST_COMMAND} if round_number >= whole_rounds else ())
        measure_round(contenders, server, results, round_number, skip)
    table = report(results, megabytes, len(files)) + "\n" + floor_summary(floor)
    return {"files": len(files), "megabytes": megabytes, "results": results, "floor": floor, "table": table}


def floor_summary(floor: dict) -> str:
    """Dagster's floor, measured in the same run after the warm-up: the peak RSS of the whole command
    syncing the tiny corpus (12 files of 1-4 hands, too few batches for hand-load workers) into a fresh
    database: Dagster, our definitions and a run's machinery; the tree adds Dagster's compute-log capture."""
    process, tree = floor["peak_rss_mb"], floor["tree_peak_rss_mb"]
    return (
        "Dagster's floor (the whole command on the tiny corpus): "
        f"process {process:.0f} MB, tree {tree:.0f} MB; "
        f"floor + 64 MB: process {process + 64:.0f} MB, tree {tree + 64:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="full")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-external", action="store_true", help="skip Sling and dlt")
    parser.add_argument("--whole-rounds", type=int, default=1, help="rounds that run the whole command")
    parser.add_argument("--rest", action="store_true", help="also the whole command through the REST sink")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return CHILDREN[args.child]()
    load_before = os.getloadavg()
    with embedded_server_lease(BENCH_HOME) as server:  # stopped after, if started here
        outcome = run(
            args.corpus,
            server,
            args.repeat,
            not args.no_external,
            whole_rounds=args.whole_rounds,
            rest=args.rest,
        )
        size = f"{outcome['files']} files, {outcome['megabytes']:.1f} MB"
        print(f"corpus {args.corpus}: {size}; medians of {args.repeat} rounds")
        print(outcome["table"])
        machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
        print(f"\n{machine}, load average before/after: {load_before} / {os.getloadavg()}")


if __name__ == "__main__":
    main()
