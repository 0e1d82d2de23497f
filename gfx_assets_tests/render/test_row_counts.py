"""The render views hold one row per seat and per hand, not one per stored file content: while a live
session is rewritten in place and synced after every rewrite (checked after each of its 33 syncs, not only
at the end), and for every game at the end. v_render_chip_display has one row per seated (not sitting
out) player of each hand, v_recent_hands one row per hand."""

from collections import Counter

import pytest

from gfx_assets_tests.render.answers import seated
from gfx_assets_tests.render.conftest import LIVE_GAME_ID, Ours
from gfx_assets_tests.render.reference_loader import Export
from gfx_assets_tests.support import query


def _seated_per_hand_num(hands: list[dict]) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for hand in hands:
        counts[hand["HandNum"]] += len(seated(hand))
    return dict(counts)


def test_the_live_session_was_synced_after_every_rewrite(ours: Ours, latest: dict[int, Export]) -> None:
    assert [r.hands for r in ours.rewrites] == list(range(1, len(latest[LIVE_GAME_ID].hands) + 1))
    assert [r.error for r in ours.rewrites if r.error] == []


def test_chip_display_has_one_row_per_seated_player_after_every_rewrite(
    ours: Ours, latest: dict[int, Export]
) -> None:
    hands = latest[LIVE_GAME_ID].hands
    for rewrite in ours.rewrites:
        assert rewrite.chip_display_rows == _seated_per_hand_num(hands[: rewrite.hands]), rewrite.hands


def test_recent_hands_has_one_row_per_hand_after_every_rewrite(ours: Ours, latest: dict[int, Export]) -> None:
    hands = latest[LIVE_GAME_ID].hands
    for rewrite in ours.rewrites:
        assert rewrite.recent_hands_rows == dict(Counter(h["HandNum"] for h in hands[: rewrite.hands]))


def test_chip_display_has_one_row_per_seated_player_of_every_game(
    ours: Ours, latest: dict[int, Export]
) -> None:
    rows = query(
        ours.database_url, "SELECT session_id, hand_num, count(*) FROM v_render_chip_display GROUP BY 1, 2"
    )
    expected = {
        (session_id, number): count
        for session_id, export in latest.items()
        for number, count in _seated_per_hand_num(export.hands).items()
    }
    assert {(s, h): n for s, h, n in rows} == expected


@pytest.mark.parametrize("view", ["v_recent_hands", "v_render_payout_gfx"])
def test_every_game_appears_once_per_hand_or_payout(view: str, ours: Ours, latest: dict[int, Export]) -> None:
    """v_recent_hands: one row per hand; v_render_payout_gfx: one row per entry of the game's Payouts."""
    rows = dict(query(ours.database_url, f"SELECT session_id, count(*) FROM {view} GROUP BY 1"))
    size = (lambda e: len(e.hands)) if view == "v_recent_hands" else (lambda e: len(e.document["Payouts"]))
    assert rows == {session_id: size(export) for session_id, export in latest.items()}
