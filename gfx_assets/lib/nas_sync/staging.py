"""Stage 2 of a sync: read, SHA-256 hash, parse and deduplicate files into a spool file.

The spool (newline-delimited JSON under GFX_HOME) is what the landing stage streams into the sink,
so memory stays bounded however many files a run holds, and a retried landing does not parse again.
"""

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path

from gfx_assets.lib.nas_sync.scan import FileStat, storable, written_within
from gfx_assets.lib.pokergfx.session import (
    ParsedSession,
    RejectedFile,
    RejectReason,
    parse_session,
    sha256_hex,
)

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


@dataclass
class Staged:
    """What staging found; the rows themselves are in `spool`, one JSON line per new content."""

    spool: str
    scanned: int = 0
    staged: int = 0
    bytes_read: int = 0
    duplicates: list[tuple[str, int, int, str]] = field(default_factory=list)  # path, size, mtime_ns, hash
    rejections: list[Rejection] = field(default_factory=list)
    still_writing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> "Staged":
        data = json.loads(path.read_text())
        data["rejections"] = [Rejection(**item) for item in data["rejections"]]
        data["duplicates"] = [tuple(item) for item in data["duplicates"]]
        return cls(**data)


def stage_files(
    nas_root: Path,
    pc_id: str,
    files: Iterable[FileStat],
    spool: Path,
    max_file_bytes: int,
    still_writing_seconds: float = STILL_WRITING_SECONDS,
) -> Staged:
    """Parse every file once, write one spool line per distinct content of this PC."""
    staged = Staged(spool=str(spool))
    seen: set[str] = set()
    with spool.open("w", encoding="utf-8") as out:
        for file in files:
            staged.scanned += 1
            line = _stage_one(nas_root, pc_id, file, max_file_bytes, still_writing_seconds, seen, staged)
            if line is not None:
                out.write(line + "\n")
                staged.staged += 1
    return staged


def _stage_one(
    nas_root: Path,
    pc_id: str,
    file: FileStat,
    max_bytes: int,
    still_writing_seconds: float,
    seen: set[str],
    staged: Staged,
) -> str | None:
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
    return json.dumps({"row": session_row(pc_id, file, file_hash, session), "json": session.json_text})


def _ident(file: FileStat) -> tuple[str, int, int]:
    return file.nas_path, file.size, file.mtime_ns


def _too_large(file: FileStat, max_bytes: int) -> Rejection:
    detail = f"file is {file.size} bytes, above GFX_MAX_FILE_BYTES={max_bytes}"
    return Rejection(*_ident(file), None, RejectReason.TOO_LARGE, detail)


def session_row(pc_id: str, file: FileStat, file_hash: str, session: ParsedSession) -> dict:
    """The gfx_sessions columns of one file, raw_json aside. Every row carries every column."""
    created = session.session_created_at
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
        "session_created_at": created.astimezone(UTC).isoformat() if created else None,
        "sync_source": "nas_central",
        "sync_status": "synced",
    }


def read_spool(spool: Path) -> Iterator[tuple[dict, str]]:
    """(row, raw JSON text) pairs back from the spool, one at a time."""
    with spool.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            yield item["row"], item["json"]
