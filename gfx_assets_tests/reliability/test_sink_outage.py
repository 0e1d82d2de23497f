"""Sink outages: a run that cannot reach the sink fails visibly (never reported as success), its
files stay pending, the sensor asks for them again, and once the sink is back everything lands; a
retried step resumes after the chunks that landed before the failure, parsing only the rest again.

The outages are real: a server that refuses the connection, and PostgreSQL terminating the sink's
connection (pg_terminate_backend) in the middle of a write."""

import json
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor
from gfx_assets.resources import GfxDatabase, PostgresSinkResource
from gfx_assets_tests.support import (
    evaluate_failure_sensor,
    execute,
    nas,
    postgres_sink,
    query,
    reconciliation,
    seeded_nas,
    sync,
)

DEAD_DATABASE = "postgresql://postgres@127.0.0.1:1/gfx?connect_timeout=1"
OPEN_DEAD_LETTERS = "SELECT count(*) FROM gfx_sync_failures WHERE resolved_at IS NULL"
# contents in the ledger, distinct ones among them, games in gfx_sessions (4 games of one file each)
STORED = (
    "SELECT (SELECT count(*) FROM gfx_session_snapshots), (SELECT count(DISTINCT file_hash)"
    " FROM gfx_session_snapshots), (SELECT count(*) FROM gfx_sessions)"
)
# The connection inserting the 3rd content into the ledger (where the sync writes), the first row of the
# second chunk of two, is terminated by the server, once: a sequence counts the inserts, and nextval
# survives the rollback of the transaction the termination ends.
TERMINATE_THIRD_INSERT = """
CREATE SEQUENCE ledger_inserts;
CREATE FUNCTION terminate_third_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('ledger_inserts') = 3 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER terminate_third_insert BEFORE INSERT ON gfx_session_snapshots
    FOR EACH ROW EXECUTE FUNCTION terminate_third_insert();
"""


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=4, hands=(1, 3))


def _down_sink() -> PostgresSinkResource:
    """A sink that stays down: each request gives up after its (short) deadline, the step retries."""
    return PostgresSinkResource(
        database=GfxDatabase(url=DEAD_DATABASE),
        max_retries=2,
        retry_base_seconds=0.01,
        request_deadline_seconds=0.3,
        request_backoff_seconds=0.05,
    )


def _tick(
    instance: dg.DagsterInstance, nas_root: Path, database_url: str, cursor: str | None
) -> dg.SensorResult:
    resources = {"nas": nas(nas_root), "sink": postgres_sink(database_url)}
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return gfx_nas_sensor(context)


def test_a_run_that_cannot_reach_the_sink_fails_after_bounded_retries(nas_root: Path) -> None:
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(nas_root), _down_sink())
    assert not result.success
    retries = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert len(retries) == 2


def test_files_land_once_the_sink_is_back_after_several_failed_runs(
    nas_root: Path, database_url: str
) -> None:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
        first = _tick(instance, nas_root, database_url, None)
        [request] = first.run_requests
        for _ in range(3):
            failed = sync(instance, "PC01", nas(nas_root), _down_sink(), files=_files(request))
            assert not failed.success
        evaluate_failure_sensor(instance, failed.dagster_run, postgres_sink(database_url), nas(nas_root))
        assert query(database_url, "SELECT count(*) FROM gfx_sync_failures WHERE resolved_at IS NULL") == [
            (4,)
        ]
        cursor = json.loads(first.cursor)
        cursor["requests"]["PC01"]["at"] -= 3600  # the backoff has passed
        [again] = _tick(instance, nas_root, database_url, json.dumps(cursor)).run_requests
        result = sync(instance, "PC01", nas(nas_root), postgres_sink(database_url), files=_files(again))
        assert result.success
        assert not _tick(instance, nas_root, database_url, json.dumps(cursor)).run_requests
    assert again.run_key != request.run_key
    assert query(database_url, STORED) == [(4, 4, 4)]
    assert reconciliation(result).passed
    assert query(database_url, OPEN_DEAD_LETTERS) == [(0,)]
    assert query(database_url, "SELECT event_type, count(*) FROM sync_events GROUP BY 1 ORDER BY 1") == [
        ("error", 1),
        ("sync", 1),
    ]


def _files(request: dg.RunRequest) -> list[str]:
    return request.run_config["ops"]["gfx_sessions"]["config"]["files"]


def test_a_retried_step_parses_only_the_files_that_had_not_landed(nas_root: Path, database_url: str) -> None:
    execute(database_url, TERMINATE_THIRD_INSERT)
    sink = PostgresSinkResource(  # no retry of the request inside the sink: the step is retried
        database=GfxDatabase(url=database_url),
        batch_size=2,
        request_deadline_seconds=0,
        retry_base_seconds=0.01,
    )
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(nas_root), sink)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success
    # first attempt: chunk 1 (2 files) landed, chunk 2 failed; the retry finds 2 files still to sync
    assert [m for m in messages if m.startswith("scan: 4 files")] == [
        "scan: 4 files, 4 not yet synced",
        "scan: 4 files, 2 not yet synced",
    ]
    assert sum(message.startswith("parse: 2 new contents") for message in messages) == 1
    assert query(database_url, STORED) == [(4, 4, 4)]
