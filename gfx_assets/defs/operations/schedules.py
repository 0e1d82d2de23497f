"""`operations_refresh_schedule`: keeps the operator views at most two minutes old."""

import dagster as dg

from gfx_assets.defs.operations.jobs import operations_refresh_job

operations_refresh_schedule = dg.ScheduleDefinition(
    name="operations_refresh_schedule",
    job=operations_refresh_job,
    cron_schedule="*/2 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 2 minutes: re-reads PC health, open rejections, dead letters and the WSOP dashboard.",
)
