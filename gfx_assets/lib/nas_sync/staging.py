"""Stage 2 of a sync: read, SHA-256 hash, parse and deduplicate files, one at a time.

`staged_rows` is a generator: landing pulls rows from it chunk by chunk while earlier chunks are
being written, so parsing overlaps writing and no more than a few chunks are ever in memory. A
file's text is kept as read (decoded once) and handed to the sink as it is. Nothing is spooled: a
retried step rescans, and the manifest, written chunk by chunk, tells it which files already
landed, so only the rest is read and parsed again.
"""

import time
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gfx_assets.lib.nas_sync import snapshots
from gfx_assets.lib.nas_sync.scan import FileStat, storable, written_within
from gfx_assets.lib.pokergfx.session import (
    ParsedSession,
    RejectedFile,
    RejectReason,
    parse_session,
    sha256_hex,
)

# The digests of a content (`snapshots.ledger_digests`) are computed here, where the file is parsed anyway,
# for a rewritten file: a live session's next hand load then compares them without reading the export
# back. A first content's are computed by its hand load (a first sync of many files loads its hands in
# worker processes, and its gfx_sessions step stays as fast). Every row carries both columns.
NOT_DIGESTED = {"content_digest": None, "prefix_digest": None}
# A truncated file this young is PokerGFX still writing it: leave it for a later run, don't reject.
STILL_WRITING_SECONDS = 300.0  # default of GFX_STILL_WRITING_SECONDS


@dataclass
class Rejection:
    nas_path: str
    size: int
    mtime_ns: int
    file_hash: str | None
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class StagedRow:
    """One new content: its ledger columns and the file's JSON text, as read."""

    row: dict
    json_text: str


@dataclass
class Staged:
    """What staging found so far; complete once `staged_rows` is exhausted."""

    scanned: int = 0
    staged: int = 0
    bytes_read: int = 0
    duplicates: list[tuple[str, int, int, str]] = field(default_factory=list)  # path, size, mtime_ns, hash
    rejections: list[Rejection] = field(default_factory=list)
    still_writing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def staged_rows(
    nas_root: Path,
    pc_id: str,
    files: Iterable[FileStat],
    staged: Staged,
    max_file_bytes: int,
    still_writing_seconds: float = STILL_WRITING_SECONDS,
    rewrites: Container[str] = frozenset(),
) -> Iterator[StagedRow]:
    """Parse every file once and yield one row per distinct content of this PC; everything else
    (duplicates, rejections, files still being written or unreadable) is noted in `staged`. The content
    of a file at a stored path in `rewrites` (`manifest.rewritten`) gets its digests here."""
    seen: set[str] = set()
    for file in files:
        staged.scanned += 1
        digested = file.stored_path in rewrites
        item = _stage_one(
            nas_root, pc_id, file, max_file_bytes, still_writing_seconds, seen, staged, digested
        )
        if item is not None:
            staged.staged += 1
            yield item


def _stage_one(
    nas_root: Path,
    pc_id: str,
    file: FileStat,
    max_bytes: int,
    still_writing_seconds: float,
    seen: set[str],
    staged: Staged,
    digested: bool,
) -> StagedRow | None:
    if file.size > max_bytes:
        staged.rejections.append(_too_large(file, max_bytes))
        return None
    try:
        raw = (nas_root / file.nas_path).read_bytes()
    except OSError as error:
        # vanished or unreadable right now: it stays pending, is requested again, and the
        # reconciliation check reports it as missing meanwhile
        staged.unreadable.append(f"{file.stored_path}: {error.strerror or error}")
        return None
    staged.bytes_read += len(raw)
    file = FileStat(file.nas_path, len(raw), file.mtime_ns)
    file_hash = sha256_hex(raw)
    if file_hash in seen:
        staged.duplicates.append((file.nas_path, file.size, file.mtime_ns, file_hash))
        return None
    try:
        session = parse_session(raw, file.file_name, max_bytes)
    except RejectedFile as rejected:
        if rejected.incomplete and written_within(file, still_writing_seconds, time.time()):
            staged.still_writing.append(file.stored_path)
        else:
            staged.rejections.append(Rejection(*_ident(file), file_hash, rejected.reason, rejected.detail))
        return None
    seen.add(file_hash)
    digests = snapshots.ledger_digests(session.data) if digested else NOT_DIGESTED
    return StagedRow(session_row(pc_id, file, file_hash, session) | digests, session.json_text)


def _ident(file: FileStat) -> tuple[str, int, int]:
    return file.nas_path, file.size, file.mtime_ns


def _too_large(file: FileStat, max_bytes: int) -> Rejection:
    detail = f"file is {file.size} bytes, above GFX_MAX_FILE_BYTES={max_bytes}"
    return Rejection(*_ident(file), None, RejectReason.TOO_LARGE, detail)


def session_row(pc_id: str, file: FileStat, file_hash: str, session: ParsedSession) -> dict:
    """The columns of one stored content in the ledger `gfx_session_snapshots`, raw_json and digests aside;
    the game's `gfx_sessions` row is the winning content's (see migrations/0008)."""
    created, times = session.session_created_at, session.times
    return {
        "gfx_pc_id": pc_id,
        "session_id": session.session_id,
        "file_name": storable(file.file_name),
        "nas_path": file.stored_path,
        "file_hash": file_hash,
        "file_size": file.size,
        "file_mtime": file.mtime.isoformat(),
        "file_mtime_ns": file.mtime_ns,
        "table_type": session.table_type,
        "event_title": session.event_title,
        "software_version": session.software_version,
        "hand_count": session.hand_count,
        "player_count": session.player_count,
        "payouts": session.payouts,
        "session_created_at": _iso(created),
        "total_duration_seconds": times.total_duration_seconds,
        "session_start_time": _iso(times.session_start_time),
        "session_end_time": _iso(times.session_end_time),
        "sync_source": "nas_central",
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
