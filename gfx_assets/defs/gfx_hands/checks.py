"""Checks of the hand tables and of compaction, per PC partition."""

from collections.abc import Callable

import dagster as dg

from gfx_assets.defs.gfx_hands.assets import gfx_session_snapshots
from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.lib.nas_sync import audits
from gfx_assets.lib.sinks import Sink
from gfx_assets.resources import GfxSink

MAX_LISTED = 20


def _result(problems: list[str], what: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(problems)} session(s) or snapshot(s) {what}" if problems else "ok",
        metadata={"problems": len(problems), "examples": dg.MetadataValue.json(problems[:MAX_LISTED])},
    )


def _audit(
    context: dg.AssetCheckExecutionContext, sink: GfxSink, audit: Callable[[Sink, str], list[str]]
) -> list[str]:
    with sink.open() as target:
        return audit(target, context.op_execution_context.partition_key)


@dg.asset_check(
    asset="gfx_hands",
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description="Every session of the PC has as many rows in gfx_hands as its latest snapshot has hands.",
)
def gfx_hands_match_latest_snapshot(
    context: dg.AssetCheckExecutionContext, sink: GfxSink
) -> dg.AssetCheckResult:
    def audit(target: Sink, pc_id: str) -> list[str]:
        return audits.hand_count_mismatches(target, pc_id, audits.hand_positions(target, pc_id))

    return _result(_audit(context, sink, audit), "with a hand count different from the latest snapshot")


@dg.asset_check(
    asset="gfx_hands",
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description="No gap in hand positions: each session's hand_index values are exactly 1..n.",
)
def gfx_hands_no_gaps(context: dg.AssetCheckExecutionContext, sink: GfxSink) -> dg.AssetCheckResult:
    problems = _audit(
        context, sink, lambda target, pc_id: audits.hand_position_gaps(audits.hand_positions(target, pc_id))
    )
    return _result(problems, "with missing hand positions")


@dg.asset_check(
    asset=gfx_session_snapshots,
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description=(
        "Compaction never removed a snapshot that is not a verified prefix: every snapshot without raw JSON "
        "has a verified ledger verdict, and its digest equals that of its successor's first hands."
    ),
)
def gfx_compaction_only_prefixes(
    context: dg.AssetCheckExecutionContext, sink: GfxSink
) -> dg.AssetCheckResult:
    return _result(_audit(context, sink, audits.compaction_violations), "compacted without a verified prefix")
