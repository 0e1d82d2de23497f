"""The manifest of synced NAS files: which files still need a sync, and what each file became."""

from collections.abc import Iterable
from datetime import datetime

from gfx_assets.lib.common.tables import MANIFEST
from gfx_assets.lib.nas_sync.scan import FileStat
from gfx_assets.lib.sinks import Sink, require_all_written

MANIFEST_KEY = ("gfx_pc_id", "nas_path")


def as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# The sensor asks for a few files' manifest rows by path, for many files every row of the PC. Measured
# with 10,000 rows per PC (BENCHMARKS.md, issue 11): 200 paths took 5.6 ms against 86 ms for every row on
# PostgreSQL, 101 ms against 519 ms through REST, where IN lists are split to keep URLs short (about
# 0.5 ms a path against 0.05 ms a row): by path pays while the files are at most a tenth of the PC's.
NAMED_QUERY_MAX_FILES = 200


def synced_keys(
    sink: Sink, pc_id: str, stored_paths: list[str] | None = None
) -> set[tuple[str, int, datetime]]:
    """(nas_path, size, mtime) of the files of this PC the manifest says are done: every one, or those
    at `stored_paths` only."""
    filters: dict = {"gfx_pc_id": pc_id}
    if stored_paths is not None:
        filters["nas_path"] = stored_paths
    rows = sink.select(MANIFEST, ["nas_path", "file_size", "file_mtime"], filters)
    return {(row["nas_path"], row["file_size"], as_datetime(row["file_mtime"])) for row in rows}


def pending(files: Iterable[FileStat], done: set[tuple[str, int, datetime]]) -> list[FileStat]:
    """Files whose fingerprint the manifest does not hold: new, rewritten, or never landed."""
    return [file for file in files if file.key not in done]


def rewritten(files: Iterable[FileStat], done: set[tuple[str, int, datetime]]) -> set[str]:
    """The stored paths of `files` whose path the manifest holds with another fingerprint: files rewritten
    since they were synced (a live session's next hand)."""
    synced_paths = {path for path, _, _ in done}
    return {file.stored_path for file in files if file.stored_path in synced_paths and file.key not in done}


def not_done(sink: Sink, pc_id: str, files: list[FileStat], pc_files: int) -> list[FileStat]:
    """`pending` for some of the PC's `pc_files` settled files: a few are read by path, many by reading
    every row of the PC; no files, no query."""
    if not files:
        return []
    few = len(files) <= min(NAMED_QUERY_MAX_FILES, pc_files // 10)
    return pending(files, synced_keys(sink, pc_id, [file.stored_path for file in files] if few else None))


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
