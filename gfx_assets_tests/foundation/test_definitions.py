"""The code location: Definitions load with their jobs, sensors and resources."""

import dagster as dg

from gfx_assets.definitions import defs


def test_definitions_load_and_validate() -> None:
    dg.Definitions.validate_loadable(defs)


def test_the_nas_sensor_starts_running_by_default() -> None:
    sensor = defs.resolve_sensor_def("gfx_nas_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
