"""Stage 3 of a sync: stream the spool into the sink in bounded chunks, then record what happened.

Every write here is an upsert on a natural key (or a delete/update by key), so replaying a landing
after a crash or a retry cannot duplicate anything: at worst it rewrites the same values.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gfx_assets.lib.common.batching import batches
from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.tables import REJECTED, SESSIONS
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.scan import FileStat, storable
from gfx_assets.lib.nas_sync.staging import Rejection, Staged, read_spool
from gfx_assets.lib.sinks import JsonText, RowFailure, Sink, require_all_written

SESSIONS_KEY = ("gfx_pc_id", "file_hash")
# Only bookkeeping columns change on a conflict: the content is the same, its hash says so.
SESSIONS_UPDATE = ("updated_at", "nas_path", "sync_status")
DATABASE_REJECTED = "database_rejected"
TOO_LARGE_FOR_SINK = "too_large_for_sink"


@dataclass
class Landed:
    upserted: int = 0
    unchanged: int = 0
    landed_paths: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def land(sink: Sink, pc_id: str, staged: Staged, batch_size: int, max_chunk_bytes: int) -> Landed:
    """Upsert the spooled rows chunk by chunk; content already stored for this PC is not resent."""
    landed = Landed(rejections=list(staged.rejections))
    for chunk in _chunks(Path(staged.spool), batch_size, max_chunk_bytes):
        _land_chunk(sink, pc_id, chunk, landed)
    now = utcnow()
    duplicates = [(FileStat(path, size, mtime), digest) for path, size, mtime, digest in staged.duplicates]
    manifest.record(sink, [manifest.manifest_row(pc_id, f, h, "synced", now) for f, h in duplicates])
    landed.landed_paths.extend(f.stored_path for f, _ in duplicates)
    record_rejections(sink, pc_id, landed.rejections, now)
    _clear_rejections(sink, pc_id, landed.landed_paths)
    return landed


def _land_chunk(sink: Sink, pc_id: str, chunk: list[tuple[dict, str]], landed: Landed) -> None:
    hashes = [row["file_hash"] for row, _ in chunk]
    stored = {
        row["file_hash"]
        for row in sink.select(SESSIONS, ["file_hash"], {"gfx_pc_id": pc_id, "file_hash": hashes})
    }
    now = utcnow()
    files = {
        row["nas_path"]: FileStat(row["nas_path"], row["file_size"], row["file_mtime_ns"]) for row, _ in chunk
    }
    rows = [_as_session_row(row, text, now) for row, text in chunk if row["file_hash"] not in stored]
    result = sink.upsert(SESSIONS, rows, SESSIONS_KEY, SESSIONS_UPDATE)
    refused = {failure.row["nas_path"]: failure for failure in result.rejected}
    for path, failure in refused.items():
        file = files[path]
        reason, detail = _refusal(failure)
        landed.rejections.append(
            Rejection(path, file.size, file.mtime_ns, failure.row["file_hash"], reason, detail)
        )
    landed.upserted += result.written
    landed.unchanged += len(chunk) - len(rows)
    done = [(row, files[row["nas_path"]]) for row, _ in chunk if row["nas_path"] not in refused]
    manifest.record(sink, [manifest.manifest_row(pc_id, f, r["file_hash"], "synced", now) for r, f in done])
    landed.landed_paths.extend(f.nas_path for _, f in done)


def _refusal(failure: RowFailure) -> tuple[str, str]:
    if failure.code == "413":
        return TOO_LARGE_FOR_SINK, (
            "the row alone is larger than the REST gateway accepts in one request (413); raise the "
            "gateway's body limit to store it (GFX_REST_MAX_BODY_BYTES only sets the batch size)"
        )
    return DATABASE_REJECTED, f"the database refused the row ({failure.code}): {failure.message}"


def _as_session_row(row: dict, json_text: str, now: datetime) -> dict:
    session = {key: value for key, value in row.items() if key != "file_mtime_ns"}
    session["raw_json"] = JsonText(json_text)
    session["updated_at"] = now
    return session


def _chunks(spool: Path, batch_size: int, max_bytes: int) -> Iterator[list[tuple[dict, str]]]:
    return batches(read_spool(spool), lambda item: len(item[1]), max_bytes, batch_size)


def record_rejections(sink: Sink, pc_id: str, rejections: list[Rejection], now: datetime) -> None:
    """Record each rejected file with its reason; the manifest marks it done until it changes."""
    if not rejections:
        return
    rows = [
        {
            "gfx_pc_id": pc_id,
            "nas_path": storable(r.nas_path),
            "file_hash": r.file_hash,
            "file_size": r.size,
            "reason": str(r.reason),
            "detail": r.detail,
            "last_seen_at": now,
        }
        for r in rejections
    ]
    require_all_written(sink.upsert(REJECTED, rows, ("gfx_pc_id", "nas_path")), REJECTED)
    files = [(FileStat(r.nas_path, r.size, r.mtime_ns), r.file_hash) for r in rejections]
    manifest.record(sink, [manifest.manifest_row(pc_id, f, h, "rejected", now) for f, h in files])


def _clear_rejections(sink: Sink, pc_id: str, landed_paths: list[str]) -> None:
    """A file that was rejected before and has now landed is no longer a rejection."""
    if landed_paths:
        sink.delete(REJECTED, {"gfx_pc_id": pc_id, "nas_path": landed_paths})
