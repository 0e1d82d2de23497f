-- Read models for the broadcast team.

-- The newest snapshot of every game session: PokerGFX only appends hands, so the snapshot with
-- the most hands wins; ties go to the newest file.
CREATE OR REPLACE VIEW gfx_sessions_latest AS
SELECT DISTINCT ON (gfx_pc_id, session_id) *
FROM gfx_sessions
ORDER BY gfx_pc_id, session_id, hand_count DESC NULLS LAST, file_mtime DESC NULLS LAST;

-- Health of every GFX PC: online (synced in the last 5 minutes), idle (last hour) or offline.
CREATE OR REPLACE VIEW pc_status AS
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
    SELECT gfx_pc_id, count(*) AS rejected_count FROM gfx_rejected_files GROUP BY gfx_pc_id
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
       coalesce(rejected.rejected_count, 0) AS rejected_count
FROM pcs
LEFT JOIN sessions USING (gfx_pc_id)
LEFT JOIN syncs USING (gfx_pc_id)
LEFT JOIN rejected USING (gfx_pc_id);
