"""Open dead letters of GFX files resolved once their file has landed, whoever landed it.

A file lands in a run's step that later fails, in an earlier attempt of a retried step, in a rescan, or
in the run that failed: the step that landed it may never reach its own bookkeeping. So every sync of a
PC, and the failure sensor after writing, compare the PC's open dead letters with the manifest.
"""

from pathlib import Path

from gfx_assets.lib.common.events import resolve_dead_letters
from gfx_assets.lib.common.tables import SYNC_FAILURES
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.scan import stat_files
from gfx_assets.lib.sinks import Sink

SOURCE = "gfx"


def open_dead_letters(sink: Sink, pc_id: str) -> list[str]:
    """NAS paths of the PC's unresolved dead letters (a partial index makes this cheap when none are)."""
    filters = {"source": SOURCE, "gfx_pc_id": pc_id, "resolved_at": None}
    return [row["nas_path"] for row in sink.select(SYNC_FAILURES, ["nas_path"], filters)]


def landed_paths(sink: Sink, nas_root: Path, pc_id: str, nas_paths: list[str]) -> list[str]:
    """The paths whose file the manifest holds as it is now on the NAS (stored, or rejected with a
    reason: both are final); a file gone from the NAS counts once the manifest holds any version."""
    if not nas_paths:
        return []
    done = manifest.synced_keys(sink, pc_id, nas_paths)
    on_nas = {file.stored_path: file for file in stat_files(nas_root, nas_paths)}
    in_manifest = {path for path, _, _ in done}
    return [
        path
        for path in nas_paths
        if (path in on_nas and on_nas[path].key in done) or (path not in on_nas and path in in_manifest)
    ]


def resolve_landed(sink: Sink, nas_root: Path, pc_id: str) -> list[str]:
    """Resolve the PC's open dead letters whose file has landed; returns their paths."""
    landed = landed_paths(sink, nas_root, pc_id, open_dead_letters(sink, pc_id))
    resolve_dead_letters(sink, SOURCE, pc_id, landed)
    return landed
