-- gfx_sessions: one row per distinct PokerGFX export content per GFX PC.
-- Runs as it is in Supabase's SQL editor (gen_random_uuid is built into PostgreSQL 13+).

CREATE TABLE IF NOT EXISTS gfx_sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    gfx_pc_id          text NOT NULL,
    session_id         bigint,
    file_name          text,
    nas_path           text,
    file_hash          text NOT NULL,
    file_size          bigint,
    file_mtime         timestamptz,
    raw_json           jsonb NOT NULL,
    table_type         text NOT NULL DEFAULT 'UNKNOWN'
        CHECK (table_type IN ('FEATURE_TABLE', 'MAIN_TABLE', 'FINAL_TABLE', 'SIDE_TABLE', 'UNKNOWN')),
    event_title        text,
    software_version   text,
    hand_count         integer,
    player_count       integer,
    payouts            bigint[],
    session_created_at timestamptz,
    sync_source        text NOT NULL DEFAULT 'nas_central',
    sync_status        text NOT NULL DEFAULT 'synced',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gfx_sessions_pc_hash_key UNIQUE (gfx_pc_id, file_hash)
);

CREATE INDEX IF NOT EXISTS gfx_sessions_gfx_pc_id_idx ON gfx_sessions (gfx_pc_id);
CREATE INDEX IF NOT EXISTS gfx_sessions_session_id_idx ON gfx_sessions (session_id);
CREATE INDEX IF NOT EXISTS gfx_sessions_created_at_idx ON gfx_sessions (created_at);
