"""The WSOP+ tables the sync copies, in foreign-key order, and the bookkeeping names."""

from dataclasses import dataclass

SOURCE = "wsop"  # `source` of sync_status, sync_events and dead letters
SYNC_STATUS = "sync_status"


@dataclass(frozen=True)
class WsopTable:
    name: str
    version_column: str  # stamped at every change: updated_at, or created_at for append-mostly rows
    parents: tuple[tuple[str, str], ...] = ()  # (foreign-key column, parent table)


EVENTS = WsopTable("wsop_events", "updated_at")
PLAYERS = WsopTable("wsop_players", "updated_at")
CHIP_COUNTS = WsopTable(
    "wsop_chip_counts", "created_at", parents=(("event_id", EVENTS.name), ("player_id", PLAYERS.name))
)
WSOP_TABLES = {table.name: table for table in (EVENTS, PLAYERS, CHIP_COUNTS)}


def children_of(parent: str) -> list[tuple[WsopTable, str]]:
    """The tables (with their foreign-key column) whose rows point at `parent`."""
    return [
        (table, column) for table in WSOP_TABLES.values() for column, name in table.parents if name == parent
    ]
