"""The code location: Definitions load from the defs folder with their jobs, sensors and resources; the
operator views are refreshed by a schedule running by default; the sensor's sync job evaluates the PC
checks."""

import dagster as dg

from gfx_assets.definitions import defs

OPERATOR_VIEWS = {
    dg.AssetKey(["operations", name])
    for name in ("pc_health", "open_rejections", "open_dead_letters", "wsop_sync_dashboard")
}


def test_definitions_load_and_validate() -> None:
    dg.Definitions.validate_loadable(defs())


def test_the_defs_folder_provides_the_sync_job_sensors_and_resources() -> None:
    loaded = defs()
    assert loaded.resolve_job_def("gfx_sessions_job")
    assert {"gfx_nas_sensor", "gfx_run_failure_sensor"} <= {sensor.name for sensor in loaded.sensors}
    assert {"sink", "nas", "database", "alert_webhook"} <= set(loaded.resources)


def test_the_nas_sensor_starts_running_by_default() -> None:
    sensor = defs().resolve_sensor_def("gfx_nas_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_the_operations_refresh_schedule_targets_the_operator_views_and_runs_by_default() -> None:
    loaded = defs()
    schedule = loaded.resolve_schedule_def("operations_refresh_schedule")
    job = loaded.resolve_job_def(schedule.job_name)
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert job.asset_layer.executable_asset_keys == OPERATOR_VIEWS


def test_the_nas_sensors_sync_job_evaluates_the_pc_checks() -> None:
    loaded = defs()
    job = loaded.resolve_job_def(loaded.resolve_sensor_def("gfx_nas_sensor").job_name)
    checks = {key.name for key in job.asset_layer.asset_graph.asset_check_keys}
    assert job.name == "gfx_sessions_job"
    assert {"gfx_pc_open_problems", "gfx_sessions_reconciliation"} <= checks
