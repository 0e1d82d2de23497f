-- One gfx_sessions row per game and PC; every stored content in the snapshot ledger.
--
-- Until now gfx_sessions kept one row per stored file content, so a session PokerGFX rewrote 13 times had
-- 13 rows, and every render view of the broadcast graphics (they join gfx_sessions on session_id) returned
-- each seat 13 times. From here on:
--   gfx_sessions           one row per (gfx_pc_id, session_id): the game's latest content (most hands; ties
--                          go to the newest file, then the smallest hash, as gfx_sessions_latest decided).
--                          The same GameID on two PCs stays two rows: one PC never overwrites another's.
--   gfx_session_snapshots  one row per stored content (gfx_pc_id, file_hash): hash, NAS path, counts, the
--                          session columns and its raw_json until it is compacted as an exact prefix of a
--                          newer content. It is the record that "this file landed" (manifest, dedupe,
--                          reconciliation, dead letters, compaction).
-- The sync writes contents to the ledger only; the trigger at the end keeps gfx_sessions on the winning
-- content, in the same statement, whichever sink wrote it (COPY, INSERT, or PostgREST).
--
-- Production's columns (garimto81/automation_schema, update_session_stats): total_duration_seconds is the
-- sum of the hands' duration_seconds, session_start_time the first hand's start, session_end_time the
-- latest hand end (start + duration); sync_error and processed_at as production declares them.
-- gfx_hands.blinds gets production's snake_case keys; raw_json keeps the export exactly as it was.
--
-- Upgrading a live database in place: the ledger first receives every content still in gfx_sessions
-- (its JSON, compacted ones without), then the superseded rows leave gfx_sessions, so nothing is lost.
-- Hand rows keep their ids and their exported values; blinds change key names and the derived columns
-- take production's meaning (6, 6b). Running this file again changes
-- nothing. Runs as it is in Supabase's SQL editor.

-- 1. The ledger holds each content's session columns and JSON.
ALTER TABLE gfx_session_snapshots
    ADD COLUMN IF NOT EXISTS file_name              text,
    ADD COLUMN IF NOT EXISTS file_size              bigint,
    ADD COLUMN IF NOT EXISTS raw_json               jsonb,
    ADD COLUMN IF NOT EXISTS table_type             text,
    ADD COLUMN IF NOT EXISTS event_title            text,
    ADD COLUMN IF NOT EXISTS software_version       text,
    ADD COLUMN IF NOT EXISTS player_count           integer,
    ADD COLUMN IF NOT EXISTS payouts                bigint[],
    ADD COLUMN IF NOT EXISTS session_created_at     timestamptz,
    ADD COLUMN IF NOT EXISTS total_duration_seconds integer,
    ADD COLUMN IF NOT EXISTS session_start_time     timestamptz,
    ADD COLUMN IF NOT EXISTS session_end_time       timestamptz,
    ADD COLUMN IF NOT EXISTS sync_source            text NOT NULL DEFAULT 'nas_central';

-- 2. Production's session columns.
ALTER TABLE gfx_sessions
    ADD COLUMN IF NOT EXISTS total_duration_seconds integer DEFAULT 0,
    ADD COLUMN IF NOT EXISTS session_start_time     timestamptz,
    ADD COLUMN IF NOT EXISTS session_end_time       timestamptz,
    ADD COLUMN IF NOT EXISTS sync_error             text,
    ADD COLUMN IF NOT EXISTS processed_at           timestamptz DEFAULT now();

-- 3. Every content still in gfx_sessions gets its ledger row, with its JSON and columns (a compacted one
-- keeps its NULL JSON: its verified successor holds every byte of it). file_name IS NULL marks a ledger
-- row not filled yet, so a second run fills nothing.
INSERT INTO gfx_session_snapshots (gfx_pc_id, file_hash, session_id, hand_count, nas_path, file_mtime, created_at)
SELECT gfx_pc_id, file_hash, session_id, hand_count, nas_path, file_mtime, created_at
FROM gfx_sessions
ON CONFLICT (gfx_pc_id, file_hash) DO NOTHING;

UPDATE gfx_session_snapshots AS ledger
SET file_name = s.file_name, file_size = s.file_size, raw_json = s.raw_json, table_type = s.table_type,
    event_title = s.event_title, software_version = s.software_version, player_count = s.player_count,
    payouts = s.payouts, session_created_at = s.session_created_at, sync_source = s.sync_source,
    nas_path = coalesce(ledger.nas_path, s.nas_path), file_mtime = coalesce(ledger.file_mtime, s.file_mtime)
FROM gfx_sessions AS s
WHERE ledger.gfx_pc_id = s.gfx_pc_id AND ledger.file_hash = s.file_hash AND ledger.file_name IS NULL;

-- 4. gfx_sessions keeps the latest content of each game (the order gfx_sessions_latest used).
DELETE FROM gfx_sessions AS s
USING (
    SELECT id, row_number() OVER (
        PARTITION BY gfx_pc_id, session_id
        ORDER BY (raw_json IS NULL), hand_count DESC NULLS LAST, file_mtime DESC NULLS LAST, file_hash
    ) AS place
    FROM gfx_sessions
    WHERE session_id IS NOT NULL
) AS ranked
WHERE s.id = ranked.id AND ranked.place > 1;

DO $$ BEGIN
    ALTER TABLE gfx_sessions ADD CONSTRAINT gfx_sessions_pc_session_key UNIQUE (gfx_pc_id, session_id);
EXCEPTION WHEN duplicate_table OR duplicate_object THEN NULL;
END $$;

-- 5. Production's session statistics of the games already stored, from their loaded hands.
WITH stats AS (
    SELECT gfx_pc_id, session_id,
           coalesce(sum(duration_seconds), 0)::integer AS total_duration_seconds,
           min(start_time) AS session_start_time,
           max(start_time + duration_seconds * interval '1 second') AS session_end_time
    FROM gfx_hands
    GROUP BY gfx_pc_id, session_id
)
UPDATE gfx_sessions AS s
SET total_duration_seconds = stats.total_duration_seconds, session_start_time = stats.session_start_time,
    session_end_time = stats.session_end_time
FROM stats
WHERE s.gfx_pc_id = stats.gfx_pc_id AND s.session_id = stats.session_id AND s.session_start_time IS NULL;

UPDATE gfx_session_snapshots AS ledger
SET total_duration_seconds = s.total_duration_seconds, session_start_time = s.session_start_time,
    session_end_time = s.session_end_time
FROM gfx_sessions AS s
WHERE ledger.gfx_pc_id = s.gfx_pc_id AND ledger.file_hash = s.file_hash AND ledger.total_duration_seconds IS NULL;

-- 6. gfx_hands.blinds with production's keys (src/gfx_normalizer.py: the nine keys, their defaults, {} for
-- an export without FlopDrawBlinds). Rows already converted hold no PokerGFX key and are left alone.
UPDATE gfx_hands
SET blinds = CASE WHEN blinds = '{}'::jsonb THEN blinds ELSE jsonb_build_object(
    'ante_type', coalesce(blinds -> 'AnteType', '"NO_ANTE"'),
    'big_blind_amt', coalesce(blinds -> 'BigBlindAmt', '0'),
    'big_blind_player_num', coalesce(blinds -> 'BigBlindPlayerNum', '0'),
    'small_blind_amt', coalesce(blinds -> 'SmallBlindAmt', '0'),
    'small_blind_player_num', coalesce(blinds -> 'SmallBlindPlayerNum', '0'),
    'button_player_num', coalesce(blinds -> 'ButtonPlayerNum', '0'),
    'third_blind_amt', coalesce(blinds -> 'ThirdBlindAmt', '0'),
    'third_blind_player_num', coalesce(blinds -> 'ThirdBlindPlayerNum', '0'),
    'blind_level', coalesce(blinds -> 'BlindLevel', '0')
) END
WHERE jsonb_typeof(blinds) = 'object' AND NOT blinds ? 'big_blind_amt';

-- 6b. Hands loaded before get production's derived columns too (gfx_assets/lib/pokergfx/hand_facts.py,
-- docs/DERIVED_VALUES.md), from their stored events and seats: pot_size is the pot of the last event with a
-- pot above 0; the winner, among the seats whose stack grew, has the largest cumulative winnings (the lower
-- seat on a tie: PokerGFX lists players by seat); showdown_count is 0; has_shown means two cards or more.
-- Only rows whose value changes are written, so a second run writes nothing.
WITH derived AS (
    SELECT hand.id,
           coalesce((SELECT e.pot FROM gfx_events AS e WHERE e.hand_id = hand.id AND e.pot > 0
                     ORDER BY e.event_order DESC LIMIT 1), 0) AS pot_size,
           top.player_name AS winner_name, top.seat_num AS winner_seat
    FROM gfx_hands AS hand
    LEFT JOIN LATERAL (
        SELECT seat.player_name, seat.seat_num FROM gfx_hand_players AS seat
        WHERE seat.hand_id = hand.id AND seat.end_stack_amt > seat.start_stack_amt
        ORDER BY coalesce(seat.cumulative_winnings_amt, 0) DESC, seat.seat_num LIMIT 1
    ) AS top ON true
)
UPDATE gfx_hands AS hand
SET pot_size = derived.pot_size, showdown_count = 0, winner_name = derived.winner_name,
    winner_seat = derived.winner_seat
FROM derived
WHERE hand.id = derived.id
  AND (hand.pot_size, hand.showdown_count, hand.winner_name, hand.winner_seat)
      IS DISTINCT FROM (derived.pot_size, 0, derived.winner_name, derived.winner_seat);

UPDATE gfx_hand_players
SET has_shown = coalesce(cardinality(hole_cards), 0) >= 2
WHERE has_shown IS DISTINCT FROM (coalesce(cardinality(hole_cards), 0) >= 2);

-- 7. The latest-snapshot view is now gfx_sessions itself; kept for the queries that read it.
DROP VIEW IF EXISTS gfx_sessions_latest;
CREATE VIEW gfx_sessions_latest WITH (security_invoker = true) AS SELECT * FROM gfx_sessions;

-- 8. The session row follows the ledger: a content written there (or given back its JSON) replaces the
-- game's row when it wins: more hands, else a newer file, else the smaller hash; the same hash refreshes
-- it. A content that loses (an older file synced late) leaves the row alone.
CREATE OR REPLACE FUNCTION gfx_session_from_snapshot() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.raw_json IS NULL OR NEW.session_id IS NULL OR NEW.file_name IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO gfx_sessions AS s (
        gfx_pc_id, session_id, file_name, nas_path, file_hash, file_size, file_mtime, raw_json, table_type,
        event_title, software_version, hand_count, player_count, payouts, session_created_at,
        total_duration_seconds, session_start_time, session_end_time, sync_source, sync_status, sync_error,
        processed_at, updated_at
    ) VALUES (
        NEW.gfx_pc_id, NEW.session_id, NEW.file_name, NEW.nas_path, NEW.file_hash, NEW.file_size,
        NEW.file_mtime, NEW.raw_json, coalesce(NEW.table_type, 'UNKNOWN'), NEW.event_title,
        NEW.software_version, NEW.hand_count, NEW.player_count, NEW.payouts, NEW.session_created_at,
        coalesce(NEW.total_duration_seconds, 0), NEW.session_start_time, NEW.session_end_time,
        NEW.sync_source, 'synced', NULL, now(), now()
    )
    ON CONFLICT (gfx_pc_id, session_id) DO UPDATE SET
        file_name = EXCLUDED.file_name, nas_path = EXCLUDED.nas_path, file_hash = EXCLUDED.file_hash,
        file_size = EXCLUDED.file_size, file_mtime = EXCLUDED.file_mtime, raw_json = EXCLUDED.raw_json,
        table_type = EXCLUDED.table_type, event_title = EXCLUDED.event_title,
        software_version = EXCLUDED.software_version, hand_count = EXCLUDED.hand_count,
        player_count = EXCLUDED.player_count, payouts = EXCLUDED.payouts,
        session_created_at = EXCLUDED.session_created_at,
        total_duration_seconds = EXCLUDED.total_duration_seconds,
        session_start_time = EXCLUDED.session_start_time, session_end_time = EXCLUDED.session_end_time,
        sync_source = EXCLUDED.sync_source,
        sync_status = CASE WHEN s.file_hash = EXCLUDED.file_hash THEN s.sync_status ELSE 'updated' END,
        sync_error = NULL, processed_at = now(), updated_at = now()
    WHERE (coalesce(EXCLUDED.hand_count, -1), coalesce(EXCLUDED.file_mtime, '-infinity'))
              > (coalesce(s.hand_count, -1), coalesce(s.file_mtime, '-infinity'))
       OR (EXCLUDED.hand_count IS NOT DISTINCT FROM s.hand_count
           AND EXCLUDED.file_mtime IS NOT DISTINCT FROM s.file_mtime
           AND EXCLUDED.file_hash <= s.file_hash);
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS gfx_session_snapshots_to_session ON gfx_session_snapshots;
CREATE TRIGGER gfx_session_snapshots_to_session
    AFTER INSERT OR UPDATE OF raw_json ON gfx_session_snapshots
    FOR EACH ROW EXECUTE FUNCTION gfx_session_from_snapshot();

-- Row-level security as 0005 sets it up: the recreated view checks as the caller; signed-in users read it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        REVOKE ALL ON gfx_sessions_latest FROM anon;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        REVOKE ALL ON gfx_sessions_latest FROM authenticated;
        GRANT SELECT ON gfx_sessions_latest TO authenticated;
    END IF;
END $$;
