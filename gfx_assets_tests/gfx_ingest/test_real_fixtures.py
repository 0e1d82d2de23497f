"""Ingesting the real PokerGFX exports of ../shared: one gfx_sessions row per game and PC holding its latest
content, one ledger row per stored content, fields, dedupe, and two PCs kept apart.

The 18 files hold 17 distinct contents of 15 games: 638964611175191251 grows over three files (1, 2 and
82 hands), 638964779338222042 is one file copied byte for byte into two folders."""

import json
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import (
    check_counts,
    materialization_metadata,
    nas,
    query,
    reconciliation,
    sync,
    write_registry,
)

GROWING_GAME = 638964611175191251


@pytest.fixture
def synced_pc01(
    table_gg: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> dg.ExecuteInProcessResult:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    with dg.instance_for_test() as instance:
        return sync(instance, "PC01", nas(table_gg.parent, registry), gfx_sink)


def test_table_gg_as_pc01_gives_one_session_row_per_game(
    synced_pc01: dg.ExecuteInProcessResult, database_url: str
) -> None:
    assert synced_pc01.success
    assert query(database_url, "SELECT count(*) FROM gfx_sessions WHERE gfx_pc_id = 'PC01'") == [(15,)]
    assert query(database_url, "SELECT count(DISTINCT session_id) FROM gfx_sessions") == [(15,)]


def test_table_gg_as_pc01_ledgers_every_distinct_content(
    synced_pc01: dg.ExecuteInProcessResult, database_url: str
) -> None:
    ledger = "SELECT count(*) FROM gfx_session_snapshots WHERE gfx_pc_id = 'PC01'"
    assert query(database_url, ledger) == [(17,)]


def test_row_fields_match_the_files(
    synced_pc01: dg.ExecuteInProcessResult, table_gg: Path, database_url: str
) -> None:
    rows = query(
        database_url,
        "SELECT nas_path, session_id, hand_count, player_count, table_type, session_created_at, raw_json"
        " FROM gfx_sessions",
    )
    assert len(rows) == 15
    for nas_path, session_id, hands, players, table_type, created, raw in rows:
        document = json.loads((table_gg.parent / nas_path).read_bytes())
        names = {p["Name"] for hand in document["Hands"] for p in hand["Players"]}
        assert (session_id, hands, players, table_type) == (
            document["ID"],
            len(document["Hands"]),
            len(names),
            "FEATURE_TABLE",
        )
        assert created.isoformat().replace("+00:00", "") == document["CreatedDateTimeUTC"][:26]
        assert raw == document


def test_a_second_sync_adds_nothing(
    table_gg: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(table_gg.parent, registry), gfx_sink)
        before = query(database_url, "SELECT id, updated_at FROM gfx_sessions ORDER BY id")
        second = sync(instance, "PC01", nas(table_gg.parent, registry), gfx_sink)
    assert second.success
    assert materialization_metadata(second)["new"] == 0
    assert query(database_url, "SELECT id, updated_at FROM gfx_sessions ORDER BY id") == before


def test_a_growing_game_is_one_row_with_82_hands_and_keeps_each_snapshot_in_the_ledger(
    synced_pc01: dg.ExecuteInProcessResult, database_url: str
) -> None:
    snapshots = query(
        database_url,
        "SELECT hand_count FROM gfx_session_snapshots WHERE session_id = %s ORDER BY 1",
        GROWING_GAME,
    )
    session = query(database_url, "SELECT hand_count FROM gfx_sessions WHERE session_id = %s", GROWING_GAME)
    latest = query(
        database_url, "SELECT hand_count FROM gfx_sessions_latest WHERE session_id = %s", GROWING_GAME
    )
    assert snapshots == [(1,), (2,), (82,)]
    assert session == latest == [(82,)]


def test_a_session_row_carries_productions_statistics_of_its_hands(
    synced_pc01: dg.ExecuteInProcessResult, table_gg: Path, database_url: str
) -> None:
    rows = query(
        database_url,
        "SELECT nas_path, total_duration_seconds, session_start_time, session_end_time FROM gfx_sessions",
    )
    assert len(rows) == 15
    for nas_path, total, first_start, last_end in rows:
        hands = json.loads((table_gg.parent / nas_path).read_bytes())["Hands"]
        assert total == sum(_whole_seconds(hand["Duration"]) for hand in hands)
        assert first_start.isoformat()[:19] == min(hand["StartDateTimeUTC"] for hand in hands)[:19]
        assert last_end > first_start


def test_a_byte_identical_copy_in_two_folders_gives_one_row(
    synced_pc01: dg.ExecuteInProcessResult, database_url: str
) -> None:
    assert query(database_url, "SELECT count(*) FROM gfx_sessions WHERE session_id = 638964779338222042") == [
        (1,)
    ]
    assert materialization_metadata(synced_pc01)["duplicate"] == 1


def test_txt_exports_are_ignored(synced_pc01: dg.ExecuteInProcessResult, database_url: str) -> None:
    assert materialization_metadata(synced_pc01)["files_scanned"] == 18
    assert query(database_url, "SELECT count(*) FROM gfx_rejected_files") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM gfx_file_manifest WHERE nas_path LIKE '%.txt'") == [(0,)]


def test_the_same_folder_under_two_pcs_keeps_each_pcs_own_rows(
    table_gg: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name, "PC02": table_gg.name})
    with dg.instance_for_test() as instance:
        for pc in ("PC01", "PC02"):
            assert sync(instance, pc, nas(table_gg.parent, registry), gfx_sink).success
    assert query(database_url, "SELECT gfx_pc_id, count(*) FROM gfx_sessions GROUP BY 1 ORDER BY 1") == [
        ("PC01", 15),
        ("PC02", 15),
    ]
    ledger = "SELECT gfx_pc_id, count(*) FROM gfx_session_snapshots GROUP BY 1 ORDER BY 1"
    assert query(database_url, ledger) == [("PC01", 17), ("PC02", 17)]


def test_reconciliation_accounts_for_all_18_files(synced_pc01: dg.ExecuteInProcessResult) -> None:
    evaluation = reconciliation(synced_pc01)
    assert evaluation.passed
    assert (check_counts(evaluation)["checked"], check_counts(evaluation)["accounted"]) == (18, 18)


def test_pc_status_shows_the_synced_pc_online(
    synced_pc01: dg.ExecuteInProcessResult, database_url: str
) -> None:
    rows = query(database_url, "SELECT gfx_pc_id, total_sessions, status, rejected_count FROM pc_status")
    assert rows == [("PC01", 15, "online", 0)]


def _whole_seconds(duration: str) -> int:
    """`PT2M32.217716S` in whole seconds (the real exports use only minutes and seconds)."""
    minutes, _, seconds = duration.removeprefix("PT").rpartition("M")
    return int(minutes or 0) * 60 + int(float(seconds.rstrip("S")))
