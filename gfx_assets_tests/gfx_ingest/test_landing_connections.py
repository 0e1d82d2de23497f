"""By default the direct PostgreSQL sink lands a PC's chunks over two connections at once
(`PostgresSinkResource.connections`, GFX_LANDING_CONNECTIONS): each keeps a server process busy with the
files' JSON. Shown by the database, not by timing: every insert into the ledger waits for an advisory lock
the test holds, and the test sees that many of the sync's sessions waiting for it at once. Once the lock
is let go, every file has landed exactly once. A sink that lands again and again (a live session, hand by
hand) keeps as many connections as ran at once, and requests one after another share one, whatever thread
makes them.
"""

import threading
import time
from pathlib import Path

import dagster as dg
import psycopg

from gfx_assets.lib.common.overlap import overlapped
from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.resources import GfxDatabase, PostgresSinkResource
from gfx_assets_tests.support import execute, nas, query, sync, write_registry

FILES = 12
BATCH = 3  # files per chunk: four chunks
HELD_LOCK = 43  # an advisory lock key of the test database
HOLD_EVERY_INSERT = f"""
CREATE FUNCTION hold_ledger_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({HELD_LOCK});
    RETURN NEW;
END $$;
CREATE TRIGGER hold_ledger_insert BEFORE INSERT ON gfx_session_snapshots
    FOR EACH ROW EXECUTE FUNCTION hold_ledger_insert();
"""
WAITING_FOR_THE_LOCK = f"""
SELECT count(DISTINCT pid) FROM pg_locks
WHERE locktype = 'advisory' AND objid = {HELD_LOCK} AND NOT granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def _most_waiting_at_once(database_url: str, until: threading.Event, seconds: float = 60.0) -> int:
    """The most sessions seen waiting for HELD_LOCK at once (up to two), watched until `until` is set or
    `seconds` (a bound for a sync that never gets there, not a timing) have passed."""
    most, deadline = 0, time.monotonic() + seconds
    while not until.is_set() and time.monotonic() < deadline and most < 2:
        [(waiting,)] = query(database_url, WAITING_FOR_THE_LOCK)
        most = max(most, waiting)
        time.sleep(0.02)
    return most


def test_a_landing_writes_two_chunks_at_once_over_two_connections(tmp_path: Path, database_url: str) -> None:
    seed_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=FILES, hands=(1, 1))
    registry = write_registry(tmp_path / "registry.json", {"PC01": "PC01"})
    execute(database_url, HOLD_EVERY_INSERT)
    sink = PostgresSinkResource(database=GfxDatabase(url=database_url), batch_size=BATCH)
    done, results = threading.Event(), []

    def run_sync() -> None:
        with dg.instance_for_test() as instance:
            results.append(sync(instance, "PC01", nas(tmp_path / "nas", registry), sink))
        done.set()

    with psycopg.connect(database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (HELD_LOCK,))
        syncing = threading.Thread(target=run_sync)
        syncing.start()
        most_waiting = _most_waiting_at_once(database_url, done)
        holder.execute("SELECT pg_advisory_unlock(%s)", (HELD_LOCK,))
    syncing.join(timeout=120)
    assert most_waiting == 2
    assert results and results[0].success
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(FILES, FILES)]


OTHER_SESSIONS = """
SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


def test_a_sink_landing_again_and_again_keeps_as_many_connections_as_ran_at_once(database_url: str) -> None:
    sink = PostgresSink(database_url)
    try:
        for _ in range(5):  # five landings, each with two writer threads alive at once (the barrier)
            both_writing = threading.Barrier(2, timeout=30)

            def write(_: int, barrier: threading.Barrier = both_writing) -> None:
                sink.count("gfx_sessions", {})
                barrier.wait()

            overlapped(range(2), write, lambda _: None, workers=2)
        assert _other_sessions_settled_at(database_url, 2) == 2  # two, not two per landing
    finally:
        sink.close()
    assert _other_sessions_settled_at(database_url, 0) == 0


def test_requests_one_after_another_share_one_connection_whichever_thread_runs_them(
    database_url: str,
) -> None:
    sink = PostgresSink(database_url)
    try:
        for _ in range(5):  # five landings of one chunk, each written on a thread of its own
            overlapped(range(1), lambda _: sink.count("gfx_sessions", {}), lambda _: None, workers=1)
            sink.count("gfx_sessions", {})  # and the run's own thread in between
        assert _other_sessions_settled_at(database_url, 1) == 1
    finally:
        sink.close()


def _other_sessions_settled_at(database_url: str, expected: int, seconds: float = 10.0) -> int:
    """The other sessions of the test database, once they number `expected` (a closed connection's server
    process ends a moment later) or `seconds` have passed (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while (count := query(database_url, OTHER_SESSIONS)[0][0]) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count
