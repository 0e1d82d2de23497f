"""sync_events rows and dead-letter resolution: the history behind `pc_status`."""

from gfx_assets.lib.common.clock import utcnow
from gfx_assets.lib.common.tables import SYNC_EVENTS, SYNC_FAILURES
from gfx_assets.lib.sinks import Sink, require_all_written


def record_sync(sink: Sink, pc_id: str, run_id: str, landed_paths: list[str]) -> None:
    """One 'sync' event per run (keyed by run, so a retried step writes it once) and the dead letters
    of files that have now landed marked resolved."""
    event = {"event_type": "sync", "gfx_pc_id": pc_id, "run_id": run_id, "file_count": len(landed_paths)}
    require_all_written(sink.upsert(SYNC_EVENTS, [event], ("run_id", "event_type")), SYNC_EVENTS)
    if landed_paths:
        sink.update(
            SYNC_FAILURES,
            {"resolved_at": utcnow()},
            {"gfx_pc_id": pc_id, "nas_path": landed_paths, "resolved_at": None},
        )
