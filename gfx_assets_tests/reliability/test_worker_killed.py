"""A run worker killed with SIGKILL in the middle of a batch: after the retry nothing is missing and
nothing is duplicated, because every write is an upsert on a natural key.

The worker is stopped inside its third batch by the database, not by timing: inserting the 13th
content into the ledger waits for an advisory lock the test holds, and the test kills the worker once
PostgreSQL shows it waiting there. A landing writes two batches at once over two connections, so the
13th insert to arrive is in the third batch or the fourth: at least one batch has committed before it (a
third starts only when one of the first two is done), the other may still be being written, and the batch
beside the held one may have landed meanwhile. Whatever has landed is whole batches of 5."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets_tests.support import (
    check_counts,
    execute,
    nas,
    postgres_sink,
    query,
    reconciliation,
    start_worker,
    sync,
    write_registry,
)

FILES = 120
BATCH = 5
HELD_LOCK = 42  # an advisory lock key of the test database
# the 13th content inserted into the ledger (where the sync writes), the 3rd of the third batch, waits
# for HELD_LOCK; a sequence counts the inserts
HOLD_THIRD_BATCH = f"""
CREATE SEQUENCE ledger_inserts;
CREATE FUNCTION hold_third_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('ledger_inserts') = {2 * BATCH + 3} THEN PERFORM pg_advisory_xact_lock({HELD_LOCK}); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hold_third_batch BEFORE INSERT ON gfx_session_snapshots
    FOR EACH ROW EXECUTE FUNCTION hold_third_batch();
"""
WAITING_FOR_THE_LOCK = f"""
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND objid = {HELD_LOCK} AND NOT granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    old = time.time() - 600
    for path in seed_nas(root, ["PC01"], sessions_per_pc=FILES, hands=(1, 2)):
        os.utime(path, (old, old))
    return root


@contextmanager
def held_lock(database_url: str) -> Iterator[None]:
    """HELD_LOCK, held by a session of the test until the block ends."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (HELD_LOCK,))
        yield


def _wait_until_held_up(database_url: str, worker: subprocess.Popen) -> None:
    """Returns once the worker's connection waits for HELD_LOCK (a bound for a hung worker, not a timing)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        if query(database_url, WAITING_FOR_THE_LOCK) == [(1,)]:
            return
        time.sleep(0.05)
    raise AssertionError("the worker ended or stalled before its third batch")


def test_sigkill_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    nas_root: Path, tmp_path: Path, database_url: str
) -> None:
    execute(database_url, HOLD_THIRD_BATCH)
    registry = write_registry(tmp_path / "registry.json", {"PC01": "PC01"})
    with held_lock(database_url):
        worker = start_worker(nas_root, registry, database_url, batch_size=BATCH)
        try:
            _wait_until_held_up(database_url, worker)
            [(landed_before_kill,)] = query(database_url, "SELECT count(*) FROM gfx_session_snapshots")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    # whole batches only: the one held was being written, the one beside it may not have committed yet
    assert landed_before_kill in (BATCH, 2 * BATCH, 3 * BATCH, 4 * BATCH)
    # waits for the killed worker's transaction to end: its backend goes on once the lock is free
    execute(database_url, "DROP TRIGGER hold_third_batch ON gfx_session_snapshots")
    with dg.instance_for_test() as instance:
        retry = sync(instance, "PC01", nas(nas_root, registry), postgres_sink(database_url, batch_size=BATCH))
    assert retry.success
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(FILES, FILES)]
    assert query(database_url, "SELECT count(*) FROM gfx_sessions") == [(FILES,)]  # games of one file each
    assert check_counts(reconciliation(retry))["missing"] == 0
