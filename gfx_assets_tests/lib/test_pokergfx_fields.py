"""Specification of the fields `parse_session` extracts: where the session id comes from, and how
table type, titles, creation time, counts and payouts are read, tolerating odd shapes without rejecting.
"""

import json
from datetime import UTC, datetime

import pytest

from gfx_assets.lib.pokergfx.session import (
    TABLE_TYPES,
    ParsedSession,
    RejectedFile,
    RejectReason,
    parse_session,
)


def parse(document: object, file_name: str = "export.json") -> ParsedSession:
    return parse_session(json.dumps(document).encode(), file_name)


def rejection_reason(raw: bytes, file_name: str) -> RejectReason:
    with pytest.raises(RejectedFile) as caught:
        parse_session(raw, file_name)
    return caught.value.reason


# --- session id --------------------------------------------------------------------------------------


def test_session_id_comes_from_the_file_name_when_id_is_missing():
    session = parse({"Hands": []}, "PGFX_live_data_export GameID=638964779338222042.json")
    assert session.session_id == 638964779338222042


def test_the_id_field_wins_over_the_file_name():
    assert parse({"ID": 5}, "PGFX_live_data_export GameID=6.json").session_id == 5


def test_a_digit_string_id_is_accepted():
    assert parse({"ID": "0638964779338222042"}).session_id == 638964779338222042


@pytest.mark.parametrize("value", [True, 1.0, "12a", "", None, [1], {"ID": 1}])
def test_a_value_that_is_not_an_integer_or_digit_string_is_not_a_session_id(value: object):
    raw = json.dumps({"ID": value}).encode()
    assert rejection_reason(raw, "export.json") == RejectReason.MISSING_SESSION_ID


@pytest.mark.parametrize(
    "document",
    [
        {"session_id": 9},
        {"sessionId": 9},
        {"SessionID": 9},
        {"GameID": "9"},
        {"game_id": 9},
        {"gameId": 9},
        {"Session": {"ID": 9}},
        {"session": {"id": "9"}},
    ],
)
def test_session_id_falls_back_to_other_spellings(document: dict):
    assert parse(document).session_id == 9


def test_the_file_name_wins_over_other_spellings():
    assert parse({"session_id": 9}, "PGFX_live_data_export GameID=8.json").session_id == 8


def test_duplicate_keys_keep_the_last_value():
    assert parse_session(b'{"ID": 1, "ID": 2}', "export.json").session_id == 2


# --- table type, titles, creation time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FEATURE_TABLE", "FEATURE_TABLE"),
        ("feature table", "FEATURE_TABLE"),
        ("Feature-Table", "FEATURE_TABLE"),
        (" final  table ", "FINAL_TABLE"),
        ("main_table", "MAIN_TABLE"),
        ("Side-table", "SIDE_TABLE"),
        ("unknown", "UNKNOWN"),
        ("CASH_GAME", "UNKNOWN"),
        ("", "UNKNOWN"),
        (3, "UNKNOWN"),
        (None, "UNKNOWN"),
    ],
)
def test_table_type_is_normalized_to_one_of_the_known_types(value: object, expected: str):
    assert parse({"ID": 1, "Type": value}).table_type == expected
    assert expected in TABLE_TYPES


def test_an_empty_event_title_is_kept_as_an_empty_string():
    assert parse({"ID": 1, "EventTitle": ""}).event_title == ""


def test_a_minimal_document_gets_empty_defaults_not_a_rejection():
    session = parse({"ID": 1})
    assert (session.table_type, session.event_title, session.software_version) == ("UNKNOWN", None, None)
    assert (session.session_created_at, session.hand_count, session.player_count) == (None, 0, 0)
    assert session.payouts is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-19T13:38:53.8222042Z", datetime(2025, 10, 19, 13, 38, 53, 822204, tzinfo=UTC)),
        ("2025-10-19T13:38:53", datetime(2025, 10, 19, 13, 38, 53, tzinfo=UTC)),
        ("2025-10-19T15:38:53+02:00", datetime(2025, 10, 19, 13, 38, 53, tzinfo=UTC)),
    ],
)
def test_created_time_becomes_aware_utc(value: str, expected: datetime):
    assert parse({"ID": 1, "CreatedDateTimeUTC": value}).session_created_at == expected


@pytest.mark.parametrize(
    "value", ["yesterday", "2025-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00", 42, None]
)
def test_an_unreadable_created_time_is_none_not_a_rejection(value: object):
    assert parse({"ID": 1, "CreatedDateTimeUTC": value}).session_created_at is None


# --- hand and player counts, payouts -----------------------------------------------------------------


def test_players_are_counted_once_per_distinct_name_over_all_hands():
    hands = [
        {"Players": [{"Name": "Kopyl"}, {"Name": "Wolf"}]},
        {"Players": [{"Name": "Wolf"}, {"Name": "Lin"}]},
    ]
    session = parse({"ID": 1, "Hands": hands})
    assert (session.hand_count, session.player_count) == (2, 3)


def test_odd_hand_and_player_shapes_count_only_what_is_valid():
    hands = [
        1,
        None,
        "hand",
        {"NoPlayers": True},
        {"Players": "everyone"},
        {"Players": [1, None, {}, {"Name": ""}, {"Name": "  "}, {"Name": 5}, {"Name": "Lin"}]},
        {"Players": [{"Name": "Lin "}, {"Name": "Wolf"}]},
    ]
    session = parse({"ID": 1, "Hands": hands})
    assert (session.hand_count, session.player_count) == (7, 2)


@pytest.mark.parametrize("hands", [{"1": {}}, "many", 3, None])
def test_hands_that_are_not_a_list_count_as_no_hands(hands: object):
    session = parse({"ID": 1, "Hands": hands})
    assert (session.hand_count, session.player_count) == (0, 0)


def test_payouts_are_kept_as_integers():
    assert parse({"ID": 1, "Payouts": [500, 300, 0, -1, 2**63 - 1]}).payouts == [500, 300, 0, -1, 2**63 - 1]


@pytest.mark.parametrize("payouts", [[1, "2"], [1, 2.5], [True], "1,2", {"1": 2}])
def test_payouts_that_are_not_a_list_of_integers_are_none(payouts: object):
    assert parse({"ID": 1, "Payouts": payouts}).payouts is None
