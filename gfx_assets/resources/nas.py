"""The NAS as a Dagster resource: the PC registry and the PC folders, read-only."""

import time
from pathlib import Path

import dagster as dg

from gfx_assets.lib.nas_sync.folder_watch import FolderWatch, WatchTiming, folder_watch
from gfx_assets.lib.nas_sync.registry import Registry, load_registry
from gfx_assets.lib.nas_sync.scan import FileStat, scan_folder, settled
from gfx_assets.lib.nas_sync.staging import STILL_WRITING_SECONDS


class NasResource(dg.ConfigurableResource):
    """The NAS root holding `config/pc_registry.json` and one folder per GFX PC. Nothing here
    writes to the NAS: production mounts it read-only."""

    root: str
    registry_file: str = ""  # empty: config/pc_registry.json under the root
    settle_seconds: float = 1.0
    still_writing_seconds: float = STILL_WRITING_SECONDS
    max_file_bytes: int = 64 * 1024 * 1024
    max_files_per_run: int = 200
    quiet_seconds: float = 3600.0  # the sensor trusts the mtime of a folder unchanged this long
    rescan_seconds: float = 300.0  # and still lists every folder in full this often (0: every tick)

    @property
    def path(self) -> Path:
        return Path(self.root).resolve()

    def registry(self) -> Registry:
        return load_registry(self.path, Path(self.registry_file) if self.registry_file else None)

    def watch_path(self, pc_id: str) -> str:
        """Where the PC writes, by the registry; `RegistryLookupError` says why it cannot be told."""
        return self.registry().watch_path(pc_id)

    def settled_files(self, watch_path: str) -> list[FileStat]:
        """Every `*.json` under the PC folder that PokerGFX has stopped writing for now (a full scan)."""
        return settled(scan_folder(self.path, watch_path), self.settle_seconds, time.time())

    def folder_watch(self, watch_path: str) -> FolderWatch:
        """The sensor's view of the PC folder: scans that reuse the listings of quiet folders."""
        return folder_watch(self.path, watch_path)

    @property
    def watch_timing(self) -> WatchTiming:
        return WatchTiming(self.settle_seconds, self.quiet_seconds, self.rescan_seconds)
