"""The job the NAS sensor and `gfx-assets sync` launch: `gfx_sessions` for one PC partition, then the
hand tables and the snapshot ledger downstream of it, in the same run."""

import dagster as dg

from gfx_assets.defs.gfx_hands.assets import gfx_hand_tables, gfx_session_snapshots
from gfx_assets.defs.gfx_ingest.assets import gfx_sessions

GFX_SYNC_JOB_NAME = "gfx_sessions_job"

# gfx_pc_writing (defs/operations/silence.py) stays out: gfx_silent_pc_sensor reports it when a PC's state
# changes, and one more step in every sensor-started run would be one more set of step events in Dagster's
# storage (issue 18). Named by key: this module is imported by `gfx-assets sync` before the definitions load.
PC_WRITING_CHECK = dg.AssetCheckKey(gfx_sessions.key, "gfx_pc_writing")
gfx_sessions_job = dg.define_asset_job(
    GFX_SYNC_JOB_NAME,
    selection=dg.AssetSelection.assets(gfx_sessions, gfx_hand_tables, gfx_session_snapshots)
    - dg.AssetSelection.checks(PC_WRITING_CHECK),
    description="Sync one GFX PC's NAS folder into gfx_sessions, then its hands and snapshot ledger.",
)
