"""The `gfx_sessions` asset: one partition per GFX PC, synced in four visible stages."""

import time
from collections.abc import Callable

import dagster as dg
from pydantic import Field

from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.defs.gfx_ingest.report import sync_metadata
from gfx_assets.defs.gfx_ingest.retries import gfx_retry_policy, sink_errors_as_retries
from gfx_assets.lib.common.events import record_sync
from gfx_assets.lib.nas_sync import dead_letters, manifest
from gfx_assets.lib.nas_sync.landing import Landed, land
from gfx_assets.lib.nas_sync.registry import RegistryLookupError
from gfx_assets.lib.nas_sync.scan import FileStat, stat_files
from gfx_assets.lib.nas_sync.staging import Staged, staged_rows
from gfx_assets.lib.operations.views import partition_row_count
from gfx_assets.lib.sinks import Sink
from gfx_assets.resources import GfxSink, NasResource

PROGRESS_LOG_SECONDS = 10.0


class SyncConfig(dg.Config):
    files: list[str] | None = Field(
        default=None, description="NAS paths to sync. Leave empty to rescan the whole PC folder."
    )
    watch_path: str | None = Field(default=None, description="PC folder; default: from the PC registry.")


@dg.asset(
    partitions_def=gfx_pc_partitions,
    retry_policy=gfx_retry_policy,
    group_name="gfx_ingest",
    kinds={"postgres", "json"},
    description=(
        "PokerGFX games of one GFX PC: one gfx_sessions row per game holding its latest content (most "
        "hands), every stored file content in the ledger gfx_session_snapshots. Each run scans the PC's "
        "NAS folder (or the files the sensor named), SHA-256 hashes and parses them, skips content already "
        "stored, and upserts the rest in batches. Files that cannot be stored are listed in "
        "gfx_rejected_files with a reason. Materialize a partition to rescan that PC."
    ),
)
def gfx_sessions(
    context: dg.AssetExecutionContext, config: SyncConfig, nas: NasResource, sink: GfxSink
) -> dg.MaterializeResult:
    """Scan -> parse & hash -> dedupe -> batch-upsert, for the PC named by the partition key. Parsing
    overlaps writing; a retried step rescans and resumes after the chunks the manifest shows landed."""
    started = time.monotonic()
    pc_id = context.partition_key
    with sink_errors_as_retries(context, sink), sink.open() as target:
        files = _scan(context, config, nas, pc_id)
        done = manifest.synced_keys(target, pc_id)
        todo = manifest.pending(files, done)
        context.log.info(f"scan: {len(files)} files, {len(todo)} not yet synced")
        staged = Staged()
        rewrites = manifest.rewritten(todo, done)
        rows = staged_rows(
            nas.path, pc_id, todo, staged, nas.max_file_bytes, nas.still_writing_seconds, rewrites
        )
        landed = land(target, pc_id, rows, staged, sink.write_plan, _progress(context, len(todo)))
        _log_staged(context, staged)
        context.log.info(f"upsert: {landed.upserted} rows, {len(landed.rejections)} rejected")
        record_sync(target, pc_id, context.run.run_id, landed.landed_paths)
        _resolve_dead_letters(context, target, nas, pc_id)
        partition_rows = partition_row_count(target, pc_id)
    seconds = time.monotonic() - started
    return dg.MaterializeResult(metadata=sync_metadata(files, staged, landed, seconds, partition_rows))


def _scan(
    context: dg.AssetExecutionContext, config: SyncConfig, nas: NasResource, pc_id: str
) -> list[FileStat]:
    if config.files is not None:
        return list(stat_files(nas.path, config.files))
    watch_path = config.watch_path or _watch_path(nas, pc_id)
    context.log.info(f"scan: rescanning {watch_path}/ recursively")
    return nas.settled_files(watch_path)


def _watch_path(nas: NasResource, pc_id: str) -> str:
    try:
        return nas.watch_path(pc_id)
    except RegistryLookupError as error:
        raise dg.Failure(f"{error}; cannot tell where {pc_id} writes", allow_retries=False) from None


def _resolve_dead_letters(
    context: dg.AssetExecutionContext, target: Sink, nas: NasResource, pc_id: str
) -> None:
    """Every open dead letter of the PC whose file has landed by now (in this run, an earlier attempt
    of it, or another run; a rejection with a reason is as final as a stored row) is resolved."""
    resolved = dead_letters.resolve_landed(target, nas.path, pc_id)
    if resolved:
        context.log.info(f"dead letters: {len(resolved)} resolved, their files have landed")


def _progress(context: dg.AssetExecutionContext, total: int) -> Callable[[Landed], None]:
    """Logs how far a long sync got, at most every PROGRESS_LOG_SECONDS, for the run's log in the UI."""
    last_logged = time.monotonic()

    def report(landed: Landed) -> None:
        nonlocal last_logged
        if time.monotonic() - last_logged >= PROGRESS_LOG_SECONDS:
            last_logged = time.monotonic()
            done = len(landed.landed_paths) + len(landed.rejections)
            context.log.info(f"upsert: {done}/{total} files so far, {landed.upserted} rows written")

    return report


def _log_staged(context: dg.AssetExecutionContext, staged: Staged) -> None:
    context.log.info(
        f"parse: {staged.staged} new contents, {len(staged.duplicates)} duplicates, "
        f"{len(staged.rejections)} rejected, {len(staged.still_writing)} still being written"
    )
    for problem in staged.unreadable:
        context.log.warning(f"parse: cannot read {problem}; it will be requested again")
