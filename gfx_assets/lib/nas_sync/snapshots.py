"""The snapshots of a PC's game sessions: every stored file content, one row each in the ledger
`gfx_session_snapshots` (the game's `gfx_sessions` row holds its latest one). Dagster-free.

A snapshot's digest is the SHA-256 of its canonical JSON (sorted keys, no whitespace, as
`json.dumps(sort_keys=True, separators=(",", ":"))` writes it: `fast_json.canonical`): the top-level
fields without `Hands`, then its hands. `digest(data, k)` is the digest the snapshot would have if it
held only the first k hands of `data`, so "the older snapshot is an exact prefix of the newer one"
reads `older.content_digest == digest(newer, older.hand_count)`, without the older raw JSON.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gfx_assets.lib.common import fast_json
from gfx_assets.lib.common.tables import LEDGER
from gfx_assets.lib.nas_sync.manifest import as_datetime
from gfx_assets.lib.sinks import Sink, require_all_written

LEDGER_KEY = ("gfx_pc_id", "file_hash")
_IDENTITY = ["file_hash", "session_id", "hand_count", "nas_path", "file_mtime"]
_LEDGER_COLUMNS = [
    *("file_hash", "session_id", "hand_count", "content_digest", "prefix_digest", "superseded_by"),
    *("prefix_verified", "hands_loaded_at", "compacted_at"),
]


@dataclass
class Snapshot:
    """One stored file content of a session, with its ledger entry (digests are None until computed)."""

    file_hash: str
    session_id: int | None
    hand_count: int | None
    nas_path: str | None
    file_mtime: datetime | None
    ledger: dict[str, Any]

    @property
    def compacted(self) -> bool:
        return bool(self.ledger.get("compacted_at"))

    @property
    def digested(self) -> bool:
        return bool(self.ledger.get("content_digest"))


def hand_count(data: dict[str, Any]) -> int:
    """The entries of the export's `Hands`, objects or not (as gfx_sessions.hand_count counts them)."""
    return len(data["Hands"]) if isinstance(data.get("Hands"), list) else 0


def digest(data: dict[str, Any], hand_count: int) -> str:
    return digests(data, [hand_count])[hand_count]


def digests(data: dict[str, Any], hand_counts: Iterable[int]) -> dict[int, str]:
    """`digest(data, k)` for each k of `hand_counts` (a k past the last hand: all hands), serializing each
    hand once: the canonical JSON of [top, [h1, .., hk]] is `[<top>,[<h1>,..,<hk>]]`, so every digest
    hashes the same text up to its last hand, and one running SHA-256 is copied at each k."""
    hands = data.get("Hands") if isinstance(data.get("Hands"), list) else []
    counts = list(hand_counts)
    wanted = {min(count, len(hands)) for count in counts}
    top = fast_json.canonical({key: value for key, value in data.items() if key != "Hands"})
    running = hashlib.sha256(b"[" + top + b",[")
    found: dict[int, str] = {}
    for position in range(max(wanted, default=0) + 1):
        if position:
            hand = fast_json.canonical(hands[position - 1])
            running.update(b"," + hand if position > 1 else hand)
        if position in wanted:
            found[position] = _closed(running.copy())
    return {count: found[min(count, len(hands))] for count in counts}


def sessions_not_loaded(sink: Sink, pc_id: str) -> set[int]:
    """The PC's sessions with a snapshot whose hands were never loaded (read by the database's filter, not
    row by row: a PC's ledger grows by a row per rewrite, all season)."""
    rows = sink.select(LEDGER, ["session_id"], {"gfx_pc_id": pc_id, "hands_loaded_at": None})
    return {row["session_id"] for row in rows if row["session_id"] is not None}


def stored_digest(snapshot: Snapshot, hand_count: int) -> str | None:
    """`digest(<its export>, hand_count)` from the digests the ledger holds for `snapshot` (all its hands,
    all but the last), without its export; None when those do not hold it."""
    total = snapshot.hand_count
    if not snapshot.digested or total is None:
        return None
    if hand_count >= total:
        return snapshot.ledger["content_digest"]
    return snapshot.ledger.get("prefix_digest") if hand_count == total - 1 else None


def ledger_counts(data: dict[str, Any]) -> list[int]:
    """The hand counts whose digests a ledger row holds: all hands (content), all but the last (prefix)."""
    count = hand_count(data)
    return [count, count - 1] if count else [0]


def _closed(canonical_so_far: Any) -> str:  # a hashlib.sha256 object
    canonical_so_far.update(b"]]")
    return canonical_so_far.hexdigest()


def pc_snapshots(
    sink: Sink, pc_id: str, session_ids: list[int] | None = None
) -> dict[int | None, list[Snapshot]]:
    """Every snapshot of the PC (or of its sessions `session_ids`) by session, newest first (the order that
    picks the gfx_sessions row)."""
    sessions: dict[int | None, list[Snapshot]] = {}
    columns = list(dict.fromkeys([*_IDENTITY, *_LEDGER_COLUMNS]))
    filters: dict[str, Any] = {"gfx_pc_id": pc_id}
    if session_ids is not None:
        filters["session_id"] = session_ids
    for row in sink.select(LEDGER, columns, filters):
        snapshot = Snapshot(**{column: row[column] for column in _IDENTITY}, ledger=row)
        sessions.setdefault(snapshot.session_id, []).append(snapshot)
    for snapshots in sessions.values():
        snapshots.sort(key=_newest_first)
    return sessions


def _newest_first(snapshot: Snapshot) -> tuple:
    """As the view: content kept first, most hands, newest file; then the hash, so ties are stable."""
    mtime = as_datetime(snapshot.file_mtime).timestamp() if snapshot.file_mtime else float("-inf")
    count = snapshot.hand_count if snapshot.hand_count is not None else -1
    return (snapshot.compacted, -count, -mtime, snapshot.file_hash)


def raw_json(sink: Sink, pc_id: str, file_hash: str) -> dict[str, Any] | None:
    """The export of one snapshot; None once compacted."""
    return raw_jsons(sink, pc_id, [file_hash]).get(file_hash)


def raw_jsons(sink: Sink, pc_id: str, file_hashes: list[str]) -> dict[str, dict[str, Any]]:
    """The exports of the PC's snapshots `file_hashes` by file hash, in one read; those compacted are
    left out."""
    if not file_hashes:
        return {}
    rows = sink.select(LEDGER, ["file_hash", "raw_json"], {"gfx_pc_id": pc_id, "file_hash": file_hashes})
    return {
        row["file_hash"]: fast_json.loads(value) if isinstance(value := row["raw_json"], str) else value
        for row in rows
        if row["raw_json"] is not None
    }


def ledger_digests(data: dict[str, Any], known: dict[int, str] | None = None) -> dict[str, str | None]:
    """The digests a ledger row holds for the export `data`: of all its hands (content) and of all but the
    last (prefix). `known`: `digests` of `data` that include `ledger_counts(data)`, when the caller has them.
    Landing stores them with each new content (`staging.session_row`), so a later load can tell where a
    rewrite's new hands start without reading the export back (`hand_loading`)."""
    count = hand_count(data)
    found = known if known is not None else digests(data, ledger_counts(data))
    return {"content_digest": found[count], "prefix_digest": found[count - 1] if count else None}


def ledger_row(
    pc_id: str, snapshot: Snapshot, data: dict[str, Any], now: datetime, known: dict[int, str] | None = None
) -> dict[str, Any]:
    """The identity and digests of a snapshot, from its export `data` (`known`: as for `ledger_digests`)."""
    return _identity_row(pc_id, snapshot, now, ledger_digests(data, known))


def stored_ledger_row(pc_id: str, snapshot: Snapshot, now: datetime) -> dict[str, Any]:
    """The identity and digests of a snapshot whose digests the ledger holds already (`digested`)."""
    digests_ = {column: snapshot.ledger[column] for column in ("content_digest", "prefix_digest")}
    return _identity_row(pc_id, snapshot, now, digests_)


def _identity_row(pc_id: str, snapshot: Snapshot, now: datetime, digests_: dict[str, Any]) -> dict[str, Any]:
    return {
        "gfx_pc_id": pc_id,
        "file_hash": snapshot.file_hash,
        "session_id": snapshot.session_id,
        "hand_count": snapshot.hand_count,
        "nas_path": snapshot.nas_path,
        "file_mtime": snapshot.file_mtime,
        **digests_,
        "updated_at": now,
    }


def hands_from(sink: Sink, pc_id: str, starts: dict[str, int]) -> dict[str, list[Any]]:
    """The `Hands` entries of the PC's snapshots from a 1-based position on (`starts`: file hash -> first
    position), read in one call where they are stored (gfx_snapshot_hands, migrations/0012); the
    snapshots compacted are left out."""
    if not starts:
        return {}
    arguments = {"pc_id": pc_id, "file_hashes": list(starts), "first_hands": list(starts.values())}
    return sink.call("gfx_snapshot_hands", arguments) or {}


def record(sink: Sink, rows: list[dict[str, Any]]) -> None:
    """Upsert ledger rows; all rows of one call send the same columns (PostgREST needs one key set)."""
    require_all_written(sink.upsert(LEDGER, rows, LEDGER_KEY), LEDGER)
