"""The one failure path: runs launched from the UI (`__ASSET_JOB`) are watched like sensor runs, and
picked by the assets they write; a file that landed meanwhile gets no dead letter; a failure the target
could not take is written by gfx_failure_catchup_sensor once it is back; a repeated error alerts once;
a refused key never breaks the NAS sensor's ticks."""

from pathlib import Path

import dagster as dg

from gfx_assets.defs.alerts.sensors import gfx_failure_catchup_sensor
from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor
from gfx_assets.resources import GfxSink
from gfx_assets_tests.alerts import pc_files, ui_run, webhook
from gfx_assets_tests.support import (
    evaluate_failure_sensor,
    nas,
    postgres_sink,
    query,
    sync,
)

OPEN_DEAD_LETTERS = "SELECT source, nas_path FROM gfx_sync_failures WHERE resolved_at IS NULL ORDER BY 2"
ERROR_EVENTS = "SELECT source, gfx_pc_id, run_id FROM sync_events WHERE event_type = 'error'"
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nothing"
QUICK = {"request_deadline_seconds": 0.5}  # a sensor gives up on a down target quickly


def _catch_up(instance: dg.DagsterInstance, sink: GfxSink, nas_root: Path) -> None:
    resources = {"sink": sink, "nas": nas(nas_root)}
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        gfx_failure_catchup_sensor(context)


def test_a_failed_ui_materialization_is_recorded_with_source_gfx(
    instance, nas_root: Path, database_url: str, refused_key_sink: GfxSink
) -> None:
    files = pc_files(nas_root)[:2]
    run = ui_run(instance, nas_root, files, refused_key_sink)
    evaluate_failure_sensor(instance, run, postgres_sink(database_url), nas(nas_root))
    assert query(database_url, ERROR_EVENTS) == [("gfx", "PC01", run.run_id)]
    assert query(database_url, OPEN_DEAD_LETTERS) == [("gfx", path) for path in files]


def test_a_file_that_landed_before_the_failure_was_recorded_gets_no_dead_letter(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str, refused_key_sink: GfxSink
) -> None:
    files = pc_files(nas_root)
    run = ui_run(instance, nas_root, files, refused_key_sink)
    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[:1]).success  # a redrive landed one
    evaluate_failure_sensor(instance, run, gfx_sink, nas(nas_root))
    assert query(database_url, OPEN_DEAD_LETTERS) == [("gfx", path) for path in files[1:]]


def test_a_dead_letter_is_resolved_when_its_file_lands(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str, refused_key_sink: GfxSink
) -> None:
    files = pc_files(nas_root)
    evaluate_failure_sensor(
        instance, ui_run(instance, nas_root, files, refused_key_sink), gfx_sink, nas(nas_root)
    )
    assert sync(instance, "PC01", nas(nas_root), gfx_sink).success
    assert query(database_url, OPEN_DEAD_LETTERS) == []
    assert query(database_url, "SELECT count(*) FROM gfx_sync_failures") == [(len(files),)]


def test_a_failure_the_target_could_not_take_is_written_when_it_returns(
    instance, nas_root: Path, database_url: str, refused_key_sink: GfxSink
) -> None:
    run = ui_run(instance, nas_root, pc_files(nas_root)[:1], refused_key_sink)
    evaluate_failure_sensor(instance, run, postgres_sink(UNREACHABLE).model_copy(update=QUICK), nas(nas_root))
    assert query(database_url, ERROR_EVENTS) == []
    _catch_up(instance, postgres_sink(database_url), nas_root)
    assert query(database_url, ERROR_EVENTS) == [("gfx", "PC01", run.run_id)]
    assert len(query(database_url, OPEN_DEAD_LETTERS)) == 1


def test_the_catchup_sensor_writes_a_failure_once(
    instance, nas_root: Path, database_url: str, refused_key_sink: GfxSink
) -> None:
    ui_run(instance, nas_root, pc_files(nas_root)[:1], refused_key_sink)
    for _ in range(2):
        _catch_up(instance, postgres_sink(database_url), nas_root)
    assert len(query(database_url, ERROR_EVENTS)) == 1


def test_the_same_error_in_several_runs_alerts_once(
    instance, nas_root: Path, database_url: str, refused_key_sink: GfxSink
) -> None:
    runs = [ui_run(instance, nas_root, [path], refused_key_sink) for path in pc_files(nas_root)]
    with webhook() as (url, received):
        for run in runs:
            evaluate_failure_sensor(instance, run, postgres_sink(database_url), nas(nas_root), url)
    assert len(received) == 1
    assert len(query(database_url, ERROR_EVENTS)) == len(runs)


def test_a_refused_key_does_not_fail_the_nas_sensor_tick(
    instance, nas_root: Path, refused_key_sink: GfxSink
) -> None:
    resources = {"sink": refused_key_sink, "nas": nas(nas_root, nas_root / "config" / "pc_registry.json")}
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = gfx_nas_sensor(context)
    assert [request.partition_key for request in result.run_requests] == ["PC01"]
