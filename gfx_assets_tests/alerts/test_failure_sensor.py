"""gfx_run_failure_sensor on real failed runs of gfx_sessions_job: the 'error' event and dead letters a
final failure leaves (on both sinks), runs about to be retried left alone, repeated failures counted,
the Slack alert with secrets redacted, and a sink outage given up without failing the sensor.

Each failed run is refused by the test database itself: a statement trigger on the ledger
gfx_session_snapshots, where the sync writes, raises an access rule violation (SQLSTATE 42000) whose
text echoes a connection string and an API key, as a database refusing a client can. Both sinks take
that class for a permanent error (the REST one as the PostgREST-compatible server's 400), so the run
fails at once, for good, and is not retried."""

from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_hands.assets import gfx_hand_tables, gfx_session_snapshots
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME, gfx_sessions_job
from gfx_assets.defs.operations.silence import gfx_pc_writing
from gfx_assets.resources import GfxSink, PcWatch
from gfx_assets.resources.snapshots import SnapshotRetention
from gfx_assets_tests.alerts import WEBHOOK_TOKEN, pc_files, webhook
from gfx_assets_tests.support import (
    evaluate_failure_sensor,
    execute,
    nas,
    postgres_sink,
    query,
    seeded_nas,
    sync,
)

REFUSAL = "refused postgresql://gfx:hunter2@db.internal/gfx with apikey=sb_secret_s3cr3t-key"
DEAD_LETTERS = "SELECT nas_path, run_id, attempts, first_failed_at, resolved_at FROM gfx_sync_failures"
# class 42 but not 42501 (a revoked grant, retried): permanent for both sinks, and not blamed on a row
REFUSE_LEDGER = f"""
CREATE OR REPLACE FUNCTION refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = '42000'; END $$;
CREATE OR REPLACE TRIGGER refuse_ledger BEFORE INSERT ON gfx_session_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger();
"""


@pytest.fixture
def sink(gfx_sink: GfxSink) -> GfxSink:
    return gfx_sink


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3, hands=(1, 2))


def _failed_run(
    instance: dg.DagsterInstance, nas_root: Path, files: list[str] | None, sink: GfxSink, database_url: str
) -> dg.DagsterRun:
    """Run gfx_sessions_job for PC01 through `sink` on the database of `database_url`, which refuses
    from now on every write of contents into its ledger; `files` None is a rescan run."""
    execute(database_url, REFUSE_LEDGER)
    defs = dg.Definitions(
        assets=[gfx_sessions, gfx_hand_tables, gfx_session_snapshots],
        asset_checks=[gfx_pc_writing],  # the job names it (to leave it out)
        jobs=[gfx_sessions_job],
        resources={"sink": sink, "nas": nas(nas_root), "snapshot_retention": SnapshotRetention()}
        | {"pc_watch": PcWatch()},
    )
    result = defs.resolve_job_def(GFX_SYNC_JOB_NAME).execute_in_process(
        instance=instance,
        partition_key="PC01",
        run_config={"ops": {"gfx_sessions": {"config": {"files": files}}}},
        raise_on_error=False,
    )
    assert not result.success
    assert REFUSAL in result.failure_data_for_node("gfx_sessions").user_failure_data.description
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in {event.event_type for event in result.all_events}
    return instance.get_run_by_id(result.run_id)


def _evaluate(
    instance: dg.DagsterInstance, run: dg.DagsterRun, sink: GfxSink, nas_root: Path, webhook_url: str = ""
) -> None:
    evaluate_failure_sensor(instance, run, sink, nas(nas_root), webhook_url)


def _dead_letters(database_url: str) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in query(database_url, DEAD_LETTERS)}


def test_a_final_failure_writes_one_error_event_naming_pc_run_and_file_count(
    instance, nas_root: Path, sink: GfxSink, database_url: str
) -> None:
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:2], sink, database_url)
    _evaluate(instance, run, sink, nas_root)
    [(pc_id, run_id, file_count, error)] = query(
        database_url,
        "SELECT gfx_pc_id, run_id, file_count, error_message FROM sync_events WHERE event_type = 'error'",
    )
    assert (pc_id, run_id, file_count) == ("PC01", run.run_id, 2)
    assert "gfx_sessions: sink error, not retried" in error


def test_a_final_failure_dead_letters_the_files_the_run_named(
    instance, nas_root: Path, sink: GfxSink, database_url: str
) -> None:
    files = pc_files(nas_root)[:2]
    run = _failed_run(instance, nas_root, files, sink, database_url)
    _evaluate(instance, run, sink, nas_root)
    letters = _dead_letters(database_url)
    assert sorted(letters) == files
    assert all(letter[:2] == (run.run_id, 1) and letter[3] is None for letter in letters.values())


def test_a_failed_rescan_run_dead_letters_the_pcs_files_not_yet_synced(
    instance, nas_root: Path, sink: GfxSink, database_url: str
) -> None:
    synced, *pending = pc_files(nas_root)
    assert sync(instance, "PC01", nas(nas_root), sink, files=[synced]).success
    _evaluate(instance, _failed_run(instance, nas_root, None, sink, database_url), sink, nas_root)
    assert sorted(_dead_letters(database_url)) == pending


def test_a_run_that_will_be_retried_writes_nothing(instance, nas_root: Path, database_url: str) -> None:
    sink = postgres_sink(database_url)
    run = _failed_run(instance, nas_root, pc_files(nas_root), sink, database_url)
    instance.add_run_tags(run.run_id, {"dagster/will_retry": "true"})
    _evaluate(instance, run, sink, nas_root)
    assert query(database_url, "SELECT count(*) FROM sync_events") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM gfx_sync_failures") == [(0,)]


def test_a_second_failure_of_a_file_counts_an_attempt_and_keeps_first_failed_at(
    instance, nas_root: Path, sink: GfxSink, database_url: str
) -> None:
    files = pc_files(nas_root)[:1]
    _evaluate(instance, _failed_run(instance, nas_root, files, sink, database_url), sink, nas_root)
    [(_, _, first_failed_at, _)] = _dead_letters(database_url).values()
    second = _failed_run(instance, nas_root, files, sink, database_url)
    _evaluate(instance, second, sink, nas_root)
    assert _dead_letters(database_url)[files[0]] == (second.run_id, 2, first_failed_at, None)


def test_replaying_a_failure_writes_it_once(instance, nas_root: Path, database_url: str) -> None:
    sink = postgres_sink(database_url)
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:1], sink, database_url)
    for _ in range(2):
        _evaluate(instance, run, sink, nas_root)
    assert query(database_url, "SELECT count(*) FROM sync_events") == [(1,)]
    assert [letter[1] for letter in _dead_letters(database_url).values()] == [1]


def test_a_resolved_dead_letter_that_fails_again_is_reopened(
    instance, nas_root: Path, database_url: str
) -> None:
    files, sink = pc_files(nas_root)[:1], postgres_sink(database_url)
    _evaluate(instance, _failed_run(instance, nas_root, files, sink, database_url), sink, nas_root)
    execute(database_url, "UPDATE gfx_sync_failures SET resolved_at = now()")
    _evaluate(instance, _failed_run(instance, nas_root, files, sink, database_url), sink, nas_root)
    assert _dead_letters(database_url)[files[0]][3] is None


def test_the_recorded_error_has_its_secrets_redacted(instance, nas_root: Path, database_url: str) -> None:
    sink = postgres_sink(database_url)
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:1], sink, database_url)
    _evaluate(instance, run, sink, nas_root)
    stored = query(
        database_url, "SELECT error_message FROM sync_events UNION ALL SELECT error FROM gfx_sync_failures"
    )
    assert len(stored) == 2  # the run's 'error' event and its one file's dead letter
    for (error,) in stored:
        assert "hunter2" not in error and "s3cr3t" not in error
        assert "postgresql://gfx:***@db.internal" in error


def test_the_webhook_receives_the_failure_with_secrets_redacted(
    instance, nas_root: Path, database_url: str
) -> None:
    sink = postgres_sink(database_url)
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:2], sink, database_url)
    with webhook() as (url, received):
        _evaluate(instance, run, sink, nas_root, webhook_url=url)
    [payload] = received
    for part in (GFX_SYNC_JOB_NAME, "PC01", run.run_id, "2 file(s)", "sink error, not retried"):
        assert part in payload["text"]
    assert "postgresql://gfx:***@db.internal" in payload["text"]
    for secret in ("hunter2", "s3cr3t", WEBHOOK_TOKEN):
        assert secret not in payload["text"]


def test_a_webhook_that_errors_does_not_fail_the_sensor(instance, nas_root: Path, database_url: str) -> None:
    sink = postgres_sink(database_url)
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:1], sink, database_url)
    with webhook(status=500) as (url, received):
        _evaluate(instance, run, sink, nas_root, webhook_url=url)
    assert len(received) == 1
    assert query(database_url, "SELECT count(*) FROM sync_events") == [(1,)]


def test_a_sink_that_stays_unavailable_is_given_up_and_the_alert_says_so(
    instance, nas_root: Path, database_url: str
) -> None:
    run = _failed_run(instance, nas_root, pc_files(nas_root)[:1], postgres_sink(database_url), database_url)
    dead = postgres_sink("postgresql://postgres@127.0.0.1:1/x")
    with webhook() as (url, received):
        _evaluate(instance, run, dead, nas_root, webhook_url=url)
    [payload] = received
    assert "could not be written to the database" in payload["text"]
