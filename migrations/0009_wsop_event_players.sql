-- wsop_event_players, copied from the WSOP+ source like the tables of 0006_wsop.sql: one row per player
-- entered in an event (seat, stack, finish, prize, bounties). Runs as-is in Supabase's SQL editor, and a
-- second time harmlessly.
--
-- Production's columns, types and enum, and its source uuids, so the foreign keys hold. As in 0006, the
-- target is a copy that must never refuse a row the source holds: no NOT NULL beyond the key, no
-- defaults (every value is copied), and no UNIQUE (event_id, player_id). The sync upserts on id, so an
-- entry deleted and registered again at the source (a new id for the same event and player) would be
-- refused next to the old row until the reconciliation removes it; without the constraint both stand
-- until then. The seat check is the source's own, so it refuses nothing the source holds.
-- No updated_at trigger: updated_at is copied from the source.

DO $$ BEGIN
    CREATE TYPE wsop_player_status AS ENUM ('registered', 'active', 'eliminated', 'winner');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS wsop_event_players (
    id                        uuid PRIMARY KEY,
    event_id                  uuid REFERENCES wsop_events (id) ON DELETE CASCADE,
    player_id                 uuid REFERENCES wsop_players (id) ON DELETE CASCADE,
    table_num                 integer,
    seat_num                  integer,
    starting_chips            bigint,
    current_chips             bigint,
    peak_chips                bigint,
    rank                      integer,
    rank_at_end_of_day        integer,
    status                    wsop_player_status,
    eliminated_at             timestamptz,
    eliminated_by_player_id   uuid REFERENCES wsop_players (id),
    elimination_hand          text,
    prize_won                 bigint,
    bounties_collected        integer,
    bounties_collected_amount bigint,
    notes                     text,
    source_file               text,
    source_import_id          uuid,
    registered_at             timestamptz,
    created_at                timestamptz,
    updated_at                timestamptz,
    CONSTRAINT wsop_event_players_seat_num_check CHECK (seat_num >= 1 AND seat_num <= 10)
);

-- Production's indexes (partial where production's are), and the lookup of the player who eliminated
-- another (the reconciliation clears that reference when it deletes the player).
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_event ON wsop_event_players (event_id);
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_player ON wsop_event_players (player_id);
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_status ON wsop_event_players (status);
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_chips ON wsop_event_players (current_chips DESC);
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_rank ON wsop_event_players (rank) WHERE rank IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_prize ON wsop_event_players (prize_won DESC)
    WHERE prize_won > 0;
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_table_seat ON wsop_event_players (table_num, seat_num)
    WHERE table_num IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_wsop_event_players_eliminated_by
    ON wsop_event_players (eliminated_by_player_id);

-- Row-level security as 0005_supabase_rls.sql and 0006 set it up: RLS on, the policy gfx_non_api_roles
-- for roles that are neither anon nor authenticated (a runtime role with DML rights syncs without
-- BYPASSRLS), nothing for anon, and SELECT for signed-in users (authenticated), as on the other WSOP
-- tables. Its sync_status row and v_sync_dashboard are 0006's.
ALTER TABLE wsop_event_players ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS gfx_non_api_roles ON wsop_event_players;
CREATE POLICY gfx_non_api_roles ON wsop_event_players FOR ALL TO PUBLIC
    USING (NOT EXISTS (SELECT 1 FROM pg_roles api WHERE api.rolname IN ('anon', 'authenticated')
                       AND pg_has_role(current_user, api.oid, 'MEMBER')))
    WITH CHECK (NOT EXISTS (SELECT 1 FROM pg_roles api WHERE api.rolname IN ('anon', 'authenticated')
                            AND pg_has_role(current_user, api.oid, 'MEMBER')));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        REVOKE ALL ON wsop_event_players FROM anon;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        -- TRUNCATE is not subject to RLS: only SELECT stays granted.
        REVOKE ALL ON wsop_event_players FROM authenticated;
        GRANT SELECT ON wsop_event_players TO authenticated;
        DROP POLICY IF EXISTS gfx_authenticated_read ON wsop_event_players;
        CREATE POLICY gfx_authenticated_read ON wsop_event_players FOR SELECT TO authenticated USING (true);
    END IF;
END $$;
