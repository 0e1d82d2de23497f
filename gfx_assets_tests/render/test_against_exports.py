"""The render functions answer what the exports say, read straight from the JSON: the chip display's
slots name the seated players (upper-cased Name) with their end stacks, ranked by stack and counted in big
blinds of the hand's BigBlindAmt, its metadata carries the blind level and the average stack in big
blinds; get_chips_n_hands_ago gives the player's EndStackAmt N hands earlier; get_at_risk_data names the
shortest stack. Every hand of every game whose HandNum is its own, on the project's database."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from gfx_assets_tests.render.answers import (
    FUNCTIONS,
    call_all,
    name_is_ambiguous,
    seated,
    seats_by_name,
    unique_hands,
)
from gfx_assets_tests.render.conftest import LIVE_GAME_ID, Ours
from gfx_assets_tests.render.reference_loader import Export

SLOTS = 9  # get_chip_display_data's default slot count
N_HANDS = (1, 5, 10)
LONG_GAME = 638963849867159576  # 173 hands in 1018/


def _chip_display(ours: Ours, latest: dict[int, Export]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    hands = unique_hands(latest)
    answers = call_all(
        ours.database_url, FUNCTIONS["get_chip_display_data"], [(s, h["HandNum"]) for s, h in hands]
    )
    return [(hand, answers[(s, hand["HandNum"])]) for s, hand in hands]


def _in_bbs(chips: int, big_blind: int) -> Decimal:
    return (Decimal(chips) / Decimal(big_blind)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").rstrip("."))


def _by_stack(hand: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(seated(hand), key=lambda p: p["EndStackAmt"], reverse=True)[:SLOTS]


def test_chip_display_slots_name_the_seated_players_with_their_end_stacks(
    ours: Ours, latest: dict[int, Export]
) -> None:
    for hand, answer in _chip_display(ours, latest):
        shown = sorted((slot["fields"]["name"], slot["fields"]["chips"]) for slot in answer["slots"])
        expected = sorted((p["Name"].upper(), f"{p['EndStackAmt']:,}") for p in _by_stack(hand))
        assert shown == expected, hand["HandNum"]


def test_chip_display_ranks_the_slots_by_end_stack(ours: Ours, latest: dict[int, Export]) -> None:
    for hand, answer in _chip_display(ours, latest):
        slots = answer["slots"]
        assert [s["slot_index"] for s in slots] == list(range(1, len(slots) + 1))
        assert [s["fields"]["rank"] for s in slots] == [str(s["slot_index"]) for s in slots]
        assert [s["fields"]["chips"] for s in slots] == [f"{p['EndStackAmt']:,}" for p in _by_stack(hand)]


def test_chip_display_counts_stacks_in_big_blinds_of_the_hand(ours: Ours, latest: dict[int, Export]) -> None:
    for hand, answer in _chip_display(ours, latest):
        big_blind = hand["FlopDrawBlinds"]["BigBlindAmt"]
        for slot, player in zip(answer["slots"], _by_stack(hand), strict=True):
            assert _number(slot["fields"]["bbs"]) == _in_bbs(player["EndStackAmt"], big_blind), slot


def test_chip_display_metadata_has_the_blind_level_and_the_average_stack_in_bbs(
    ours: Ours, latest: dict[int, Export]
) -> None:
    for hand, answer in _chip_display(ours, latest):
        big_blind = hand["FlopDrawBlinds"]["BigBlindAmt"]
        stacks = [p["EndStackAmt"] for p in seated(hand)]
        average = int((Decimal(sum(stacks)) / len(stacks)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert answer["metadata"]["blind_level"] == f"{big_blind // 2:,}/{big_blind:,}"
        chips, bbs = answer["single_fields"]["AVERAGE STACK"].removesuffix("BB)").split(" (")
        assert (chips, _number(bbs)) == (f"{average:,}", _in_bbs(average, big_blind))


@pytest.mark.parametrize("session_id", [LIVE_GAME_ID, LONG_GAME])
def test_chips_n_hands_ago_is_the_end_stack_n_hands_earlier(
    session_id: int, ours: Ours, latest: dict[int, Export]
) -> None:
    hands = {hand["HandNum"]: hand for hand in latest[session_id].hands}
    seats = seats_by_name(latest)
    calls = [
        (session_id, number, player["Name"], n)
        for number, hand in hands.items()
        for player in seated(hand)
        for n in N_HANDS
    ]
    calls = [key for key in calls if not name_is_ambiguous("get_chips_n_hands_ago", key, latest, seats)]
    answers = call_all(ours.database_url, FUNCTIONS["get_chips_n_hands_ago"], calls)
    for session, number, name, n in calls:
        earlier = hands.get(number - n, {"Players": []})
        stack = [p["EndStackAmt"] for p in seated(earlier) if p["Name"].lower() == name.lower()]
        assert answers[(session, number, name, n)] == (stack[0] if stack else None), (number, name, n)
    assert sum(answer is not None for answer in answers.values()) > len(calls) / 2


def test_at_risk_names_the_shortest_stack(ours: Ours, latest: dict[int, Export]) -> None:
    hands = unique_hands(latest)
    answers = call_all(
        ours.database_url, FUNCTIONS["get_at_risk_data"], [(s, h["HandNum"]) for s, h in hands]
    )
    for session_id, hand in hands:
        at_risk = answers[(session_id, hand["HandNum"])]["at_risk"]
        players = seated(hand)
        shortest = min(p["EndStackAmt"] for p in players)
        assert at_risk["player_name"] in {p["Name"].upper() for p in players if p["EndStackAmt"] == shortest}
        assert (at_risk["chips"], at_risk["rank"]) == (f"{shortest:,}", len(players))
