"""`wsop_sync_job` (the four tables, in foreign-key order) and the hourly reconciliation job."""

import dagster as dg

from gfx_assets.defs.wsop_sync.assets import WSOP_ASSETS, WSOP_TAGS
from gfx_assets.defs.wsop_sync.checks import WSOP_RECONCILIATION_CHECKS

WSOP_SYNC_JOB_NAME = "wsop_sync_job"

wsop_sync_job = dg.define_asset_job(
    WSOP_SYNC_JOB_NAME,
    selection=dg.AssetSelection.assets(*WSOP_ASSETS).without_checks(),
    tags=WSOP_TAGS,
    description=(
        "Copy what changed in the WSOP+ source: events and players, then event entries and chip counts."
    ),
)

wsop_reconciliation_job = dg.define_asset_job(
    "wsop_reconciliation_job",
    selection=dg.AssetSelection.checks(*WSOP_RECONCILIATION_CHECKS),
    tags=WSOP_TAGS,
    description="Compare every WSOP table with the source (keys and per-range checksums) and repair it.",
)
