"""An upgrade from every migration boundary (issue 19): a database migrated up to file k and filled with the
real exports as the sync of that time stored them (every stored content, the manifest, an open dead letter,
and from 0007 on the hands of each game's latest content), then migrated the rest of the way, loses nothing:
one gfx_sessions row per game with its latest content, every content in the ledger with its JSON, the
manifest and the dead letter as they were, the hands with their ids, and the next sync finds no file to
land. The fill writes only the columns that exist at k, so each boundary sees the schema of its time;
test_upgrade_0008.py covers 0007 -> 0008 in depth (compaction, derived columns, both sinks)."""

import json
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest
from psycopg.types.json import Jsonb

from gfx_assets.lib.common.migrations import MIGRATIONS_DIR, load_migrations, migrate
from gfx_assets.lib.nas_sync.scan import FileStat, scan_folder
from gfx_assets.lib.nas_sync.staging import session_row
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.pokergfx.session import parse_session, sha256_hex
from gfx_assets_tests.support import (
    execute,
    materialization_metadata,
    nas,
    postgres_sink,
    query,
    sync,
    write_registry,
)

BOUNDARIES = [migration.name for migration in load_migrations()][:-1]
LATER_COLUMNS = ("file_mtime_ns",)
CONTENTS, GAMES, FILES = 17, 15, 18
STATE_TABLES = (
    "gfx_sessions",
    "gfx_session_snapshots",
    "gfx_file_manifest",
    "gfx_sync_failures",
    "gfx_hands",
    "gfx_hand_players",
    "gfx_events",
    "gfx_players",
)


def _columns(conn: psycopg.Connection, table: str) -> set[str]:
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))
    return {name for (name,) in rows}


def _insert(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]]) -> bool:
    """The rows, with the columns the table has at this migration (a row already there is kept: players
    repeat across games); False when the table does not exist yet."""
    present = _columns(conn, table)
    if not present:
        return False
    for row in rows:
        kept = {key: value for key, value in row.items() if key in present}
        names = ", ".join(kept)
        marks = ", ".join(["%s"] * len(kept))
        conn.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING", list(kept.values())
        )
    return True


def _contents(table_gg: Path) -> tuple[list[FileStat], dict[str, dict[str, Any]]]:
    """The NAS files, and each distinct content's session columns with its JSON, by hash."""
    files = sorted(scan_folder(table_gg.parent, table_gg.name), key=lambda file: file.nas_path)
    contents: dict[str, dict[str, Any]] = {}
    for file in files:
        raw = (table_gg.parent / file.nas_path).read_bytes()
        digest = sha256_hex(raw)
        row = session_row("PC01", file, digest, parse_session(raw, file.file_name))
        contents.setdefault(digest, {**row, "raw_json": Jsonb(json.loads(raw)), "sync_status": "synced"})
    return files, contents


def _latest(contents: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    games: dict[int, dict[str, Any]] = {}
    for row in contents.values():
        best = games.get(row["session_id"])
        if best is None or row["hand_count"] > best["hand_count"]:
            games[row["session_id"]] = row
    return list(games.values())


def _json_columns(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Jsonb(json.loads(value)) if key in ("blinds", "stud_limits") and value else value
        for key, value in row.items()
    }


def _fill(url: str, table_gg: Path, last_applied: str) -> bool:
    """Fill as the sync of that time did; True when the bookkeeping tables (0002 on) took their rows."""
    files, contents = _contents(table_gg)
    with psycopg.connect(url) as conn:
        sessions = [{k: v for k, v in row.items() if k not in LATER_COLUMNS} for row in contents.values()]
        if last_applied >= "0008":  # the ledger holds the contents; its trigger keeps gfx_sessions
            _insert(conn, "gfx_session_snapshots", sessions)
        else:
            _insert(conn, "gfx_sessions", sessions)
        bookkeeping = _insert(
            conn,
            "gfx_file_manifest",
            [
                {"gfx_pc_id": "PC01", "nas_path": f.stored_path, "file_size": f.size, "file_mtime": f.mtime,
                 "file_hash": sha256_hex((table_gg.parent / f.nas_path).read_bytes()), "status": "synced"}
                for f in files
            ],
        )  # fmt: skip
        dead_letter = {"source": "gfx", "gfx_pc_id": "PC01", "nas_path": "PC01/lost.json", "run_id": "r1"}
        _insert(conn, "gfx_sync_failures", [{**dead_letter, "error": "boom"}])
        if last_applied >= "0007":
            for row in _latest(contents):
                hands = map_hands("PC01", row["session_id"], row["raw_json"].obj)
                _insert(conn, "gfx_players", list(hands.players.values()))
                _insert(conn, "gfx_hands", [_json_columns(hand) for hand in hands.hands])
                _insert(conn, "gfx_hand_players", hands.hand_players)
                _insert(conn, "gfx_events", hands.events)
    return bookkeeping


@pytest.mark.parametrize("last_applied", BOUNDARIES)
def test_a_database_filled_at_each_migration_upgrades_with_nothing_lost(
    last_applied: str, empty_database_url: str, table_gg: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("[0-9]*.sql")):
        if path.name <= last_applied:
            shutil.copy(path, folder)
    migrate(empty_database_url, folder)
    bookkeeping = _fill(empty_database_url, table_gg, last_applied[:4])
    hands_before = (
        query(empty_database_url, "SELECT id FROM gfx_hands ORDER BY id") if last_applied >= "0007" else []
    )

    applied = migrate(empty_database_url)

    assert applied and applied[0] > last_applied
    assert query(empty_database_url, "SELECT count(*), count(DISTINCT session_id) FROM gfx_sessions") == [
        (GAMES, GAMES)
    ]
    ledger = "SELECT count(*), count(raw_json) FROM gfx_session_snapshots WHERE gfx_pc_id = 'PC01'"
    assert query(empty_database_url, ledger) == [(CONTENTS, CONTENTS)]
    latest = "SELECT max(hand_count) FROM gfx_sessions WHERE session_id = 638964611175191251"
    assert query(empty_database_url, latest) == [(82,)]
    if bookkeeping:  # 0001 had no manifest nor dead letters yet
        assert query(empty_database_url, "SELECT count(*) FROM gfx_file_manifest") == [(FILES,)]
        open_letters = "SELECT nas_path, error FROM gfx_sync_failures WHERE resolved_at IS NULL"
        assert query(empty_database_url, open_letters) == [("PC01/lost.json", "boom")]
    assert query(empty_database_url, "SELECT id FROM gfx_hands ORDER BY id") == hands_before
    assert query(empty_database_url, "SELECT count(*) FROM gfx_hands WHERE blinds ? 'BigBlindAmt'") == [(0,)]
    assert migrate(empty_database_url) == []
    state = [query(empty_database_url, f"SELECT * FROM {table} ORDER BY 1, 2") for table in STATE_TABLES]
    for name in applied[-3:]:  # the newest files run again by hand, as in Supabase's SQL editor: no change
        execute(empty_database_url, (MIGRATIONS_DIR / name).read_text())
    assert [
        query(empty_database_url, f"SELECT * FROM {table} ORDER BY 1, 2") for table in STATE_TABLES
    ] == state

    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(table_gg.parent, registry), postgres_sink(empty_database_url))
    assert result.success
    assert (materialization_metadata(result)["files_scanned"], materialization_metadata(result)["new"]) == (
        FILES,
        0,
    )
