"""Hourly reconciliation of one WSOP table: keys and per-range checksums compared with the source.

What the incremental sync cannot see by its version stamp is found here: rows deleted at the source,
and chip counts corrected in place (no updated_at). Every row is fingerprinted (fingerprints.py) on
both sides; the 256 key ranges whose (count, checksum) differ are compared row by row. The target is
read before the source, so a row the target holds is only called deleted when the source lost it
after it was copied; a row added at the source meanwhile is only re-copied, which is harmless.
"""

from dataclasses import dataclass, field
from typing import Literal

from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.wsop.sides import PostgresSide, RestSide, Side
from gfx_assets.lib.wsop.source import source_snapshot, table_columns
from gfx_assets.lib.wsop.sync import SyncOptions, open_writer
from gfx_assets.lib.wsop.tables import WsopTable, children_of, referrers_of

Action = Literal["delete", "recopy", "flag"]
MAX_EXAMPLES = 20
IDS_PER_REPAIR = 5000


@dataclass
class Reconciliation:
    table: str
    action: Action
    source_rows: int = 0
    target_rows: int = 0
    ranges_differing: list[str] = field(default_factory=list)
    deleted_at_source: list = field(default_factory=list)  # in the target only
    missing: list = field(default_factory=list)  # in the source only
    differing: list = field(default_factory=list)  # in both, with other values
    removed: int = 0
    recopied: int = 0

    @property
    def unresolved(self) -> int:
        """Differences the action left in place (flagged)."""
        found = len(self.deleted_at_source) + len(self.missing) + len(self.differing)
        return found - self.removed - self.recopied


def reconcile_table(sink: Sink, table: WsopTable, options: SyncOptions, action: Action) -> Reconciliation:
    with source_snapshot(options.source_url, json_as_text=False) as probe:
        columns = table_columns(probe, table.name)
    target = PostgresSide(options.copy_target_url) if options.copy_target_url else RestSide(sink)
    result = Reconciliation(table.name, action)
    with target:
        target_ranges = target.ranges(table.name, columns)  # the target first: see the module docstring
        with source_snapshot(options.source_url, json_as_text=False) as conn:
            source = PostgresSide.on(conn)
            source_ranges = source.ranges(table.name, columns)
            result.ranges_differing = sorted(
                key
                for key in set(source_ranges) | set(target_ranges)
                if source_ranges.get(key) != target_ranges.get(key)
            )
            _compare(result, source, target, table.name, columns)
        result.source_rows = sum(count for count, _ in source_ranges.values())
        result.target_rows = sum(count for count, _ in target_ranges.values())
    _repair(result, sink, table, options, columns)
    return result


def _compare(result: Reconciliation, source: Side, target: Side, table: str, columns: list[str]) -> None:
    if not result.ranges_differing:
        return
    theirs = source.fingerprints(table, columns, result.ranges_differing)
    ours = target.fingerprints(table, columns, result.ranges_differing)
    result.deleted_at_source = sorted(set(ours) - set(theirs), key=str)
    result.missing = sorted(set(theirs) - set(ours), key=str)
    result.differing = sorted((key for key in set(ours) & set(theirs) if ours[key] != theirs[key]), key=str)


def _repair(
    result: Reconciliation, sink: Sink, table: WsopTable, options: SyncOptions, columns: list[str]
) -> None:
    if result.action == "delete" and result.deleted_at_source:
        _delete(sink, table, result.deleted_at_source)
        result.removed = len(result.deleted_at_source)
    recopy = result.missing + result.differing
    if result.action in ("delete", "recopy") and recopy:
        writer = open_writer(sink, options)
        try:
            with source_snapshot(options.source_url) as source:
                for start in range(0, len(recopy), IDS_PER_REPAIR):
                    writer.copy_ids(source, table, columns, recopy[start : start + IDS_PER_REPAIR])
        finally:
            writer.close()
        result.recopied = len(recopy)


def _delete(sink: Sink, table: WsopTable, ids: list) -> None:
    """Rows pointing at a deleted parent go first: the source's foreign key had removed them already.
    A reference that does not own its row (the player who eliminated another) is cleared instead: the
    source could only delete that player once no row pointed at it any more, so the row itself lives on
    at the source, and its next sync (or reconciliation) brings its current value."""
    for start in range(0, len(ids), IDS_PER_REPAIR):
        part = ids[start : start + IDS_PER_REPAIR]
        for child, column in children_of(table.name):
            sink.delete(child.name, {column: part})
        for referrer, column in referrers_of(table.name):
            sink.update(referrer.name, {column: None}, {column: part})
        sink.delete(table.name, {"id": part})
