-- Failure bookkeeping shared by every data source: the GFX NAS sync ('gfx') and the WSOP+ sync ('wsop').
-- A dead letter names the failed item: for 'gfx' the PC and the NAS path of a file, for 'wsop' the
-- table (gfx_pc_id holds '' and nas_path the table name, e.g. 'wsop_chip_counts').

ALTER TABLE sync_events ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'gfx';
ALTER TABLE gfx_sync_failures ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'gfx';

ALTER TABLE gfx_sync_failures DROP CONSTRAINT IF EXISTS gfx_sync_failures_pkey;
ALTER TABLE gfx_sync_failures ADD CONSTRAINT gfx_sync_failures_pkey PRIMARY KEY (source, gfx_pc_id, nas_path);

CREATE INDEX IF NOT EXISTS gfx_sync_failures_open_idx ON gfx_sync_failures (source, gfx_pc_id)
    WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS sync_events_source_created_idx ON sync_events (source, created_at);
