"""sync_status bookkeeping of the WSOP sync, written through the sink (so it works on both sinks).

The watermark moves only in `record_success`, called after every row of the table was upserted: a
failed or interrupted sync leaves it where it was, and the next run reads the same rows again.
"""

from dataclasses import dataclass
from datetime import datetime

from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.sinks import Sink, require_all_written
from gfx_assets.lib.wsop.tables import SOURCE, SYNC_STATUS

KEY = ("source", "entity_type")


@dataclass(frozen=True)
class Schedule:
    """How often the sync runs, for the dashboard's STALE rule and next_sync_at."""

    interval_seconds: int
    next_sync_at: datetime | None


@dataclass(frozen=True)
class TableStatus:
    watermark: datetime | None
    consecutive_failures: int


def read_status(sink: Sink, table: str) -> TableStatus:
    rows = sink.select(SYNC_STATUS, ["watermark", "consecutive_failures"], _key(table))
    if not rows:
        return TableStatus(None, 0)
    return TableStatus(rows[0]["watermark"], rows[0]["consecutive_failures"])


def record_success(
    sink: Sink, table: str, watermark: datetime | None, synced: int, schedule: Schedule
) -> None:
    now = utcnow()
    row = {
        **_key(table),
        **_schedule(schedule),
        "status": "success",
        "last_synced_at": now,
        "watermark": watermark,
        "records_synced": synced,
        "records_failed": 0,
        "consecutive_failures": 0,
        "last_error": None,
        "updated_at": now,
    }
    require_all_written(sink.upsert(SYNC_STATUS, [row], KEY), SYNC_STATUS)


def record_failure(sink: Sink, table: str, error: str, schedule: Schedule, failed_rows: int = 0) -> int:
    """Count one more failure in a row (the watermark and last_synced_at stay); returns the new count."""
    failures = read_status(sink, table).consecutive_failures + 1
    row = {
        **_key(table),
        **_schedule(schedule),
        "status": "failed",
        "records_failed": failed_rows,
        "consecutive_failures": failures,
        "last_error": error,
        "updated_at": utcnow(),
    }
    require_all_written(sink.upsert(SYNC_STATUS, [row], KEY), SYNC_STATUS)
    return failures


def _key(table: str) -> dict[str, str]:
    return {"source": SOURCE, "entity_type": table}


def _schedule(schedule: Schedule) -> dict:
    # an interval as text: PostgreSQL parses it, and JSON (the REST sink) has no interval type
    return {"sync_interval": f"{schedule.interval_seconds} seconds", "next_sync_at": schedule.next_sync_at}
