"""Operator views read through the sink (PostgreSQL or Supabase REST alike), as plain rows.

`pc_status`, `gfx_rejected_files`, `gfx_sync_failures` and `v_sync_dashboard` already hold the
answers; these functions only select them, join them per PC and order them for a reader. Every
value comes back as text, a number, a bool or None, so it can go into a table as it is.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.common.tables import REJECTED, SYNC_FAILURES
from gfx_assets.lib.operations import silence
from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import Row

PC_STATUS = "pc_status"
SYNC_DASHBOARD = "v_sync_dashboard"
GFX_SOURCE = "gfx"
NEVER_SYNCED = "never synced"

_PC_STATUS_COLUMNS = [
    "gfx_pc_id",
    "status",
    "last_sync_at",
    "last_error_at",
    "total_sessions",
    "last_file_at",
]
SILENT = "silent"
_LATEST_REJECTION_COLUMNS = ["gfx_pc_id", "nas_path", "reason", "first_seen_at"]
_REJECTION_COLUMNS = ["gfx_pc_id", "nas_path", "reason", "detail", "first_seen_at", "last_seen_at"]
_DEAD_LETTER_COLUMNS = [
    "source", "gfx_pc_id", "nas_path", "error", "attempts", "first_failed_at", "last_failed_at",
]  # fmt: skip
_DASHBOARD_COLUMNS = [
    "source", "entity_type", "health_status", "status", "lag_seconds", "last_synced_at", "watermark",
    "records_synced", "records_failed", "consecutive_failures", "next_sync_at", "last_error",
]  # fmt: skip


def pc_health(sink: Sink, registered: Iterable[str], silent_after: timedelta) -> list[Row]:
    """One row per PC of the registry or of `pc_status`: a PC registered but never synced shows as
    'never synced', one that synced but left the registry keeps its row with in_registry False, one that
    stopped writing mid-show as 'silent' (see `silence`). The newest open rejection is named
    ('path: reason'), so a problem is readable at a glance."""
    registered = set(registered)
    rows = sink.select(PC_STATUS, _PC_STATUS_COLUMNS, {})
    silent = silence.silent_pcs(rows, datetime.now(UTC), silent_after)
    status = {
        row["gfx_pc_id"]: {**row, **({"status": SILENT} if row["gfx_pc_id"] in silent else {})}
        for row in rows
    }
    rejections = sorted(
        sink.select(REJECTED, _LATEST_REJECTION_COLUMNS, {}), key=_newest_first("first_seen_at")
    )
    rejected = Counter(row["gfx_pc_id"] for row in rejections)
    latest = {row["gfx_pc_id"]: f"{row['nas_path']}: {row['reason']}" for row in reversed(rejections)}
    dead = Counter(row["gfx_pc_id"] for row in _open_dead_letters(sink, ["gfx_pc_id"], GFX_SOURCE))
    return [
        {
            **_pc_row(pc_id, pc_id in registered, status.get(pc_id), rejected[pc_id], dead[pc_id]),
            "latest_rejection": latest.get(pc_id),
        }
        for pc_id in sorted(registered | set(status))
    ]


def open_rejections(sink: Sink, pc_id: str | None = None) -> list[Row]:
    """Files recorded in gfx_rejected_files (a row goes away once its file lands), newest first."""
    filters = {} if pc_id is None else {"gfx_pc_id": pc_id}
    rows = sorted(sink.select(REJECTED, _REJECTION_COLUMNS, filters), key=_newest_first("first_seen_at"))
    return [
        _text_row(
            {
                "pc": row["gfx_pc_id"],
                "file": row["nas_path"],
                "reason": row["reason"],
                "detail": redact(row["detail"] or ""),
                "since": row["first_seen_at"],
                "last_seen": row["last_seen_at"],
            }
        )
        for row in rows
    ]


def open_dead_letters(sink: Sink, pc_id: str | None = None) -> list[Row]:
    """Items of runs that failed for good and have not landed since (resolved_at IS NULL), newest
    first; with `pc_id`, only that PC's NAS files."""
    rows = _open_dead_letters(sink, _DEAD_LETTER_COLUMNS, None if pc_id is None else GFX_SOURCE, pc_id)
    return [
        _text_row(
            {
                "source": row["source"],
                "pc": row["gfx_pc_id"] or None,  # '' for WSOP tables, which belong to no PC
                "item": row["nas_path"],
                "error": redact(row["error"] or ""),
                "attempts": row["attempts"],
                "since": row["first_failed_at"],
                "last_failed": row["last_failed_at"],
            }
        )
        for row in sorted(rows, key=_newest_first("last_failed_at"))
    ]


def sync_dashboard(sink: Sink) -> list[Row]:
    """`v_sync_dashboard`: health, lag and failures per synced table."""
    rows = sink.select(SYNC_DASHBOARD, _DASHBOARD_COLUMNS, {})
    return _as_text(sorted(rows, key=lambda row: (row["source"], row["entity_type"])))


def partition_row_count(sink: Sink, pc_id: str) -> int:
    """Rows of one PC in gfx_sessions, counted by the database (pc_status.total_sessions)."""
    rows = sink.select(PC_STATUS, ["total_sessions"], {"gfx_pc_id": pc_id})
    return int(rows[0]["total_sessions"]) if rows else 0


def _open_dead_letters(
    sink: Sink, columns: list[str], source: str | None, pc_id: str | None = None
) -> list[Row]:
    filters: dict[str, Any] = {"resolved_at": None}
    if source is not None:
        filters["source"] = source
    if pc_id is not None:
        filters["gfx_pc_id"] = pc_id
    return sink.select(SYNC_FAILURES, columns, filters)


def _pc_row(pc_id: str, registered: bool, status: Row | None, rejected: int, dead: int) -> Row:
    status = status or {}
    return _text_row(
        {
            "pc": pc_id,
            "in_registry": registered,
            "status": status.get("status") or NEVER_SYNCED,
            "last_sync_at": status.get("last_sync_at"),
            "last_error_at": status.get("last_error_at"),
            "last_file_at": status.get("last_file_at"),
            "sessions": int(status.get("total_sessions") or 0),
            "open_rejections": rejected,
            "open_dead_letters": dead,
        }
    )


def _newest_first(stamp: str) -> Callable[[Row], tuple]:
    def key(row: Row) -> tuple:
        return (-row[stamp].timestamp(), row["gfx_pc_id"], row["nas_path"])

    return key


def _as_text(rows: list[Row]) -> list[Row]:
    return [_text_row(row) for row in rows]


def _text_row(row: Row) -> Row:
    return {column: _text(value) for column, value in row.items()}


def _text(value: Any) -> str | int | float | bool | None:
    """Timestamps as UTC text to the second, intervals as text; the rest as it came."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
