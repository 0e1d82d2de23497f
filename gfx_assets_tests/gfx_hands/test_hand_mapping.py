"""`map_hands` on every real export of ../shared: each column of gfx_hands, gfx_hand_players and gfx_events
equals the export field it maps (hands by position, seats by seat, events by position), the real quirks
(`[""]` hole cards, `ALL IN` / `BOARD CARD`, repeated HandNum, huge recording offsets) map as documented,
and the derived columns and player_hash are what their documentation says: production's meaning
(docs/DERIVED_VALUES.md), with blinds under production's snake_case keys."""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gfx_assets.lib.pokergfx.hand_players import player_hash
from gfx_assets.lib.pokergfx.hands import HandRows, map_hands
from gfx_assets.lib.pokergfx.iso_duration import duration_seconds, whole_seconds

DOTNET_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
RECORDING_CLOCK = timedelta(hours=4)  # the recording PC's wall clock is UTC+4 in every real file


def _exports(table_gg: Path) -> list[tuple[Path, dict]]:
    return [(path, json.loads(path.read_bytes())) for path in sorted(table_gg.rglob("*.json"))]


@pytest.fixture(scope="module")
def exports(table_gg: Path) -> list[tuple[Path, dict]]:
    found = _exports(table_gg)
    assert len(found) == 18
    return found


_MAPPED: dict[int, HandRows] = {}


def _rows(export: dict) -> HandRows:
    """`map_hands` of one export of the module's fixture, mapped once."""
    if id(export) not in _MAPPED:
        _MAPPED[id(export)] = map_hands("PC01", export["ID"], export)
    return _MAPPED[id(export)]


def _utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text[:26]).replace(tzinfo=UTC)


def test_every_hand_column_maps_its_export_field(exports) -> None:
    for path, export in exports:
        rows = _rows(export)
        assert [row["hand_index"] for row in rows.hands] == list(range(1, len(export["Hands"]) + 1)), path
        for row, hand in zip(rows.hands, export["Hands"], strict=True):
            assert (row["gfx_pc_id"], row["session_id"], row["hand_num"]) == (
                "PC01",
                export["ID"],
                hand["HandNum"],
            )
            assert (row["game_variant"], row["game_class"], row["bet_structure"]) == (
                hand["GameVariant"],
                hand["GameClass"],
                hand["BetStructure"],
            )
            assert row["start_time"] == _utc(hand["StartDateTimeUTC"])
            assert row["recording_offset_iso"] == hand["RecordingOffsetStart"]
            assert (row["num_boards"], row["run_it_num_times"]) == (hand["NumBoards"], hand["RunItNumTimes"])
            assert (row["ante_amt"], row["bomb_pot_amt"]) == (hand["AnteAmt"], hand["BombPotAmt"])
            assert row["description"] == hand["Description"]
            blinds = hand["FlopDrawBlinds"]
            assert json.loads(row["blinds"]) == {
                "ante_type": blinds["AnteType"],
                "big_blind_amt": blinds["BigBlindAmt"],
                "big_blind_player_num": blinds["BigBlindPlayerNum"],
                "small_blind_amt": blinds["SmallBlindAmt"],
                "small_blind_player_num": blinds["SmallBlindPlayerNum"],
                "button_player_num": blinds["ButtonPlayerNum"],
                "third_blind_amt": blinds["ThirdBlindAmt"],
                "third_blind_player_num": blinds["ThirdBlindPlayerNum"],
                "blind_level": blinds["BlindLevel"],
            }
            assert json.loads(row["stud_limits"]) == hand["StudLimits"]
            assert row["player_count"] == len(hand["Players"])
            cards = [e["BoardCards"] for e in hand["Events"] if e["EventType"] == "BOARD CARD"]
            assert row["board_cards"] == cards


def test_durations_are_whole_seconds_of_the_iso_text(exports) -> None:
    """Real durations are minutes and seconds (`PT35M37.2477537S`, `PT39.4720271S`)."""
    for _, export in exports:
        for row, hand in zip(_rows(export).hands, export["Hands"], strict=True):
            minutes, seconds = re.fullmatch(r"PT(?:(\d+)M)?(\d+(?:\.\d+)?)S", hand["Duration"]).groups()
            assert row["duration_seconds"] == int(minutes or 0) * 60 + int(Decimal(seconds))


def test_recording_offsets_count_seconds_since_year_one_on_the_recording_clock(exports) -> None:
    """An independent check of the huge offsets: the recording clock (UTC+4) at the hand's start, as a
    duration since 0001-01-01, in whole seconds."""
    for _, export in exports:
        for row, hand in zip(_rows(export).hands, export["Hands"], strict=True):
            start = datetime.fromisoformat(hand["StartDateTimeUTC"][:26]).replace(tzinfo=UTC)
            assert row["recording_offset_seconds"] == int(
                (start + RECORDING_CLOCK - DOTNET_EPOCH).total_seconds()
            )


def test_the_largest_real_offset_parses_exactly() -> None:
    # 739541 * 86400 + 16 * 3600 + 23 * 60 + 11.2859356
    assert duration_seconds("P739541DT16H23M11.2859356S") == Decimal("63896401391.2859356")
    assert whole_seconds("P739541DT16H23M11.2859356S") == 63896401391
    assert whole_seconds("PT35M37.2477537S") == 2137
    assert whole_seconds("PT2M32.217716S") == 152


@pytest.mark.parametrize("text", ["", "P", "PT", "35M", "P1Y", "P1M", "PT1.5M", "garbage", None, 12])
def test_what_is_no_duration_gives_none(text) -> None:
    assert duration_seconds(text) is None


def test_every_seat_column_maps_its_export_field(exports) -> None:
    percents = ("VPIPPercent", "PreFlopRaisePercent", "AggressionFrequencyPercent", "WentToShowDownPercent")
    for _, export in exports:
        rows = _rows(export)
        seats = iter(rows.hand_players)
        for hand_row, hand in zip(rows.hands, export["Hands"], strict=True):
            for player in hand["Players"]:
                seat = next(seats)
                assert (seat["hand_id"], seat["seat_num"]) == (hand_row["id"], player["PlayerNum"])
                assert seat["player_name"] == player["Name"]
                assert seat["hole_cards"] == ("".join(player["HoleCards"])).split()
                assert seat["has_shown"] is (len(("".join(player["HoleCards"])).split()) >= 2)
                assert (seat["start_stack_amt"], seat["end_stack_amt"]) == (
                    player["StartStackAmt"],
                    player["EndStackAmt"],
                )
                assert seat["cumulative_winnings_amt"] == player["CumulativeWinningsAmt"]
                assert seat["blind_bet_straddle_amt"] == player["BlindBetStraddleAmt"]
                assert (seat["sitting_out"], seat["elimination_rank"]) == (
                    player["SittingOut"],
                    player["EliminationRank"],
                )
                assert seat["is_winner"] is (player["EndStackAmt"] > player["StartStackAmt"])
                assert [
                    seat[c]
                    for c in (
                        "vpip_percent",
                        "preflop_raise_percent",
                        "aggression_frequency_percent",
                        "went_to_showdown_percent",
                    )
                ] == [player[p] for p in percents]
        assert next(seats, None) is None


def test_unknown_hole_cards_are_an_empty_array_and_known_ones_are_split(exports) -> None:
    seats = [seat for _, export in exports for seat in _rows(export).hand_players]
    assert any(seat["hole_cards"] == [] and not seat["has_shown"] for seat in seats)
    assert all(len(seat["hole_cards"]) in (0, 2) for seat in seats)
    assert {"ad", "5d"} <= {card for seat in seats for card in seat["hole_cards"]}


def test_every_event_column_maps_its_export_field_in_order(exports) -> None:
    for _, export in exports:
        rows = _rows(export)
        events = iter(rows.events)
        for hand_row, hand in zip(rows.hands, export["Hands"], strict=True):
            for order, event in enumerate(hand["Events"], start=1):
                row = next(events)
                assert (row["hand_id"], row["event_order"]) == (hand_row["id"], order)
                assert row["event_type"] == event["EventType"].replace(" ", "_")
                assert (row["player_num"], row["bet_amt"], row["pot"]) == (
                    event["PlayerNum"],
                    event["BetAmt"],
                    event["Pot"],
                )
                assert (row["board_cards"], row["board_num"]) == (event["BoardCards"], event["BoardNum"])
                assert row["num_cards_drawn"] == event["NumCardsDrawn"]
                assert row["event_time"] == _utc(event["DateTimeUTC"])
        assert next(events, None) is None


def test_spaced_event_types_become_enum_names(exports) -> None:
    types = {row["event_type"] for _, export in exports for row in _rows(export).events}
    assert types == {"FOLD", "CHECK", "CALL", "BET", "ALL_IN", "BOARD_CARD"}


def test_a_repeated_hand_num_keeps_both_hands(table_gg: Path) -> None:
    path = table_gg / "1015" / "PGFX_live_data_export GameID=638961224831992165.json"
    export = json.loads(path.read_bytes())
    hands = map_hands("PC01", export["ID"], export).hands
    numbered_one = [row for row in hands if row["hand_num"] == 1]
    assert len(numbered_one) == 2
    assert len({row["id"] for row in numbered_one}) == 2
    assert [row["hand_index"] for row in numbered_one] == [1, 2]


def test_pot_size_is_the_pot_of_the_last_event_with_one_on_hands_worked_by_hand(table_gg: Path) -> None:
    """Production's pot_size: the Pot of the hand's last event whose Pot is above 0 (the pot before that
    action): 40100 and 17000 in the first file, 185000 in the grown one (docs/DERIVED_VALUES.md)."""
    big = json.loads(
        (table_gg / "1016/New/PGFX_live_data_export GameID=638962097323397879.json").read_bytes()
    )
    grown = json.loads(
        (table_gg / "1019/new/PGFX_live_data_export GameID=638964611175191251.json").read_bytes()
    )
    pots = {row["hand_num"]: row["pot_size"] for row in map_hands("PC01", big["ID"], big).hands}
    assert (pots[7], pots[11]) == (40100, 17000)
    assert map_hands("PC01", grown["ID"], grown).hands[5]["pot_size"] == 185000


def test_pot_size_is_the_last_positive_pot_of_the_events(exports) -> None:
    checked = 0
    for _, export in exports:
        for row, hand in zip(_rows(export).hands, export["Hands"], strict=True):
            pots = [event["Pot"] for event in hand["Events"] if event["Pot"] > 0]
            assert row["pot_size"] == (pots[-1] if pots else 0)
            checked += 1
    assert checked == 753  # every hand of the 18 files


def test_winner_is_the_growing_stack_with_most_cumulative_winnings_and_showdown_count_is_zero(
    exports,
) -> None:
    checked = 0
    for _, export in exports:
        for row, hand in zip(_rows(export).hands, export["Hands"], strict=True):
            grew = [p for p in hand["Players"] if p["EndStackAmt"] > p["StartStackAmt"]]
            top = max(grew, key=lambda p: p["CumulativeWinningsAmt"], default=None)
            assert row["winner_seat"] == (top["PlayerNum"] if top else None)
            assert row["winner_name"] == (top["Name"] if top else None)
            assert row["showdown_count"] == 0
            checked += 1
    assert checked == 753  # every hand of the 18 files


def test_player_hash_is_md5_of_trimmed_lowercase_name_and_long_name() -> None:
    expected = hashlib.md5(b"szuecs:szuecs peter").hexdigest()
    assert player_hash("  Szuecs ", "Szuecs Peter") == expected
    assert player_hash("SZUECS", "szuecs peter") == expected
    assert player_hash("Szuecs", "") != expected


def test_the_same_player_gets_the_same_id_in_every_file(exports) -> None:
    ids: dict[str, set] = {}
    for _, export in exports:
        for identity in _rows(export).players.values():
            ids.setdefault(identity["player_hash"], set()).add(identity["id"])
    assert all(len(found) == 1 for found in ids.values())


def test_ids_depend_only_on_pc_session_and_position(table_gg: Path) -> None:
    export = json.loads((table_gg / "1019/PGFX_live_data_export GameID=638964611175191251.json").read_bytes())
    first = map_hands("PC01", export["ID"], export)
    again = map_hands("PC01", export["ID"], export)
    other_pc = map_hands("PC02", export["ID"], export)
    assert [row["id"] for row in first.events] == [row["id"] for row in again.events]
    assert {row["id"] for row in first.hands}.isdisjoint(row["id"] for row in other_pc.hands)
    assert [row["hand_index"] for row in map_hands("PC01", export["ID"], export, first_index=2).hands] == [2]
