"""Names of the target tables that code reads and writes (created by migrations/)."""

SESSIONS = "gfx_sessions"
MANIFEST = "gfx_file_manifest"
REJECTED = "gfx_rejected_files"
SYNC_FAILURES = "gfx_sync_failures"
SYNC_EVENTS = "sync_events"
SYNC_STATUS = "sync_status"
