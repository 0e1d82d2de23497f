"""The code location: assembles the domains' Dagster objects with resources built from settings."""

import dagster as dg

from gfx_assets import resources
from gfx_assets.defs.alerts.sensors import gfx_run_failure_sensor
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.checks import gfx_sessions_reconciliation
from gfx_assets.defs.gfx_ingest.jobs import gfx_sessions_job
from gfx_assets.defs.gfx_ingest.schedules import gfx_reconciliation_schedule
from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor
from gfx_assets.settings import get_settings

defs = dg.Definitions(
    assets=[gfx_sessions],
    asset_checks=[gfx_sessions_reconciliation],
    jobs=[gfx_sessions_job],
    schedules=[gfx_reconciliation_schedule],
    sensors=[gfx_nas_sensor, gfx_run_failure_sensor],
    resources=resources.build(get_settings()),
    executor=dg.in_process_executor,
)
