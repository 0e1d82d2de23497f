"""`maintenance/dagster_run_history`: Dagster's run history stays bounded over a season.

Each sensor-started sync is a run with its event log in Dagster's storage, thousands a day with ten PCs.
Runs finished longer than GFX_RUN_RETENTION_DAYS ago are deleted with their event logs by Dagster's own
`DagsterInstance.delete_run` (Dagster's instance retention settings cover sensor and schedule ticks only,
see dagster.yaml). Never deleted: runs in flight (only finished statuses are listed) and runs whose
failure is still an open dead letter in gfx_sync_failures, whose log an operator may still need.

`delete_run` leaves the runs' asset check executions behind (Dagster 1.13: about 2 KB per check per run,
BENCHMARKS.md), and Dagster has no public call that deletes them per run, so they are deleted here by run
id in Dagster's own `asset_check_executions` table, through the storage's connection: without it the
table would grow for the whole season. Automation evaluations and sensor ticks have retentions of their
own (Dagster's evaluation TTL, dagster.yaml `retention`).
"""

import dagster as dg
import sqlalchemy

from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.tables import SYNC_FAILURES
from gfx_assets.resources import GfxSink, RunRetention

FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
PAGE = 200


@dg.asset(
    key_prefix="maintenance",
    group_name="maintenance",
    kinds={"dagster"},
    description=(
        "Dagster's own run history, bounded: each materialization deletes the runs (and their event logs) "
        "that finished more than GFX_RUN_RETENTION_DAYS ago, except those whose failure is still an open "
        "dead letter. Runs hourly (run_retention_schedule); its metadata shows what it purged."
    ),
)
def dagster_run_history(
    context: dg.AssetExecutionContext, sink: GfxSink, run_retention: RunRetention
) -> dg.MaterializeResult:
    cutoff = utcnow() - run_retention.window
    with sink.open() as target:
        open_failures = target.select(SYNC_FAILURES, ["run_id"], {"resolved_at": None})
    protected = {row["run_id"] for row in open_failures}
    purged, kept = _purge(
        context.instance, dg.RunsFilter(statuses=FINISHED, updated_before=cutoff), protected
    )
    if purged:
        context.log.info(f"deleted {purged} run(s) finished before {cutoff:%Y-%m-%d %H:%M} UTC")
    return dg.MaterializeResult(
        metadata={
            "runs_purged": dg.MetadataValue.int(purged),
            "runs_kept_for_open_dead_letters": dg.MetadataValue.int(kept),
            "retention_days": dg.MetadataValue.float(run_retention.days),
            "purged_before": dg.MetadataValue.timestamp(cutoff),
        }
    )


def _purge(instance: dg.DagsterInstance, old: dg.RunsFilter, protected: set[str]) -> tuple[int, int]:
    """Delete the old runs page by page, oldest first; a kept run stays in the list, so the next page
    starts after the last one kept."""
    purged, kept, after = 0, 0, None
    while records := instance.get_run_records(old, limit=PAGE, cursor=after, ascending=True):
        deleted = []
        for record in records:
            run_id = record.dagster_run.run_id
            if run_id in protected:
                kept, after = kept + 1, run_id
            else:
                instance.delete_run(run_id)
                deleted.append(run_id)
        _delete_check_executions(instance, deleted)
        purged += len(deleted)
        if len(records) < PAGE:
            break
    return purged, kept


def _delete_check_executions(instance: dg.DagsterInstance, run_ids: list[str]) -> None:
    storage = instance.event_log_storage
    if not run_ids or not hasattr(storage, "index_connection"):
        return
    with storage.index_connection() as conn:
        conn.execute(
            sqlalchemy.text("DELETE FROM asset_check_executions WHERE run_id = ANY(:run_ids)"),
            {"run_ids": run_ids},
        )
