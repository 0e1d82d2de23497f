"""`gfx_nas_sensor` ticks over a large NAS, beside a bare directory walk of the same tree (issue 11).

    .venv/bin/python bench/sensor_bench.py [--pcs 10] [--files 10000] [--folders 10] [--repeat 3]

1. tree: `--pcs` PC folders of `--files` tiny `PGFX_live_data_export GameID=<id>.json` files each, in
   `--folders` date folders, under .gfx/bench/sensor (reused when its tree.json matches). Contents do not
   matter to the sensor, which reads none; every folder and its files are dated on their own past day,
   as yesterday's and older folders of a real NAS are.
2. manifest: a fresh migrated database `gfx_bench_sensor` on the embedded PostgreSQL under .gfx/bench,
   its `gfx_file_manifest` holding every file as `synced` (the rows a sync writes, `manifest_row`,
   loaded with one COPY).
3. ticks of the real sensor (dg.build_sensor_context, dg.instance_for_test, the real NAS resource and
   PostgreSQL sink), each case the median of `--repeat`:
   - cold: no cursor and no folder listings in memory (a restarted code server);
   - steady: nothing new, cursor of the tick before;
   - live day: nothing new, but the newest folder of every PC was modified within the quiet period,
     so those folders are listed and stat'ed in full on every tick;
   - full rescan: every folder due for its periodic full rescan at once (GFX_NAS_RESCAN_SECONDS=0, which
     is also what a tick costs without directory mtimes);
   - one new file in one PC: the tick must request exactly that file.
   References in the same run: a bare `os.scandir` + `stat` walk of the tree, `find -printf` of size
   and mtime, and the manifest query the sensor made on every tick before issue 11 (all rows).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME  # noqa: E402
from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor  # noqa: E402
from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import ensure_database  # noqa: E402
from gfx_assets.lib.nas_sync.folder_watch import forget_folder_watches  # noqa: E402
from gfx_assets.lib.nas_sync.manifest import manifest_row  # noqa: E402
from gfx_assets.lib.nas_sync.scan import scan_folder  # noqa: E402
from gfx_assets.lib.pokergfx.session import sha256_hex  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import game_id_for  # noqa: E402
from gfx_assets.resources import NasResource  # noqa: E402
from gfx_assets_tests.support import postgres_sink, write_registry  # noqa: E402

TREE = REPO / ".gfx" / "bench" / "sensor"
DATABASE = "gfx_bench_sensor"
CONTENT = b'{"Hands": []}\n'
NEW_FILE = "PGFX_live_data_export GameID=999999999999999999.json"
TICK_SECONDS = 5.0  # gfx_nas_sensor's minimum_interval_seconds
MANIFEST_COLUMNS = ["gfx_pc_id", "nas_path", "file_size", "file_mtime", "file_hash", "status", "updated_at"]


def pc_ids(pcs: int) -> list[str]:
    return [f"PC{number:02d}" for number in range(1, pcs + 1)]


def build_tree(root: Path, pcs: int, files: int, folders: int) -> None:
    """The NAS tree (reused when tree.json says it has this shape); the newest date folder is yesterday's."""
    shape = {"pcs": pcs, "files": files, "folders": folders}
    marker = root / "tree.json"
    if marker.exists() and json.loads(marker.read_text()) == shape:
        return
    shutil.rmtree(root, ignore_errors=True)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for pc in pc_ids(pcs):
        for folder in range(folders):
            day = midnight - timedelta(days=folders - folder)
            _fill_folder(root / pc / f"{day:%m%d}", day, files // folders)
        _set_mtime(root / pc, midnight - timedelta(days=1))
    write_registry(root / "config" / "pc_registry.json", {pc: pc for pc in pc_ids(pcs)})
    marker.write_text(json.dumps(shape))


def _fill_folder(folder: Path, day: datetime, count: int) -> None:
    """`count` files written through the day (one raw write each: 100,000 files take seconds)."""
    folder.mkdir(parents=True)
    step = timedelta(hours=23) / max(count, 1)
    for index in range(count):
        written = day + timedelta(minutes=30) + step * index
        path = folder / f"PGFX_live_data_export GameID={game_id_for(written)}.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(descriptor, CONTENT)
            stamp = int(written.timestamp() * 1e9)
            os.utime(descriptor, ns=(stamp, stamp))
        finally:
            os.close(descriptor)
    _set_mtime(folder, day + timedelta(hours=23, minutes=30))


def _set_mtime(path: Path, when: datetime) -> None:
    stamp = int(when.timestamp() * 1e9)
    os.utime(path, ns=(stamp, stamp))


def fresh_database(server_url: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
    url = ensure_database(server_url, DATABASE)
    migrate(url)
    return url


def mark_all_synced(database_url: str, root: Path, pcs: list[str]) -> int:
    """Every file of the tree in the manifest as `synced`, as a sync of it leaves it (one COPY)."""
    now = datetime.now(UTC)
    file_hash = sha256_hex(CONTENT)
    copy = sql.SQL("COPY gfx_file_manifest ({}) FROM STDIN").format(
        sql.SQL(", ").join(map(sql.Identifier, MANIFEST_COLUMNS))
    )
    rows = 0
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute("TRUNCATE gfx_file_manifest")
        with cursor.copy(copy) as loading:
            for pc in pcs:
                for file in scan_folder(root, pc):
                    row = manifest_row(pc, file, file_hash, "synced", now)
                    loading.write_row([row[column] for column in MANIFEST_COLUMNS])
                    rows += 1
        cursor.execute("ANALYZE gfx_file_manifest")
    return rows


def median_seconds(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def scandir_walk(root: Path, pcs: list[str]) -> int:
    """The reference: every entry of every PC folder listed and every file stat'ed, nothing else."""
    count = 0
    for pc in pcs:
        pending = [os.path.join(root, pc)]
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    else:
                        entry.stat(follow_symlinks=False)
                        count += 1
    return count


def find_walk(root: Path, pcs: list[str]) -> None:
    command = ["find", *pcs, "-type", "f", "-printf", "%s %T@ %P\n"]
    subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL)


def all_manifest_rows(database_url: str) -> None:
    """What every tick read before issue 11: every manifest row of every PC."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT nas_path, file_size, file_mtime FROM gfx_file_manifest").fetchall()


class Ticks:
    """Ticks of the real sensor against one instance, NAS and database."""

    def __init__(self, instance: dg.DagsterInstance, root: Path, database_url: str) -> None:
        self.instance = instance
        self.root = root
        self.nas = NasResource(root=str(root))  # the defaults of GFX_NAS_QUIET_SECONDS and _RESCAN_SECONDS
        self.sink = postgres_sink(database_url)
        self.cursor: str | None = None

    def tick(self, nas: NasResource | None = None) -> dg.SensorResult:
        resources = {"nas": nas or self.nas, "sink": self.sink}
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor, resources=resources)
        with context:
            result = gfx_nas_sensor(context)
        self.cursor = result.cursor
        return result

    def quiet_tick(self, nas: NasResource | None = None) -> None:
        result = self.tick(nas)
        assert not result.run_requests, "nothing is new, yet the sensor requested a run"

    def cold_tick(self) -> None:
        forget_folder_watches()
        self.cursor = None
        self.quiet_tick()


def live_day(root: Path, pcs: list[str]) -> list[tuple[Path, int]]:
    """Mark the newest folder of every PC as modified a minute ago; returns how to put them back."""
    restore = []
    for pc in pcs:
        newest = max((root / pc).iterdir())
        restore.append((newest, newest.stat().st_mtime_ns))
        os.utime(newest, (time.time() - 60, time.time() - 60))
    return restore


def put_back(restore: list[tuple[Path, int]]) -> None:
    for path, mtime_ns in restore:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def one_new_file(ticks: Ticks, pc: str) -> tuple[float, list[str]]:
    """Time the tick after one settled file appeared in `pc`'s newest folder; the files it requested."""
    folder = max((ticks.root / pc).iterdir())
    folder_mtime = folder.stat().st_mtime_ns
    path = folder / NEW_FILE
    try:
        path.write_bytes(CONTENT)
        os.utime(path, (time.time() - 5, time.time() - 5))
        started = time.perf_counter()
        result = ticks.tick()
        seconds = time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)
        os.utime(folder, ns=(folder_mtime, folder_mtime))
    requested = [
        file
        for request in result.run_requests or []
        for file in request.run_config["ops"]["gfx_sessions"]["config"]["files"] or []
    ]
    return seconds, requested


def measure(root: Path, database_url: str, pcs: list[str], repeat: int) -> dict:
    """Every figure of one run; `root` holds the tree and `database_url` its manifest."""
    results: dict = {"files": sum(1 for pc in pcs for _ in scan_folder(root, pc))}
    results["scandir+stat walk"] = median_seconds(repeat, lambda: scandir_walk(root, pcs))
    results["find -printf"] = median_seconds(repeat, lambda: find_walk(root, pcs))
    results["all manifest rows"] = median_seconds(repeat, lambda: all_manifest_rows(database_url))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, pcs)
        ticks = Ticks(instance, root, database_url)
        results["cold tick"] = median_seconds(repeat, ticks.cold_tick)
        results["steady tick"] = median_seconds(max(repeat, 5), ticks.quiet_tick)
        restore = live_day(root, pcs)
        try:
            ticks.quiet_tick()  # the first tick to see the changed folders lists them again
            results["live-day tick"] = median_seconds(max(repeat, 5), ticks.quiet_tick)
        finally:
            put_back(restore)
            ticks.quiet_tick()
        rescan_every_tick = NasResource(root=str(root), rescan_seconds=0)
        results["full-rescan tick"] = median_seconds(repeat, lambda: ticks.quiet_tick(rescan_every_tick))
        ticks.quiet_tick()
        results["new-file tick"], results["new-file requested"] = one_new_file(ticks, pcs[-1])
        results["new-file expected"] = [f"{pcs[-1]}/{max((root / pcs[-1]).iterdir()).name}/{NEW_FILE}"]
    return results


def run(root: Path, database_url: str, pcs: int, files: int, folders: int, repeat: int) -> dict:
    """Build (or reuse) the tree, mark it all synced in the migrated database, and measure."""
    build_tree(root, pcs, files, folders)
    mark_all_synced(database_url, root, pc_ids(pcs))
    return measure(root, database_url, pc_ids(pcs), repeat)


def machine(root: Path, database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    filesystem = subprocess.run(
        ["stat", "-f", "-c", "%T", str(root)], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        f"Python {platform.python_version()}, Dagster {dg.__version__}, psycopg {psycopg.__version__}, "
        f"PostgreSQL {server}; tree on {filesystem}"
    )


def report(results: dict, repeat: int) -> str:
    milliseconds = {key: value * 1000 for key, value in results.items() if isinstance(value, float)}
    walk = milliseconds["scandir+stat walk"]
    lines = [
        f"{results['files']:,} files; medians of {repeat} (steady and live-day: of {max(repeat, 5)})",
        "| measured | ms | x scandir+stat walk |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {key} | {value:.0f} | {value / walk:.2f} |" for key, value in milliseconds.items()]
    # each quiet folder is rescanned 0.5-1 rescan periods after its last listing: 0.75 on average
    share = TICK_SECONDS / (0.75 * NasResource.model_fields["rescan_seconds"].default)
    amortized = milliseconds["steady tick"] + share * milliseconds["full-rescan tick"]
    lines.append(
        f"derived: a steady tick plus its expected share of the rolling full rescans ({share:.1%} of the "
        f"folders per {TICK_SECONDS:.0f} s tick): {amortized:.0f} ms"
    )
    lines.append(f"new file requested: {results['new-file requested']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=10)
    parser.add_argument("--files", type=int, default=10_000, help="files per PC")
    parser.add_argument("--folders", type=int, default=10, help="date folders per PC")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=TREE, help="where the NAS tree is built")
    args = parser.parse_args()
    with embedded_server_lease(REPO / ".gfx" / "bench") as server:  # stopped afterwards if started here
        database_url = fresh_database(server)
        started = time.perf_counter()
        results = run(args.tree, database_url, args.pcs, args.files, args.folders, args.repeat)
        print(f"tree {args.tree}, manifest and measurements: {time.perf_counter() - started:.0f} s")
        print(machine(args.tree, database_url))
    print(report(results, args.repeat))
    if results["new-file requested"] != results["new-file expected"]:
        raise SystemExit(f"the new-file tick requested {results['new-file requested']}")


if __name__ == "__main__":
    main()
