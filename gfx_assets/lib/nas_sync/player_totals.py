"""Recount the totals of `gfx_players` from `gfx_hand_players`. Dagster-free.

total_hands_played counts a player's seats, total_sessions the distinct (PC, session) pairs of those
hands, first_seen_at / last_seen_at the earliest and latest start_time. They are recounted (never
incremented) for the players a load touched, so a replay cannot inflate them; a load of another PC
running at the same moment may leave a total short until that player's next hand is loaded.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from gfx_assets.lib.sinks import Sink, require_all_written

PLAYERS = "gfx_players"


def recount(sink: Sink, identities: list[dict[str, Any]], now: datetime) -> int:
    """Recount and upsert the players of `identities` (rows of `player_row`); how many were written."""
    if not identities:
        return 0
    ids = [row["id"] for row in identities]
    seats = sink.select("gfx_hand_players", ["player_id", "hand_id"], {"player_id": ids})
    hands = {
        str(row["id"]): row
        for row in sink.select(
            "gfx_hands",
            ["id", "gfx_pc_id", "session_id", "start_time"],
            {"id": [s["hand_id"] for s in seats]},
        )
    }
    played: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for seat in seats:
        if str(seat["hand_id"]) in hands:
            played[str(seat["player_id"])].append(hands[str(seat["hand_id"])])
    rows = [{**row, **_totals(played[str(row["id"])]), "updated_at": now} for row in identities]
    result = sink.upsert(PLAYERS, rows, ("player_hash",))
    require_all_written(result, PLAYERS)
    return result.written


def _totals(hands: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [hand["start_time"] for hand in hands if hand["start_time"] is not None]
    return {
        "total_hands_played": len(hands),
        "total_sessions": len({(hand["gfx_pc_id"], hand["session_id"]) for hand in hands}),
        "first_seen_at": min(starts, default=None),
        "last_seen_at": max(starts, default=None),
    }
