"""What the fault scenarios under `gfx-assets dev` share: servers of their own, files arriving on the
NAS, and the questions asked of the target and of Dagster's run storage afterwards."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg

from gfx_assets.lib.common.postgres import embedded_server_url, ensure_database, stop_embedded_server
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets_tests.e2e.devserver import gfx_dev, processes_of, wait_for
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
# The two sensors that write a failed run's dead letters and 'error' event (gfx_assets.defs.alerts).
FAILURE_SENSORS = ("gfx_run_failure_sensor", "gfx_failure_catchup_sensor")
RUNS_IN_FLIGHT = """
    SELECT count(*) FROM runs WHERE status IN ('QUEUED', 'NOT_STARTED', 'STARTING', 'STARTED', 'CANCELING')"""
LAST_RUN_END = "SELECT max(end_time) FROM runs"
# Finished ticks of one sensor (Dagster's tick body is JSON with the sensor's name as job_name).
FINISHED_TICK_TIMES = """
    SELECT tick_body FROM job_ticks
    WHERE status IN ('SKIPPED', 'SUCCESS', 'FAILURE') AND tick_body LIKE %s
    ORDER BY id DESC LIMIT 5"""
# The test-side bound on `bookkept`: one catch-up interval (30 s) and the run it reads, with room.
BOOKKEEPING_SECONDS = 120
# A trigger that holds every insert into the ledger (where the sync writes contents) on an advisory
# lock the test holds: a run waits inside its first write for as long as the test needs it to.
HOLD_LOCK = 4242
HELD_WRITES = f"""
CREATE OR REPLACE FUNCTION held_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock({HOLD_LOCK}); RETURN NEW; END $$;
CREATE TRIGGER held_write BEFORE INSERT ON gfx_session_snapshots FOR EACH ROW EXECUTE FUNCTION held_write();
"""
WAITING_ON_THE_HOLD = """
    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
    AND wait_event_type = 'Lock' AND wait_event = 'advisory'"""


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


def run_worker(home: Path, run_id: str) -> psutil.Process | None:
    """The worker of run `run_id` of a `gfx-assets dev` on `home`: the process the code server (`dagster
    api grpc`) spawns per run. Dagster 1.13 starts it with multiprocessing (spawn), not as `dagster api
    execute_run`; it carries the dev's GFX_HOME in its environment. Other runs (a schedule's) may have
    workers at the same moment: this one is told apart by the compute log of its step, which it holds
    open under <DAGSTER_HOME>/storage/<run_id>/ while the step runs."""
    for process in psutil.process_iter(["cmdline"]):
        with suppress(psutil.Error):
            cmdline = " ".join(process.info["cmdline"] or [])
            if "--multiprocessing-fork" not in cmdline or "spawn_main" not in cmdline:
                continue
            parent = process.parent()
            in_code_server = parent is not None and "api grpc" in " ".join(parent.cmdline())
            ours = in_code_server and process.environ().get("GFX_HOME") == str(home.resolve())
            if ours and any(run_id in opened.path for opened in process.open_files()):
                return process
    return None


def bookkept(storage: str, sensors: tuple[str, ...] = FAILURE_SENSORS) -> bool:
    """True once no run is in flight and each of `sensors` has finished a tick that started after the
    last run ended: whatever dead letter or 'error' event those runs leave is written by then."""
    if query(storage, RUNS_IN_FLIGHT)[0][0]:
        return False
    last_end = query(storage, LAST_RUN_END)[0][0] or 0.0
    return all(ticked_after(storage, sensor, last_end) for sensor in sensors)


def ticked_after(storage: str, sensor: str, moment: float) -> bool:
    """A tick of `sensor` that started after `moment` (epoch seconds) has finished."""
    bodies = query(storage, FINISHED_TICK_TIMES, f'%"job_name": "{sensor}"%')
    return any(json.loads(body)["timestamp"] > moment for (body,) in bodies)


def wait_until_bookkept(storage: str, sensors: tuple[str, ...] = FAILURE_SENSORS) -> None:
    """The condition that replaces a fixed settle time: a failure sensor tick after the last run."""
    what = f"a tick of {' and '.join(sensors)} after the last run"
    wait_for(lambda: bookkept(storage, sensors), BOOKKEEPING_SECONDS, what)


@contextmanager
def writes_held(target: str) -> Iterator[Callable[[], None]]:
    """Every insert into the ledger of `target` waits on a lock the test holds; yields `release`.
    `waiting_in_a_write(target)` tells when a run is inside its first write. The trigger is dropped
    at the end, and the lock released if the test has not done it."""
    with psycopg.connect(target, autocommit=True) as holder:
        holder.execute(HELD_WRITES)
        holder.execute("SELECT pg_advisory_lock(%s)", (HOLD_LOCK,))
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD_LOCK,))
                released = True

        try:
            yield release
        finally:
            release()
            holder.execute("DROP TRIGGER held_write ON gfx_session_snapshots")


def waiting_in_a_write(target: str) -> bool:
    return bool(query(target, WAITING_ON_THE_HOLD)[0][0])
