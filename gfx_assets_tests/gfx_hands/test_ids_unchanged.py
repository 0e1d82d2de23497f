"""The hand tables hold, byte for byte, what the loader wrote before it was made faster (issue 20): the real
exports of table-GG are synced as PC01 and loaded at a fixed time, then every table the load writes is
dumped by the database (`COPY ... TO STDOUT`, every column but the server-set created_at, ordered by its
key) and its SHA-256 compared with the digest recorded from the code of commit 32b7847. Ids, values,
types and NULLs are all in the dump, so any change to what is stored changes a digest.

The same rows must come out when the growing session's snapshots land one run at a time (1, 2, then 82
hands): the incremental path writes only new hands, and the tables end where a single load ends; and when
they go through the REST sink (JSON bodies instead of COPY) to the PostgREST look-alike."""

import hashlib
import json
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from gfx_assets.lib.nas_sync import snapshots
from gfx_assets.lib.nas_sync.hand_loading import load_pc_hands
from gfx_assets.lib.pokergfx import ids
from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import nas, postgres_sink, sync, write_registry

PC = "PC01"
LOADED_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DUMPS = {  # table: (columns, order); every column of the table but created_at (set by the server)
    "gfx_hands": (
        "id, gfx_pc_id, session_id, hand_index, hand_num, game_variant, game_class, bet_structure, "
        "duration_seconds, start_time, recording_offset_iso, recording_offset_seconds, num_boards, "
        "run_it_num_times, ante_amt, bomb_pot_amt, description, blinds, stud_limits, pot_size, player_count, "
        "showdown_count, board_cards, winner_name, winner_seat, updated_at",
        "gfx_pc_id, session_id, hand_index",
    ),
    "gfx_hand_players": (
        "id, hand_id, player_id, seat_num, player_name, hole_cards, has_shown, start_stack_amt, "
        "end_stack_amt, cumulative_winnings_amt, blind_bet_straddle_amt, sitting_out, elimination_rank, "
        "is_winner, vpip_percent, preflop_raise_percent, aggression_frequency_percent, "
        "went_to_showdown_percent",
        "hand_id, seat_num",
    ),
    "gfx_events": (
        "id, hand_id, event_order, event_type, player_num, bet_amt, pot, board_cards, board_num, "
        "num_cards_drawn, event_time",
        "hand_id, event_order",
    ),
    "gfx_players": (
        "id, player_hash, name, long_name, total_hands_played, total_sessions, first_seen_at, last_seen_at, "
        "updated_at",
        "player_hash",
    ),
    # the snapshots' digests and load marks (the rest of the ledger is written by the gfx_sessions step);
    # the digests of the snapshots the load did not read (superseded): since landing stores the digests of
    # a rewritten file's content, so that a live rewrite's load need not read the export back, they are no
    # longer NULL there; test_landing_stores_the_digests_of_a_rewritten_file checks them against the exports
    "gfx_session_snapshots": (
        "gfx_pc_id, file_hash, session_id, hand_count, nas_path, "
        "CASE WHEN hands_loaded_at IS NOT NULL THEN content_digest END, "
        "CASE WHEN hands_loaded_at IS NOT NULL THEN prefix_digest END, hands_loaded_at",
        "gfx_pc_id, file_hash",
    ),
}
HAND_TABLES = ("gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players")
# recorded from the code of commit 32b7847 (before issue 20), with this test's dump
RECORDED = {
    "gfx_hands": "d77db39b7cc5650a23da0cfe0abe501a199e47cd9cc9aef848b26ee501dac957",
    "gfx_hand_players": "0bccff1fc1ed13f7e10780617061faf652f0452ee78d90ce99db57f2e13f4ea3",
    "gfx_events": "b262ab59294d66410f937ae98406eab61f3ef59f3d792003b9f9b525c55ea983",
    "gfx_players": "7abe5e930131ef32ac210e0ce9011a7d32d4797651981527b5a3024a01ef46c3",
    "gfx_session_snapshots": "cc461b3bf4695bdfb2189e198d8d0d8d51e2e3f0d41db6690f06daa824432920",
}
GROWING = (  # the growing real session 638964611175191251: 1, 2, then 82 hands
    "1018/PGFX_live_data_export GameID=638964611175191251.json",
    "1019/PGFX_live_data_export GameID=638964611175191251.json",
    "1019/new/PGFX_live_data_export GameID=638964611175191251.json",
)


def table_digests(database_url: str) -> dict[str, str]:
    """SHA-256 of each table's dump, in the text format of COPY, times in UTC."""
    digests = {}
    with psycopg.connect(database_url) as conn:
        conn.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1")
        for table, (columns, order) in DUMPS.items():
            sha = hashlib.sha256()
            statement = f"COPY (SELECT {columns} FROM {table} ORDER BY {order}) TO STDOUT"
            with conn.cursor().copy(statement) as copy:
                for block in copy:
                    sha.update(block)
            digests[table] = sha.hexdigest()
    return digests


def _sync_and_load(
    database_url: str, table_gg: Path, registry: Path, files: list[str] | None, sink: GfxSink | None = None
) -> None:
    """One gfx_sessions run of PC01 (`files`, or its whole folder), then the hand load at LOADED_AT, through
    `sink` (straight to PostgreSQL unless given)."""
    sink = sink or postgres_sink(database_url)
    with dg.instance_for_test() as instance:
        assert sync(instance, PC, nas(table_gg.parent, registry), sink, files=files).success
    with sink.open() as target:
        load = load_pc_hands(target, PC, now=LOADED_AT)
    assert load.refused == []


@pytest.fixture
def registry(table_gg: Path, tmp_path: Path) -> Path:
    return write_registry(tmp_path / "registry.json", {PC: table_gg.name})


def test_the_stored_rows_and_ids_are_byte_for_byte_todays(
    database_url: str, table_gg: Path, registry: Path
) -> None:
    _sync_and_load(database_url, table_gg, registry, None)
    assert table_digests(database_url) == RECORDED


def test_the_rest_sink_stores_the_same_rows_and_ids_byte_for_byte(
    database_url: str, table_gg: Path, registry: Path
) -> None:
    with serve(create_app(database_url, service_key=SERVICE_KEY)) as rest_url:
        rest = SupabaseSinkResource(url=rest_url, service_key=SERVICE_KEY)
        _sync_and_load(database_url, table_gg, registry, None, rest)
    assert table_digests(database_url) == RECORDED


def test_a_session_grown_run_by_run_ends_with_the_same_rows(
    database_url: str, table_gg: Path, registry: Path
) -> None:
    for path in GROWING:
        _sync_and_load(database_url, table_gg, registry, [f"{table_gg.name}/{path}"])
    _sync_and_load(database_url, table_gg, registry, None)  # the other sessions
    digests = table_digests(database_url)
    assert {table: digests[table] for table in HAND_TABLES} == {
        table: RECORDED[table] for table in HAND_TABLES
    }


def test_uuid5_is_the_standard_library_s() -> None:
    rng = random.Random(20)
    namespaces = [ids.ID_NAMESPACE, uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.uuid4()]
    names = ["", "event/1", "seat/None", "gfx_hand/PC01/638964611175191251/82", "ü/\u0000/😀"]
    names += ["".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(40))) for _ in range(500)]
    for namespace in namespaces:
        for name in names:
            made = ids.uuid5(namespace.bytes, name)
            expected = uuid.uuid5(namespace, name)
            assert (made, str(made), made.version, made.variant) == (
                expected,
                str(expected),
                5,
                uuid.RFC_4122,
            )
            assert hash(made) == hash(expected) and made.bytes == expected.bytes


def _digest_as_recorded(data: dict, count: int) -> str:
    """snapshots.digest as commit 32b7847 wrote it: SHA-256 of json.dumps([top, hands[:count]]), canonical."""
    top = {key: value for key, value in data.items() if key != "Hands"}
    canonical = json.dumps([top, data["Hands"][:count]], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_the_ledger_digests_are_those_of_before(table_gg: Path) -> None:
    """ledger_row serializes each hand once for both digests: all hands, and all but the last."""
    for path in sorted(table_gg.rglob("*.json")):
        data = json.loads(path.read_bytes())
        for count in {min(n, len(data["Hands"])) for n in (0, 1, 2, len(data["Hands"]))}:
            trimmed = {**data, "Hands": data["Hands"][:count]}
            row = snapshots.ledger_row(
                PC, snapshots.Snapshot("h", 1, count, "p", None, {}), trimmed, LOADED_AT
            )
            prefix = _digest_as_recorded(trimmed, count - 1) if count else None
            assert (row["content_digest"], row["prefix_digest"]) == (
                _digest_as_recorded(trimmed, count),
                prefix,
            )
            assert snapshots.digest(data, count) == _digest_as_recorded(data, count)
