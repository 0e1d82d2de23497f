"""`gfx_reconciliation_schedule`: an hourly sweep of every PC, rescan then reconciliation check."""

import dagster as dg

from gfx_assets.defs.gfx_ingest.jobs import gfx_sessions_job
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME


@dg.schedule(
    job=gfx_sessions_job,
    cron_schedule="0 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Hourly, one run per PC: rescans the PC folder (syncing anything the sensor missed) and runs "
        "the reconciliation check, which fails if any settled file is neither stored nor rejected."
    ),
)
def gfx_reconciliation_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    # A job of the check alone cannot run per partition (Dagster infers a job's partitions from
    # its assets), so the sweep goes through the sync job; a rescan of a synced folder reads nothing.
    pcs = context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME)
    stamp = context.scheduled_execution_time.isoformat()
    return [
        dg.RunRequest(
            run_key=f"{pc}:{stamp}", partition_key=pc, tags={"gfx/trigger": "hourly_reconciliation"}
        )
        for pc in pcs
    ]
