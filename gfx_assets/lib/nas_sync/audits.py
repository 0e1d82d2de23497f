"""What the gfx_hands checks verify, per PC. Dagster-free; each function returns the problems found.

- `hand_count_mismatches`: every session has as many rows in gfx_hands as its latest snapshot has hands.
- `hand_position_gaps`: a session's hand_index values are exactly 1..n.
- `compaction_violations`: every snapshot whose raw_json is gone has a verified ledger verdict, and its
  recorded digest still equals the digest of the first hand_count hands of the snapshot that superseded
  it (following superseded_by to the first one that kept its JSON): it is a verified prefix.
"""

from collections import defaultdict
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from gfx_assets.lib.nas_sync import snapshots
from gfx_assets.lib.nas_sync.snapshots import Snapshot
from gfx_assets.lib.sinks import Sink


def hand_positions(sink: Sink, pc_id: str) -> dict[int, list[int]]:
    positions: dict[int, list[int]] = defaultdict(list)
    for row in sink.select("gfx_hands", ["session_id", "hand_index"], {"gfx_pc_id": pc_id}):
        positions[row["session_id"]].append(row["hand_index"])
    return positions


def hand_count_mismatches(sink: Sink, pc_id: str, positions: dict[int, list[int]]) -> list[str]:
    problems = []
    for session_id, session in snapshots.pc_snapshots(sink, pc_id).items():
        expected, stored = session[0].hand_count or 0, len(positions.get(session_id, []))
        if session_id is not None and expected != stored:
            problems.append(f"session {session_id}: latest snapshot has {expected} hands, gfx_hands {stored}")
    return problems


def hand_position_gaps(positions: dict[int, list[int]]) -> list[str]:
    problems = []
    for session_id, indexes in sorted(positions.items()):
        missing = sorted(set(range(1, max(indexes) + 1)) - set(indexes))
        if missing:
            problems.append(f"session {session_id}: no hand at position(s) {missing[:20]}")
    return problems


def compaction_violations(sink: Sink, pc_id: str) -> list[str]:
    emptied = {
        row["file_hash"]
        for row in sink.select(snapshots.LEDGER, ["file_hash"], {"gfx_pc_id": pc_id, "raw_json": None})
    }
    problems = []
    read = cache(partial(snapshots.raw_json, sink, pc_id))  # each successor's JSON once
    for session in snapshots.pc_snapshots(sink, pc_id).values():
        by_hash = {snapshot.file_hash: snapshot for snapshot in session}
        for snapshot in session:
            if snapshot.file_hash in emptied:
                problem = _unverified(read, snapshot, by_hash, emptied)
                if problem:
                    problems.append(f"{snapshot.nas_path or snapshot.file_hash}: {problem}")
    return problems


def _unverified(
    read: Callable[[str], dict[str, Any] | None],
    snapshot: Snapshot,
    by_hash: dict[str, Snapshot],
    emptied: set[str],
) -> str | None:
    ledger = snapshot.ledger
    if not ledger.get("prefix_verified") or not ledger.get("content_digest"):
        return "raw_json dropped without a verified prefix in gfx_session_snapshots"
    successor, seen = ledger.get("superseded_by"), {snapshot.file_hash}
    while successor in emptied and successor not in seen and successor in by_hash:
        seen.add(successor)
        successor = by_hash[successor].ledger.get("superseded_by")
    data = read(successor) if successor in by_hash else None
    if data is None:
        return f"no snapshot holding its content: superseded_by chain ends at {successor}"
    if snapshots.digest(data, ledger.get("hand_count") or 0) != ledger["content_digest"]:
        return f"not a prefix of {successor}: its digest differs from that snapshot's first hands"
    return None
