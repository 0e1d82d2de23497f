"""`wsop_sync_schedule` (GFX_WSOP_CRON in GFX_WSOP_TIMEZONE) and the hourly reconciliation.

WSOP+ is an optional leg: with GFX_WSOP_SOURCE_URL unset, both schedules skip every tick with a reason the
UI shows (Automation -> the schedule -> its ticks), so a deployment without WSOP+ has no failed run, no
dead letter and no alert for it. Setting the variable turns the leg on at the next tick.
"""

import dagster as dg

from gfx_assets.defs.wsop_sync.jobs import wsop_reconciliation_job, wsop_sync_job
from gfx_assets.resources import WsopSource
from gfx_assets.settings import get_settings

_settings = get_settings()
NO_SOURCE = (
    "WSOP+ is not configured: GFX_WSOP_SOURCE_URL is unset, so there is nothing to copy. Set it to the "
    "WSOP+ PostgreSQL (a read-only role is enough) to turn the WSOP sync on."
)


@dg.schedule(
    name="wsop_sync_schedule",
    job=wsop_sync_job,
    cron_schedule=_settings.wsop_cron,
    execution_timezone=_settings.wsop_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Copies what changed in the WSOP+ source into wsop_events, wsop_players, wsop_event_players and "
        "wsop_chip_counts (GFX_WSOP_CRON, default every 15 minutes, in GFX_WSOP_TIMEZONE); skips while "
        "GFX_WSOP_SOURCE_URL is unset."
    ),
)
def wsop_sync_schedule(wsop_source: WsopSource) -> dg.RunRequest | dg.SkipReason:
    return dg.RunRequest() if wsop_source.url else dg.SkipReason(NO_SOURCE)


@dg.schedule(
    name="wsop_reconciliation_schedule",
    job=wsop_reconciliation_job,
    cron_schedule="0 * * * *",
    execution_timezone=_settings.wsop_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Hourly: the reconciliation checks of the four WSOP tables (deletes, in-place changes); skips while "
        "GFX_WSOP_SOURCE_URL is unset."
    ),
)
def wsop_reconciliation_schedule(wsop_source: WsopSource) -> dg.RunRequest | dg.SkipReason:
    return dg.RunRequest() if wsop_source.url else dg.SkipReason(NO_SOURCE)
