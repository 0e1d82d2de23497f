"""Write `gfx_players` and recount its totals from `gfx_hand_players`. Dagster-free.

A gfx_players row is shared by every PC that seats the player, so the loads of several PCs lock the
same rows at once: their upserts lock them, and each seat written to gfx_hand_players takes a key-share
lock on its player (the foreign key). Every such statement locks players in one order, by player id
(`players_in_lock_order`, `seats_in_lock_order`), so concurrent loads wait for each other but cannot
deadlock. An upsert never sets `id`, a key column (player_hash determines it): PostgreSQL then locks the
row FOR NO KEY UPDATE, which a seat's key-share lock does not wait for. PostgREST sets every column sent,
so through the REST sink the row is locked FOR UPDATE, and the common order is what keeps it safe.

The totals (total_hands_played, total_sessions, first_seen_at, last_seen_at) are recounted, never
incremented, for the players a load touched, so a replay cannot inflate them: by the database function
`gfx_recount_players` (migrations/0011_hand_load_functions.sql, which says what each total counts), where the
seats are, through either sink. It locks the players in the same order before counting, so when loads of
several PCs recount the same players at once, the last to write counts every load's seats.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from gfx_assets.lib.sinks import Sink, UpsertResult

PLAYERS = "gfx_players"
RECOUNT = "gfx_recount_players"  # the database function, see migrations/0011_hand_load_functions.sql
KEY_COLUMNS = ("id", "player_hash")  # never updated on a conflict (see the module docstring)
# Players recounted by one call: the call holds their rows' locks while it counts their seats (other
# loads' upserts of the same players wait for it), so a few short calls rather than one long one.
RECOUNT_PLAYERS = 100


def recount(sink: Sink, identities: list[dict[str, Any]], now: datetime) -> int:
    """Recount the totals of the players of `identities` (rows of `player_row`, already stored),
    `RECOUNT_PLAYERS` at a time in lock order, their updated_at set to `now`; how many were recounted."""
    ids = [row["id"] for row in players_in_lock_order(identities)]
    return sum(
        sink.call(RECOUNT, {"player_ids": ids[start : start + RECOUNT_PLAYERS], "loaded_at": now})
        for start in range(0, len(ids), RECOUNT_PLAYERS)
    )


def upsert(sink: Sink, rows: list[dict[str, Any]]) -> UpsertResult:
    """Upsert gfx_players rows on player_hash, in lock order, updating every column but the keys."""
    if not rows:
        return UpsertResult()
    update = [column for column in rows[0] if column not in KEY_COLUMNS]
    return sink.upsert(PLAYERS, players_in_lock_order(rows), ("player_hash",), update)


def players_in_lock_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """gfx_players rows in the order every load locks players: by id (PostgreSQL orders uuids by their
    bytes, as `uuid.UUID` orders by its integer)."""
    return sorted(rows, key=lambda row: _uuid_order(row["id"]))


def seats_in_lock_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """gfx_hand_players rows by their player's id (then their own), so that the foreign key locks the
    players in the same order as `players_in_lock_order`."""
    return sorted(rows, key=lambda row: (_uuid_order(row["player_id"]), _uuid_order(row["id"])))


def _uuid_order(value: UUID | str) -> int:
    """A uuid's place in PostgreSQL's order (the REST sink may give ids back as text)."""
    return value.int if isinstance(value, UUID) else UUID(value).int
