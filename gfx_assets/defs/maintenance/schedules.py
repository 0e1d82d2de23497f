"""`run_retention_schedule`: every hour, Dagster's run history older than its window is deleted."""

import dagster as dg

from gfx_assets.defs.maintenance.assets import dagster_run_history

run_retention_job = dg.define_asset_job(
    "run_retention_job",
    selection=[dagster_run_history],
    description="Delete Dagster runs older than GFX_RUN_RETENTION_DAYS (open dead letters kept).",
)

run_retention_schedule = dg.ScheduleDefinition(
    name="run_retention_schedule",
    job=run_retention_job,
    cron_schedule="23 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hourly: keeps Dagster's run history within GFX_RUN_RETENTION_DAYS.",
)
