-- Hands, players and events of the production broadcast schema (gfx_hands, gfx_hand_players, gfx_events,
-- gfx_players), filled from each session's latest snapshot, and the snapshot ledger that lets superseded
-- snapshots drop their raw JSON without losing anything. Runs as-is in Supabase's SQL editor, and a
-- second time harmlessly.
--
-- Ids are uuids the sync derives from natural keys (uuid5), so children reference their hand without
-- reading it back; the defaults only serve rows written by hand.

DO $$ BEGIN
    CREATE TYPE game_variant AS ENUM ('HOLDEM', 'OMAHA', 'OMAHA_HILO', 'STUD', 'STUD_HILO', 'RAZZ', 'DRAW', 'MIXED');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE game_class AS ENUM ('FLOP', 'STUD', 'DRAW', 'MIXED');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE bet_structure AS ENUM ('NOLIMIT', 'POTLIMIT', 'LIMIT', 'SPREAD_LIMIT');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE event_type AS ENUM (
        'FOLD', 'CHECK', 'CALL', 'BET', 'RAISE', 'ALL_IN', 'BOARD_CARD', 'ANTE', 'BLIND', 'STRADDLE',
        'BRING_IN', 'MUCK', 'SHOW', 'WIN'
    );
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- One row per player identity: player_hash = md5(lower(trim(Name)) || ':' || lower(trim(LongName))),
-- as the production schema computes it. The totals are recounted from gfx_hand_players by the sync.
CREATE TABLE IF NOT EXISTS gfx_players (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    player_hash        text NOT NULL UNIQUE,
    name               text NOT NULL,
    long_name          text DEFAULT '',
    total_hands_played integer DEFAULT 0,
    total_sessions     integer DEFAULT 0,
    first_seen_at      timestamptz,
    last_seen_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS gfx_players_name_idx ON gfx_players (name);

-- The production schema declares UNIQUE (session_id, hand_num), but real exports break it: 5 of 28 real
-- session files repeat a HandNum for two different hands (the counter restarts after hand 1, or a hand is
-- rewritten with a new start time and no events yet), so keying by HandNum would lose or reject hands.
-- A hand's 1-based position in the export's Hands list (hand_index) is unique, so the key is
-- (gfx_pc_id, session_id, hand_index); hand_num keeps what PokerGFX wrote.
CREATE TABLE IF NOT EXISTS gfx_hands (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    gfx_pc_id                text NOT NULL,
    session_id               bigint NOT NULL,
    hand_index               integer NOT NULL CHECK (hand_index >= 1),
    hand_num                 integer,
    game_variant             game_variant,
    game_class               game_class,
    bet_structure            bet_structure,
    duration_seconds         integer,
    start_time               timestamptz,
    recording_offset_iso     text,
    recording_offset_seconds bigint,
    num_boards               integer,
    run_it_num_times         integer,
    ante_amt                 integer,
    bomb_pot_amt             integer,
    description              text,
    blinds                   jsonb,
    stud_limits              jsonb,
    pot_size                 integer,
    player_count             integer,
    showdown_count           integer,
    board_cards              text[],
    winner_name              text,
    winner_seat              integer,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gfx_hands_pc_session_index_key UNIQUE (gfx_pc_id, session_id, hand_index)
);

CREATE INDEX IF NOT EXISTS gfx_hands_session_idx ON gfx_hands (session_id);
CREATE INDEX IF NOT EXISTS gfx_hands_start_time_idx ON gfx_hands (start_time);

-- A hand's seats and events go with the hand (a rewritten export with fewer hands removes them).
CREATE TABLE IF NOT EXISTS gfx_hand_players (
    id                           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    hand_id                      uuid NOT NULL REFERENCES gfx_hands (id) ON DELETE CASCADE,
    player_id                    uuid REFERENCES gfx_players (id),
    seat_num                     integer NOT NULL CHECK (seat_num BETWEEN 1 AND 10),
    player_name                  text,
    hole_cards                   text[],
    has_shown                    boolean,
    start_stack_amt              integer,
    end_stack_amt                integer,
    cumulative_winnings_amt      integer,
    blind_bet_straddle_amt       integer,
    sitting_out                  boolean,
    elimination_rank             integer,
    is_winner                    boolean,
    vpip_percent                 numeric(5, 2),
    preflop_raise_percent        numeric(5, 2),
    aggression_frequency_percent numeric(5, 2),
    went_to_showdown_percent     numeric(5, 2),
    created_at                   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gfx_hand_players_hand_seat_key UNIQUE (hand_id, seat_num)
);

CREATE INDEX IF NOT EXISTS gfx_hand_players_player_idx ON gfx_hand_players (player_id);

CREATE TABLE IF NOT EXISTS gfx_events (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    hand_id         uuid NOT NULL REFERENCES gfx_hands (id) ON DELETE CASCADE,
    event_order     integer NOT NULL,
    event_type      event_type,
    player_num      integer,
    bet_amt         integer,
    pot             integer,
    board_cards     text,
    board_num       integer,
    num_cards_drawn integer,
    event_time      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gfx_events_hand_order_key UNIQUE (hand_id, event_order)
);

-- The snapshot ledger: every stored file content (gfx_sessions row) of every PC, kept after its raw_json
-- is dropped, so dedupe, the manifest and the reconciliation still account for every file.
--   superseded_by    the file_hash of the newer snapshot of the same session it was compared with.
--   prefix_verified  true when that snapshot holds this one's top-level fields and its hands as an exact
--                    prefix (only then may raw_json be dropped); false with prefix_note saying why not.
--   content_digest   SHA-256 of this snapshot's canonical JSON, prefix_digest the same without its last
--                    hand: the check re-verifies a compacted snapshot against its successor's content.
--   hands_loaded_at  when gfx_hands were filled from this snapshot (it was the session's latest).
--   compacted_at     when its raw_json was dropped (GFX_SNAPSHOT_RETENTION=compact).
CREATE TABLE IF NOT EXISTS gfx_session_snapshots (
    gfx_pc_id       text NOT NULL,
    file_hash       text NOT NULL,
    session_id      bigint,
    hand_count      integer,
    nas_path        text,
    file_mtime      timestamptz,
    content_digest  text,
    prefix_digest   text,
    superseded_by   text,
    prefix_verified boolean,
    prefix_note     text,
    hands_loaded_at timestamptz,
    compacted_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gfx_pc_id, file_hash)
);

CREATE INDEX IF NOT EXISTS gfx_session_snapshots_session_idx ON gfx_session_snapshots (gfx_pc_id, session_id);

-- A compacted snapshot keeps its row (hash, path, counts) and loses only its raw JSON.
ALTER TABLE gfx_sessions ALTER COLUMN raw_json DROP NOT NULL;

-- The newest snapshot of every game session: the snapshot with the most hands wins (PokerGFX only
-- appends hands), ties go to the newest file, and a snapshot that still holds its raw JSON always wins
-- over a compacted one, so compaction never makes the view show an empty snapshot. The hash breaks the
-- remaining ties the way the sync does (gfx_assets/lib/nas_sync/snapshots.py), so both agree on "latest".
CREATE OR REPLACE VIEW gfx_sessions_latest WITH (security_invoker = true) AS
SELECT DISTINCT ON (gfx_pc_id, session_id) *
FROM gfx_sessions
ORDER BY gfx_pc_id, session_id, (raw_json IS NULL), hand_count DESC NULLS LAST, file_mtime DESC NULLS LAST,
         file_hash;

-- Row-level security as 0005_supabase_rls.sql sets it up: RLS on every table, the policy
-- gfx_non_api_roles for roles that are neither anon nor authenticated (a runtime role with DML rights
-- syncs without BYPASSRLS), nothing for anon, and SELECT for signed-in users (authenticated) on the read
-- models: the four broadcast tables. The ledger is bookkeeping: authenticated gets nothing.
ALTER TABLE gfx_players ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_hands ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_hand_players ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_session_snapshots ENABLE ROW LEVEL SECURITY;

DO $$
DECLARE
    protected text;
BEGIN
    FOREACH protected IN ARRAY ARRAY['gfx_players', 'gfx_hands', 'gfx_hand_players', 'gfx_events',
                                     'gfx_session_snapshots'] LOOP
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
        REVOKE ALL ON gfx_players, gfx_hands, gfx_hand_players, gfx_events, gfx_session_snapshots,
            gfx_sessions_latest FROM anon;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        -- TRUNCATE is not subject to RLS: only SELECT stays granted.
        REVOKE ALL ON gfx_players, gfx_hands, gfx_hand_players, gfx_events, gfx_session_snapshots,
            gfx_sessions_latest FROM authenticated;
        GRANT SELECT ON gfx_players, gfx_hands, gfx_hand_players, gfx_events, gfx_sessions_latest
            TO authenticated;
        FOREACH readable IN ARRAY ARRAY['gfx_players', 'gfx_hands', 'gfx_hand_players', 'gfx_events'] LOOP
            EXECUTE format('DROP POLICY IF EXISTS gfx_authenticated_read ON %I', readable);
            EXECUTE format(
                'CREATE POLICY gfx_authenticated_read ON %I FOR SELECT TO authenticated USING (true)', readable
            );
        END LOOP;
    END IF;
END $$;
