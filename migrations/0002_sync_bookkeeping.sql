-- Bookkeeping of the NAS sync: what was seen, what was refused, what failed, what happened.

-- The manifest: the last fingerprint of every NAS file and what became of it. It is the source of
-- truth for "done": the sensor requests a file again while its (file_size, file_mtime) differ here.
CREATE TABLE IF NOT EXISTS gfx_file_manifest (
    gfx_pc_id   text NOT NULL,
    nas_path    text NOT NULL,
    file_size   bigint NOT NULL,
    file_mtime  timestamptz NOT NULL,
    file_hash   text,
    status      text NOT NULL CHECK (status IN ('synced', 'rejected')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gfx_pc_id, nas_path)
);

-- Files that cannot be stored, with the reason; cleared when the file later lands.
CREATE TABLE IF NOT EXISTS gfx_rejected_files (
    gfx_pc_id     text NOT NULL,
    nas_path      text NOT NULL,
    file_hash     text,
    file_size     bigint,
    reason        text NOT NULL,
    detail        text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gfx_pc_id, nas_path)
);

-- Dead letters: files of runs that failed for good; resolved_at is set once they land.
CREATE TABLE IF NOT EXISTS gfx_sync_failures (
    gfx_pc_id       text NOT NULL,
    nas_path        text NOT NULL,
    run_id          text NOT NULL,
    error           text,
    attempts        integer NOT NULL DEFAULT 1,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    PRIMARY KEY (gfx_pc_id, nas_path)
);

-- One row per finished sync run (event_type 'sync') or final failure (event_type 'error').
CREATE TABLE IF NOT EXISTS sync_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type    text NOT NULL CHECK (event_type IN ('sync', 'error')),
    gfx_pc_id     text,
    run_id        text,
    file_count    integer NOT NULL DEFAULT 0,
    error_message text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sync_events_run_type_key UNIQUE (run_id, event_type)
);

CREATE INDEX IF NOT EXISTS sync_events_pc_created_idx ON sync_events (gfx_pc_id, created_at);
