"""A GFX PC gone silent mid-show. Dagster-free.

During a show PokerGFX rewrites a PC's session file after every hand, so a new content lands every minute
or two (`pc_status.last_file_at`). A PC whose last file landed within the last hour but longer than
GFX_PC_SILENT_MINUTES ago has stopped writing mid-show (a crash, a cable, PokerGFX closed): it is silent.
One whose last file is older than an hour, or that never wrote, is simply off between shows: not silent,
so it raises nothing. A silent PC stops being silent as soon as a file of it lands again.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gfx_assets.lib.nas_sync.manifest import as_datetime
from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import Row

PC_STATUS = "pc_status"
ACTIVE_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class Silence:
    pc_id: str
    last_file_at: datetime

    def minutes(self, now: datetime) -> int:
        return int((now - self.last_file_at).total_seconds() // 60)

    def describe(self, now: datetime) -> str:
        return (
            f"{self.pc_id} has written no file for {self.minutes(now)} min "
            f"(last at {self.last_file_at:%Y-%m-%d %H:%M:%S} UTC)"
        )


def is_silent(last_file_at: datetime | None, now: datetime, silent_after: timedelta) -> bool:
    return last_file_at is not None and silent_after <= now - last_file_at < ACTIVE_WITHIN


def silent_pcs(rows: Iterable[Row], now: datetime, silent_after: timedelta) -> dict[str, Silence]:
    """The silent PCs among `pc_status` rows (gfx_pc_id, last_file_at)."""
    found = {}
    for row in rows:
        last = as_datetime(row["last_file_at"]) if row["last_file_at"] is not None else None
        if last is not None and is_silent(last, now, silent_after):
            found[row["gfx_pc_id"]] = Silence(row["gfx_pc_id"], last)
    return found


def read_silent_pcs(
    sink: Sink, now: datetime, silent_after: timedelta, pc_id: str | None = None
) -> dict[str, Silence]:
    """One query of `pc_status`: every PC, or one."""
    filters = {} if pc_id is None else {"gfx_pc_id": pc_id}
    return silent_pcs(sink.select(PC_STATUS, ["gfx_pc_id", "last_file_at"], filters), now, silent_after)


def alert_text(silence: Silence, now: datetime) -> dict[str, str]:
    """The Slack message for a PC that has just gone silent."""
    return {
        "text": f":warning: GFX PC *{silence.pc_id}* went silent: {silence.describe(now)}. "
        "Check the PC and PokerGFX; the graphics of its table are going stale."
    }
