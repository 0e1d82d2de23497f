"""The metadata a `gfx_sessions` materialization shows in the UI."""

import dagster as dg

from gfx_assets.lib.nas_sync.landing import Landed
from gfx_assets.lib.nas_sync.scan import FileStat, storable
from gfx_assets.lib.nas_sync.staging import Staged

MAX_LISTED_PATHS = 50


REJECTION_COLUMNS = [
    dg.TableColumn("file", "string", "NAS path, relative to the NAS root"),
    dg.TableColumn("reason", "string", "Why it cannot be stored"),
    dg.TableColumn("detail", "string", "What the parser or the database said"),
]


def sync_metadata(
    files: list[FileStat], staged: Staged, landed: Landed, seconds: float, partition_rows: int
) -> dict:
    """This run's counts; `dagster/row_count` is the PC's rows in gfx_sessions after the run. A
    rejection shows here in the run that found it and stays in operations/open_rejections."""
    return {
        "dagster/row_count": dg.MetadataValue.int(partition_rows),
        "files_scanned": dg.MetadataValue.int(len(files)),
        "files_considered": dg.MetadataValue.int(staged.scanned),
        "new": dg.MetadataValue.int(landed.upserted),
        "unchanged": dg.MetadataValue.int(len(files) - staged.scanned + landed.unchanged),
        "duplicate": dg.MetadataValue.int(len(staged.duplicates)),
        "rows_upserted": dg.MetadataValue.int(landed.upserted),
        "rejected": dg.MetadataValue.int(len(landed.rejections)),
        "rejected_files": _rejections_table(landed),
        "still_being_written": dg.MetadataValue.int(len(staged.still_writing)),
        "unreadable": dg.MetadataValue.json(staged.unreadable[:MAX_LISTED_PATHS]),
        "bytes_read": dg.MetadataValue.int(staged.bytes_read),
        "duration_seconds": dg.MetadataValue.float(round(seconds, 3)),
    }


def _rejections_table(landed: Landed) -> dg.TableMetadataValue:
    records = [
        dg.TableRecord(
            {
                "file": storable(rejection.nas_path),
                "reason": str(rejection.reason),  # a StrEnum: Dagster serializes plain text only
                "detail": rejection.detail[:300],
            }
        )
        for rejection in landed.rejections[:MAX_LISTED_PATHS]
    ]
    return dg.MetadataValue.table(records=records, schema=dg.TableSchema(columns=REJECTION_COLUMNS))
