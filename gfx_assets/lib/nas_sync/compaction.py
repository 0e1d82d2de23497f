"""Lossless compaction of superseded snapshots, with the ledger `gfx_session_snapshots`. Dagster-free.

Every stored file content of a PC has a ledger row (hash, session, hand count, NAS path, its JSON), so
dedupe, the manifest and the reconciliation keep accounting for every file; its digests are computed here
once. A snapshot that is not the session's latest is compared with the latest: when the latest holds its
top-level fields and its hands as an exact prefix (equal digests, see `snapshots`), it is verified and,
with retention `compact`, its raw_json in the ledger is set to NULL (the latest snapshot's JSON holds
every byte of its content). When the prefix
property does not hold, both keep their JSON and the ledger says why. The ledger row is written before
the JSON is dropped, so a crash in between leaves a verified, not yet compacted snapshot.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any, Literal

from gfx_assets.lib.nas_sync import snapshots
from gfx_assets.lib.nas_sync.snapshots import Snapshot
from gfx_assets.lib.sinks import Sink

Retention = Literal["keep", "compact"]
RETENTIONS: tuple[Retention, ...] = ("keep", "compact")


@dataclass
class Compaction:
    ledgered: int = 0
    verified: int = 0
    compacted: int = 0
    not_prefix: list[str] = field(default_factory=list)


def compact_pc(sink: Sink, pc_id: str, retention: Retention, now: datetime | None = None) -> Compaction:
    now = now or datetime.now(UTC)
    report = Compaction()
    for session in snapshots.pc_snapshots(sink, pc_id).values():
        report.ledgered += _digest_missing(sink, pc_id, session, now)
        latest = session[0]
        # the latest export, read once and only if a snapshot is judged against it
        latest_json = cache(partial(snapshots.raw_json, sink, pc_id, latest.file_hash))
        for older in session[1:]:
            if not older.compacted and _needs_verdict(older, latest):
                _judge(sink, pc_id, older, latest, latest_json(), retention, now, report)
            elif older.ledger.get("prefix_verified") and not older.compacted and retention == "compact":
                _drop_json(sink, pc_id, older, now, report)
    return report


def _digest_missing(sink: Sink, pc_id: str, session: list[Snapshot], now: datetime) -> int:
    """Digests for the snapshots that have none yet, reading each JSON once."""
    added = 0
    for snapshot in session:
        if not snapshot.digested:
            data = snapshots.raw_json(sink, pc_id, snapshot.file_hash)
            if data is None:
                continue  # dropped without digests: the compaction check reports it
            row = snapshots.ledger_row(pc_id, snapshot, data, now)
            snapshots.record(sink, [row])
            snapshot.ledger.update(row)
            added += 1
    return added


def _needs_verdict(older: Snapshot, latest: Snapshot) -> bool:
    """Never judged, or judged not a prefix of an earlier latest (the new latest may still hold it). A
    verified verdict stands: being a prefix is transitive, and the check follows superseded_by."""
    ledger = older.ledger
    verdict = ledger.get("prefix_verified")
    return verdict is None or (verdict is False and ledger.get("superseded_by") != latest.file_hash)


def _judge(
    sink: Sink,
    pc_id: str,
    older: Snapshot,
    latest: Snapshot,
    data: dict[str, Any] | None,
    retention: Retention,
    now: datetime,
    report: Compaction,
) -> None:
    if data is None or not older.digested:
        return
    count = older.ledger.get("hand_count") or 0
    verified = (
        count <= snapshots.hand_count(data)
        and snapshots.digest(data, count) == older.ledger["content_digest"]
    )
    note = (
        None
        if verified
        else f"not an exact prefix of {latest.file_hash}: its hands or top-level fields differ"
    )
    verdict = {"superseded_by": latest.file_hash, "prefix_verified": verified, "prefix_note": note}
    sink.update(
        snapshots.LEDGER, {**verdict, "updated_at": now}, {"gfx_pc_id": pc_id, "file_hash": older.file_hash}
    )
    older.ledger.update(verdict)
    if not verified:
        report.not_prefix.append(f"{older.nas_path or older.file_hash}: {note}")
        return
    report.verified += 1
    if retention == "compact":
        _drop_json(sink, pc_id, older, now, report)


def _drop_json(sink: Sink, pc_id: str, older: Snapshot, now: datetime, report: Compaction) -> None:
    key = {"gfx_pc_id": pc_id, "file_hash": older.file_hash}
    sink.update(snapshots.LEDGER, {"raw_json": None, "compacted_at": now, "updated_at": now}, key)
    report.compacted += 1
