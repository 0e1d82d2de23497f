-- pc_status gains last_file_at: when a new content of the PC last landed (its gfx_sessions rows change only
-- then, see 0008) or a file of it was last rejected. A PC that rewrites its session file after every hand
-- keeps it fresh all show long, and the silent-PC watch (GFX_PC_SILENT_MINUTES,
-- gfx_assets/lib/operations/silence.py) reads it; last_sync_at is no such signal, as the hourly
-- reconciliation sweep syncs every PC whether it wrote or not. It reads only tables pc_status read before,
-- so signed-in Supabase users (authenticated) read it as before.
-- The view is 0003's with the column appended (CREATE OR REPLACE VIEW keeps the existing columns).
-- Runs as it is in Supabase's SQL editor, and a second time harmlessly.

CREATE OR REPLACE VIEW pc_status WITH (security_invoker = true) AS
WITH pcs AS (
    SELECT gfx_pc_id FROM gfx_sessions
    UNION SELECT gfx_pc_id FROM sync_events WHERE gfx_pc_id IS NOT NULL
    UNION SELECT gfx_pc_id FROM gfx_rejected_files
),
sessions AS (
    SELECT gfx_pc_id,
           count(*) AS total_sessions,
           count(*) FILTER (WHERE created_at > now() - interval '1 hour') AS sessions_last_hour,
           count(*) FILTER (WHERE created_at > now() - interval '1 day') AS sessions_last_day,
           max(updated_at) AS last_row_at
    FROM gfx_sessions GROUP BY gfx_pc_id
),
syncs AS (
    SELECT gfx_pc_id, max(created_at) AS last_sync_at,
           max(created_at) FILTER (WHERE event_type = 'error') AS last_error_at
    FROM sync_events WHERE event_type IN ('sync', 'error') GROUP BY gfx_pc_id
),
rejected AS (
    SELECT gfx_pc_id, count(*) AS rejected_count, max(last_seen_at) AS last_rejected_at
    FROM gfx_rejected_files GROUP BY gfx_pc_id
)
SELECT pcs.gfx_pc_id,
       coalesce(sessions.total_sessions, 0) AS total_sessions,
       coalesce(sessions.sessions_last_hour, 0) AS sessions_last_hour,
       coalesce(sessions.sessions_last_day, 0) AS sessions_last_day,
       greatest(syncs.last_sync_at, sessions.last_row_at) AS last_sync_at,
       syncs.last_error_at,
       CASE
           WHEN greatest(syncs.last_sync_at, sessions.last_row_at) > now() - interval '5 minutes' THEN 'online'
           WHEN greatest(syncs.last_sync_at, sessions.last_row_at) > now() - interval '1 hour' THEN 'idle'
           ELSE 'offline'
       END AS status,
       coalesce(rejected.rejected_count, 0) AS rejected_count,
       greatest(sessions.last_row_at, rejected.last_rejected_at) AS last_file_at
FROM pcs
LEFT JOIN sessions USING (gfx_pc_id)
LEFT JOIN syncs USING (gfx_pc_id)
LEFT JOIN rejected USING (gfx_pc_id);
