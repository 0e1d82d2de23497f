"""Names of the target tables that code reads and writes (created by migrations/)."""

SESSIONS = "gfx_sessions"  # one row per (PC, game): its latest content
LEDGER = "gfx_session_snapshots"  # one row per stored content: what "landed" means
MANIFEST = "gfx_file_manifest"
REJECTED = "gfx_rejected_files"
SYNC_FAILURES = "gfx_sync_failures"
SYNC_EVENTS = "sync_events"
SYNC_STATUS = "sync_status"
