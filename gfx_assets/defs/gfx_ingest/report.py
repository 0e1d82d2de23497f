"""The metadata a `gfx_sessions` materialization shows in the UI."""

import dagster as dg

from gfx_assets.lib.nas_sync.landing import Landed
from gfx_assets.lib.nas_sync.scan import FileStat, storable
from gfx_assets.lib.nas_sync.staging import Staged

MAX_LISTED_PATHS = 50


def sync_metadata(files: list[FileStat], staged: Staged, landed: Landed, seconds: float) -> dict:
    return {
        "files_scanned": dg.MetadataValue.int(len(files)),
        "files_considered": dg.MetadataValue.int(staged.scanned),
        "new": dg.MetadataValue.int(landed.upserted),
        "unchanged": dg.MetadataValue.int(len(files) - staged.scanned + landed.unchanged),
        "duplicate": dg.MetadataValue.int(len(staged.duplicates)),
        "rows_upserted": dg.MetadataValue.int(landed.upserted),
        "rejected": dg.MetadataValue.int(len(landed.rejections)),
        "rejected_files": dg.MetadataValue.md(_rejections_table(landed)),
        "still_being_written": dg.MetadataValue.int(len(staged.still_writing)),
        "unreadable": dg.MetadataValue.json(staged.unreadable[:MAX_LISTED_PATHS]),
        "bytes_read": dg.MetadataValue.int(staged.bytes_read),
        "duration_seconds": dg.MetadataValue.float(round(seconds, 3)),
    }


def _rejections_table(landed: Landed) -> str:
    if not landed.rejections:
        return "No rejected files."
    lines = ["| file | reason | detail |", "| --- | --- | --- |"]
    for rejection in landed.rejections[:MAX_LISTED_PATHS]:
        detail = rejection.detail.replace("|", "\\|")[:200]
        lines.append(f"| `{storable(rejection.nas_path)}` | {rejection.reason} | {detail} |")
    if len(landed.rejections) > MAX_LISTED_PATHS:
        lines.append(f"| ... {len(landed.rejections) - MAX_LISTED_PATHS} more | | |")
    return "\n".join(lines)
