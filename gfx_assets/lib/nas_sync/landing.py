"""Stage 3 of a sync: write the staged contents in bounded chunks while the next ones are parsed, then
record what happened.

A content lands in the snapshot ledger `gfx_session_snapshots` (one row per PC and file hash, with its
JSON); the database keeps the game's `gfx_sessions` row on its winning content as it does (trigger of
migrations/0008), so a sink writes each content once, whichever sink it is.

Chunks are bounded by bytes of JSON and by rows; at most `writers` chunks are being written while
the next one is parsed (see `overlapped`), so memory stays flat whatever the corpus. Every write
here is an upsert on a natural key (or a delete/update by key), so replaying a landing after a crash
or a retry cannot duplicate anything: at worst it rewrites the same values. Each chunk records its
files in the manifest as soon as it landed, which is what a retried step resumes from.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from gfx_assets.lib.common.batching import batches
from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.overlap import overlapped
from gfx_assets.lib.common.tables import LEDGER, REJECTED
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.scan import FileStat, storable
from gfx_assets.lib.nas_sync.staging import Rejection, Staged, StagedRow
from gfx_assets.lib.sinks import JsonText, RowFailure, Sink, require_all_written

LEDGER_KEY = ("gfx_pc_id", "file_hash")
# Only bookkeeping columns change on a conflict: the content is the same, its hash says so (and raw_json is
# not among them, so a replay does not touch the game's gfx_sessions row).
LEDGER_UPDATE = ("updated_at", "nas_path")
DATABASE_REJECTED = "database_rejected"
TOO_LARGE_FOR_SINK = "too_large_for_sink"


@dataclass
class Landed:
    upserted: int = 0
    unchanged: int = 0
    landed_paths: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def add(self, other: "Landed") -> None:
        self.upserted += other.upserted
        self.unchanged += other.unchanged
        self.landed_paths.extend(other.landed_paths)
        self.rejections.extend(other.rejections)


@dataclass(frozen=True)
class WritePlan:
    """How rows are grouped and written: rows and bytes of JSON per chunk, chunks written at once."""

    batch_size: int
    max_chunk_bytes: int
    writers: int = 1


def land(
    sink: Sink,
    pc_id: str,
    rows: Iterable[StagedRow],
    staged: Staged,
    plan: WritePlan,
    progress: Callable[[Landed], None] | None = None,
) -> Landed:
    """Upsert the staged rows chunk by chunk as they are parsed; content already stored for this PC
    is not resent. `staged` is complete once `rows` is exhausted; `progress` sees the running total
    after each chunk."""
    landed = Landed()

    def merge(chunk_landed: Landed) -> None:
        landed.add(chunk_landed)
        if progress is not None:
            progress(landed)

    chunks = batches(rows, lambda item: len(item.json_text), plan.max_chunk_bytes, plan.batch_size)
    overlapped(chunks, lambda chunk: _land_chunk(sink, pc_id, chunk), merge, plan.writers)
    landed.rejections[:0] = staged.rejections
    now = utcnow()
    duplicates = [(FileStat(path, size, mtime), digest) for path, size, mtime, digest in staged.duplicates]
    manifest.record(sink, [manifest.manifest_row(pc_id, f, h, "synced", now) for f, h in duplicates])
    landed.landed_paths.extend(f.stored_path for f, _ in duplicates)
    record_rejections(sink, pc_id, landed.rejections, now)
    _clear_rejections(sink, pc_id, landed.landed_paths)
    return landed


def _land_chunk(sink: Sink, pc_id: str, chunk: list[StagedRow]) -> Landed:
    """Write one chunk (new contents only) and record its files in the manifest."""
    landed = Landed()
    hashes = [item.row["file_hash"] for item in chunk]
    stored = {
        row["file_hash"]
        for row in sink.select(LEDGER, ["file_hash"], {"gfx_pc_id": pc_id, "file_hash": hashes})
    }
    now = utcnow()
    files = {
        item.row["nas_path"]: FileStat(item.row["nas_path"], item.row["file_size"], item.row["file_mtime_ns"])
        for item in chunk
    }
    rows = [_as_ledger_row(item, now) for item in chunk if item.row["file_hash"] not in stored]
    # mostly_new: the select above left out the contents already stored
    result = sink.upsert(LEDGER, rows, LEDGER_KEY, LEDGER_UPDATE, mostly_new=True)
    refused = {failure.row["nas_path"]: failure for failure in result.rejected}
    for path, failure in refused.items():
        file = files[path]
        reason, detail = _refusal(failure)
        landed.rejections.append(
            Rejection(path, file.size, file.mtime_ns, failure.row["file_hash"], reason, detail)
        )
    landed.upserted += result.written
    landed.unchanged += len(chunk) - len(rows)
    done = [(item.row, files[item.row["nas_path"]]) for item in chunk if item.row["nas_path"] not in refused]
    manifest.record(sink, [manifest.manifest_row(pc_id, f, r["file_hash"], "synced", now) for r, f in done])
    landed.landed_paths.extend(f.nas_path for _, f in done)
    return landed


def _refusal(failure: RowFailure) -> tuple[str, str]:
    if failure.code == "413":
        return TOO_LARGE_FOR_SINK, (
            "the row alone is larger than the REST gateway accepts in one request (413); raise the "
            "gateway's body limit to store it (GFX_REST_MAX_BODY_BYTES only sets the batch size)"
        )
    return DATABASE_REJECTED, f"the database refused the row ({failure.code}): {failure.message}"


def _as_ledger_row(item: StagedRow, now: datetime) -> dict:
    content = {key: value for key, value in item.row.items() if key != "file_mtime_ns"}
    content["raw_json"] = JsonText(item.json_text)
    content["updated_at"] = now
    return content


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
