"""Fill `gfx_hands`, `gfx_hand_players`, `gfx_events` and `gfx_players` from the latest snapshot of each
of a PC's sessions. Dagster-free.

Only sessions whose latest snapshot has not been loaded yet are read (the ledger's hands_loaded_at). A
newer snapshot normally extends the one loaded before: when that one's digest equals the digest of the
newer one's first k hands, only hands k+1.. are written; when only its last hand differs (it was still
in progress), hands k.. are; otherwise every hand is. Every write is an upsert on the natural keys,
so a replay rewrites the same rows. Hands, seats and events the latest snapshot no longer holds are
deleted, so the tables always mirror it. Players and seats are written in the players' lock order, so
that PCs loading at the same moment cannot deadlock on the players they share (see `player_totals`).
Sessions are read and written in batches (`BATCH_HANDS`), each session's ledger mark written after all of
its batch's rows, so a batch that fails half-way is loaded again whole.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gfx_assets.lib.common.batching import batches as packed
from gfx_assets.lib.nas_sync import player_totals, snapshots
from gfx_assets.lib.nas_sync.snapshots import Snapshot
from gfx_assets.lib.pokergfx.hands import HandRows, map_hands
from gfx_assets.lib.pokergfx.ids import hand_id
from gfx_assets.lib.sinks import RowFailure, Sink

HANDS, HAND_PLAYERS, EVENTS = "gfx_hands", "gfx_hand_players", "gfx_events"
HAND_KEY = ("gfx_pc_id", "session_id", "hand_index")
MAX_EXAMPLES = 20
# Sessions are loaded in batches of about this many hands. Each batch costs the same few round trips
# (read the exports, upsert players, hands, seats, events, the ledger marks) however many sessions it
# holds, which for sessions of 1-3 hands had cost ~25 ms a session; and a batch holds its exports and
# rows in memory at once (a hand is ~30 rows: itself, its seats and events), which the budget bounds.
BATCH_HANDS = 500


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
    refused: list[str] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)

    def note_refused(self, table: str, failures: list[RowFailure]) -> None:
        for failure in failures:
            key = {
                k: str(failure.row.get(k))
                for k in ("session_id", "hand_index", "hand_id", "seat_num", "event_order")
            }
            shown = ", ".join(f"{k}={v}" for k, v in key.items() if v != "None")
            self.refused.append(f"{table} ({shown}): {failure.code} {failure.message}"[:300])


def load_pc_hands(
    sink: Sink, pc_id: str, now: datetime | None = None, batch_hands: int = BATCH_HANDS
) -> HandLoad:
    now = now or datetime.now(UTC)
    load = HandLoad()
    touched: dict[str, dict[str, Any]] = {}
    for batch in batches(sessions_to_load(sink, pc_id), batch_hands):
        touched.update(_load_batch(sink, pc_id, batch, now, load))
    load.players = player_totals.recount(sink, list(touched.values()), now)
    return load


def batches(sessions: list[list[Snapshot]], budget: int) -> Iterator[list[list[Snapshot]]]:
    """`sessions` in batches of at most `budget` hands (by the ledger's hand counts; a session counts at
    least one, and one larger than the budget is a batch of its own)."""
    return packed(sessions, _hands_of, budget)


def _hands_of(session: list[Snapshot]) -> int:
    return max(session[0].hand_count or 0, 1)


def pc_row_counts(sink: Sink, pc_id: str) -> dict[str, int]:
    """Rows of the PC in each hand table, counted by the database: seats and events by the PC's hand ids.
    gfx_players belongs to no PC (a player plays on several): its count is the whole table's."""
    hands = [row["id"] for row in sink.select(HANDS, ["id"], {"gfx_pc_id": pc_id})]
    children = {
        table: sink.count(table, {"hand_id": hands}) if hands else 0 for table in (HAND_PLAYERS, EVENTS)
    }
    return {HANDS: len(hands), **children, player_totals.PLAYERS: sink.count(player_totals.PLAYERS, {})}


def sessions_to_load(sink: Sink, pc_id: str) -> list[list[Snapshot]]:
    """The snapshots (newest first) of each session whose latest snapshot's hands are not loaded: a new
    snapshot, a session stored before the hand tables existed, or one whose hand load failed."""
    return [
        session
        for session in snapshots.pc_snapshots(sink, pc_id).values()
        if session[0].session_id is not None and not session[0].ledger.get("hands_loaded_at")
    ]


def _loaded_before(session_snapshots: list[Snapshot]) -> dict[str, Any] | None:
    """The ledger entry of the snapshot this session's hands were last loaded from."""
    loaded = [s.ledger for s in session_snapshots if s.ledger.get("hands_loaded_at")]
    return max(loaded, key=lambda entry: entry["hands_loaded_at"], default=None)


def first_changed_hand(data: dict[str, Any], before: dict[str, Any] | None, known: dict[int, str]) -> int:
    """The position of the first hand that may differ from what was loaded from `before` (`known`:
    `snapshots.digests` of `data` that include `compared_counts(before)`)."""
    count = (before or {}).get("hand_count") or 0
    if count and known[count] == before["content_digest"]:
        return count + 1
    if count and known[count - 1] == before["prefix_digest"]:
        return count  # its last hand was still in progress
    return 1


def compared_counts(before: dict[str, Any] | None) -> list[int]:
    """The hand counts of the newer export whose digests `first_changed_hand` compares with `before`."""
    count = (before or {}).get("hand_count") or 0
    return [count, count - 1] if count else []


@dataclass
class _Mapped:
    """One session of a batch: its rows from hand `first` on, the `previous` hand count loaded from it
    before, its ledger row (with the digests of the snapshot now loaded)."""

    session_id: int
    rows: HandRows
    first: int
    previous: int
    ledger: dict[str, Any]
    rewritten: list  # ids of the hands written that had been loaded before


def _load_batch(
    sink: Sink, pc_id: str, batch: list[list[Snapshot]], now: datetime, load: HandLoad
) -> dict[str, dict[str, Any]]:
    """Map the sessions of `batch` from their raw JSON (one read) and write them together: players (in
    lock order), hands, seats (in lock order), events, then the ledger marks last, so a failure on the
    way leaves every session of the batch to be loaded again. The players' identity rows come back."""
    exports = snapshots.raw_jsons(sink, pc_id, [session[0].file_hash for session in batch])
    mapped: list[_Mapped] = []
    for session_snapshots in batch:
        data = exports.pop(session_snapshots[0].file_hash, None)
        if data is None:  # compacted since it was listed: a newer snapshot is loaded next run
            continue
        mapped.append(_map_session(pc_id, session_snapshots, data, now, load))
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


def _map_session(
    pc_id: str, session_snapshots: list[Snapshot], data: dict[str, Any], now: datetime, load: HandLoad
) -> _Mapped:
    latest = session_snapshots[0]
    before = _loaded_before(session_snapshots)
    # every digest this load needs, each hand serialized once
    known = snapshots.digests(data, [*compared_counts(before), *snapshots.ledger_counts(data)])
    first = first_changed_hand(data, before, known)
    rows = map_hands(pc_id, latest.session_id, data, first, now)
    load.refused.extend(rows.refused)
    load.unmapped.update(rows.unmapped)
    previous = (before or {}).get("hand_count") or 0
    ledger = snapshots.ledger_row(pc_id, latest, data, now, known)
    rewritten = [row["id"] for row in rows.hands if row["hand_index"] <= previous]
    return _Mapped(latest.session_id, rows, first, previous, ledger, rewritten)


def _write(
    sink: Sink, table: str, rows: list[dict[str, Any]], key: tuple[str, ...], load: HandLoad, new: bool
) -> int:
    """Upsert `rows`; `new`: none of their keys should be stored yet (the sink may insert them directly,
    falling back to the upsert when a key is there after all, as after a load that failed half-way)."""
    result = sink.upsert(table, rows, key, mostly_new=new)
    load.note_refused(table, result.rejected)
    return result.written


def _drop_stale_children(sink: Sink, sessions: list[_Mapped]) -> None:
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


def _drop_hands_gone(sink: Sink, pc_id: str, sessions: list[_Mapped]) -> int:
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
