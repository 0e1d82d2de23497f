"""`wsop_sync_schedule` (GFX_WSOP_CRON in GFX_WSOP_TIMEZONE) and the hourly reconciliation."""

import dagster as dg

from gfx_assets.defs.wsop_sync.jobs import wsop_reconciliation_job, wsop_sync_job
from gfx_assets.settings import get_settings

_settings = get_settings()

wsop_sync_schedule = dg.ScheduleDefinition(
    name="wsop_sync_schedule",
    job=wsop_sync_job,
    cron_schedule=_settings.wsop_cron,
    execution_timezone=_settings.wsop_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Copies what changed in the WSOP+ source into wsop_events, wsop_players, wsop_event_players and "
        "wsop_chip_counts (GFX_WSOP_CRON, default every 15 minutes, in GFX_WSOP_TIMEZONE)."
    ),
)

wsop_reconciliation_schedule = dg.ScheduleDefinition(
    name="wsop_reconciliation_schedule",
    job=wsop_reconciliation_job,
    cron_schedule="0 * * * *",
    execution_timezone=_settings.wsop_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hourly: the reconciliation checks of the four WSOP tables (deletes, in-place changes).",
)
