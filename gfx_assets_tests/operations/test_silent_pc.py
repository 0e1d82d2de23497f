"""A GFX PC that stops writing mid-show is noticed (issue 18): the sensor fails its `gfx_pc_writing` check
on the PC's partition and sends one alert; pc_health shows it silent; all of it clears when the PC writes
again; a PC off between shows (nothing written for over an hour) raises nothing. On both sinks, with the
last write set in the database as a silent PC leaves it."""

import json
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.definitions import defs
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.operations.assets import pc_health
from gfx_assets.defs.operations.silence import CHECK_NAME, gfx_pc_writing, gfx_silent_pc_sensor
from gfx_assets.resources import AlertWebhook, GfxSink, PcWatch
from gfx_assets_tests.alerts import webhook
from gfx_assets_tests.operations.support import good_file, records, view
from gfx_assets_tests.support import execute, nas, sync, write_registry


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    write_registry(root / "config" / "pc_registry.json", {"PC01": "PC01"})
    good_file(root / "PC01" / "1201", 1)
    return root


@pytest.fixture
def instance(pg_instance: dg.DagsterInstance) -> dg.DagsterInstance:
    """On PostgreSQL, as deployed: the sensor's look-ups of runs and its cursor go to Dagster's storage."""
    pg_instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
    return pg_instance


@pytest.fixture
def synced(instance: dg.DagsterInstance, nas_root: Path, gfx_sink: GfxSink) -> GfxSink:
    assert sync(instance, "PC01", nas(nas_root), gfx_sink).success
    return gfx_sink


def _last_write(database_url: str, minutes_ago: int) -> None:
    execute(database_url, f"UPDATE gfx_sessions SET updated_at = now() - interval '{minutes_ago} minutes'")


def _tick(instance: dg.DagsterInstance, sink: GfxSink, url: str, cursor: str | None) -> dg.SensorResult:
    resources = {"sink": sink, "pc_watch": PcWatch(silent_minutes=10), "alert_webhook": AlertWebhook(url=url)}
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        result = gfx_silent_pc_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def _checks(result: dg.SensorResult) -> list[tuple[str | None, bool]]:
    evaluations = [event for event in result.asset_events if isinstance(event, dg.AssetCheckEvaluation)]
    assert all(e.asset_key == gfx_sessions.key and e.check_name == CHECK_NAME for e in evaluations)
    return [(e.partition, e.passed) for e in evaluations]


def test_a_pc_silent_mid_show_fails_its_check_and_alerts_once(
    instance: dg.DagsterInstance, synced: GfxSink, database_url: str
) -> None:
    _last_write(database_url, 12)
    with webhook() as (url, received):
        first = _tick(instance, synced, url, None)
        second = _tick(instance, synced, url, first.cursor)
    assert _checks(first) == [("PC01", False)]
    assert json.loads(first.cursor) == ["PC01"]
    assert len(received) == 1
    assert "PC01" in received[0]["text"] and "12 min" in received[0]["text"]
    assert (_checks(second), second.cursor) == ([], first.cursor)


def test_a_silent_pc_that_writes_again_passes_its_check_without_a_new_alert(
    instance: dg.DagsterInstance, synced: GfxSink, database_url: str
) -> None:
    _last_write(database_url, 12)
    with webhook() as (url, received):
        silent = _tick(instance, synced, url, None)
        _last_write(database_url, 0)
        writing = _tick(instance, synced, url, silent.cursor)
    assert _checks(writing) == [("PC01", True)]
    assert json.loads(writing.cursor) == []
    assert len(received) == 1


@pytest.mark.parametrize("minutes_ago", [3, 90])
def test_a_pc_writing_or_off_between_shows_raises_nothing(
    instance: dg.DagsterInstance, synced: GfxSink, database_url: str, minutes_ago: int
) -> None:
    _last_write(database_url, minutes_ago)
    with webhook() as (url, received):
        result = _tick(instance, synced, url, None)
    assert (_checks(result), json.loads(result.cursor), received) == ([], [], [])


def test_pc_health_shows_a_silent_pc(
    instance: dg.DagsterInstance, synced: GfxSink, nas_root: Path, database_url: str
) -> None:
    _last_write(database_url, 12)
    rows = records(view(instance, pc_health, nas(nas_root), synced)["pcs"])
    assert [(row["pc"], row["status"]) for row in rows] == [("PC01", "silent")]


def test_the_sync_job_leaves_the_writing_check_to_the_sensor() -> None:
    job = defs().resolve_job_def("gfx_sessions_job")
    assert dg.AssetCheckKey(gfx_sessions.key, CHECK_NAME) not in job.asset_layer.asset_graph.asset_check_keys


def test_the_writing_check_executed_after_a_landed_file_passes(
    instance: dg.DagsterInstance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    result = dg.materialize(
        [gfx_sessions, gfx_pc_writing],
        partition_key="PC01",
        instance=instance,
        resources={"nas": nas(nas_root), "sink": gfx_sink, "pc_watch": PcWatch()},
    )
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK_NAME]
    assert evaluation.passed
