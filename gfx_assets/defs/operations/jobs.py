"""`operations_refresh_job`: re-reads every operator view."""

import dagster as dg

from gfx_assets.defs.operations.assets import OPERATIONS

operations_refresh_job = dg.define_asset_job(
    "operations_refresh_job",
    selection=dg.AssetSelection.groups(OPERATIONS),
    description="Refresh the operator views: PC health, open rejections, dead letters, WSOP dashboard.",
)
