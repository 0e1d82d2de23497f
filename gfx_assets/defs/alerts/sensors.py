"""The one failure path of every run that writes data (sensor, UI, backfill, schedule; GFX and WSOP):
dead letters and an 'error' event in the target, and a Slack alert sent at once.

`gfx_run_failure_sensor` reacts to each failed run as it happens. Dagster advances a run-status
sensor's cursor even when its function fails, so a failure it could not write (the target is down) is
written later by `gfx_failure_catchup_sensor`, from the failed runs Dagster keeps in its own storage.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import dagster as dg

from gfx_assets.defs.alerts.notify import alert
from gfx_assets.defs.alerts.runs import (
    failed_runs,
    gfx_pending_files,
    is_final_failure,
    planned_assets,
    sources_of,
)
from gfx_assets.lib.common.alerts import FailedRun, record_failure
from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.common.tables import SYNC_EVENTS
from gfx_assets.lib.nas_sync import dead_letters
from gfx_assets.lib.sinks import Sink, SinkError, SinkUnavailable
from gfx_assets.resources import AlertWebhook, GfxSink, NasResource
from gfx_assets.resources.sinks import SENSOR_REQUEST_DEADLINE_SECONDS

CATCHUP_WINDOW = timedelta(hours=24)


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=5,
    description=(
        "When a run that writes data (gfx_sessions or a WSOP table, launched by a sensor, the UI, a "
        "backfill or a schedule) has failed for good, lists what did not land in gfx_sync_failures "
        "(dead letters, resolved as soon as the item lands), writes an 'error' row to sync_events and, "
        "if GFX_ALERT_WEBHOOK_URL is set, posts a Slack alert (the same error at most once an hour). "
        "Runs that Dagster will retry are left alone."
    ),
)
def gfx_run_failure_sensor(
    context: dg.RunFailureSensorContext, sink: GfxSink, nas: NasResource, alert_webhook: AlertWebhook
) -> None:
    run = context.dagster_run
    if not is_final_failure(run):
        context.log.info(f"run {run.run_id} failed but will be retried: nothing recorded yet")
        return
    for failed in failed_runs(context.instance, run, secrets=[alert_webhook.url]):
        failed, recorded = _record(context.log, sink, nas, failed, run)
        alert(context.instance, sink, alert_webhook, failed, recorded, context.log)


@dg.sensor(
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 30 s: writes the dead letters and 'error' events of failed runs of the last 24 hours that "
        "the target database could not take when they failed (it was down). Dagster's run storage keeps "
        "them meanwhile; items that landed in between get no dead letter."
    ),
)
def gfx_failure_catchup_sensor(
    context: dg.SensorEvaluationContext, sink: GfxSink, nas: NasResource
) -> dg.SkipReason:
    since = datetime.now(UTC) - CATCHUP_WINDOW
    records = context.instance.get_run_records(
        dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], updated_after=since)
    )
    runs = {record.dagster_run.run_id: record.dagster_run for record in records}
    sources = {
        run_id: set(sources_of(planned_assets(context.instance, run)))
        for run_id, run in runs.items()
        if is_final_failure(run)
    }
    waiting = sum(len(names) for names in sources.values())
    if not waiting:
        return dg.SkipReason("no failed data runs in the last 24 hours")
    try:
        with sink.open(SENSOR_REQUEST_DEADLINE_SECONDS) as target:
            recorded = _recorded(target, [run_id for run_id, names in sources.items() if names])
    except (SinkError, SinkUnavailable) as error:
        return dg.SkipReason(f"target unreachable, {waiting} failures wait: {redact(str(error))}")
    # the error texts are read from the event log only for the failures still to write
    missing = [
        failed
        for run_id, names in sources.items()
        if names - recorded.get(run_id, set())
        for failed in failed_runs(context.instance, runs[run_id], secrets=[])
        if failed.source not in recorded.get(run_id, set())
    ]
    for failed in missing:
        _record(context.log, sink, nas, failed, runs[failed.run_id])
    return dg.SkipReason(f"{len(missing)} failures written now, {waiting - len(missing)} already were")


def _recorded(target: Sink, run_ids: list[str]) -> dict[str, set[str]]:
    """The sources whose 'error' event each run already has in the target."""
    rows = target.select(SYNC_EVENTS, ["run_id", "source"], {"run_id": run_ids, "event_type": "error"})
    recorded: dict[str, set[str]] = {}
    for row in rows:
        recorded.setdefault(row["run_id"], set()).add(row["source"])
    return recorded


def _record(
    log: dg.DagsterLogManager, sink: GfxSink, nas: NasResource, failed: FailedRun, run: dg.DagsterRun
) -> tuple[FailedRun, bool]:
    """Write the failure; False when the target cannot take it now (the catch-up sensor will)."""
    try:
        with sink.open(SENSOR_REQUEST_DEADLINE_SECONDS) as target:
            if failed.source == "gfx" and failed.pc_id:
                failed = replace(failed, nas_paths=tuple(gfx_pending_files(run, nas, target, failed.pc_id)))
            record_failure(target, failed, utcnow())
            if failed.source == "gfx" and failed.pc_id:
                # a redrive may land a file between the look-up above and the write: resolve it now
                dead_letters.resolve_landed(target, nas.path, failed.pc_id)
    except (SinkError, SinkUnavailable) as error:
        log.error(f"could not record the failure of run {failed.run_id} now: {redact(str(error))}")
        return failed, False
    log.info(f"recorded the failure of run {failed.run_id}: {len(failed.nas_paths)} dead letter(s)")
    return failed, True
