"""The plain references of bench/sync_bench.py: the same content rows our sync writes, built before the
clock starts, written by a binary COPY and by psycopg2's `execute_values` upsert.

The sync writes every content to the ledger `gfx_session_snapshots` (key (gfx_pc_id, file_hash)), and the
trigger of migrations/0008 keeps each game's `gfx_sessions` row on its winning content in the same
statement. The references write the same rows into the same ledger of a freshly migrated database (same
keys, indexes and trigger), so they pay for that trigger as the sync does: like for like."""

import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import psycopg2
import psycopg2.extras
from psycopg.adapt import Dumper
from psycopg.pq import Format

from gfx_assets.lib.nas_sync.registry import load_registry
from gfx_assets.lib.nas_sync.scan import scan_folder
from gfx_assets.lib.nas_sync.staging import Staged, staged_rows

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


class RawJsonb(str):
    """A JSON document's text, sent as binary jsonb (version byte 1 + the text) without re-encoding."""


class _RawJsonbBinaryDumper(Dumper):
    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: RawJsonb) -> bytes:
        return b"\x01" + obj.encode()


def session_rows(nas_root: Path, registry_path: Path) -> list[tuple]:
    """Every file of every PC parsed by our staging, as ledger tuples in COLUMNS order."""
    rows = []
    now = datetime.now(UTC)
    for pc_id, pc in sorted(load_registry(nas_root, registry_path).enabled().items()):
        files = list(scan_folder(nas_root, pc.watch_path))
        for item in staged_rows(nas_root, pc_id, files, Staged(), MAX_FILE_BYTES, 0.0):
            row = dict(item.row, raw_json=RawJsonb(item.json_text), updated_at=now)
            for column in TIMES:
                row[column] = datetime.fromisoformat(row[column]) if row[column] else None
            rows.append(tuple(row[column] for column in COLUMNS))
    return rows


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
