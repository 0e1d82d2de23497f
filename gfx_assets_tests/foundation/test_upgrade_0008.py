"""Migration 0008 upgrades a live database in place.

A database at migration 0007, filled the way the sync of 0007 filled it (one gfx_sessions row per stored
content, the superseded prefixes compacted to a NULL raw_json, the ledger with digests, hands with
PokerGFX's blind keys and the derived values of before, the manifest, an open dead letter), written
through each sink (PostgreSQL directly, and PostgREST as the Supabase REST sink does), two PCs with the
same game ids. After `migrate`:
- gfx_sessions holds one row per (PC, game), the game's latest content, with its JSON;
- the ledger holds every content that was stored, with its JSON unless it was compacted;
- hands keep their ids and exported values; blinds get production's keys, derived columns its meaning;
- the manifest and the dead letter are as they were;
- migrating again applies nothing and re-running the file changes nothing;
- the next sync finds nothing to write and nothing to load.
"""

import json
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.migrations import MIGRATIONS_DIR, migrate
from gfx_assets.lib.common.postgres import ensure_database
from gfx_assets.lib.nas_sync import manifest, snapshots
from gfx_assets.lib.nas_sync.hand_loading import sessions_to_load
from gfx_assets.lib.nas_sync.scan import FileStat, scan_folder
from gfx_assets.lib.nas_sync.staging import session_row
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.pokergfx.session import parse_session, sha256_hex
from gfx_assets.lib.sinks import JsonText, Sink
from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import execute, materialization_metadata, nas, postgres_sink, query, sync
from gfx_assets_tests.support import write_registry as registry_file

PCS = ("PC01", "PC02")
GROWING_GAME = 638964611175191251  # 1, 2 and 82 hands in three files
NEW_COLUMNS = ("total_duration_seconds", "session_start_time", "session_end_time", "file_mtime_ns")
# columns of a content that only the ledger holds (its digests): the 0007 sync wrote them with the hand load
LEDGER_ONLY = ("content_digest", "prefix_digest")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Upgrade:
    """One database filled at 0007 through one sink: what the queries of CAPTURED gave before and after."""

    url: str
    before: dict[str, list[tuple]]
    after: dict[str, list[tuple]]


CAPTURED = {
    "contents": "SELECT gfx_pc_id, file_hash, raw_json IS NULL FROM gfx_sessions",
    "ledger": "SELECT gfx_pc_id, file_hash, raw_json IS NULL FROM gfx_session_snapshots",
    "hands": "SELECT id, gfx_pc_id, session_id, hand_index, hand_num, start_time, ante_amt FROM gfx_hands",
    "seats": "SELECT id, hand_id, seat_num, player_name, hole_cards, end_stack_amt FROM gfx_hand_players",
    "events": "SELECT id, hand_id, event_order, event_type, pot FROM gfx_events",
    "blinds": "SELECT id, blinds FROM gfx_hands",
    "manifest": "SELECT gfx_pc_id, nas_path, file_size, file_mtime, file_hash, status FROM gfx_file_manifest",
    "dead_letters": "SELECT source, gfx_pc_id, nas_path, run_id, error, resolved_at FROM gfx_sync_failures",
}


@pytest.fixture(scope="module", params=["postgres", "supabase_rest"])
def upgraded(
    request: pytest.FixtureRequest, server_url: str, table_gg: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Upgrade]:
    """A database at 0007 filled through one sink, then migrated; dropped afterwards."""
    name = f"gfx_upgrade_{uuid.uuid4().hex[:12]}"
    url = ensure_database(server_url, name)
    folder = tmp_path_factory.mktemp("migrations_0007")
    for path in sorted(MIGRATIONS_DIR.glob("000[1-7]_*.sql")):
        shutil.copy(path, folder)
    migrate(url, folder)
    try:
        with _old_sink(request.param, url) as resource, resource.open() as sink:
            for pc_id in PCS:
                _fill_pc_as_0007(sink, table_gg, pc_id)
            dead_letter = {"source": "gfx", "gfx_pc_id": "PC01", "nas_path": "table-GG/x.json", "run_id": "r"}
            sink.upsert(
                "gfx_sync_failures", [{**dead_letter, "error": "e"}], ("source", "gfx_pc_id", "nas_path")
            )
        before = {key: _table(url, statement) for key, statement in CAPTURED.items() if key != "ledger"}
        migrate(url)
        yield Upgrade(url, before, {key: _table(url, statement) for key, statement in CAPTURED.items()})
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def _old_sink(kind: str, url: str) -> Iterator[GfxSink]:
    if kind == "postgres":
        yield postgres_sink(url)
        return
    with serve(create_app(url, service_key=SERVICE_KEY)) as base_url:
        yield SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY)


def _fill_pc_as_0007(sink: Sink, table_gg: Path, pc_id: str) -> None:
    """What the 0007 sync left: per-content session rows, the manifest, the ledger, compaction, hands."""
    contents: dict[str, tuple[dict, dict]] = {}
    files = list(scan_folder(table_gg.parent, table_gg.name))
    for file in files:
        raw = (table_gg.parent / file.nas_path).read_bytes()
        parsed, digest = parse_session(raw, file.file_name), sha256_hex(raw)
        row = {
            k: v
            for k, v in session_row(pc_id, file, digest, parsed).items()
            if k not in (*NEW_COLUMNS, *LEDGER_ONLY)
        }
        contents.setdefault(digest, ({**row, "raw_json": JsonText(parsed.json_text)}, json.loads(raw)))
    sink.upsert("gfx_sessions", [row for row, _ in contents.values()], ("gfx_pc_id", "file_hash"))
    manifest.record(sink, [manifest.manifest_row(pc_id, f, _hash(table_gg, f), "synced", NOW) for f in files])
    for session in _sessions(row for row, _ in contents.values()):
        latest = session[0]
        for snapshot in session:
            data = contents[snapshot.file_hash][1]
            ledger = snapshots.ledger_row(pc_id, snapshot, data, NOW)
            if snapshot is latest:
                ledger["hands_loaded_at"] = NOW
                _load_hands_as_0007(sink, pc_id, latest.session_id, data)
            else:
                ledger |= {"superseded_by": latest.file_hash, "prefix_verified": True, "compacted_at": NOW}
                sink.update(
                    "gfx_sessions", {"raw_json": None}, {"gfx_pc_id": pc_id, "file_hash": snapshot.file_hash}
                )
            snapshots.record(sink, [ledger])


def _sessions(rows: Iterable[dict]) -> list[list[snapshots.Snapshot]]:
    """The contents of each game, newest first (most hands, newest file): the order 0007's view used."""
    games: dict[int, list[snapshots.Snapshot]] = {}
    for row in rows:
        snapshot = snapshots.Snapshot(
            row["file_hash"], row["session_id"], row["hand_count"], row["nas_path"], row["file_mtime"], {}
        )
        games.setdefault(snapshot.session_id, []).append(snapshot)
    return [
        sorted(game, key=lambda s: (-(s.hand_count or 0), _negated(s.file_mtime), s.file_hash))
        for game in games.values()
    ]


def _negated(mtime: str) -> float:
    return -datetime.fromisoformat(mtime).timestamp()


def _hash(table_gg: Path, file: FileStat) -> str:
    return sha256_hex((table_gg.parent / file.nas_path).read_bytes())


def _load_hands_as_0007(sink: Sink, pc_id: str, session_id: int, data: dict[str, Any]) -> None:
    """The hand rows as 0007 stored them: PokerGFX's blind keys, and its own derived values (here values
    production's meaning never gives, so the test sees the migration replace them)."""
    rows = map_hands(pc_id, session_id, data, now=NOW)
    old_blinds = [hand.get("FlopDrawBlinds") for hand in data["Hands"]]
    for row, blinds in zip(rows.hands, old_blinds, strict=True):
        row |= {
            "blinds": JsonText(json.dumps(blinds)),
            "pot_size": -1,
            "showdown_count": 9,
            "winner_seat": 99,
        }
    for seat in rows.hand_players:
        seat["has_shown"] = not seat["hole_cards"]
    sink.upsert("gfx_players", list(rows.players.values()), ("player_hash",))
    sink.upsert("gfx_hands", rows.hands, ("gfx_pc_id", "session_id", "hand_index"))
    sink.upsert("gfx_hand_players", rows.hand_players, ("hand_id", "seat_num"))
    sink.upsert("gfx_events", rows.events, ("hand_id", "event_order"))


def _table(url: str, statement: str) -> list[tuple]:
    return sorted(query(url, statement), key=repr)


def test_each_pc_keeps_one_session_row_per_game_holding_its_latest_content(
    upgraded: Upgrade, table_gg: Path
) -> None:
    rows = query(upgraded.url, "SELECT gfx_pc_id, session_id, hand_count, raw_json FROM gfx_sessions")
    latest = _latest_exports(table_gg)
    assert len(rows) == 2 * len(latest) == 30
    assert {(pc, sid) for pc, sid, _, _ in rows} == {(pc, sid) for pc in PCS for sid in latest}
    for _, session_id, hand_count, raw in rows:
        assert raw == latest[session_id]
        assert hand_count == len(latest[session_id]["Hands"])


def test_every_stored_content_keeps_its_ledger_row_and_json_unless_compacted(upgraded: Upgrade) -> None:
    assert len(upgraded.before["contents"]) == 34
    assert upgraded.after["ledger"] == upgraded.before["contents"]
    compacted = (
        "SELECT count(*) FROM gfx_session_snapshots WHERE compacted_at IS NOT NULL AND raw_json IS NULL"
    )
    assert query(upgraded.url, compacted) == [(4,)]


@pytest.mark.parametrize("table", ["hands", "seats", "events"])
def test_hand_rows_keep_their_ids_and_exported_values(upgraded: Upgrade, table: str) -> None:
    assert len(upgraded.before[table]) > 1000
    assert upgraded.after[table] == upgraded.before[table]


def test_blinds_take_productions_keys_with_the_same_values(upgraded: Upgrade) -> None:
    before, after = dict(upgraded.before["blinds"]), dict(upgraded.after["blinds"])
    assert len(after) == len(before) > 1000
    for hand, old in before.items():
        assert after[hand]["big_blind_amt"] == old["BigBlindAmt"]
        assert after[hand]["small_blind_amt"] == old["SmallBlindAmt"]
        assert after[hand]["ante_type"] == old["AnteType"]
        assert after[hand]["button_player_num"] == old["ButtonPlayerNum"]
        assert not any(key[0].isupper() for key in after[hand])


def test_derived_hand_columns_become_what_the_sync_now_derives(upgraded: Upgrade, table_gg: Path) -> None:
    stored = {
        (sid, index): (pot, showdown, name, seat)
        for sid, index, pot, showdown, name, seat in query(
            upgraded.url,
            "SELECT session_id, hand_index, pot_size, showdown_count, winner_name, winner_seat"
            " FROM gfx_hands WHERE gfx_pc_id = 'PC01'",
        )
    }
    expected = {
        (session_id, row["hand_index"]): (row["pot_size"], 0, row["winner_name"], row["winner_seat"])
        for session_id, data in _latest_exports(table_gg).items()
        for row in map_hands("PC01", session_id, data).hands
    }
    assert len(expected) > 600
    assert stored == expected
    shown = "SELECT count(*) FROM gfx_hand_players WHERE has_shown <> (cardinality(hole_cards) >= 2)"
    assert query(upgraded.url, shown) == [(0,)]


@pytest.mark.parametrize("table", ["manifest", "dead_letters"])
def test_bookkeeping_survives(upgraded: Upgrade, table: str) -> None:
    assert len(upgraded.before[table]) == {"manifest": 36, "dead_letters": 1}[table]
    assert upgraded.after[table] == upgraded.before[table]


def test_migrating_again_changes_nothing(upgraded: Upgrade) -> None:
    everything = (
        "SELECT * FROM gfx_sessions",
        "SELECT * FROM gfx_session_snapshots",
        "SELECT id, blinds, pot_size, showdown_count, winner_name, winner_seat, updated_at FROM gfx_hands",
        "SELECT id, has_shown FROM gfx_hand_players",
    )
    before = [_table(upgraded.url, statement) for statement in everything]
    assert migrate(upgraded.url) == []
    execute(upgraded.url, (MIGRATIONS_DIR / "0008_session_per_game.sql").read_text())
    assert [_table(upgraded.url, statement) for statement in everything] == before


def test_the_next_sync_after_the_upgrade_has_nothing_to_do(
    upgraded: Upgrade, table_gg: Path, tmp_path: Path
) -> None:
    sessions_before = _table(upgraded.url, "SELECT id, file_hash, updated_at FROM gfx_sessions")
    registry = registry_file(tmp_path / "registry.json", {pc: table_gg.name for pc in PCS})
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(table_gg.parent, registry), postgres_sink(upgraded.url))
    assert result.success
    metadata = materialization_metadata(result)
    assert (metadata["files_scanned"], metadata["new"], metadata["unchanged"]) == (18, 0, 18)
    with postgres_sink(upgraded.url).open() as sink:
        assert sessions_to_load(sink, "PC01") == []
    assert _table(upgraded.url, "SELECT id, file_hash, updated_at FROM gfx_sessions") == sessions_before


def _latest_exports(table_gg: Path) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    for path in table_gg.rglob("*.json"):
        data = json.loads(path.read_bytes())
        if len(data["Hands"]) > len(latest.get(data["ID"], {"Hands": []})["Hands"]):
            latest[data["ID"]] = data
    return latest


def _game_ids(table_gg: Path) -> set[int]:
    return set(_latest_exports(table_gg))
