"""Write a batch of mapped sessions to the hand tables, and count what a load wrote. Dagster-free.

Used by `hand_loading`, which reads and maps the sessions: a batch's players are upserted first (in lock
order), then its hands, the stale seats and events of rewritten hands, its seats (in lock order), its events,
the hands gone, and the sessions' ledger marks last, so a failure on the way leaves every session of the
batch to be loaded again.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gfx_assets.lib.nas_sync import player_totals, snapshots
from gfx_assets.lib.pokergfx.hands import HandRows
from gfx_assets.lib.pokergfx.ids import hand_id
from gfx_assets.lib.sinks import RowFailure, Sink

HANDS, HAND_PLAYERS, EVENTS = "gfx_hands", "gfx_hand_players", "gfx_events"
HAND_KEY = ("gfx_pc_id", "session_id", "hand_index")


@dataclass
class HandLoad:
    """What one load of a PC wrote. `refused`: export entries not stored, by the mapping (see `hands`) or
    by the database, each with the reason; `unmapped`: values stored as NULL, by finding (`hand_values`)."""

    sessions: int = 0
    hands: int = 0
    hand_players: int = 0
    events: int = 0
    players: int = 0
    deleted_hands: int = 0
    worker_processes: int = 0  # that loaded the batches (0: the caller's own process)
    refused: list[str] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)

    def add(self, other: "HandLoad") -> None:
        """Count in what another load (of a batch) wrote."""
        for counted in ("sessions", "hands", "hand_players", "events", "players", "deleted_hands"):
            setattr(self, counted, getattr(self, counted) + getattr(other, counted))
        self.refused.extend(other.refused)
        self.unmapped.update(other.unmapped)

    def note_refused(self, table: str, failures: list[RowFailure]) -> None:
        for failure in failures:
            key = {
                k: str(failure.row.get(k))
                for k in ("session_id", "hand_index", "hand_id", "seat_num", "event_order")
            }
            shown = ", ".join(f"{k}={v}" for k, v in key.items() if v != "None")
            self.refused.append(f"{table} ({shown}): {failure.code} {failure.message}"[:300])


@dataclass
class MappedSession:
    """One session of a batch: its rows from hand `first` on, the `previous` hand count loaded from it
    before, its ledger row (with the digests of the snapshot now loaded)."""

    session_id: int
    rows: HandRows
    first: int
    previous: int
    ledger: dict[str, Any]
    rewritten: list  # ids of the hands written that had been loaded before


def write_batch(
    sink: Sink, pc_id: str, mapped: list[MappedSession], now: datetime, load: HandLoad
) -> dict[str, dict[str, Any]]:
    """Write the mapped sessions of a batch together: players (in lock order), hands, seats (in lock
    order), events, then the ledger marks last, so a failure on the way leaves every session of the batch
    to be loaded again. The players' identity rows come back."""
    players = {key: row for session in mapped for key, row in session.rows.players.items()}
    identities = player_totals.upsert(sink, list(players.values()))
    load.note_refused(player_totals.PLAYERS, identities.rejected)
    # Sessions with only hands past those loaded before have their rows COPYed straight in (`new`).
    rewrites = [m for m in mapped if m.rewritten]
    appends = [m for m in mapped if not m.rewritten]
    groups = [(group, new) for group, new in ((appends, True), (rewrites, False)) if group]
    for group, new in groups:
        load.hands += _write(sink, HANDS, [h for m in group for h in m.rows.hands], HAND_KEY, load, new)
    _drop_stale_children(sink, rewrites)
    for group, new in groups:
        seats = player_totals.seats_in_lock_order([s for m in group for s in m.rows.hand_players])
        load.hand_players += _write(sink, HAND_PLAYERS, seats, ("hand_id", "seat_num"), load, new)
    for group, new in groups:
        events = [e for m in group for e in m.rows.events]
        load.events += _write(sink, EVENTS, events, ("hand_id", "event_order"), load, new)
    load.deleted_hands += _drop_hands_gone(sink, pc_id, mapped)
    if mapped:
        snapshots.record(sink, [{**m.ledger, "hands_loaded_at": now} for m in mapped])
    load.sessions += len(mapped)
    return players


def _write(
    sink: Sink, table: str, rows: list[dict[str, Any]], key: tuple[str, ...], load: HandLoad, new: bool
) -> int:
    """Upsert `rows`; `new`: none of their keys should be stored yet (the sink may insert them directly,
    falling back to the upsert when a key is there after all, as after a load that failed half-way)."""
    result = sink.upsert(table, rows, key, mostly_new=new)
    load.note_refused(table, result.rejected)
    return result.written


def _drop_stale_children(sink: Sink, sessions: list[MappedSession]) -> None:
    """Seats and events of re-written hands that the new snapshots no longer have."""
    rewritten = [hand for session in sessions for hand in session.rewritten]
    if not rewritten:
        return
    for table, written in ((HAND_PLAYERS, "hand_players"), (EVENTS, "events")):
        fresh = (row for session in sessions for row in getattr(session.rows, written))
        keep = {str(row["id"]) for row in fresh}  # the REST sink may give ids back as text
        held = sink.select(table, ["id"], {"hand_id": rewritten})
        stale = [row["id"] for row in held if str(row["id"]) not in keep]
        if stale:
            sink.delete(table, {"id": stale})


def _drop_hands_gone(sink: Sink, pc_id: str, sessions: list[MappedSession]) -> int:
    """Hands loaded before at positions the latest snapshot re-read without writing a hand there: past its
    last hand (a rewrite that shortened the file), or an entry that is no longer an object; cascades."""
    gone = []
    for session in sessions:
        written = {row["hand_index"] for row in session.rows.hands}
        loaded = range(session.first, session.previous + 1)
        gone += [hand_id(pc_id, session.session_id, index) for index in loaded if index not in written]
    if gone:
        sink.delete(HANDS, {"id": gone})
    return len(gone)
