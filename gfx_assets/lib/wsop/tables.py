"""The WSOP+ tables the sync copies, in foreign-key order, and the bookkeeping names."""

from dataclasses import dataclass

SOURCE = "wsop"  # `source` of sync_status, sync_events and dead letters
SYNC_STATUS = "sync_status"


@dataclass(frozen=True)
class WsopTable:
    name: str
    version_column: str  # stamped at every change: updated_at, or created_at for append-mostly rows
    parents: tuple[tuple[str, str], ...] = ()  # (foreign-key column, parent table): rows owned by a parent
    # (foreign-key column, table) of a reference that does not own the row (no ON DELETE at the source):
    # the sync brings a missing referenced row along like a parent; a reconciliation that deletes the
    # referenced row clears the reference instead of deleting the row
    references: tuple[tuple[str, str], ...] = ()

    @property
    def foreign_keys(self) -> tuple[tuple[str, str], ...]:
        """Every (column, table) whose row must be in the target before this table's rows."""
        return self.parents + self.references

    def referenced_tables(self) -> dict[str, list[str]]:
        """Each table this one points at, with the columns pointing at it."""
        tables: dict[str, list[str]] = {}
        for column, table in self.foreign_keys:
            tables.setdefault(table, []).append(column)
        return tables


EVENTS = WsopTable("wsop_events", "updated_at")
PLAYERS = WsopTable("wsop_players", "updated_at")
EVENT_PLAYERS = WsopTable(
    "wsop_event_players",
    "updated_at",
    parents=(("event_id", EVENTS.name), ("player_id", PLAYERS.name)),
    references=(("eliminated_by_player_id", PLAYERS.name),),
)
CHIP_COUNTS = WsopTable(
    "wsop_chip_counts", "created_at", parents=(("event_id", EVENTS.name), ("player_id", PLAYERS.name))
)
WSOP_TABLES = {table.name: table for table in (EVENTS, PLAYERS, EVENT_PLAYERS, CHIP_COUNTS)}


def children_of(parent: str) -> list[tuple[WsopTable, str]]:
    """The tables (with their foreign-key column) whose rows belong to `parent`'s rows."""
    return [
        (table, column) for table in WSOP_TABLES.values() for column, name in table.parents if name == parent
    ]


def referrers_of(table: str) -> list[tuple[WsopTable, str]]:
    """The tables (with their column) holding a reference to `table` that does not own the row."""
    return [
        (referrer, column)
        for referrer in WSOP_TABLES.values()
        for column, name in referrer.references
        if name == table
    ]
