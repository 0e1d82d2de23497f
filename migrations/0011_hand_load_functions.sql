-- Two functions the hand load calls, directly or through PostgREST (`POST /rest/v1/rpc/<name>`), so that
-- what is counted is counted where the rows are (issue 20):
--   gfx_recount_players  the players' totals
--   gfx_pc_row_counts    the rows of one PC in the hand tables (the assets' dagster/row_count)
--
-- gfx_players' totals recounted where the seats are: gfx_recount_players(player_ids, loaded_at) sets, for
-- each player named, total_hands_played (their seats), total_sessions (the distinct PC and session of those
-- hands), first_seen_at and last_seen_at (earliest and latest start_time), and updated_at = loaded_at, in
-- one call, and returns how many players it recounted. The sync calls it after each hand load, directly
-- or through PostgREST (`POST /rest/v1/rpc/gfx_recount_players`); it used to read every seat of those
-- players into the sync to count them there (issue 20: a fifth of the whole sync's time).
--
-- Concurrent loads: several PCs seat the same players and recount them at the same moment. The players'
-- rows are locked first, FOR NO KEY UPDATE, in id order (the order every load locks players in, see
-- gfx_assets/lib/nas_sync/player_totals.py), and only then counted, by a statement that sees every seat
-- committed before it got the locks. Each load recounts after its own seats are committed, so the recount
-- that writes a player last counts every load's seats. The lock does not wait for seats being written (a
-- seat's foreign key takes KEY SHARE), and they do not wait for it.
--
-- Nothing is stored by this migration; it adds the functions only. SECURITY INVOKER: the caller's rights
-- and row-level security apply (the sync's role, or the REST sink's service_role). Runs as it is in
-- Supabase's SQL editor, and a second time harmlessly.

CREATE OR REPLACE FUNCTION gfx_recount_players(player_ids uuid[], loaded_at timestamptz)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
AS $$
DECLARE
    recounted integer;
BEGIN
    PERFORM 1 FROM gfx_players WHERE id = ANY (player_ids) ORDER BY id FOR NO KEY UPDATE;
    -- a statement of its own: in READ COMMITTED it sees what was committed while the locks were awaited
    WITH counted AS (
        SELECT seat.player_id,
               count(*) AS hands,
               count(DISTINCT (hand.gfx_pc_id, hand.session_id)) AS sessions,
               min(hand.start_time) AS first_seen,
               max(hand.start_time) AS last_seen
        FROM gfx_hand_players seat
        JOIN gfx_hands hand ON hand.id = seat.hand_id
        WHERE seat.player_id = ANY (player_ids)
        GROUP BY seat.player_id
    )
    UPDATE gfx_players player
    SET total_hands_played = coalesce(counted.hands, 0),
        total_sessions = coalesce(counted.sessions, 0),
        first_seen_at = counted.first_seen,
        last_seen_at = counted.last_seen,
        updated_at = loaded_at
    FROM gfx_players named
    LEFT JOIN counted ON counted.player_id = named.id
    WHERE named.id = ANY (player_ids) AND player.id = named.id;
    GET DIAGNOSTICS recounted = ROW_COUNT;
    RETURN recounted;
END
$$;

-- The rows of PC `pc_id` in gfx_hands, gfx_hand_players and gfx_events (seats and events through their
-- hand), and of gfx_players, which belongs to no PC (a player plays on several): the whole table's. It used to
-- take the sync a read of every hand id of the PC and counts by those ids, thousands of requests over REST.
CREATE OR REPLACE FUNCTION gfx_pc_row_counts(pc_id text)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY INVOKER
AS $$
    SELECT jsonb_build_object(
        'gfx_hands', (SELECT count(*) FROM gfx_hands WHERE gfx_pc_id = pc_id),
        'gfx_hand_players', (SELECT count(*) FROM gfx_hand_players seat
                             JOIN gfx_hands hand ON hand.id = seat.hand_id WHERE hand.gfx_pc_id = pc_id),
        'gfx_events', (SELECT count(*) FROM gfx_events event
                       JOIN gfx_hands hand ON hand.id = event.hand_id WHERE hand.gfx_pc_id = pc_id),
        'gfx_players', (SELECT count(*) FROM gfx_players)
    )
$$;

-- EXECUTE stays with PUBLIC, as for any function: a runtime role with DML rights on the tables alone (see
-- 0005) may call them. They are SECURITY INVOKER, so a caller does through them only what its own rights
-- allow: anon may read nothing, and neither anon nor authenticated may write gfx_players (0007), so
-- neither can recount (gfx_assets_tests/foundation/test_supabase_rls.py).
