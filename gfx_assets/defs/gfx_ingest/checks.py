"""`gfx_sessions_reconciliation`: every settled NAS file is in gfx_sessions or recorded as rejected."""

import time

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.lib.nas_sync.reconcile import MAX_EXAMPLES, reconcile
from gfx_assets.resources import GfxSink, NasResource

# A file written this recently and not stored yet is in flight (the sensor is on its way), not missing.
IN_FLIGHT_SECONDS = 120


@dg.asset_check(
    asset=gfx_sessions,
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description=(
        "Compares the PC's NAS folder with the database: every settled *.json file must be stored in "
        "gfx_sessions with the same SHA-256 or be listed in gfx_rejected_files. Fails with the missing "
        "files; also reports files changed on the NAS since their last sync (stale)."
    ),
)
def gfx_sessions_reconciliation(
    context: dg.AssetCheckExecutionContext, nas: NasResource, sink: GfxSink
) -> dg.AssetCheckResult:
    pc_id = context.partition_key
    pc = nas.registry().enabled().get(pc_id)
    watch_path = pc.watch_path if pc else pc_id
    in_flight_after_ns = int((time.time() - IN_FLIGHT_SECONDS) * 1e9)
    with sink.open() as target:
        result = reconcile(target, nas.path, pc_id, nas.settled_files(watch_path), in_flight_after_ns)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{result.accounted}/{result.files} files accounted for, {len(result.missing)} missing, "
            f"{len(result.in_flight)} written in the last {IN_FLIGHT_SECONDS} s and not synced yet"
        ),
        metadata={
            "files": result.files,
            "accounted": result.accounted,
            "missing": len(result.missing),
            "in_flight": len(result.in_flight),
            "stale": len(result.stale),
            "missing_examples": dg.MetadataValue.json(result.missing[:MAX_EXAMPLES]),
            "stale_examples": dg.MetadataValue.json(result.stale[:MAX_EXAMPLES]),
        },
    )
