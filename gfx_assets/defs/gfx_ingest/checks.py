"""`gfx_sessions_reconciliation`: every settled NAS file is in gfx_sessions or recorded as rejected."""

import time
from functools import partial

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.defs.operations.tables import column, table
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.nas_sync.reconcile import MAX_EXAMPLES, Reconciliation, reconcile
from gfx_assets.lib.nas_sync.scan import FileStat, stat_files, written_within
from gfx_assets.lib.sinks.base import Row
from gfx_assets.resources import GfxSink, NasResource

SWEEP_TAG = ("gfx/trigger", "hourly_reconciliation")  # set by gfx_reconciliation_schedule
NO_PARTITION = (
    "gfx_sessions_reconciliation checks one PC at a time: execute it for a PC partition (Assets -> "
    "gfx_sessions -> Checks, pick a partition), or launch a backfill of gfx_sessions over the PCs; the "
    "hourly gfx_reconciliation_schedule sweeps every PC."
)
COUNTS = [
    column(
        "state",
        "string",
        "checked: settled files looked at; accounted: stored with the same SHA-256 or rejected with a "
        "reason; missing: neither; in_flight: changed within GFX_STILL_WRITING_SECONDS, not synced yet; "
        "stale: changed on the NAS since its last sync",
    ),
    column("files", "int", "How many files"),
]
FILES = [
    column("file", "string", "NAS path, relative to the NAS root"),
    column("state", "string", "missing, in_flight or stale"),
]


@dg.asset_check(
    asset=gfx_sessions,
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description=(
        "Compares NAS files with the database: every settled *.json file must be stored in gfx_sessions "
        "with the same SHA-256 or be listed in gfx_rejected_files. After a sensor run it covers the run's "
        "files (hashes from the manifest); the hourly sweep re-reads and re-hashes every file of the PC. "
        "Files changed within GFX_STILL_WRITING_SECONDS are in flight, not missing. Fails with the "
        "missing files; also reports files changed on the NAS since their last sync (stale)."
    ),
)
def gfx_sessions_reconciliation(
    context: dg.AssetCheckExecutionContext, nas: NasResource, sink: GfxSink
) -> dg.AssetCheckResult:
    if not context.op_execution_context.has_partition_key:
        # Dagster records this check per PC and cannot store an evaluation of a run without one.
        raise dg.Failure(NO_PARTITION, allow_retries=False)
    try:
        return _result(_reconcile(context, nas, sink), nas)
    except Exception as error:  # a check reports; it never fails a run whose data has landed
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"the reconciliation could not run: {redact(f'{type(error).__name__}: {error}')}",
        )


def _reconcile(context: dg.AssetCheckExecutionContext, nas: NasResource, sink: GfxSink) -> Reconciliation:
    run = context.op_execution_context.run
    sweep = run.tags.get(SWEEP_TAG[0]) == SWEEP_TAG[1]
    named = (((run.run_config or {}).get("ops") or {}).get(gfx_sessions.op.name) or {}).get("config") or {}
    now = time.time()
    in_flight = partial(written_within, seconds=nas.still_writing_seconds, now=now)
    with sink.open() as target:
        pc_id = context.op_execution_context.partition_key
        files = _files(nas, pc_id, None if sweep else named.get("files"))
        return reconcile(target, nas.path, pc_id, files, in_flight, rehash=sweep)


def _files(nas: NasResource, pc_id: str, named: list[str] | None) -> list[FileStat]:
    if named is not None:
        return list(stat_files(nas.path, named))
    return nas.settled_files(nas.watch_path(pc_id))


def _result(result: Reconciliation, nas: NasResource) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{result.accounted}/{result.files} files accounted for, {len(result.missing)} missing, "
            f"{len(result.in_flight)} changed in the last {nas.still_writing_seconds:g} s and not synced "
            f"yet, {len(result.stale)} stale"
        ),
        # Counts stay in the description and tables: numbers in metadata would be plotted with every PC
        # in one line.
        metadata={"counts": table(_counts(result), COUNTS), "files": table(_files_listed(result), FILES)},
    )


def _counts(result: Reconciliation) -> list[Row]:
    counts = {
        "checked": result.files,
        "accounted": result.accounted,
        "missing": len(result.missing),
        "in_flight": len(result.in_flight),
        "stale": len(result.stale),
    }
    return [{"state": state, "files": files} for state, files in counts.items()]


def _files_listed(result: Reconciliation) -> list[Row]:
    """The first MAX_EXAMPLES files of each state that needs a look."""
    listed = {"missing": result.missing, "in_flight": result.in_flight, "stale": result.stale}
    return [
        {"file": path, "state": state} for state, paths in listed.items() for path in paths[:MAX_EXAMPLES]
    ]
