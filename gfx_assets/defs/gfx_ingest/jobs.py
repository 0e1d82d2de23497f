"""The job the NAS sensor and `gfx-assets sync` launch: `gfx_sessions` for one PC partition, then the
hand tables and the snapshot ledger downstream of it, in the same run."""

import dagster as dg

from gfx_assets.defs.gfx_hands.assets import gfx_hand_tables, gfx_session_snapshots
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.operations.silence import gfx_pc_writing

GFX_SYNC_JOB_NAME = "gfx_sessions_job"

# gfx_pc_writing stays out: gfx_silent_pc_sensor reports it when a PC's state changes, and one more step in
# every sensor-started run would be one more set of step events in Dagster's storage (issue 18).
gfx_sessions_job = dg.define_asset_job(
    GFX_SYNC_JOB_NAME,
    selection=dg.AssetSelection.assets(gfx_sessions, gfx_hand_tables, gfx_session_snapshots)
    - dg.AssetSelection.checks(gfx_pc_writing),
    description="Sync one GFX PC's NAS folder into gfx_sessions, then its hands and snapshot ledger.",
)
