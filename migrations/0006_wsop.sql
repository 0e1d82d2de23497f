-- WSOP+ tables copied from the external WSOP+ PostgreSQL (GFX_WSOP_SOURCE_URL), their sync bookkeeping
-- and the operators' dashboard. Runs as-is in Supabase's SQL editor, and a second time harmlessly.
--
-- The tables have the source's names and types and keep the source's uuids, so the foreign keys hold.
-- Columns are nullable here unless the issue's schema says otherwise: the target is a copy and must
-- never refuse a row the source holds. No updated_at trigger: updated_at is copied from the source.

DO $$ BEGIN
    CREATE TYPE wsop_event_type AS ENUM (
        'MAIN_EVENT', 'BRACELET_EVENT', 'SIDE_EVENT', 'SATELLITE', 'DEEPSTACK',
        'MYSTERY_BOUNTY', 'HIGH_ROLLER', 'SENIOR', 'LADIES', 'OTHER'
    );
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE wsop_event_status AS ENUM (
        'upcoming', 'registration', 'running', 'day_break', 'final_table', 'heads_up', 'completed', 'cancelled'
    );
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE wsop_chip_source AS ENUM ('import', 'manual', 'realtime', 'snapshot');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS wsop_events (
    id               uuid PRIMARY KEY,
    event_id         text UNIQUE,
    event_name       text,
    event_number     integer,
    event_type       wsop_event_type,
    start_date       date,
    end_date         date,
    start_time       time,
    timezone         text,
    buy_in           bigint,
    rake             bigint,
    fee              bigint,
    total_entries    integer,
    unique_entries   integer,
    reentries_count  integer,
    starting_chips   bigint,
    blind_structure  jsonb,
    prize_pool       bigint,
    guaranteed_pool  bigint,
    payouts          jsonb,
    venue            text,
    table_count      integer,
    status           wsop_event_status,
    description      text,
    notes            text,
    tags             text[],
    source_file      text,
    source_import_id uuid,
    created_at       timestamptz,
    updated_at       timestamptz
);

CREATE TABLE IF NOT EXISTS wsop_players (
    id                uuid PRIMARY KEY,
    wsop_player_id    text UNIQUE,
    name              text,
    name_normalized   text,
    nickname          text,
    country_code      varchar(10),
    country_name      varchar(100),
    city              text,
    profile_image_url text,
    wsop_bracelets    integer,
    wsop_rings        integer,
    wsop_cashes       integer,
    lifetime_earnings bigint,
    additional_info   jsonb,
    source_file       text,
    source_import_id  uuid,
    first_seen_at     timestamptz,
    last_seen_at      timestamptz,
    created_at        timestamptz,
    updated_at        timestamptz
);

CREATE TABLE IF NOT EXISTS wsop_chip_counts (
    id                uuid PRIMARY KEY,
    event_id          uuid REFERENCES wsop_events (id),
    player_id         uuid REFERENCES wsop_players (id),
    table_num         integer,
    seat_num          integer,
    chip_count        bigint,
    chip_change       bigint,
    rank              integer,
    big_blind_at_time bigint,
    stack_in_bbs      numeric(10, 2),
    recorded_at       timestamptz,
    day_number        integer,
    level_number      integer,
    source            wsop_chip_source,
    created_at        timestamptz
);

-- Foreign-key lookups: the sync finds missing parents, the reconciliation deletes a parent's rows.
CREATE INDEX IF NOT EXISTS wsop_chip_counts_event_idx ON wsop_chip_counts (event_id);
CREATE INDEX IF NOT EXISTS wsop_chip_counts_player_idx ON wsop_chip_counts (player_id);

-- One row per synced table and source: the watermark the next sync reads from, and its health.
-- last_synced_at is the last successful sync; records_* count the last sync's rows.
CREATE TABLE IF NOT EXISTS sync_status (
    source               text NOT NULL,
    entity_type          text NOT NULL,
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failed')),
    last_synced_at       timestamptz,
    watermark            timestamptz,
    records_synced       bigint NOT NULL DEFAULT 0,
    records_failed       bigint NOT NULL DEFAULT 0,
    consecutive_failures integer NOT NULL DEFAULT 0,
    sync_interval        interval NOT NULL DEFAULT interval '15 minutes',
    next_sync_at         timestamptz,
    last_error           text,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, entity_type)
);

-- Health per synced table, first matching rule wins: CRITICAL (more than 5 failures in a row),
-- WARNING (more than 2), STALE (no successful sync for two intervals), ERROR (last sync failed), HEALTHY.
CREATE OR REPLACE VIEW v_sync_dashboard WITH (security_invoker = true) AS
SELECT source,
       entity_type,
       status,
       CASE
           WHEN consecutive_failures > 5 THEN 'CRITICAL'
           WHEN consecutive_failures > 2 THEN 'WARNING'
           WHEN last_synced_at IS NULL OR last_synced_at < now() - 2 * sync_interval THEN 'STALE'
           WHEN status = 'failed' THEN 'ERROR'
           ELSE 'HEALTHY'
       END AS health_status,
       floor(extract(epoch FROM now() - last_synced_at))::bigint AS lag_seconds,
       last_synced_at,
       watermark,
       records_synced,
       records_failed,
       consecutive_failures,
       sync_interval,
       next_sync_at,
       last_error
FROM sync_status;

-- Row-level security as 0005_supabase_rls.sql sets it up for the older tables: RLS on every table,
-- the policy gfx_non_api_roles for roles that are neither anon nor authenticated (a runtime role with
-- DML rights syncs without BYPASSRLS), nothing for anon, and SELECT for signed-in users
-- (authenticated) on the WSOP tables and the dashboard, which reads sync_status as its caller.
ALTER TABLE wsop_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE wsop_players ENABLE ROW LEVEL SECURITY;
ALTER TABLE wsop_chip_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_status ENABLE ROW LEVEL SECURITY;

DO $$
DECLARE
    protected text;
BEGIN
    FOREACH protected IN ARRAY ARRAY['wsop_events', 'wsop_players', 'wsop_chip_counts', 'sync_status'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS gfx_non_api_roles ON %I', protected);
        EXECUTE format(
            'CREATE POLICY gfx_non_api_roles ON %I FOR ALL TO PUBLIC USING (%s) WITH CHECK (%2$s)',
            protected,
            'NOT EXISTS (SELECT 1 FROM pg_roles api WHERE api.rolname IN (''anon'', ''authenticated'')'
                ' AND pg_has_role(current_user, api.oid, ''MEMBER''))'
        );
    END LOOP;
END $$;

DO $$
DECLARE
    readable text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        REVOKE ALL ON wsop_events, wsop_players, wsop_chip_counts, sync_status, v_sync_dashboard FROM anon;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        -- TRUNCATE is not subject to RLS: only SELECT stays granted.
        REVOKE ALL ON wsop_events, wsop_players, wsop_chip_counts, sync_status, v_sync_dashboard
            FROM authenticated;
        GRANT SELECT ON wsop_events, wsop_players, wsop_chip_counts, sync_status, v_sync_dashboard
            TO authenticated;
        FOREACH readable IN ARRAY ARRAY['wsop_events', 'wsop_players', 'wsop_chip_counts', 'sync_status'] LOOP
            EXECUTE format('DROP POLICY IF EXISTS gfx_authenticated_read ON %I', readable);
            EXECUTE format(
                'CREATE POLICY gfx_authenticated_read ON %I FOR SELECT TO authenticated USING (true)', readable
            );
        END LOOP;
    END IF;
END $$;
