"""`map_hands` on exports a held-out PokerGFX file might hold, beside the real ones: a value no column can
hold becomes NULL and is counted (never a crash, never a lost hand), an entry that cannot be stored is
refused with its reason, positions stay the raw positions of the export, and a board string naming
several cards is split. The real exports have none of these findings."""

import json
from pathlib import Path

import pytest

from gfx_assets.lib.pokergfx.hands import HandRows, map_hands, utc
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession

SESSION_ID = 638964611175191251
BEYOND_INT4 = 2**31


def _export(hands: int = 2) -> dict:
    """A synthetic export shaped like the real ones (all values mappable)."""
    session = SyntheticSession(seed=31)
    for _ in range(hands):
        session.add_hand()
    return json.loads(session.to_json_bytes())


def _map(export: dict) -> HandRows:
    return map_hands("PC01", SESSION_ID, export)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2025-13-01T00:00:00Z", "soon"]
)
def test_a_time_that_utc_cannot_hold_or_that_does_not_parse_is_none(text: str) -> None:
    assert utc(text) is None


def test_an_unusable_start_time_is_null_and_counted_and_the_hand_is_kept() -> None:
    export = _export()
    export["Hands"][0]["StartDateTimeUTC"] = "0001-01-01T00:00:00+05:00"
    export["Hands"][1]["Events"][0]["DateTimeUTC"] = "0001-01-01T00:00:00+05:00"
    rows = _map(export)
    assert [row["start_time"] is None for row in rows.hands] == [True, False]
    assert rows.unmapped == {"gfx_hands.start_time=<string>": 1, "gfx_events.event_time=<string>": 1}


def test_hand_index_stays_the_raw_position_after_an_entry_that_is_not_an_object() -> None:
    export = _export(3)
    export["Hands"][1] = "not a hand"
    rows = _map(export)
    assert [row["hand_index"] for row in rows.hands] == [1, 3]
    assert [row["hand_num"] for row in rows.hands] == [1, 3]
    assert rows.refused == [f"gfx_hands (session_id={SESSION_ID}): Hands[2] is not an object (string)"]


def test_a_later_load_from_a_position_counts_raw_positions() -> None:
    export = _export(3)
    export["Hands"][0] = None
    rows = map_hands("PC01", SESSION_ID, export, first_index=2)
    assert [row["hand_index"] for row in rows.hands] == [2, 3]
    assert rows.refused == []  # the entry before first_index was reported when it was loaded


def test_event_order_stays_the_raw_position_after_an_event_that_is_not_an_object() -> None:
    export = _export(1)
    events = export["Hands"][0]["Events"]
    events[1] = ["FOLD"]
    orders = [row["event_order"] for row in _map(export).events]
    assert orders == [1, *range(3, len(events) + 1)]


def test_a_repeated_player_num_keeps_the_first_seat_and_refuses_the_other() -> None:
    export = _export(1)
    players = export["Hands"][0]["Players"]
    players.append({**players[0], "Name": "Intruder", "LongName": "Intruder"})
    rows = _map(export)
    first = players[0]
    seat = [row for row in rows.hand_players if row["seat_num"] == first["PlayerNum"]]
    assert [row["player_name"] for row in seat] == [first["Name"]]
    assert rows.refused == [
        f"gfx_hand_players (session_id={SESSION_ID}, hand_index=1): Players[{len(players)}] repeats "
        f"PlayerNum {first['PlayerNum']}: the hand's first entry for seat {first['PlayerNum']} is kept"
    ]
    assert "Intruder" not in {identity["name"] for identity in rows.players.values()}


def test_a_player_without_an_integer_player_num_is_refused() -> None:
    export = _export(1)
    players = export["Hands"][0]["Players"]
    players[0]["PlayerNum"] = "1"
    rows = _map(export)
    assert len(rows.hand_players) == len(players) - 1
    assert rows.refused == [
        f"gfx_hand_players (session_id={SESSION_ID}, hand_index=1): Players[1] has no integer PlayerNum"
    ]


def test_values_beyond_their_column_are_null_and_counted_and_the_rest_is_kept() -> None:
    export = _export(1)
    hand = export["Hands"][0]
    hand.update(HandNum=BEYOND_INT4, AnteAmt=BEYOND_INT4, Duration="P30000D")
    hand["Players"][0].update(StartStackAmt=BEYOND_INT4, VPIPPercent=1000)
    hand["Events"][-1]["Pot"] = -BEYOND_INT4 - 1
    rows = _map(export)
    [row] = rows.hands
    assert [row[c] for c in ("hand_num", "ante_amt", "duration_seconds")] == [None, None, None]
    assert row["game_variant"] == "HOLDEM" and row["player_count"] == len(hand["Players"])
    seat = rows.hand_players[0]
    assert (seat["start_stack_amt"], seat["vpip_percent"]) == (None, None)
    assert seat["end_stack_amt"] == hand["Players"][0]["EndStackAmt"]
    assert rows.events[-1]["pot"] is None
    assert rows.unmapped == {
        "gfx_hands.hand_num=<out of range>": 1,
        "gfx_hands.ante_amt=<out of range>": 1,
        "gfx_hands.duration_seconds=<out of range>": 1,
        "gfx_hand_players.start_stack_amt=<out of range>": 1,
        "gfx_hand_players.vpip_percent=<out of range>": 1,
        "gfx_events.pot=<out of range>": 1,
    }
    assert rows.refused == []


def test_a_derived_pot_beyond_int4_is_null_and_counted() -> None:
    export = _export(1)
    hand = export["Hands"][0]
    hand["Events"] = [{"EventType": "BET", "PlayerNum": 1, "BetAmt": 5, "Pot": BEYOND_INT4}]
    rows = _map(export)
    assert rows.hands[0]["pot_size"] is None
    assert rows.unmapped == {"gfx_hands.pot_size=<out of range>": 1, "gfx_events.pot=<out of range>": 1}


def test_unknown_enum_values_and_non_integer_amounts_are_null_and_counted_by_value() -> None:
    export = _export(1)
    hand = export["Hands"][0]
    hand["GameVariant"] = "PINEAPPLE"
    for event in hand["Events"][:3]:
        event["EventType"] = "SHOWDOWN"
    hand["Events"][0]["BetAmt"] = 12.5
    hand["Players"][0]["SittingOut"] = "no"
    rows = _map(export)
    assert rows.hands[0]["game_variant"] is None
    assert [row["event_type"] for row in rows.events[:3]] == [None, None, None]
    assert rows.events[0]["bet_amt"] is None
    assert rows.hand_players[0]["sitting_out"] is None
    assert rows.unmapped == {
        "gfx_hands.game_variant=PINEAPPLE": 1,
        "gfx_events.event_type=SHOWDOWN": 3,
        "gfx_events.bet_amt=<number>": 1,
        "gfx_hand_players.sitting_out=<string>": 1,
    }


def test_a_null_in_the_export_is_no_finding() -> None:
    export = _export(1)
    hand = export["Hands"][0]
    hand.update(HandNum=None, GameVariant=None, StartDateTimeUTC=None)
    hand["Events"][0].update(EventType=None, BetAmt=None)
    rows = _map(export)
    assert rows.hands[0]["hand_num"] is None and rows.unmapped == {}


@pytest.mark.parametrize("written", ["ah kd 2c", "ah,kd,2c", "ah, kd  2c"])
def test_a_board_string_naming_several_cards_becomes_one_element_per_card(written: str) -> None:
    export = _export(1)
    hand = export["Hands"][0]
    hand["Events"] = [
        {"EventType": "BOARD CARD", "BoardCards": written, "PlayerNum": 0},
        {"EventType": "BOARD CARD", "BoardCards": "5d", "PlayerNum": 0},
    ]
    rows = _map(export)
    assert rows.hands[0]["board_cards"] == ["ah", "kd", "2c", "5d"]
    assert [row["board_cards"] for row in rows.events] == [written, "5d"]


def test_the_real_exports_have_no_refusal_and_no_unmapped_value(table_gg: Path) -> None:
    paths = sorted(table_gg.rglob("*.json"))
    assert len(paths) == 18
    for path in paths:
        export = json.loads(path.read_bytes())
        rows = map_hands("PC01", export["ID"], export)
        assert (rows.refused, rows.unmapped) == ([], {}), path


def test_every_real_board_card_event_names_one_card(table_gg: Path) -> None:
    """So splitting board strings leaves the real boards as they were."""
    paths = sorted(table_gg.rglob("*.json"))
    assert len(paths) == 18
    boards = [
        event["BoardCards"]
        for path in paths
        for hand in json.loads(path.read_bytes())["Hands"]
        for event in hand["Events"]
        if event["EventType"] == "BOARD CARD"
    ]
    assert len(boards) > 1000
    assert [board for board in boards if len(board.split()) != 1 or "," in board] == []
