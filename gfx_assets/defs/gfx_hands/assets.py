"""Downstream of `gfx_sessions`, per PC partition: the hand tables and the snapshot ledger (compaction).

Both materialize on their own when a PC's sessions change (declarative automation, `eager`), and in the
same run as `gfx_sessions` when the NAS sensor or `gfx-assets sync` launches `gfx_sessions_job`.
"""

from collections import Counter
from typing import Any

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.defs.gfx_ingest.retries import gfx_retry_policy, sink_errors_as_retries
from gfx_assets.lib.nas_sync.compaction import compact_pc
from gfx_assets.lib.nas_sync.hand_loading import MAX_EXAMPLES, HandLoad, load_pc_hands, pc_row_counts
from gfx_assets.lib.nas_sync.snapshots import LEDGER
from gfx_assets.resources import GfxSink, SnapshotRetention

GROUP = "gfx_hands"
HAND_TABLES = {
    "gfx_hands": "One row per hand of each session's latest snapshot, keyed by PC, session and position.",
    "gfx_hand_players": "One row per seat of each hand: cards, stacks, winnings and the player's stats.",
    "gfx_events": "The ordered actions of each hand (FOLD, CALL, BET, ALL_IN, BOARD_CARD, ...).",
    "gfx_players": "One row per player identity (player_hash), with hands and sessions played.",
}


def _spec(name: str, description: str, deps: list) -> dg.AssetSpec:
    return dg.AssetSpec(
        name,
        deps=deps,
        description=description,
        group_name=GROUP,
        kinds={"postgres"},
        partitions_def=gfx_pc_partitions,
        automation_condition=dg.AutomationCondition.eager(),
    )


@dg.multi_asset(
    specs=[_spec(name, text, [gfx_sessions]) for name, text in HAND_TABLES.items()],
    partitions_def=gfx_pc_partitions,
    retry_policy=gfx_retry_policy,
    name="gfx_hand_tables",
)
def gfx_hand_tables(context: dg.AssetExecutionContext, sink: GfxSink):
    """Loads, for every session of the PC whose latest snapshot changed, its new hands (and a last hand
    that was still in progress) into the four tables. Export entries or rows not stored (`refused`) and
    values stored as NULL (`unmapped`) are counted in metadata and logged; `dagster/row_count` is the
    PC's rows in each table (gfx_players: the whole table). A big backlog (a first sync, a re-sync) is
    loaded by GFX_HAND_LOAD_PROCESSES processes at once, the run's own and `worker_processes` more
    (0: the run's process alone)."""
    pc_id = context.partition_key
    with sink_errors_as_retries(context, sink), sink.open() as target:
        load = load_pc_hands(target, pc_id, processes=sink.hand_load_processes)
        rows = pc_row_counts(target, pc_id)
    workers = load.worker_processes
    shared = f" by this process and {workers} worker process(es)" if workers else ""
    context.log.info(f"{load.sessions} session(s) loaded{shared}: {load.hands} hands, {load.events} events")
    _log_findings(context, load)
    refused = {
        "refused_rows": len(load.refused),
        "refused": dg.MetadataValue.json(load.refused[:MAX_EXAMPLES]),
    }
    counts = {
        "gfx_hands": {"hands_upserted": load.hands, "hands_deleted": load.deleted_hands},
        "gfx_hand_players": {"seats_upserted": load.hand_players},
        "gfx_events": {"events_upserted": load.events},
        "gfx_players": {"players_recounted": load.players},
    }
    for name, metadata in counts.items():
        table = {**_unmapped(load.unmapped, name), "dagster/row_count": dg.MetadataValue.int(rows[name])}
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "sessions_loaded": load.sessions,
                "worker_processes": load.worker_processes,
                **metadata,
                **refused,
                **table,
            },
        )


def _unmapped(found: Counter[str], table: str) -> dict[str, Any]:
    """The table's values stored as NULL, by finding (`event_type=SHOWDOWN`: 3)."""
    mine = Counter({key.split(".", 1)[1]: n for key, n in found.items() if key.startswith(f"{table}.")})
    return {
        "unmapped_values": sum(mine.values()),
        "unmapped": dg.MetadataValue.json(dict(mine.most_common(MAX_EXAMPLES))),
    }


def _log_findings(context: dg.AssetExecutionContext, load: HandLoad) -> None:
    if load.unmapped:
        shown = [f"{key} ×{n}" for key, n in load.unmapped.most_common(MAX_EXAMPLES)]
        if len(load.unmapped) > MAX_EXAMPLES:
            shown.append(f"and {len(load.unmapped) - MAX_EXAMPLES} more")
        context.log.warning(f"unmapped values (stored as NULL): {', '.join(shown)}")
    if load.refused:
        context.log.warning(f"{len(load.refused)} refused (not stored): {'; '.join(load.refused[:5])}")


@dg.asset(
    deps=[gfx_sessions, "gfx_hands"],
    partitions_def=gfx_pc_partitions,
    retry_policy=gfx_retry_policy,
    group_name=GROUP,
    kinds={"postgres"},
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "The ledger of every stored file content of the PC (hash, session, hand count, NAS path, JSON): what "
        "'this file landed' means; the game's gfx_sessions row holds the latest content. A snapshot "
        "whose hands a newer snapshot of the same session holds as an exact prefix is verified and, with "
        "GFX_SNAPSHOT_RETENTION=compact, loses its raw JSON; one that is not a prefix keeps it, with the "
        "reason in prefix_note."
    ),
)
def gfx_session_snapshots(
    context: dg.AssetExecutionContext, sink: GfxSink, snapshot_retention: SnapshotRetention
) -> dg.MaterializeResult:
    pc_id = context.partition_key
    with sink_errors_as_retries(context, sink), sink.open() as target:
        report = compact_pc(target, pc_id, snapshot_retention.mode)
        ledgered = target.count(LEDGER, {"gfx_pc_id": pc_id})
    for reason in report.not_prefix[:MAX_EXAMPLES]:
        context.log.warning(f"kept, not a prefix: {reason}")
    return dg.MaterializeResult(
        metadata={
            "retention": snapshot_retention.mode,
            "snapshots_ledgered": report.ledgered,
            "verified_prefixes": report.verified,
            "compacted": report.compacted,
            "kept_not_prefix": len(report.not_prefix),
            "not_prefix_examples": dg.MetadataValue.json(report.not_prefix[:MAX_EXAMPLES]),
            "dagster/row_count": dg.MetadataValue.int(ledgered),
        }
    )
