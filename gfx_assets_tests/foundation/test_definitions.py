"""The code location: Definitions load from the defs folder with their jobs, sensors and resources."""

import dagster as dg

from gfx_assets.definitions import defs


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
