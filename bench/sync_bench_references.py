"""The plain references of bench/sync_bench.py: the same rows our sync writes, built before the clock
starts, written by a binary COPY and by psycopg2's `execute_values` upsert.

The sync writes every content to the ledger `gfx_session_snapshots` (key (gfx_pc_id, file_hash)), and the
trigger of migrations/0008 keeps each game's `gfx_sessions` row on its winning content in the same
statement. The references write the same rows into the same ledger of a freshly migrated database (same
keys, indexes and trigger), so they pay for that trigger as the sync does: like for like.

`all_rows` is every row the whole `gfx-assets sync` leaves behind: the ledger rows with their digests and
load mark, the manifest, and the hand tables (hands, seats, events, players with their totals), mapped by
the sync's own functions (`map_hands`, `snapshots.ledger_row`, `manifest.manifest_row`), the players'
totals as the database function gfx_recount_players counts them (migrations/0011); `binary_copy_all`
COPYs them (binary) in foreign-key order. The sync's own
sync_events rows (a few per run) are left out."""

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import psycopg2
import psycopg2.extras
from psycopg.adapt import Dumper
from psycopg.pq import Format

from gfx_assets.lib.nas_sync import manifest, snapshots
from gfx_assets.lib.nas_sync.registry import load_registry
from gfx_assets.lib.nas_sync.scan import FileStat, scan_folder
from gfx_assets.lib.nas_sync.staging import Staged, StagedRow, staged_rows
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.sinks import JsonText

LEDGER = "gfx_session_snapshots"
COLUMNS = (
    "gfx_pc_id", "session_id", "file_name", "nas_path", "file_hash", "file_size", "file_mtime", "raw_json",
    "table_type", "event_title", "software_version", "hand_count", "player_count", "payouts",
    "session_created_at", "total_duration_seconds", "session_start_time", "session_end_time", "sync_source",
    "updated_at",
)  # fmt: skip
TYPES = (
    "text", "int8", "text", "text", "text", "int8", "timestamptz", "jsonb",
    "text", "text", "text", "int4", "int4", "int8[]",
    "timestamptz", "int4", "timestamptz", "timestamptz", "text",
    "timestamptz",
)  # fmt: skip
TIMES = ("file_mtime", "session_created_at", "session_start_time", "session_end_time")
# what the sync's landing updates on a conflict (gfx_assets/lib/nas_sync/landing.py, LEDGER_UPDATE)
UPDATED_ON_CONFLICT = ("updated_at", "nas_path")
MAX_FILE_BYTES = 64 * 1024 * 1024


# the ledger columns the hand load adds to each content it loads (snapshots.ledger_row, hands_loaded_at)
LOADED_COLUMNS = ("content_digest", "prefix_digest", "hands_loaded_at")
TableRows = tuple[str, list[str], list[tuple]]  # table, columns, rows in column order


class RawJsonb(str):
    """A JSON document's text, sent as binary jsonb (version byte 1 + the text) without re-encoding."""


class _RawJsonbBinaryDumper(Dumper):
    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


def _staged(nas_root: Path, registry_path: Path, now: datetime) -> Iterator[tuple[str, StagedRow, dict]]:
    """(PC, staged content, its ledger columns) for every file of every PC, parsed by our staging."""
    for pc_id, pc in sorted(load_registry(nas_root, registry_path).enabled().items()):
        files = list(scan_folder(nas_root, pc.watch_path))
        for item in staged_rows(nas_root, pc_id, files, Staged(), MAX_FILE_BYTES, 0.0):
            row = dict(item.row, raw_json=RawJsonb(item.json_text), updated_at=now)
            for column in TIMES:
                row[column] = datetime.fromisoformat(row[column]) if row[column] else None
            yield pc_id, item, row


def session_rows(nas_root: Path, registry_path: Path) -> list[tuple]:
    """Every file of every PC parsed by our staging, as ledger tuples in COLUMNS order."""
    now = datetime.now(UTC)
    return [tuple(row[column] for column in COLUMNS) for _, _, row in _staged(nas_root, registry_path, now)]


def all_rows(nas_root: Path, registry_path: Path) -> list[TableRows]:
    """Every row the whole sync writes, in foreign-key order (see the module docstring). Each file of the
    bench's corpora is its own game, so every content is its session's latest and has its hands loaded."""
    now = datetime.now(UTC)
    ledger, files, hands, seats, events = [], [], [], [], []
    identities: dict[str, dict[str, Any]] = {}
    for pc_id, item, row in _staged(nas_root, registry_path, now):
        data = json.loads(item.json_text)
        snapshot = snapshots.Snapshot(
            *(row[key] for key in ("file_hash", "session_id", "hand_count", "nas_path", "file_mtime")), {}
        )
        loaded = {**snapshots.ledger_row(pc_id, snapshot, data, now), "hands_loaded_at": now}
        ledger.append(tuple(row[column] for column in COLUMNS) + tuple(loaded[c] for c in LOADED_COLUMNS))
        file = FileStat(row["nas_path"], row["file_size"], item.row["file_mtime_ns"])
        files.append(manifest.manifest_row(pc_id, file, row["file_hash"], "synced", now))
        mapped = map_hands(pc_id, row["session_id"], data, 1, now)
        hands += mapped.hands
        seats += mapped.hand_players
        events += mapped.events
        identities.update(mapped.players)
    players = _players_with_totals(identities, hands, seats, now)
    return [
        (LEDGER, [*COLUMNS, *LOADED_COLUMNS], ledger),
        *(
            _as_tuples(table, rows)
            for table, rows in (("gfx_file_manifest", files), ("gfx_players", players))
        ),
        *(_as_tuples(table, rows) for table, rows in (("gfx_hands", hands), ("gfx_hand_players", seats))),
        _as_tuples("gfx_events", events),
    ]


def _players_with_totals(
    identities: dict[str, dict[str, Any]], hands: list[dict], seats: list[dict], now: datetime
) -> list[dict[str, Any]]:
    """gfx_players rows as the load's recount leaves them: identity, and the totals over the player's seats
    that gfx_recount_players (migrations/0011) counts: seats, distinct (PC, session), first and last
    start_time."""
    by_id = {hand["id"]: hand for hand in hands}
    played: dict[Any, list[dict]] = defaultdict(list)
    for seat in seats:
        played[seat["player_id"]].append(by_id[seat["hand_id"]])
    return [{**row, **_totals(played[row["id"]]), "updated_at": now} for row in identities.values()]


def _totals(hands: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [hand["start_time"] for hand in hands if hand["start_time"] is not None]
    return {
        "total_hands_played": len(hands),
        "total_sessions": len({(hand["gfx_pc_id"], hand["session_id"]) for hand in hands}),
        "first_seen_at": min(starts, default=None),
        "last_seen_at": max(starts, default=None),
    }


def _as_tuples(table: str, rows: list[dict[str, Any]]) -> TableRows:
    columns = list(rows[0]) if rows else []
    return table, columns, [tuple(row[column] for column in columns) for row in rows]


def _copy_types(conn: psycopg.Connection, table: str, columns: list[str]) -> list[str]:
    """The columns' types for a binary COPY, read from the catalog; an enum's binary form is its label,
    so enums are sent as text."""
    query = """SELECT a.attname, CASE WHEN t.typtype = 'e' THEN 'text' ELSE format_type(a.atttypid, NULL) END
               FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
               WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"""
    types = dict(conn.execute(query, (table,)).fetchall())
    return [types[column] for column in columns]


def binary_copy(url: str, rows: list[tuple]) -> float:
    """Seconds to COPY the rows (binary) into the ledger, its trigger filling gfx_sessions, and commit."""
    with psycopg.connect(url) as conn:
        conn.adapters.register_dumper(RawJsonb, _RawJsonbBinaryDumper)
        started = time.perf_counter()
        statement = f"COPY {LEDGER} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(list(TYPES))
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def binary_copy_all(url: str, tables: list[TableRows]) -> float:
    """Seconds to COPY (binary) every table's rows, in the given order, and commit in one transaction."""
    with psycopg.connect(url) as conn:
        conn.adapters.register_dumper(RawJsonb, _RawJsonbBinaryDumper)
        conn.adapters.register_dumper(JsonText, _RawJsonbBinaryDumper)
        types = {table: _copy_types(conn, table, columns) for table, columns, _ in tables}
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for table, columns, rows in tables:
                statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
                with cursor.copy(statement) as copy:
                    copy.set_types(types[table])
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def execute_values_upsert(url: str, rows: list[tuple]) -> float:
    """Seconds to upsert the rows into the ledger with psycopg2's execute_values (pages of 100 rows) and
    commit."""
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in UPDATED_ON_CONFLICT)
    statement = (
        f"INSERT INTO {LEDGER} ({', '.join(COLUMNS)}) VALUES %s "
        f"ON CONFLICT (gfx_pc_id, file_hash) DO UPDATE SET {updates}"
    )
    plain = [tuple(str(value) if isinstance(value, RawJsonb) else value for value in row) for row in rows]
    conn = psycopg2.connect(url)
    try:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            psycopg2.extras.execute_values(cursor, statement, plain, page_size=100)
        conn.commit()
        return time.perf_counter() - started
    finally:
        conn.close()
