"""A GFX PC that stops writing mid-show is noticed: `gfx_pc_writing` fails on its partition and one
alert goes out; both clear when it writes again. See `lib/operations/silence` for what silent means.

A silent PC starts no sync runs, so the sensor, not a run, reports the check's result when the state
changes (within 30 s); the sync job leaves the check out, so each sensor-started run writes no extra
step to Dagster's storage. Executing the check from the UI evaluates it at once.
"""

import json
from datetime import UTC, datetime

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.jobs import PC_WRITING_CHECK
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME, gfx_pc_partitions
from gfx_assets.lib.common.alerts import post_alert
from gfx_assets.lib.operations.silence import Silence, alert_text, read_silent_pcs
from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.resources import AlertWebhook, GfxSink, PcWatch
from gfx_assets.resources.sinks import SENSOR_REQUEST_DEADLINE_SECONDS

CHECK_NAME = PC_WRITING_CHECK.name
CHECK_DESCRIPTION = (
    "Fails while the PC is silent: it wrote a file within the last hour, then none for "
    "GFX_PC_SILENT_MINUTES (PokerGFX rewrites its file after every hand, so a PC mid-show that writes "
    "nothing has stopped). Passes again once a file of the PC lands; a PC off between shows passes."
)


@dg.asset_check(
    asset=gfx_sessions, name=CHECK_NAME, partitions_def=gfx_pc_partitions, description=CHECK_DESCRIPTION
)
def gfx_pc_writing(
    context: dg.AssetCheckExecutionContext, sink: GfxSink, pc_watch: PcWatch
) -> dg.AssetCheckResult:
    pc_id = context.op_execution_context.partition_key
    now = datetime.now(UTC)
    with sink.open() as target:
        silent = read_silent_pcs(target, now, pc_watch.silent_after, pc_id).get(pc_id)
    return _result(silent, now, pc_id)


@dg.sensor(
    # 30 s: a write lands ~7 s after it is written (BENCHMARKS.md, soak), so the alert comes within
    # GFX_PC_SILENT_MINUTES + 1 minute of the last write even when the tick just missed it
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 30 s, reads pc_status: a PC that has just gone silent (no file for GFX_PC_SILENT_MINUTES "
        "after writing within the last hour) fails its gfx_pc_writing check and sends one alert to "
        "GFX_ALERT_WEBHOOK_URL; one writing again passes it. The cursor lists the silent PCs."
    ),
)
def gfx_silent_pc_sensor(
    context: dg.SensorEvaluationContext, sink: GfxSink, pc_watch: PcWatch, alert_webhook: AlertWebhook
) -> dg.SensorResult | dg.SkipReason:
    before = set(json.loads(context.cursor or "[]"))
    now = datetime.now(UTC)
    try:
        with sink.open(SENSOR_REQUEST_DEADLINE_SECONDS) as target:
            silent = read_silent_pcs(target, now, pc_watch.silent_after)
    except (SinkError, SinkUnavailable) as error:
        return dg.SkipReason(f"pc_status could not be read: {type(error).__name__}")
    partitions = set(context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME))
    started = [silent[pc] for pc in sorted(set(silent) - before)]
    for silence in started:
        context.log.warning(silence.describe(now))
        if alert_webhook.url:
            post_alert(
                alert_webhook.url, alert_text(silence, now), context.log, alert_webhook.timeout_seconds
            )
    changed = [(pc, silent.get(pc)) for pc in sorted(set(silent) ^ before) if pc in partitions]
    return dg.SensorResult(
        asset_events=[_evaluation(pc, state, now) for pc, state in changed], cursor=json.dumps(sorted(silent))
    )


def _result(silent: Silence | None, now: datetime, pc_id: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=silent is None, description=silent.describe(now) if silent else f"{pc_id}: writing or off"
    )


def _evaluation(pc_id: str, silent: Silence | None, now: datetime) -> dg.AssetCheckEvaluation:
    result = _result(silent, now, pc_id)
    return dg.AssetCheckEvaluation(
        asset_key=gfx_sessions.key,
        check_name=CHECK_NAME,
        passed=result.passed,
        partition=pc_id,
        description=result.description,
    )
