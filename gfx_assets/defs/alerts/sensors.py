"""`gfx_run_failure_sensor`: a sync run that failed for good leaves dead letters, an 'error' event and,
if a webhook is configured, a Slack alert."""

import logging
from dataclasses import replace

import dagster as dg

from gfx_assets.defs.gfx_ingest.jobs import gfx_sessions_job
from gfx_assets.lib.common.alerts import (
    FailedRun,
    describe_error,
    post_alert,
    record_failure,
    slack_payload,
    with_retries,
)
from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.registry import RegistryLookupError
from gfx_assets.lib.nas_sync.scan import storable
from gfx_assets.lib.sinks import Sink, SinkError, SinkUnavailable
from gfx_assets.resources import AlertWebhook, GfxSink, NasResource

# The sync jobs whose final failures are dead-lettered and alerted; the WSOP sync jobs join here.
MONITORED_JOBS = [gfx_sessions_job]
SYNC_OP = "gfx_sessions"
PARTITION_TAG = "dagster/partition"
WILL_RETRY_TAG = "dagster/will_retry"


@dg.run_failure_sensor(
    monitored_jobs=MONITORED_JOBS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a GFX sync run has failed for good (no retry left), lists its files in gfx_sync_failures "
        "(dead letters: attempts count up, resolved_at is set once a file lands), writes an 'error' row "
        "to sync_events and, if GFX_ALERT_WEBHOOK_URL is set, posts a Slack alert. Runs that Dagster "
        "will retry are left alone. The failed files stay pending, so gfx_nas_sensor requests them again."
    ),
)
def gfx_run_failure_sensor(
    context: dg.RunFailureSensorContext, sink: GfxSink, nas: NasResource, alert_webhook: AlertWebhook
) -> None:
    run = context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        context.log.info(f"run {run.run_id} failed but will be retried: nothing recorded yet")
        return
    error = describe_error(_failure_messages(context), secrets=[alert_webhook.url])
    paths = tuple(storable(path) for path in _files(run) or ())
    failed = FailedRun(run.job_name, run.run_id, run.tags.get(PARTITION_TAG), error, paths)
    failed, recorded = _record(context, sink, nas, failed)
    if alert_webhook.url:
        post_alert(
            alert_webhook.url, slack_payload(failed, recorded), context.log, alert_webhook.timeout_seconds
        )


def _failure_messages(context: dg.RunFailureSensorContext) -> list[str]:
    """Each failed step's error (a dg.Failure's own description when it has one), else the run's."""
    messages = []
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        user = data.user_failure_data
        text = user.description if user and user.description else data.error and data.error.message
        messages.append(f"{event.step_key}: {(text or 'failed').strip()}")
    return messages or [context.failure_event.message or "run failed"]


def _sync_config(run: dg.DagsterRun) -> dict:
    return ((run.run_config or {}).get("ops") or {}).get(SYNC_OP, {}).get("config") or {}


def _files(run: dg.DagsterRun) -> list[str] | None:
    """The files the run config named; None for a rescan run (or a job without a file list)."""
    return _sync_config(run).get("files")


def _record(
    context: dg.RunFailureSensorContext, sink: GfxSink, nas: NasResource, failed: FailedRun
) -> tuple[FailedRun, bool]:
    """Write the failure, retrying while the sink is unavailable; give up with a logged error."""
    try:
        with sink.open() as target:
            if _files(context.dagster_run) is None and failed.pc_id is not None:
                paths = with_retries(lambda: _pending(context, nas, target, failed.pc_id), context.log)
                failed = replace(failed, nas_paths=tuple(paths))
            with_retries(lambda: record_failure(target, failed, utcnow()), context.log)
    except (SinkError, SinkUnavailable) as error:
        reason = describe_error([str(error)])
        context.log.error(f"could not record the failure of run {failed.run_id} ({failed.pc_id}): {reason}")
        return failed, False
    context.log.info(f"recorded the failure of run {failed.run_id}: {len(failed.nas_paths)} dead letter(s)")
    return failed, True


def _pending(context: dg.RunFailureSensorContext, nas: NasResource, target: Sink, pc_id: str) -> list[str]:
    """A rescan run's files: the PC's settled files the manifest does not hold as synced."""
    watch_path = _sync_config(context.dagster_run).get("watch_path") or _watch_path(context.log, nas, pc_id)
    if watch_path is None:
        return []
    todo = manifest.pending(nas.settled_files(watch_path), manifest.synced_keys(target, pc_id))
    return [file.stored_path for file in todo]


def _watch_path(log: logging.Logger, nas: NasResource, pc_id: str) -> str | None:
    try:
        return nas.watch_path(pc_id)
    except RegistryLookupError as error:
        log.warning(f"{error}; the rescan run's files are not dead-lettered")
        return None
