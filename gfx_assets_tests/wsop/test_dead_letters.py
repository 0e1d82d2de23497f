"""WSOP runs share the one failure path: a failed run (schedule, UI or backfill alike) dead-letters its
tables with source 'wsop' and writes an 'error' event, and the table's next successful sync resolves
its dead letter."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from gfx_assets.defs.wsop_sync.assets import wsop_events
from gfx_assets.lib.common.alerts import FailedRun, record_failure
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import evaluate_failure_sensor, nas
from gfx_assets_tests.wsop.support import query, wsop_source

OPEN = "SELECT source, nas_path FROM gfx_sync_failures WHERE resolved_at IS NULL ORDER BY 1, 2"
UNREACHABLE = "postgresql://wsop_reader:pw@127.0.0.1:1/wsop_source"


def wsop_run(url: str, gfx_sink: GfxSink, instance: dg.DagsterInstance, tags: dict[str, str]):
    """wsop_events alone, as a schedule, the UI or a backfill launches it (they differ only in tags)."""
    return dg.materialize(
        [wsop_events],
        resources={"wsop_source": wsop_source(url, max_retries=0), "sink": gfx_sink},
        instance=instance,
        tags=tags,
        raise_on_error=False,
    )


def test_a_failed_scheduled_wsop_run_dead_letters_its_table_with_source_wsop(
    gfx_sink: GfxSink, database_url: str, tmp_path: Path
) -> None:
    with dg.instance_for_test() as instance:
        result = wsop_run(UNREACHABLE, gfx_sink, instance, {"dagster/schedule_name": "wsop_sync_schedule"})
        assert not result.success
        evaluate_failure_sensor(instance, instance.get_run_by_id(result.run_id), gfx_sink, nas(tmp_path))

    assert query(database_url, OPEN) == [("wsop", "wsop_events")]
    assert query(database_url, "SELECT source FROM sync_events WHERE event_type = 'error'") == [("wsop",)]


def test_a_wsop_dead_letter_is_resolved_by_the_tables_next_successful_sync(
    source_url: str, gfx_sink: GfxSink, database_url: str
) -> None:
    failed = FailedRun("wsop_sync_job", "run-1", "", "boom", ("wsop_events", "wsop_players"), "wsop")
    with gfx_sink.open() as target:
        record_failure(target, failed, datetime.now(UTC))

    with dg.instance_for_test() as instance:
        assert wsop_run(source_url, gfx_sink, instance, {"dagster/backfill": "b1"}).success

    assert query(database_url, OPEN) == [("wsop", "wsop_players")]
