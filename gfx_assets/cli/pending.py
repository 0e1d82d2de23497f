"""What `gfx-assets sync` has to do before it starts Dagster: a PC whose settled files the manifest
holds already gets no run, so a sync with nothing new neither imports Dagster nor opens its storage.

The rules are the run's own: the settled `*.json` files of the PC folder whose (path, size, mtime) the
manifest does not hold (gfx_ingest/assets.py), and the sessions whose latest snapshot's hands are not
loaded yet (`sessions_to_load`: sessions stored before migration 0007, or whose hand step failed), which
the run's gfx_hand_tables loads. When the target cannot be read, every PC is run, so the failure shows as
a failed run in the UI, as it did before this check existed.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gfx_assets.cli.runtime import target_url
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.hand_loading import sessions_to_load
from gfx_assets.lib.nas_sync.registry import Registry
from gfx_assets.lib.nas_sync.scan import FileStat, scan_folder, settled
from gfx_assets.lib.sinks import Sink, SinkError, SinkUnavailable
from gfx_assets.lib.sinks.base import RequestRetry
from gfx_assets.settings import GfxSettings

# The check only saves time: a target that does not answer within this is left to the runs, which
# retry for as long as GFX_SINK_REQUEST_DEADLINE_SECONDS and fail visibly.
CHECK_DEADLINE_SECONDS = 10.0


@dataclass(frozen=True)
class PcWork:
    """One PC's settled files, how many of them the manifest lacks, and how many of its sessions still
    need their hands loaded (None: it could not be read)."""

    pc_id: str
    files: int
    pending: int | None
    hands_pending: int | None = 0

    @property
    def needs_run(self) -> bool:
        return self.pending != 0 or self.hands_pending != 0

    def summary(self) -> str:
        """The line a run of this PC would print, for a run that is not needed."""
        return (
            f"{self.pc_id}: ok, files_scanned {self.files}, new 0, unchanged {self.files}, duplicate 0, "
            "rejected 0, still_being_written 0; nothing new, no run started"
        )


def pc_work(settings: GfxSettings, registry: Registry, pc_ids: list[str]) -> list[PcWork]:
    """Each PC's work, in the order of `pc_ids`."""
    root, now = settings.resolved_nas_root, time.time()
    found = {
        pc_id: settled(scan_folder(root, registry.watch_path(pc_id)), settings.settle_seconds, now)
        for pc_id in pc_ids
    }
    with _manifest_reader(settings) as target:
        return [
            PcWork(pc_id, len(files), _pending(target, pc_id, files), _hands_pending(target, pc_id))
            for pc_id, files in found.items()
        ]


def _pending(target: Sink, pc_id: str, files: list[FileStat]) -> int | None:
    if not files:
        return 0
    try:
        return len(manifest.pending(files, manifest.synced_keys(target, pc_id)))
    except (SinkError, SinkUnavailable):
        return None


def _hands_pending(target: Sink, pc_id: str) -> int | None:
    try:
        return len(sessions_to_load(target, pc_id))
    except (SinkError, SinkUnavailable):
        return None


@contextmanager
def _manifest_reader(settings: GfxSettings) -> Iterator[Sink]:
    """The target as a sink (it connects on its first query), closed at the end."""
    retry = RequestRetry(deadline_seconds=CHECK_DEADLINE_SECONDS)
    if settings.sink == "supabase":
        from gfx_assets.lib.sinks.rest import SupabaseRestSink

        url, key = str(settings.supabase_url).rstrip("/"), settings.supabase_service_key
        sink: Sink = SupabaseRestSink(url, key, retry=retry)  # type: ignore[arg-type]
    else:
        from gfx_assets.lib.sinks.postgres import PostgresSink

        sink = PostgresSink(target_url(settings), retry=retry)
    try:
        yield sink
    finally:
        sink.close()
