"""What the fault scenarios under `gfx-assets dev` share: servers of their own, files arriving on the
NAS, and the questions asked of the target and of Dagster's run storage afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from gfx_assets.lib.common.postgres import embedded_server_url, ensure_database, stop_embedded_server
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets_tests.e2e.devserver import gfx_dev, processes_of
from gfx_assets_tests.support import query

DUPLICATES = "SELECT count(*) - count(DISTINCT (gfx_pc_id, file_hash)) FROM gfx_session_snapshots"
LANDED = "SELECT count(*) FROM gfx_file_manifest WHERE status = 'synced'"
REJECTED = "SELECT gfx_pc_id, nas_path, reason FROM gfx_rejected_files"
# A dead letter still open (resolved_at IS NULL) although its file is in the manifest as synced.
OPEN_FOR_LANDED = """
    SELECT f.gfx_pc_id, f.nas_path, f.run_id FROM gfx_sync_failures f
    JOIN gfx_file_manifest m ON (m.gfx_pc_id, m.nas_path) = (f.gfx_pc_id, f.nas_path)
    WHERE f.source = 'gfx' AND f.resolved_at IS NULL AND m.status = 'synced'"""
# The sinks' request retries (python log records of the `gfx_assets` logger) and step retries.
RETRIES_IN_RUN_LOGS = """
    SELECT count(*) FROM event_logs
    WHERE dagster_event_type = 'STEP_UP_FOR_RETRY' OR event LIKE '%failed, retrying in%'"""
# The failure sensors write their bookkeeping once the target is back (issue 9: at most one sensor
# interval later, 30 s for the catch-up sensor): a dead letter written late shows after this.
BOOKKEEPING_SETTLE_SECONDS = 40


@contextmanager
def server_of_its_own(folder: Path, database: str) -> Iterator[str]:
    """An embedded PostgreSQL in `folder` with `database`, stopped at the end: a target the test can
    stop under Dagster, or Dagster's storage kept apart from a target that goes down."""
    try:
        yield ensure_database(embedded_server_url(folder), database)
    finally:
        stop_embedded_server(folder)


def nas_files(nas_root: Path) -> list[Path]:
    """Every session export of the NAS: <pc>/<MMDD>/*.json (the registry, config/*.json, is not one)."""
    return list(nas_root.glob("*/*/*.json"))


def arrive(nas_root: Path, pc: str, seed: int) -> Path:
    """A new session file with one hand, as a GFX PC writes it."""
    session = SyntheticSession(seed)
    session.add_hand()
    path = nas_root / pc / "1122" / session.file_name
    write_session(path, session)
    return path


def landed(target: str) -> int:
    return query(target, LANDED)[0][0]


def assert_converged(target: str, nas_root: Path) -> None:
    """Every NAS file landed once, none rejected, no dead letter left open for a landed file."""
    assert landed(target) == len(nas_files(nas_root))
    assert query(target, DUPLICATES) == [(0,)]
    assert query(target, REJECTED) == []
    assert query(target, OPEN_FOR_LANDED) == []


@contextmanager
def dev_leaving_nothing(env: dict[str, str], home: Path) -> Iterator[str]:
    """`gfx-assets dev` (no simulator) yielding its URL; once it is stopped, no process of it may be
    left: by process group, GFX_HOME or port (devserver.processes_of)."""
    with gfx_dev(env, "--no-simulator") as (process, url):
        yield url
    left = processes_of(process.pid, home, urlsplit(url).port)
    assert left == [], f"left behind by gfx-assets dev: {left}"


def run_worker(home: Path) -> psutil.Process | None:
    """The run worker of a `gfx-assets dev` on `home`: the process the code server (`dagster api
    grpc`) spawns per run. Dagster 1.13 starts it with multiprocessing (spawn), not as `dagster api
    execute_run`; it carries the dev's GFX_HOME in its environment."""
    for process in psutil.process_iter(["cmdline"]):
        with suppress(psutil.Error):
            cmdline = " ".join(process.info["cmdline"] or [])
            if "--multiprocessing-fork" not in cmdline or "spawn_main" not in cmdline:
                continue
            parent = process.parent()
            in_code_server = parent is not None and "api grpc" in " ".join(parent.cmdline())
            if in_code_server and process.environ().get("GFX_HOME") == str(home.resolve()):
                return process
    return None
