-- gfx_snapshot_hands: the hands of stored snapshots from a given position on, so that a live session's
-- k-th hand load reads its new hands only, not the whole export back (issue 20: a 173-hand session's
-- hand load read ~1 MB of JSON back for each new hand, and its cost grew with the session).
--
-- gfx_snapshot_hands(pc_id, file_hashes, first_hands) returns one JSON object: for each snapshot of PC
-- `pc_id` named in `file_hashes`, its `Hands` entries at 1-based positions first_hands[i] and later, as an
-- array in their order (an export whose `Hands` is not an array has none: []). A snapshot not stored, or
-- compacted (raw_json dropped, see gfx_assets/lib/nas_sync/compaction.py), is left out. The hand load
-- (gfx_assets/lib/nas_sync/hand_loading.py) calls it directly or through PostgREST
-- (`POST /rest/v1/rpc/gfx_snapshot_hands`) when the digests landing stored in the ledger already say
-- where a snapshot's new hands start.
--
-- Nothing is stored by this migration; it adds the function only. SECURITY INVOKER: the caller's rights
-- and row-level security apply (anon reads no snapshot, 0005), and EXECUTE stays with PUBLIC as for 0011's
-- functions. Runs as it is in Supabase's SQL editor, and a second time harmlessly.

CREATE OR REPLACE FUNCTION gfx_snapshot_hands(pc_id text, file_hashes text[], first_hands integer[])
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY INVOKER
AS $$
    SELECT coalesce(jsonb_object_agg(snapshot.file_hash, later.hands), '{}'::jsonb)
    FROM unnest(file_hashes, first_hands) AS wanted(file_hash, first_hand)
    JOIN gfx_session_snapshots snapshot
      ON snapshot.gfx_pc_id = pc_id AND snapshot.file_hash = wanted.file_hash
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(entry.hand ORDER BY entry.position), '[]'::jsonb) AS hands
        FROM jsonb_array_elements(
                 CASE WHEN jsonb_typeof(snapshot.raw_json -> 'Hands') = 'array'
                      THEN snapshot.raw_json -> 'Hands' ELSE '[]'::jsonb END
             ) WITH ORDINALITY AS entry(hand, position)
        WHERE entry.position >= wanted.first_hand
    ) AS later
    WHERE snapshot.raw_json IS NOT NULL
$$;
