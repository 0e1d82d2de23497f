"""When a failure is worth a Slack message, and sending it.

An error that repeats (a refused key fails every run of every PC and every WSOP table) is alerted
once an hour, not once per run: the last time each error was alerted is kept in Dagster's own
key-value storage, which works while the target database is down. A WSOP table alerts when it turns
ERROR (first failure) or CRITICAL (past CRITICAL_AFTER consecutive failures), as `v_sync_dashboard`
shows it.
"""

import hashlib
import re
import time

import dagster as dg

from gfx_assets.lib.common.alerts import FailedRun, post_alert, slack_payload
from gfx_assets.lib.common.tables import SYNC_STATUS
from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.resources import AlertWebhook, GfxSink
from gfx_assets.resources.sinks import SENSOR_REQUEST_DEADLINE_SECONDS

ALERT_REPEAT_SECONDS = 3600
CRITICAL_AFTER = 5  # v_sync_dashboard: CRITICAL when consecutive_failures > 5
_VOLATILE = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+")  # run ids, counts and times differ per run
_NAMED = re.compile(r"^(?:[\w ,]+: )+")  # "wsop_events: ", "gfx_sessions: sink error, not retried: "


def alert(
    instance: dg.DagsterInstance,
    sink: GfxSink,
    webhook: AlertWebhook,
    failed: FailedRun,
    recorded: bool,
    log: dg.DagsterLogManager,
) -> None:
    if not webhook.url:
        return
    if failed.source == "wsop" and not _wsop_state_changed(sink, failed):
        log.info(f"run {failed.run_id}: WSOP tables already in alert; no new alert")
        return
    if not _first_in_an_hour(instance, failed):
        log.info(f"run {failed.run_id}: the same error was alerted in the last hour; no new alert")
        return
    post_alert(webhook.url, slack_payload(failed, recorded), log, webhook.timeout_seconds)


def error_signature(error: str) -> str:
    """What makes two failures the same error: their distinct causes, without the step or table names
    that prefix them and without run ids, counts and times. A refused key that fails the GFX sync of
    every PC and every WSOP table is one error."""
    causes = {_VOLATILE.sub("#", _NAMED.sub("", line.strip())) for line in error.splitlines() if line.strip()}
    return "\n".join(sorted(causes))


def _first_in_an_hour(instance: dg.DagsterInstance, failed: FailedRun) -> bool:
    signature = error_signature(failed.error)
    key = "gfx_assets/alerted/" + hashlib.sha256(signature.encode()).hexdigest()[:24]
    last = instance.run_storage.get_cursor_values({key}).get(key)
    now = time.time()
    if last is not None and now - float(last) < ALERT_REPEAT_SECONDS:
        return False
    instance.run_storage.set_cursor_values({key: str(now)})
    return True


def _wsop_state_changed(sink: GfxSink, failed: FailedRun) -> bool:
    """True when a failed table has just turned ERROR or CRITICAL (or its state cannot be read)."""
    try:
        with sink.open(SENSOR_REQUEST_DEADLINE_SECONDS) as target:
            filters = {"source": "wsop", "entity_type": list(failed.nas_paths)}
            rows = target.select(SYNC_STATUS, ["consecutive_failures"], filters)
    except (SinkError, SinkUnavailable):
        return True
    return not rows or any(row["consecutive_failures"] in (1, CRITICAL_AFTER + 1) for row in rows)
