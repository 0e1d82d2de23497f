"""Helpers of the gfx_hands tests: one sync run of a PC with the hand assets, their checks, and the
export each session's hands come from."""

import json
from pathlib import Path
from typing import Any

import dagster as dg

from gfx_assets.defs.gfx_hands.assets import gfx_hand_tables, gfx_session_snapshots
from gfx_assets.defs.gfx_hands.checks import (
    gfx_compaction_only_prefixes,
    gfx_hands_match_latest_snapshot,
    gfx_hands_no_gaps,
)
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.resources import GfxSink, NasResource, SnapshotRetention

HAND_ASSETS = [gfx_sessions, gfx_hand_tables, gfx_session_snapshots]
HAND_CHECKS = [gfx_hands_match_latest_snapshot, gfx_hands_no_gaps, gfx_compaction_only_prefixes]


def sync_with_hands(
    instance: dg.DagsterInstance,
    pc_id: str,
    nas_resource: NasResource,
    sink: GfxSink,
    retention: str = "compact",
) -> dg.ExecuteInProcessResult:
    """One run of gfx_sessions_job's assets and the hand checks for a PC, as the sensor launches it."""
    if not instance.has_dynamic_partition(GFX_PC_PARTITIONS_NAME, pc_id):
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, [pc_id])
    return dg.materialize(
        [*HAND_ASSETS, *HAND_CHECKS],
        partition_key=pc_id,
        instance=instance,
        resources={
            "nas": nas_resource,
            "sink": sink,
            "snapshot_retention": SnapshotRetention(mode=retention),
        },
        raise_on_error=False,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {evaluation.check_name: evaluation.passed for evaluation in result.get_asset_check_evaluations()}


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def latest_exports(table_gg: Path) -> dict[int, dict[str, Any]]:
    """Per session id, the export with the most hands (what the tables mirror)."""
    latest: dict[int, dict[str, Any]] = {}
    for path in sorted(table_gg.rglob("*.json")):
        document = json.loads(path.read_bytes())
        if len(document["Hands"]) >= len(latest.get(document["ID"], {"Hands": []})["Hands"]):
            latest[document["ID"]] = document
    return latest
