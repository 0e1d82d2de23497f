"""A run worker killed with SIGKILL in the middle of a batch: after the retry nothing is missing and
nothing is duplicated, because every write is an upsert on a natural key."""

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
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
# each content's insert into the ledger, where the sync writes, takes 20 ms
SLOW_INSERTS = """
CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$;
CREATE TRIGGER slow_insert BEFORE INSERT ON gfx_session_snapshots FOR EACH ROW EXECUTE FUNCTION slow_insert();
"""


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    old = time.time() - 600
    for path in seed_nas(root, ["PC01"], sessions_per_pc=FILES, hands=(1, 2)):
        os.utime(path, (old, old))
    return root


def _wait_for_rows(database_url: str, worker: subprocess.Popen, at_least: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        [(count,)] = query(database_url, "SELECT count(*) FROM gfx_session_snapshots")
        if count >= at_least:
            return count
        time.sleep(0.05)
    raise AssertionError(f"the worker ended or stalled before {at_least} rows landed")


def test_sigkill_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    nas_root: Path, tmp_path: Path, database_url: str
) -> None:
    execute(database_url, SLOW_INSERTS)
    registry = write_registry(tmp_path / "registry.json", {"PC01": "PC01"})
    worker = start_worker(nas_root, registry, database_url, batch_size=5)
    try:
        landed_before_kill = _wait_for_rows(database_url, worker, at_least=12)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert landed_before_kill < FILES
    execute(database_url, "DROP TRIGGER slow_insert ON gfx_session_snapshots")
    with dg.instance_for_test() as instance:
        retry = sync(instance, "PC01", nas(nas_root, registry), postgres_sink(database_url, batch_size=5))
    assert retry.success
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(FILES, FILES)]
    assert query(database_url, "SELECT count(*) FROM gfx_sessions") == [(FILES,)]  # games of one file each
    assert check_counts(reconciliation(retry))["missing"] == 0
