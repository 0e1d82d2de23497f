"""sync_events rows and dead-letter resolution: the history behind `pc_status` and `v_sync_dashboard`."""

from collections.abc import Sequence

from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.tables import SYNC_EVENTS, SYNC_FAILURES
from gfx_assets.lib.sinks import Sink, require_all_written


def record_sync(
    sink: Sink, pc_id: str | None, run_id: str, landed: Sequence[str], source: str = "gfx"
) -> None:
    """One 'sync' event per run (keyed by run, so a retried step writes it once) and the dead letters
    of the items that have now landed (NAS paths, or WSOP tables) marked resolved."""
    event = {
        "event_type": "sync",
        "source": source,
        "gfx_pc_id": pc_id or None,
        "run_id": run_id,
        "file_count": len(landed),
    }
    require_all_written(sink.upsert(SYNC_EVENTS, [event], ("run_id", "event_type")), SYNC_EVENTS)
    resolve_dead_letters(sink, source, pc_id or "", landed)


def resolve_dead_letters(sink: Sink, source: str, pc_id: str, landed: Sequence[str]) -> None:
    """Whoever lands an item resolves its open dead letter at once."""
    if landed:
        sink.update(
            SYNC_FAILURES,
            {"resolved_at": utcnow()},
            {"source": source, "gfx_pc_id": pc_id, "nas_path": list(landed), "resolved_at": None},
        )
