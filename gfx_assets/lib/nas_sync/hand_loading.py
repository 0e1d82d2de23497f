"""Fill `gfx_hands`, `gfx_hand_players`, `gfx_events` and `gfx_players` from the latest snapshot of each
of a PC's sessions. Dagster-free.

Only sessions whose latest snapshot has not been loaded yet are read (the ledger's hands_loaded_at). A
newer snapshot normally extends the one loaded before: when that one's digest equals the digest of the
newer one's first k hands, only hands k+1.. are written; when only its last hand differs (it was still
in progress), hands k.. are; otherwise every hand is. Landing stores those two digests of a rewritten
file's content (`staging`), so a live rewrite's load compares them without its export and reads only the
new hands (`first_new_hand_stored`, `snapshots.hands_from`), however long the session. A first content,
one landed without digests, or one several hands past the one loaded, is digested here from its export.
Every write is an upsert on the natural keys, so a replay rewrites the same rows. Hands, seats and events
the latest snapshot no longer holds are deleted, so the tables always mirror it. Players and seats are
written in the players' lock order, so that PCs loading at the same moment cannot deadlock on the players
they share (see `player_totals`).
Sessions are read and written in batches (`BATCH_HANDS`), each session's ledger mark written after all of
its batch's rows, so a batch that fails half-way is loaded again whole (`hand_writes`). A big backlog's
batches can be loaded by the caller's process and worker processes at once: the batches of a PC are
disjoint sessions, and players and seats are written in lock order as for PCs loading at once; the
players are recounted after all.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
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
from gfx_assets.lib.pokergfx.hands import map_hand_entries
from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.workers import in_process, in_workers

MAX_EXAMPLES = 20
# Sessions are loaded in batches of about this many hands. Each batch costs the same few round trips
# (read the exports, upsert players, hands, seats, events, the ledger marks) however many sessions it
# holds, which for sessions of 1-3 hands had cost ~25 ms a session; and a batch holds its exports and
# rows in memory at once (a hand is ~30 rows: itself, its seats and events), which the budget bounds.
BATCH_HANDS = 500
# A backlog of at least this many batches is loaded in worker processes (when asked for): starting one
# costs ~0.5 s, loading a full batch ~1 s, so smaller loads (a live session's next hand) stay in process.
WORKER_BATCHES = 4
NAMED_SESSIONS_MAX = 200  # more sessions to load than this: the PC's ledger is read whole, in one query


def load_pc_hands(
    sink: Sink,
    pc_id: str,
    now: datetime | None = None,
    batch_hands: int = BATCH_HANDS,
    processes: int = 1,
) -> HandLoad:
    """Load the PC's sessions whose latest snapshot is not loaded, batch by batch, then recount their
    players. A backlog of at least WORKER_BATCHES batches is loaded by `processes` processes at once when
    that is more than one, the caller's and `processes - 1` workers (`sinks.workers`): one maps a batch
    while another waits on the database."""
    now = now or datetime.now(UTC)
    plan = list(batches(sessions_to_load(sink, pc_id), batch_hands))
    factory = sink.factory() if processes > 1 and len(plan) >= WORKER_BATCHES else None
    work = partial(load_batch, pc_id=pc_id, now=now)
    outcome = in_workers(sink, factory, work, plan, processes) if factory else in_process(sink, work, plan)
    load = HandLoad(worker_processes=processes - 1 if factory else 0)
    touched: dict[str, dict[str, Any]] = {}
    for batch_load, players in outcome.results:
        load.add(batch_load)
        touched.update(players)
    try:  # also after a batch failed: the batches written before are marked loaded, and the retry
        # recounts only the players of what it loads itself
        load.players = player_totals.recount(sink, list(touched.values()), now)
    finally:
        if outcome.error is not None:  # the load's own error, whether or not the recount failed too
            raise outcome.error
    return load


def load_batch(
    sink: Sink, batch: list[list[Snapshot]], pc_id: str, now: datetime
) -> tuple[HandLoad, dict[str, dict[str, Any]]]:
    """Map and write one batch of sessions: what it wrote, and its players' identity rows by hash."""
    load = HandLoad()
    players = write_batch(sink, pc_id, _map_batch(sink, pc_id, batch, now, load), now, load)
    return load, players


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
    snapshot, a session stored before the hand tables existed, or one whose hand load failed. Only the
    sessions with a snapshot not loaded are read, by name when they are few (a live run: the PC's ledger
    holds every content of the season), else the PC's whole ledger."""
    pending = sorted(snapshots.sessions_not_loaded(sink, pc_id))
    if not pending:
        return []
    named = pending if len(pending) <= NAMED_SESSIONS_MAX else None
    return [
        session
        for session in snapshots.pc_snapshots(sink, pc_id, named).values()
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


def first_new_hand_stored(latest: Snapshot, before: dict[str, Any] | None) -> int | None:
    """`first_changed_hand` decided from the digests the ledger holds for `latest` (stored when it landed:
    of all its hands and of all but the last), without its export; None when those cannot decide it (none
    stored, or the load before held another hand count than those two) and the export must be digested."""
    if not latest.digested or latest.hand_count is None:
        return None
    count = (before or {}).get("hand_count") or 0
    if not count:
        return 1
    at_count = snapshots.stored_digest(latest, count)
    if at_count is None:
        return None
    if at_count == before["content_digest"]:
        return count + 1
    before_last = snapshots.stored_digest(latest, count - 1)
    if before_last is None:
        return None
    return count if before_last == before["prefix_digest"] else 1


def _map_batch(
    sink: Sink, pc_id: str, batch: list[list[Snapshot]], now: datetime, load: HandLoad
) -> list[MappedSession]:
    """The sessions of `batch` mapped. A session whose new hands start past its first, by its stored
    digests (a live rewrite), has only those hands read, where they are stored (`snapshots.hands_from`);
    the others have their whole raw JSON read, all in one query."""
    plans = {session[0].file_hash: (session, _loaded_before(session)) for session in batch}
    starts = {
        file_hash: first_new_hand_stored(session[0], before) for file_hash, (session, before) in plans.items()
    }
    later = {file_hash: start for file_hash, start in starts.items() if start is not None and start > 1}
    read_later = snapshots.hands_from(sink, pc_id, later)
    exports = snapshots.raw_jsons(sink, pc_id, [file_hash for file_hash in plans if file_hash not in later])
    mapped: list[MappedSession] = []
    for file_hash, (session_snapshots, before) in plans.items():
        latest, start = session_snapshots[0], starts[file_hash]
        if file_hash in later:
            found = read_later.pop(file_hash, None)
            read = None if found is None else (found, snapshots.stored_ledger_row(pc_id, latest, now), start)
        else:
            data = exports.pop(file_hash, None)
            read = None if data is None else _whole_export(pc_id, latest, before, data, start, now)
        if read is None:  # compacted since it was listed: a newer snapshot is loaded next run
            continue
        hands, ledger, first = read
        mapped.append(_map_session(pc_id, latest, before, hands, first, ledger, now, load))
    return mapped


def _whole_export(
    pc_id: str,
    latest: Snapshot,
    before: dict[str, Any] | None,
    data: dict[str, Any],
    start: int | None,
    now: datetime,
) -> tuple[list[Any], dict[str, Any], int]:
    """The hands of `data` from the first changed one, the ledger row and that position; the digests are
    computed here when the ledger has none that decide it (`start` None)."""
    if start is None:
        # every digest this load needs, each hand serialized once
        known = snapshots.digests(data, [*compared_counts(before), *snapshots.ledger_counts(data)])
        start = first_changed_hand(data, before, known)
        ledger = snapshots.ledger_row(pc_id, latest, data, now, known)
    else:
        ledger = snapshots.stored_ledger_row(pc_id, latest, now)
    hands = data["Hands"] if isinstance(data.get("Hands"), list) else []
    return hands[start - 1 :], ledger, start


def _map_session(
    pc_id: str,
    latest: Snapshot,
    before: dict[str, Any] | None,
    hands: list[Any],
    first: int,
    ledger: dict[str, Any],
    now: datetime,
    load: HandLoad,
) -> MappedSession:
    """The rows of `hands`, the export's entries from position `first` on."""
    rows = map_hand_entries(pc_id, latest.session_id, hands, first, now)
    load.refused.extend(rows.refused)
    load.unmapped.update(rows.unmapped)
    previous = (before or {}).get("hand_count") or 0
    rewritten = [row["id"] for row in rows.hands if row["hand_index"] <= previous]
    return MappedSession(latest.session_id, rows, first, previous, ledger, rewritten)
