"""Declarative automation of the hand assets: a PC's gfx_sessions materialization requests that PC's hand
tables and snapshot ledger (eager, on the dynamic PC partitions), nothing is requested for other PCs, and
a run that already materialized them with gfx_sessions (the sensor's or `gfx-assets sync`'s job) leaves
nothing to request."""

import dagster as dg

from gfx_assets.definitions import defs
from gfx_assets.defs.gfx_hands.assets import gfx_hand_tables, gfx_session_snapshots
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.resources import NasResource, SnapshotRetention
from gfx_assets_tests.support import postgres_sink

DEFS = defs()  # the code location as deployed, resources included
# The assets alone evaluate faster than the whole code location; their resources are never used here.
HAND_DEFS = dg.Definitions(
    assets=[gfx_sessions, gfx_hand_tables, gfx_session_snapshots],
    resources={
        "nas": NasResource(root="."),
        "sink": postgres_sink("postgresql://unused"),
        "snapshot_retention": SnapshotRetention(),
    },
)
HAND_TABLES = {"gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players"}


def _requested(result: dg.AutomationResult) -> set[tuple[str, str]]:
    return {
        (key.to_user_string(), partition)
        for key, subset in ((r.key, r.true_subset) for r in result.results)
        for partition in (subset.get_internal_subset_value().get_partition_keys() if subset.size else [])
    }


def _materialized(instance: dg.DagsterInstance, *keys: str, pc: str) -> None:
    for key in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=pc))


def test_a_pc_sync_requests_that_pcs_hand_tables_then_its_ledger() -> None:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01", "PC02"])
        first = dg.evaluate_automation_conditions(defs=HAND_DEFS, instance=instance)
        _materialized(instance, "gfx_sessions", pc="PC01")
        second = dg.evaluate_automation_conditions(defs=HAND_DEFS, instance=instance, cursor=first.cursor)
        assert _requested(second) >= {(key, "PC01") for key in HAND_TABLES}
        assert not any(pc == "PC02" for _, pc in _requested(second))
        _materialized(instance, *HAND_TABLES, pc="PC01")
        third = dg.evaluate_automation_conditions(defs=HAND_DEFS, instance=instance, cursor=second.cursor)
        assert ("gfx_session_snapshots", "PC01") in _requested(second) | _requested(third)


def test_nothing_is_requested_after_one_run_materialized_them_together() -> None:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
        first = dg.evaluate_automation_conditions(defs=HAND_DEFS, instance=instance)
        _materialized(instance, "gfx_sessions", *HAND_TABLES, "gfx_session_snapshots", pc="PC01")
        second = dg.evaluate_automation_conditions(defs=HAND_DEFS, instance=instance, cursor=first.cursor)
        assert _requested(second) == set()


def test_the_sync_job_holds_the_hand_assets_and_takes_the_sensors_config() -> None:
    resolved = DEFS.resolve_job_def(GFX_SYNC_JOB_NAME)
    keys = {key.to_user_string() for key in resolved.asset_layer.executable_asset_keys}
    assert keys == {"gfx_sessions", "gfx_session_snapshots", *HAND_TABLES}
    config = {"ops": {"gfx_sessions": {"config": {"files": ["PC01/a.json"], "watch_path": "PC01"}}}}
    assert dg.validate_run_config(resolved, config)


def test_the_hand_automation_runs_by_default_over_the_hand_assets() -> None:
    sensor = DEFS.resolve_sensor_def("gfx_hands_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    targeted = sensor.asset_selection.resolve(DEFS.resolve_asset_graph())
    assert {key.to_user_string() for key in targeted} == {"gfx_session_snapshots", *HAND_TABLES}
