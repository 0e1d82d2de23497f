"""The job the NAS sensor launches: `gfx_sessions` for one PC partition."""

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions

GFX_SYNC_JOB_NAME = "gfx_sessions_job"

gfx_sessions_job = dg.define_asset_job(
    GFX_SYNC_JOB_NAME,
    selection=dg.AssetSelection.assets(gfx_sessions),
    description="Sync one GFX PC's NAS folder into gfx_sessions.",
)
