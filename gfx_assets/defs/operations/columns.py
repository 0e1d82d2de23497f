"""The columns of the operator tables, with the explanations the UI shows on hover."""

from gfx_assets.defs.operations.tables import column

PC_HEALTH = [  # the columns an operator reads first come first
    column("pc", "string", "GFX PC id"),
    column(
        "status",
        "string",
        "online (synced in the last 5 min), idle (last hour), offline, never synced; silent: wrote in the "
        "last hour, then no file for GFX_PC_SILENT_MINUTES (stopped mid-show)",
    ),
    column("open_rejections", "int", "Files in gfx_rejected_files (see open_rejections)"),
    column("open_dead_letters", "int", "Files of failed runs not landed yet (see open_dead_letters)"),
    column("latest_rejection", "string", "Newest open rejection of the PC: NAS path and reason"),
    column("last_file_at", "timestamp", "Last new content of the PC landed, or file rejected (UTC)"),
    column("last_sync_at", "timestamp", "Last sync run or stored row (UTC)"),
    column("last_error_at", "timestamp", "Last run of this PC that failed for good (UTC)"),
    column("sessions", "int", "Games in gfx_sessions (one row per game)"),
    column("in_registry", "bool", "Enabled in config/pc_registry.json on the NAS"),
]

REJECTIONS = [
    column("pc", "string", "GFX PC id"),
    column("file", "string", "NAS path, relative to the NAS root"),
    column("reason", "string", "Why it cannot be stored"),
    column("detail", "string", "What the parser or the database said"),
    column("since", "timestamp", "First rejected (UTC)"),
    column("last_seen", "timestamp", "Last rejected (UTC)"),
]

DEAD_LETTERS = [
    column("source", "string", "gfx (NAS files) or wsop (WSOP+ tables)"),
    column("pc", "string", "GFX PC id; empty for WSOP tables"),
    column("item", "string", "NAS path, or the WSOP table"),
    column("error", "string", "Error of the last failed run"),
    column("attempts", "int", "Failed runs so far"),
    column("since", "timestamp", "First failure (UTC)"),
    column("last_failed", "timestamp", "Last failure (UTC)"),
]

DASHBOARD = [
    column("source", "string", "Data source"),
    column("entity_type", "string", "Synced table"),
    column("health_status", "string", "CRITICAL, WARNING, STALE, ERROR or HEALTHY"),
    column("status", "string", "Last sync: pending, success or failed"),
    column("lag_seconds", "int", "Seconds since the last successful sync"),
    column("last_synced_at", "timestamp", "Last successful sync (UTC)"),
    column("watermark", "timestamp", "Newest source stamp synced"),
    column("records_synced", "int", "Rows synced by the last run"),
    column("records_failed", "int", "Rows that failed in the last run"),
    column("consecutive_failures", "int", "Failed runs in a row"),
    column("next_sync_at", "timestamp", "Next scheduled sync (UTC)"),
    column("last_error", "string", "Error of the last failed sync"),
]

PROBLEMS = [
    column("kind", "string", "rejected (cannot be stored) or dead letter (run failed, not landed yet)"),
    column("file", "string", "NAS path"),
    column("why", "string", "Reason and detail, or the run's error"),
    column("since", "timestamp", "First seen (UTC)"),
]
