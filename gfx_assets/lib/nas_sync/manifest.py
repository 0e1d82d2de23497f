"""The manifest of synced NAS files: which files still need a sync, and what each file became."""

from collections.abc import Iterable
from datetime import datetime

from gfx_assets.lib.common.tables import MANIFEST
from gfx_assets.lib.nas_sync.scan import FileStat
from gfx_assets.lib.sinks import Sink, require_all_written

MANIFEST_KEY = ("gfx_pc_id", "nas_path")


def as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def synced_keys(sink: Sink, pc_id: str) -> set[tuple[str, int, datetime]]:
    """(nas_path, size, mtime) of every file of this PC the manifest says is done."""
    rows = sink.select(MANIFEST, ["nas_path", "file_size", "file_mtime"], {"gfx_pc_id": pc_id})
    return {(row["nas_path"], row["file_size"], as_datetime(row["file_mtime"])) for row in rows}


def pending(files: Iterable[FileStat], done: set[tuple[str, int, datetime]]) -> list[FileStat]:
    """Files whose fingerprint the manifest does not hold: new, rewritten, or never landed."""
    return [file for file in files if file.key not in done]


def manifest_row(pc_id: str, file: FileStat, file_hash: str | None, status: str, now: datetime) -> dict:
    return {
        "gfx_pc_id": pc_id,
        "nas_path": file.stored_path,
        "file_size": file.size,
        "file_mtime": file.mtime,
        "file_hash": file_hash,
        "status": status,
        "updated_at": now,
    }


def record(sink: Sink, rows: list[dict]) -> None:
    """Upsert manifest rows; replaying them is harmless (keyed by PC and path)."""
    if rows:
        require_all_written(sink.upsert(MANIFEST, rows, MANIFEST_KEY), MANIFEST)
