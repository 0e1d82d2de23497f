"""The graphics get the same answers from the project's database as from production's: every render
function for every (session_id, hand_num) of the loaded games (and every seat or player name of the hand
where it takes one), and the rows of the render views, compared with the reference database that
production's normaliser semantics fill from the same exports (reference_loader.py).

Answers are compared without generated_at, uuids, created/updated/processed times and sync_status, views
as multisets of rows; seats tied on their stack are untied as answers.py describes."""

from typing import Any

import psycopg
import pytest

from gfx_assets_tests.render.answers import (
    FUNCTIONS,
    call_all,
    calls_for,
    multiset,
    name_is_ambiguous,
    repeated_hand_nums,
    seats_by_name,
    tied_for_shortest,
    untie_at_risk_answer,
    untie_at_risk_rows,
    untie_chip_display_answer,
    untie_chip_display_rows,
    untie_player_spellings,
    view_rows,
)
from gfx_assets_tests.render.conftest import Ours, Reference
from gfx_assets_tests.render.reference_loader import Export
from gfx_assets_tests.support import query

# Render functions not compared, with the reason: they fail on production's own schema too.
PRODUCTION_BUGS = {
    "get_elimination_data": "an aggregate (jsonb_agg) containing a window function (ROW_NUMBER): fails on "
    "every call, on production's schema too",
    "get_player_field_with_override": "reads player_overrides.manual_player_id, a column production's "
    "player_overrides does not have",
}
# Hands not compared by the functions: production keys a hand by (session_id, hand_num), and real exports
# repeat a HandNum inside a game (1015/ restarts at 1, 1017/new/ writes 106 twice), so a call with such a
# number sees two hands at once, in either database; `answers.unique_hands` leaves those pairs out.
REPEATED_HAND_NUMS = "production's key (session_id, hand_num) cannot tell such hands apart"
# By-name calls not compared: production matches a player by LOWER(player_name); where two seated entries
# of a hand number it reads match the name (seats 'asd' and 'ASD' in one hand of 1015/ and 'ad'/'AD' in
# 1020/, or one player in both hands of a repeated HandNum), it reads either one, in either database
# (`answers.name_is_ambiguous`).
NAME_SHARED_BY_TWO_ENTRIES = "LOWER(player_name) matches two entries; production's SQL picks either"
CHIPS_N_HANDS_AGO = (1, 10)
VIEWS = (
    *("v_render_chip_display", "v_render_at_risk", "v_recent_hands", "v_showdown_players"),
    *("unified_chip_data", "unified_players", "v_session_summary", "v_render_payout_gfx"),
)
MAX_SHOWN = 5


def _differences(ours: dict, reference: dict) -> list[str]:
    keys = sorted(set(ours) | set(reference), key=str)
    return [
        f"{key}: ours {ours.get(key)!r} != production {reference.get(key)!r}"
        for key in keys
        if ours.get(key) != reference.get(key)
    ]


def _calls(name: str, latest: dict[int, Export]) -> list[tuple]:
    seats = seats_by_name(latest)
    calls = calls_for(FUNCTIONS[name], latest, CHIPS_N_HANDS_AGO)
    return [key for key in calls if not name_is_ambiguous(name, key, latest, seats)]


def _answers(database_url: str, name: str, latest: dict[int, Export]) -> dict[tuple, Any]:
    answers = call_all(database_url, FUNCTIONS[name], _calls(name, latest))
    tied = tied_for_shortest(latest)
    if name == "get_chip_display_data":
        return {key: untie_chip_display_answer(answer) for key, answer in answers.items()}
    if name == "get_at_risk_data":
        return {key: untie_at_risk_answer(key, answer, tied) for key, answer in answers.items()}
    return answers


def _rows(database_url: str, view: str, latest: dict[int, Export]) -> list[dict[str, Any]]:
    rows = view_rows(database_url, view)
    if view == "v_render_chip_display":
        return untie_chip_display_rows(rows)
    if view == "v_render_at_risk":
        return untie_at_risk_rows(rows, tied_for_shortest(latest))
    if view == "unified_players":
        return untie_player_spellings(rows, latest)
    return rows


def test_the_comparison_covers_every_hand_but_the_repeated_numbers(latest: dict[int, Export]) -> None:
    calls = _calls("get_chip_display_data", latest)
    assert repeated_hand_nums(latest) == {(638961224831992165, 1), (638963043524931047, 106)}
    assert len(calls) == sum(len(e.hands) for e in latest.values()) - 4 == 701 + 33 - 4


def test_the_by_name_comparison_leaves_out_only_a_few_ambiguous_calls(latest: dict[int, Export]) -> None:
    for name in ("get_chip_comparison_data", "get_player_history_data", "get_chips_n_hands_ago"):
        every = calls_for(FUNCTIONS[name], latest, CHIPS_N_HANDS_AGO)
        assert len(every) - len(_calls(name, latest)) <= 0.01 * len(every), name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_render_function_answers_as_on_production(
    name: str, ours: Ours, reference: Reference, latest: dict[int, Export]
) -> None:
    expected = _answers(reference.database_url, name, latest)
    assert sum(answer not in ({}, None) for answer in expected.values()) > len(expected) / 2, name
    different = _differences(_answers(ours.database_url, name, latest), expected)
    assert not different, f"{len(different)} of {len(expected)} calls differ, e.g.:\n" + "\n".join(
        different[:MAX_SHOWN]
    )


@pytest.mark.parametrize("view", VIEWS)
def test_render_view_rows_as_on_production(
    view: str, ours: Ours, reference: Reference, latest: dict[int, Export]
) -> None:
    expected = multiset(_rows(reference.database_url, view, latest))
    found = multiset(_rows(ours.database_url, view, latest))
    missing, extra = expected - found, found - expected
    assert not (missing or extra), (
        f"{view}: {sum(found.values())} rows, production {sum(expected.values())}; "
        f"{sum(missing.values())} missing, e.g. {list(missing)[:2]}; {sum(extra.values())} extra, e.g. "
        f"{list(extra)[:2]}"
    )


def test_sessions_hold_one_row_per_game_with_production_columns(ours: Ours, reference: Reference) -> None:
    columns = (
        "session_id, file_name, table_type::text, event_title, software_version, payouts::bigint[],"
        " hand_count, total_duration_seconds, session_created_at, session_start_time, session_end_time"
    )
    statement = f"SELECT {columns} FROM gfx_sessions ORDER BY session_id"
    assert query(ours.database_url, statement) == query(reference.database_url, statement)


@pytest.mark.parametrize("name", sorted(PRODUCTION_BUGS))
def test_known_production_bugs_fail_on_production_too(name: str, reference: Reference) -> None:
    call = {
        "get_elimination_data": "SELECT get_elimination_data(638962014211467634, 1)",
        "get_player_field_with_override": (
            "SELECT get_player_field_with_override(gen_random_uuid(), 'name', '')"
        ),
    }[name]
    with psycopg.connect(reference.database_url) as conn, pytest.raises(psycopg.Error):
        conn.execute(call)
