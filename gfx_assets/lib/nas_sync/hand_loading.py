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
its batch's rows, so a batch that fails half-way is loaded again whole (`hand_writes`).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from gfx_assets.lib.common.batching import batches as packed
from gfx_assets.lib.nas_sync import player_totals, snapshots
from gfx_assets.lib.nas_sync.hand_writes import (
    EVENTS,
    HAND_PLAYERS,
    HANDS,
    HandLoad,
    MappedSession,
    write_batch,
)
from gfx_assets.lib.nas_sync.snapshots import Snapshot
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.sinks import Sink

MAX_EXAMPLES = 20
# Sessions are loaded in batches of about this many hands. Each batch costs the same few round trips
# (read the exports, upsert players, hands, seats, events, the ledger marks) however many sessions it
# holds, which for sessions of 1-3 hands had cost ~25 ms a session; and a batch holds its exports and
# rows in memory at once (a hand is ~30 rows: itself, its seats and events), which the budget bounds.
BATCH_HANDS = 500


def load_pc_hands(
    sink: Sink, pc_id: str, now: datetime | None = None, batch_hands: int = BATCH_HANDS
) -> HandLoad:
    """Load the PC's sessions whose latest snapshot is not loaded, batch by batch, then recount their
    players."""
    now = now or datetime.now(UTC)
    load = HandLoad()
    touched: dict[str, dict[str, Any]] = {}
    for batch in batches(sessions_to_load(sink, pc_id), batch_hands):
        touched.update(write_batch(sink, pc_id, _map_batch(sink, pc_id, batch, now, load), now, load))
    load.players = player_totals.recount(sink, list(touched.values()), now)
    return load


def batches(sessions: list[list[Snapshot]], budget: int) -> Iterator[list[list[Snapshot]]]:
    """`sessions` in batches of at most `budget` hands (by the ledger's hand counts; a session counts at
    least one, and one larger than the budget is a batch of its own)."""
    return packed(sessions, _hands_of, budget)


def _hands_of(session: list[Snapshot]) -> int:
    return max(session[0].hand_count or 0, 1)


def pc_row_counts(sink: Sink, pc_id: str) -> dict[str, int]:
    """Rows of the PC in each hand table, counted by the database (gfx_pc_row_counts, migrations/0011):
    seats and events through their hands; gfx_players belongs to no PC, its count is the whole table's."""
    counts = sink.call("gfx_pc_row_counts", {"pc_id": pc_id})
    return {table: counts[table] for table in (HANDS, HAND_PLAYERS, EVENTS, player_totals.PLAYERS)}


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


def _map_batch(
    sink: Sink, pc_id: str, batch: list[list[Snapshot]], now: datetime, load: HandLoad
) -> list[MappedSession]:
    """The sessions of `batch` mapped from their raw JSON, read in one query."""
    exports = snapshots.raw_jsons(sink, pc_id, [session[0].file_hash for session in batch])
    mapped: list[MappedSession] = []
    for session_snapshots in batch:
        data = exports.pop(session_snapshots[0].file_hash, None)
        if data is None:  # compacted since it was listed: a newer snapshot is loaded next run
            continue
        mapped.append(_map_session(pc_id, session_snapshots, data, now, load))
    return mapped


def _map_session(
    pc_id: str, session_snapshots: list[Snapshot], data: dict[str, Any], now: datetime, load: HandLoad
) -> MappedSession:
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
    return MappedSession(latest.session_id, rows, first, previous, ledger, rewritten)
