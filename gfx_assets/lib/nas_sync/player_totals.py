"""Write `gfx_players` and recount its totals from `gfx_hand_players`. Dagster-free.

A gfx_players row is shared by every PC that seats the player, so the loads of several PCs lock the
same rows at once: their upserts lock them, and each seat written to gfx_hand_players takes a key-share
lock on its player (the foreign key). Every such statement locks players in one order, by player id
(`players_in_lock_order`, `seats_in_lock_order`), so concurrent loads wait for each other but cannot
deadlock. An upsert never sets `id`, a key column (player_hash determines it): PostgreSQL then locks the
row FOR NO KEY UPDATE, which a seat's key-share lock does not wait for. PostgREST sets every column sent,
so through the REST sink the row is locked FOR UPDATE, and the common order is what keeps it safe.

total_hands_played counts a player's seats, total_sessions the distinct (PC, session) pairs of those
hands, first_seen_at / last_seen_at the earliest and latest start_time. They are recounted (never
incremented) for the players a load touched, so a replay cannot inflate them. A load of another PC
running at the same moment may write seats of the same players between this load's read and its write,
and the last write wins; so each load counts the seats again after writing and rewrites the totals
that changed (`recount`), which leaves the last writer's row exact.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from gfx_assets.lib.sinks import Sink, UpsertResult, require_all_written

PLAYERS = "gfx_players"
KEY_COLUMNS = ("id", "player_hash")  # never updated on a conflict (see the module docstring)
TOTALS = ("total_hands_played", "total_sessions", "first_seen_at", "last_seen_at")
CHECK_PASSES = 3  # rewrites after the first write; each one is needed only under concurrent loads
# Players recounted together. Their seats and hands are read at once, so this bounds a recount's memory
# by the seats of this many players rather than by every seat of every player a load touched (in the full
# bench corpus ~800 seats a player: 50 at a time still peaked ~25 MB above the rest of the sync, 20 do
# not stand out); each group costs ~4 round trips, ~25 groups for the corpus's 500 players.
RECOUNT_PLAYERS = 20


def recount(sink: Sink, identities: list[dict[str, Any]], now: datetime) -> int:
    """Recount and upsert the players of `identities` (rows of `player_row`), `RECOUNT_PLAYERS` at a time
    in lock order; how many were written."""
    ordered = players_in_lock_order(identities)
    return sum(
        _recount(sink, ordered[start : start + RECOUNT_PLAYERS], now)
        for start in range(0, len(ordered), RECOUNT_PLAYERS)
    )


def _recount(sink: Sink, identities: list[dict[str, Any]], now: datetime) -> int:
    """Recount and upsert the players of `identities`; how many were written.

    Written by hand (a compare-after-write loop; no library spans reads and writes of a sink): after
    writing, the players' seats are counted again (one cheap count), and when another load has added
    or removed seats of theirs meanwhile, their totals are read again and those that changed rewritten.
    The load that writes a player's row last has then counted after every other load's write of it, and
    seats committed later are counted by their own load's recount, which writes after it."""
    if not identities:
        return 0
    rows = _with_totals(sink, identities, now)
    written = _upsert_all(sink, rows)
    for _ in range(CHECK_PASSES):
        seats_now = sink.count("gfx_hand_players", {"player_id": [row["id"] for row in identities]})
        if seats_now == sum(row["total_hands_played"] for row in rows):
            break
        again = _with_totals(sink, identities, now)
        _upsert_all(sink, [row for row, before in zip(again, rows, strict=True) if _differ(row, before)])
        rows = again
    return written


def _with_totals(sink: Sink, identities: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """`identities` with their totals counted from the seats and hands stored now."""
    ids = [row["id"] for row in identities]
    seats = sink.select("gfx_hand_players", ["player_id", "hand_id"], {"player_id": ids})
    hands = {
        str(row["id"]): row
        for row in sink.select(
            "gfx_hands",
            ["id", "gfx_pc_id", "session_id", "start_time"],
            {"id": list({seat["hand_id"] for seat in seats})},
        )
    }
    played: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for seat in seats:
        if str(seat["hand_id"]) in hands:
            played[str(seat["player_id"])].append(hands[str(seat["hand_id"])])
    return [{**row, **totals(played[str(row["id"])]), "updated_at": now} for row in identities]


def _differ(row: dict[str, Any], before: dict[str, Any]) -> bool:
    return any(row[column] != before[column] for column in TOTALS)


def _upsert_all(sink: Sink, rows: list[dict[str, Any]]) -> int:
    result = upsert(sink, rows)
    require_all_written(result, PLAYERS)
    return result.written


def upsert(sink: Sink, rows: list[dict[str, Any]]) -> UpsertResult:
    """Upsert gfx_players rows on player_hash, in lock order, updating every column but the keys."""
    if not rows:
        return UpsertResult()
    update = [column for column in rows[0] if column not in KEY_COLUMNS]
    return sink.upsert(PLAYERS, players_in_lock_order(rows), ("player_hash",), update)


def players_in_lock_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """gfx_players rows in the order every load locks players: by id."""
    return sorted(rows, key=lambda row: str(row["id"]))


def seats_in_lock_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """gfx_hand_players rows by their player's id (then their own), so that the foreign key locks the
    players in the same order as `players_in_lock_order`."""
    return sorted(rows, key=lambda row: (str(row["player_id"]), str(row["id"])))


def totals(hands: list[dict[str, Any]]) -> dict[str, Any]:
    """A player's totals over the hands of their seats (gfx_hands rows: PC, session, start_time)."""
    starts = [hand["start_time"] for hand in hands if hand["start_time"] is not None]
    return {
        "total_hands_played": len(hands),
        "total_sessions": len({(hand["gfx_pc_id"], hand["session_id"]) for hand in hands}),
        "first_seen_at": min(starts, default=None),
        "last_seen_at": max(starts, default=None),
    }
