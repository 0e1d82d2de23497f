"""Sessions load in batches, on both sinks: one batch mixes a session appended to, one rewritten (with a
hand changed and its stale seats and events), one whose hand entry stopped being an object, and a new one;
the tables then hold exactly the rows of each session's latest export, and the players' totals, recounted
a few players at a time, match their seats. A batch whose write fails leaves every one of its sessions
unmarked in the ledger, and the next load completes them."""

import json
from pathlib import Path
from typing import Any

import pytest

from gfx_assets.lib.nas_sync import player_totals
from gfx_assets.lib.nas_sync.hand_loading import batches, load_pc_hands
from gfx_assets.lib.nas_sync.snapshots import Snapshot
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, encode_export
from gfx_assets.lib.sinks import Sink, SinkError
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_hands.growth import export_path, land_file
from gfx_assets_tests.support import execute, query

PC = "PC01"
MISCOUNTED = """SELECT p.name FROM gfx_players p
    LEFT JOIN gfx_hand_players s ON s.player_id = p.id LEFT JOIN gfx_hands h ON h.id = s.hand_id
    GROUP BY p.id
    HAVING p.total_hands_played <> count(s.id)
        OR p.total_sessions <> count(DISTINCT (h.gfx_pc_id, h.session_id))
        OR p.first_seen_at IS DISTINCT FROM min(h.start_time)
        OR p.last_seen_at IS DISTINCT FROM max(h.start_time)"""


def _sessions(count: int, hands: int) -> list[SyntheticSession]:
    sessions = [SyntheticSession(seed=70 + n) for n in range(count)]
    for session in sessions:
        for _ in range(hands):
            session.add_hand()
    return sessions


def _land(sink: Sink, nas_root: Path, session: SyntheticSession, export: dict[str, Any]) -> None:
    path = export_path(nas_root, PC, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_export(export))
    land_file(sink, nas_root, PC, path)


def _assert_tables_mirror(database_url: str, exports: dict[int, dict[str, Any]]) -> None:
    """Every hand, seat and event id stored is one the latest exports map to, and none is missing."""
    mapped = [map_hands(PC, session_id, export) for session_id, export in exports.items()]
    for table, rows in (
        ("gfx_hands", [row for m in mapped for row in m.hands]),
        ("gfx_hand_players", [row for m in mapped for row in m.hand_players]),
        ("gfx_events", [row for m in mapped for row in m.events]),
    ):
        stored = {str(row_id) for (row_id,) in query(database_url, f"SELECT id FROM {table}")}
        assert stored == {str(row["id"]) for row in rows}, table
    unmarked = "SELECT count(*) FROM gfx_sessions s JOIN gfx_session_snapshots l USING (gfx_pc_id, file_hash)"
    assert query(database_url, f"{unmarked} WHERE l.hands_loaded_at IS NULL") == [(0,)]


def test_batches_hold_sessions_up_to_the_hand_budget() -> None:
    sessions = [[Snapshot(f"h{n}", n, count, None, None, {})] for n, count in enumerate([2, 2, 0, 5, 1])]
    sizes = [[s[0].hand_count for s in batch] for batch in batches(sessions, 5)]
    assert sizes == [[2, 2, 0], [5], [1]]


def test_a_batch_of_appended_rewritten_and_new_sessions_mirrors_the_exports(
    gfx_sink: GfxSink, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player_totals, "RECOUNT_PLAYERS", 3)
    appended, rewritten, lost, new = _sessions(4, 3)
    exports = {s.game_id: json.loads(s.to_json_bytes()) for s in (appended, rewritten, lost)}
    with gfx_sink.open() as sink:
        for session in (appended, rewritten, lost):
            _land(sink, tmp_path, session, exports[session.game_id])
        first = load_pc_hands(sink, PC, batch_hands=6)  # two batches: 3 + 3 hands, then 3
        assert (first.sessions, first.hands) == (3, 9)
        appended.add_hand()
        exports[appended.game_id] = json.loads(appended.to_json_bytes())
        changed = exports[rewritten.game_id]
        changed["Hands"][1]["Players"] = changed["Hands"][1]["Players"][:2]  # fewer seats: stale rows
        changed["Hands"][1]["Events"] = changed["Hands"][1]["Events"][:1]
        changed["Hands"].append(changed["Hands"][0] | {"HandNum": 4})
        exports[lost.game_id]["Hands"][1] = "lost"
        exports[lost.game_id]["Hands"].append(exports[lost.game_id]["Hands"][0] | {"HandNum": 4})
        exports[new.game_id] = json.loads(new.to_json_bytes())
        for session in (appended, rewritten, lost, new):
            _land(sink, tmp_path, session, exports[session.game_id])
        again = load_pc_hands(sink, PC)  # one batch
    assert (again.sessions, again.deleted_hands) == (4, 1)
    _assert_tables_mirror(database_url, exports)
    assert query(
        database_url, "SELECT hand_index FROM gfx_hands WHERE session_id = %s ORDER BY 1", lost.game_id
    ) == [(1,), (3,), (4,)]
    assert query(database_url, "SELECT count(*) > 3 FROM gfx_players") == [(True,)]
    assert query(database_url, MISCOUNTED) == []


def test_a_failed_batch_leaves_its_sessions_unmarked_and_the_next_load_completes_them(
    gfx_sink: GfxSink, tmp_path: Path, database_url: str
) -> None:
    sessions = _sessions(3, 2)
    exports = {s.game_id: json.loads(s.to_json_bytes()) for s in sessions}
    execute(
        database_url,
        """CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused for the test' USING ERRCODE = '42000'; END $$;
        CREATE TRIGGER refuse_events BEFORE INSERT ON gfx_events
            FOR EACH ROW EXECUTE FUNCTION refuse_events();""",
    )
    with gfx_sink.open() as sink:
        for session in sessions:
            _land(sink, tmp_path, session, exports[session.game_id])
        with pytest.raises(SinkError):
            load_pc_hands(sink, PC)
        assert query(database_url, "SELECT count(*) FROM gfx_hands") == [(6,)]  # written before events
        marked = "SELECT count(*) FROM gfx_session_snapshots WHERE hands_loaded_at IS NOT NULL"
        assert query(database_url, marked) == [(0,)]
        execute(database_url, "DROP TRIGGER refuse_events ON gfx_events")
        load = load_pc_hands(sink, PC)
    assert (load.sessions, load.hands, load.refused) == (3, 6, [])
    _assert_tables_mirror(database_url, exports)
