"""`gfx_reconciliation_schedule`: the reconciliation check for every PC, hourly."""

import dagster as dg

from gfx_assets.defs.gfx_ingest.checks import gfx_sessions_reconciliation
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME

gfx_reconciliation_job = dg.define_asset_job(
    "gfx_reconciliation_job",
    selection=dg.AssetSelection.checks(gfx_sessions_reconciliation),
    description="Check that every settled NAS file of a PC is stored or rejected.",
)


@dg.schedule(
    job=gfx_reconciliation_job,
    cron_schedule="0 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hourly: reconcile every PC folder with the database (one run per PC).",
)
def gfx_reconciliation_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    pcs = context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME)
    stamp = context.scheduled_execution_time.isoformat()
    return [dg.RunRequest(run_key=f"{pc}:{stamp}", partition_key=pc) for pc in pcs]
