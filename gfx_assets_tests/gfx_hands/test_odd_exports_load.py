"""A sync run of an export with values the hand tables cannot hold, on both sinks: the hand, its seats and
its events land with only the odd values NULL; what was stored as NULL is counted per table in the
asset's metadata and in the run log, refused entries are listed with their reason, and a hand whose
entry stops being an object is removed while the hands after it keep their positions."""

import json
import logging
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, encode_export
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_hands.growth import export_path
from gfx_assets_tests.gfx_hands.support import check_results, metadata, sync_with_hands
from gfx_assets_tests.support import nas, query, write_registry

PC = "PC01"
BEYOND_INT4 = 2**31


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    write_registry(tmp_path / "nas" / "config" / "pc_registry.json", {PC: PC})
    return tmp_path / "nas"


def _session(hands: int) -> tuple[SyntheticSession, dict]:
    session = SyntheticSession(seed=41)
    for _ in range(hands):
        session.add_hand()
    return session, json.loads(session.to_json_bytes())


def _synced(
    instance: dg.DagsterInstance, sink: GfxSink, nas_root: Path, session: SyntheticSession, export: dict
) -> dg.ExecuteInProcessResult:
    path = export_path(nas_root, PC, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_export(export))
    result = sync_with_hands(instance, PC, nas(nas_root), sink)
    assert result.success
    return result


def _warnings(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        entry.user_message for entry in instance.all_logs(result.run_id) if entry.level == logging.WARNING
    ]


def test_a_hand_with_values_beyond_int4_lands_with_its_seats_and_events(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session, export = _session(2)
    hand = export["Hands"][0]
    hand.update(HandNum=BEYOND_INT4, AnteAmt=BEYOND_INT4)
    hand["Players"][0]["StartStackAmt"] = BEYOND_INT4
    with dg.instance_for_test() as instance:
        result = _synced(instance, gfx_sink, nas_root, session, export)
    stored = "SELECT hand_index, hand_num, ante_amt FROM gfx_hands ORDER BY 1"
    assert query(database_url, stored) == [(1, None, None), (2, 2, export["Hands"][1]["AnteAmt"])]
    seats = (
        "SELECT count(*) FROM gfx_hand_players s JOIN gfx_hands h ON h.id = s.hand_id WHERE h.hand_index = 1"
    )
    events = "SELECT count(*) FROM gfx_events e JOIN gfx_hands h ON h.id = e.hand_id WHERE h.hand_index = 1"
    assert query(database_url, seats) == [(len(hand["Players"]),)]
    assert query(database_url, events) == [(len(hand["Events"]),)]
    hands = metadata(result, "gfx_hands")
    assert (hands["refused_rows"], hands["unmapped_values"]) == (0, 2)
    assert hands["unmapped"] == {"hand_num=<out of range>": 1, "ante_amt=<out of range>": 1}
    assert metadata(result, "gfx_hand_players")["unmapped"] == {"start_stack_amt=<out of range>": 1}


def test_unmapped_values_are_counted_in_their_tables_metadata_and_logged(
    gfx_sink: GfxSink, nas_root: Path
) -> None:
    session, export = _session(1)
    for event in export["Hands"][0]["Events"][:3]:
        event["EventType"] = "SHOWDOWN"
    with dg.instance_for_test() as instance:
        result = _synced(instance, gfx_sink, nas_root, session, export)
        warnings = _warnings(instance, result)
    events = metadata(result, "gfx_events")
    assert (events["unmapped_values"], events["unmapped"]) == (3, {"event_type=SHOWDOWN": 3})
    assert metadata(result, "gfx_hands")["unmapped_values"] == 0
    assert "unmapped values (stored as NULL): gfx_events.event_type=SHOWDOWN ×3" in warnings


def test_a_repeated_seat_is_refused_in_metadata_and_logged(gfx_sink: GfxSink, nas_root: Path) -> None:
    session, export = _session(1)
    players = export["Hands"][0]["Players"]
    players.append({**players[0], "Name": "Intruder"})
    with dg.instance_for_test() as instance:
        result = _synced(instance, gfx_sink, nas_root, session, export)
        warnings = _warnings(instance, result)
    seats = metadata(result, "gfx_hand_players")
    assert (seats["refused_rows"], seats["seats_upserted"]) == (1, len(players) - 1)
    [reason] = seats["refused"]
    assert f"repeats PlayerNum {players[0]['PlayerNum']}" in reason
    assert any(warning.startswith("1 refused (not stored): gfx_hand_players") for warning in warnings)


def test_a_hand_entry_that_stops_being_an_object_is_removed_and_later_hands_keep_their_place(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session, export = _session(3)
    with dg.instance_for_test() as instance:
        _synced(instance, gfx_sink, nas_root, session, export)
        session.add_hand()
        rewritten = json.loads(session.to_json_bytes())
        rewritten["Hands"][1] = "lost"
        result = _synced(instance, gfx_sink, nas_root, session, rewritten)
    assert query(database_url, "SELECT hand_index, hand_num FROM gfx_hands ORDER BY 1") == [
        (1, 1),
        (3, 3),
        (4, 4),
    ]
    hands = metadata(result, "gfx_hands")
    assert (hands["hands_deleted"], hands["refused_rows"], hands["dagster/row_count"]) == (1, 1, 3)
    # the checks keep comparing with the export's raw positions, so the lost hand shows there too
    assert check_results(result)["gfx_hands_no_gaps"] is False
