"""The `gfx_sessions` asset: one partition per GFX PC, synced in four visible stages."""

import time
from pathlib import Path

import dagster as dg
from pydantic import Field

from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.defs.gfx_ingest.report import sync_metadata
from gfx_assets.defs.gfx_ingest.retries import gfx_retry_policy, sink_errors_as_retries
from gfx_assets.lib.common.events import record_sync, resolve_dead_letters
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.landing import land
from gfx_assets.lib.nas_sync.registry import RegistryLookupError
from gfx_assets.lib.nas_sync.scan import FileStat, stat_files, storable
from gfx_assets.lib.nas_sync.staging import Staged, stage_files
from gfx_assets.lib.operations.views import partition_row_count
from gfx_assets.resources import GfxSink, NasResource

SPOOL_RETENTION_SECONDS = 24 * 3600


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
        "PokerGFX game sessions of one GFX PC, one row per distinct file content. Each run scans the "
        "PC's NAS folder (or the files the sensor named), SHA-256 hashes and parses them, skips content "
        "already stored, and upserts the rest in batches. Files that cannot be stored are listed in "
        "gfx_rejected_files with a reason. Materialize a partition to rescan that PC."
    ),
)
def gfx_sessions(
    context: dg.AssetExecutionContext, config: SyncConfig, nas: NasResource, sink: GfxSink
) -> dg.MaterializeResult:
    """Scan -> parse & hash -> dedupe -> batch-upsert, for the PC named by the partition key."""
    started = time.monotonic()
    pc_id = context.partition_key
    with sink_errors_as_retries(context, sink), sink.open() as target:
        files = _scan(context, config, nas, pc_id)
        todo = manifest.pending(files, manifest.synced_keys(target, pc_id))
        context.log.info(f"scan: {len(files)} files, {len(todo)} not yet synced")
        staged = _stage(context, nas, pc_id, todo)
        landed = land(target, pc_id, staged, sink.batch_size, sink.max_chunk_bytes)
        context.log.info(f"upsert: {landed.upserted} rows, {len(landed.rejections)} rejected")
        record_sync(target, pc_id, context.run.run_id, landed.landed_paths)
        # a rejection with a reason is as final as a stored row: its dead letter is resolved too
        resolve_dead_letters(target, "gfx", pc_id, [storable(r.nas_path) for r in landed.rejections])
        rows = partition_row_count(target, pc_id)
    _discard(staged)
    seconds = time.monotonic() - started
    return dg.MaterializeResult(metadata=sync_metadata(files, staged, landed, seconds, rows))


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


def _stage(context: dg.AssetExecutionContext, nas: NasResource, pc_id: str, todo: list[FileStat]) -> Staged:
    """Parse once per run: a retried step (sink errors) resumes from the staged spool."""
    spool_dir = Path(context.instance.storage_directory()) / "gfx_spool"
    spool_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_spools(spool_dir)
    spool = spool_dir / f"{context.run.run_id}-{pc_id}.ndjson"
    checkpoint = spool.with_suffix(".staged.json")
    if checkpoint.exists() and spool.exists():
        context.log.info("parse: resuming from this run's staged files (retry of the upsert)")
        return Staged.load(checkpoint)
    staged = stage_files(nas.path, pc_id, todo, spool, nas.max_file_bytes, nas.still_writing_seconds)
    staged.save(checkpoint)
    context.log.info(
        f"parse: {staged.staged} new contents, {len(staged.duplicates)} duplicates, "
        f"{len(staged.rejections)} rejected, {len(staged.still_writing)} still being written"
    )
    for problem in staged.unreadable:
        context.log.warning(f"parse: cannot read {problem}; it will be requested again")
    return staged


def _remove_abandoned_spools(spool_dir: Path) -> None:
    """Spools of runs that failed for good are left behind; a day later nobody will resume them."""
    cutoff = time.time() - SPOOL_RETENTION_SECONDS
    for leftover in spool_dir.iterdir():
        if leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)


def _discard(staged: Staged) -> None:
    spool = Path(staged.spool)
    spool.unlink(missing_ok=True)
    spool.with_suffix(".staged.json").unlink(missing_ok=True)
