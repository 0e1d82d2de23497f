"""The four broadcast tables filled from the real PokerGFX exports, on both sinks: every hand, seat and event
of every session's latest snapshot lands with the values of `map_hands` (whose field mapping
test_hand_mapping.py checks against the files), the checks pass, and a second run changes nothing."""

import json
from decimal import Decimal
from pathlib import Path

import dagster as dg

from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.sinks import JsonText
from gfx_assets_tests.gfx_hands.conftest import Loaded
from gfx_assets_tests.gfx_hands.support import check_results, latest_exports, metadata, sync_with_hands
from gfx_assets_tests.support import nas, query

HAND_COLUMNS = [
    *("id", "gfx_pc_id", "session_id", "hand_index", "hand_num", "game_variant", "game_class"),
    *("bet_structure", "duration_seconds", "start_time", "recording_offset_iso", "recording_offset_seconds"),
    *("num_boards", "run_it_num_times", "ante_amt", "bomb_pot_amt", "description", "blinds", "stud_limits"),
    *("pot_size", "player_count", "showdown_count", "board_cards", "winner_name", "winner_seat"),
]
SEAT_COLUMNS = [
    *("id", "hand_id", "player_id", "seat_num", "player_name", "hole_cards", "has_shown", "start_stack_amt"),
    *(
        "end_stack_amt",
        "cumulative_winnings_amt",
        "blind_bet_straddle_amt",
        "sitting_out",
        "elimination_rank",
    ),
    *("is_winner", "vpip_percent", "preflop_raise_percent", "aggression_frequency_percent"),
    "went_to_showdown_percent",
]
EVENT_COLUMNS = [
    *("id", "hand_id", "event_order", "event_type", "player_num", "bet_amt", "pot", "board_cards"),
    *("board_num", "num_cards_drawn", "event_time"),
]


def _expected(table_gg: Path):
    return [map_hands("PC01", session_id, export) for session_id, export in latest_exports(table_gg).items()]


def _plain(value):
    """What psycopg gives back for what the mapping sends (JsonText is jsonb text, numerics are Decimal)."""
    if isinstance(value, JsonText):
        return json.loads(value)
    return Decimal(value) if isinstance(value, float) else value


def _table(database_url: str, table: str, columns: list[str], key: str) -> dict:
    rows = query(database_url, f"SELECT {', '.join(columns)} FROM {table}")
    return {row[columns.index(key)]: dict(zip(columns, row, strict=True)) for row in rows}


def test_every_hand_lands_with_its_mapped_values(loaded: Loaded, table_gg: Path) -> None:
    stored = _table(loaded.database_url, "gfx_hands", HAND_COLUMNS, "id")
    expected = {row["id"]: row for rows in _expected(table_gg) for row in rows.hands}
    # 753 hands in 18 files: the growing game counts its 82-hand file only, the copied file once
    assert (
        len(stored) == len(expected) == sum(len(e["Hands"]) for e in latest_exports(table_gg).values()) == 701
    )
    for key, row in expected.items():
        assert stored[key] == {column: _plain(row[column]) for column in HAND_COLUMNS}, key


def test_every_seat_lands_with_its_mapped_values(loaded: Loaded, table_gg: Path) -> None:
    stored = _table(loaded.database_url, "gfx_hand_players", SEAT_COLUMNS, "id")
    expected = {row["id"]: row for rows in _expected(table_gg) for row in rows.hand_players}
    assert len(stored) == len(expected)
    for key, row in expected.items():
        assert stored[key] == {column: _plain(row[column]) for column in SEAT_COLUMNS}, key


def test_every_event_lands_in_order_with_its_mapped_values(loaded: Loaded, table_gg: Path) -> None:
    stored = _table(loaded.database_url, "gfx_events", EVENT_COLUMNS, "id")
    expected = {row["id"]: row for rows in _expected(table_gg) for row in rows.events}
    assert len(stored) == len(expected)
    for key, row in expected.items():
        assert stored[key] == {column: _plain(row[column]) for column in EVENT_COLUMNS}, key


def test_players_are_counted_over_their_hands(loaded: Loaded) -> None:
    mismatched = query(
        loaded.database_url,
        """SELECT p.name FROM gfx_players p
           LEFT JOIN gfx_hand_players s ON s.player_id = p.id LEFT JOIN gfx_hands h ON h.id = s.hand_id
           GROUP BY p.id
           HAVING p.total_hands_played <> count(s.id)
               OR p.total_sessions <> count(DISTINCT (h.gfx_pc_id, h.session_id))
               OR p.first_seen_at IS DISTINCT FROM min(h.start_time)
               OR p.last_seen_at IS DISTINCT FROM max(h.start_time)""",
    )
    assert query(loaded.database_url, "SELECT count(*) > 0 FROM gfx_players") == [(True,)]
    assert mismatched == []
    unlinked = "SELECT count(*) FROM gfx_hand_players WHERE player_id IS NULL"
    assert query(loaded.database_url, unlinked) == [(0,)]


def test_the_checks_pass_and_the_metadata_counts(loaded: Loaded) -> None:
    assert check_results(loaded.result) == {
        "gfx_hands_match_latest_snapshot": True,
        "gfx_hands_no_gaps": True,
        "gfx_compaction_only_prefixes": True,
    }
    assert metadata(loaded.result, "gfx_hands")["hands_upserted"] == 701
    assert metadata(loaded.result, "gfx_hands")["refused_rows"] == 0


def test_a_second_run_rewrites_nothing(loaded: Loaded, table_gg: Path) -> None:
    before = query(loaded.database_url, "SELECT id, updated_at FROM gfx_hands ORDER BY id")
    with dg.instance_for_test() as instance:
        again = sync_with_hands(instance, "PC01", nas(table_gg.parent, loaded.registry), loaded.sink)
    assert again.success
    assert metadata(again, "gfx_hands")["sessions_loaded"] == 0
    assert query(loaded.database_url, "SELECT id, updated_at FROM gfx_hands ORDER BY id") == before


def test_the_growing_real_session_keeps_only_its_newest_json(loaded: Loaded) -> None:
    """638964611175191251: 1 hand in 1018/, 2 in 1019/, 82 in 1019/new/; the first two are verified
    prefixes of the third and lose their raw JSON, every other file keeps its own."""
    ledger = query(
        loaded.database_url,
        """SELECT hand_count, prefix_verified, compacted_at IS NOT NULL, raw_json IS NULL
           FROM gfx_session_snapshots WHERE session_id = 638964611175191251 ORDER BY hand_count""",
    )
    assert ledger == [(1, True, True, True), (2, True, True, True), (82, None, False, False)]
    assert query(loaded.database_url, "SELECT count(*) FROM gfx_session_snapshots") == [(17,)]
    dropped = "SELECT count(*) FROM gfx_session_snapshots WHERE raw_json IS NULL"
    assert query(loaded.database_url, dropped) == [(2,)]
    session = "SELECT hand_count, raw_json IS NULL FROM gfx_sessions WHERE session_id = 638964611175191251"
    assert query(loaded.database_url, session) == [(82, False)]


def test_each_table_reports_the_pcs_rows_as_its_row_count(loaded: Loaded) -> None:
    """gfx_players belongs to no PC: its row count is the whole table's."""
    of_pc = "JOIN gfx_hands h ON h.id = t.hand_id WHERE h.gfx_pc_id = 'PC01'"
    counts = {
        "gfx_hands": "SELECT count(*) FROM gfx_hands WHERE gfx_pc_id = 'PC01'",
        "gfx_hand_players": f"SELECT count(*) FROM gfx_hand_players t {of_pc}",
        "gfx_events": f"SELECT count(*) FROM gfx_events t {of_pc}",
        "gfx_players": "SELECT count(*) FROM gfx_players",
        "gfx_session_snapshots": "SELECT count(*) FROM gfx_session_snapshots WHERE gfx_pc_id = 'PC01'",
    }
    reported = {asset: metadata(loaded.result, asset)["dagster/row_count"] for asset in counts}
    assert reported == {asset: query(loaded.database_url, sql)[0][0] for asset, sql in counts.items()}
    assert (reported["gfx_hands"], reported["gfx_session_snapshots"]) == (701, 17)


def test_the_real_exports_leave_no_value_unmapped(loaded: Loaded) -> None:
    for asset in ("gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players"):
        found = metadata(loaded.result, asset)
        assert (found["unmapped_values"], found["unmapped"]) == (0, {}), asset
