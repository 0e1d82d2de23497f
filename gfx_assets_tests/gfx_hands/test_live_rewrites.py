"""A live session's rewrite is loaded from its new hands only (issue 20), on both sinks: landing stores the
digests of a rewritten file's content, the next hand load compares them with the load before without
reading the export back, and reads the new hands where they are stored (gfx_snapshot_hands, migrations/0012).
A first content, one landed without digests, or one several hands past the load before, is digested from
its whole export instead."""

import json
from pathlib import Path
from typing import Any

import pytest

from gfx_assets.lib.nas_sync import snapshots
from gfx_assets.lib.nas_sync.hand_loading import load_pc_hands
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, encode_export, write_session
from gfx_assets.lib.sinks import Sink
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_hands.growth import export_path, grow, land_file, last_hand_in_progress
from gfx_assets_tests.support import execute, query

PC = "PC01"


class ReadRecorder:
    """The sink, with the reads it was asked for recorded: (what, table or function, columns or arguments)."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.reads: list[tuple[str, str, Any]] = []
        self.selects: list[tuple[str, list[str], dict[str, Any]]] = []  # table, columns, filters

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sink, name)

    def select(self, table: str, columns: list[str], filters: dict[str, Any]) -> list[dict[str, Any]]:
        self.reads.append(("select", table, list(columns)))
        self.selects.append((table, list(columns), dict(filters)))
        return self.sink.select(table, columns, filters)

    def call(self, function: str, arguments: dict[str, Any]) -> Any:
        self.reads.append(("call", function, arguments))
        return self.sink.call(function, arguments)


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return tmp_path / "nas"


def _add_hand_and_land(sink: Sink, nas_root: Path, session: SyntheticSession) -> None:
    session.add_hand()
    path = export_path(nas_root, PC, session)
    write_session(path, session)
    land_file(sink, nas_root, PC, path)


def _hand_indexes(database_url: str) -> list[int]:
    return [index for (index,) in query(database_url, "SELECT hand_index FROM gfx_hands ORDER BY 1")]


def test_landing_stores_the_digests_of_a_rewritten_file(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session := SyntheticSession(seed=41), 2, "keep")
        _add_hand_and_land(sink, nas_root, session)  # landed, its hands not loaded yet
    [(raw_json, content, prefix)] = query(
        database_url,
        "SELECT raw_json::text, content_digest, prefix_digest FROM gfx_session_snapshots "
        "WHERE hands_loaded_at IS NULL",
    )
    data = json.loads(raw_json)
    assert (content, prefix) == (snapshots.digest(data, 3), snapshots.digest(data, 2))


def test_a_first_content_is_digested_by_its_hand_load(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session = SyntheticSession(seed=47)
    with gfx_sink.open() as sink:
        _add_hand_and_land(sink, nas_root, session)
        landed = query(database_url, "SELECT content_digest FROM gfx_session_snapshots")
        load_pc_hands(sink, PC)
    [(raw_json, content)] = query(
        database_url, "SELECT raw_json::text, content_digest FROM gfx_session_snapshots"
    )
    assert landed == [(None,)]
    assert content == snapshots.digest(json.loads(raw_json), 1)


def test_a_rewrite_with_one_more_hand_reads_only_that_hand(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session := SyntheticSession(seed=42), 5, "compact")
        _add_hand_and_land(sink, nas_root, session)
        recorder = ReadRecorder(sink)
        load = load_pc_hands(recorder, PC)
    assert load.hands == 1
    assert not [read for read in recorder.reads if read[0] == "select" and "raw_json" in read[2]]
    [hands_read] = [read[2] for read in recorder.reads if read[1] == "gfx_snapshot_hands"]
    assert hands_read["first_hands"] == [6]
    assert _hand_indexes(database_url) == [1, 2, 3, 4, 5, 6]


def test_a_load_reads_the_ledger_of_the_sessions_it_loads_only(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=48), 3, "keep")  # loaded: not read again
        _add_hand_and_land(sink, nas_root, live := SyntheticSession(seed=49))
        recorder = ReadRecorder(sink)
        load = load_pc_hands(recorder, PC)
    assert load.sessions == 1
    ledger_reads = [filters for _, columns, filters in recorder.selects if "hand_count" in columns]
    assert ledger_reads == [{"gfx_pc_id": PC, "session_id": [live.game_id]}]


def test_a_content_landed_without_digests_is_digested_from_its_export(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session := SyntheticSession(seed=43), 4, "compact")
        _add_hand_and_land(sink, nas_root, session)
        execute(
            database_url,
            "UPDATE gfx_session_snapshots SET content_digest = NULL, prefix_digest = NULL "
            "WHERE hands_loaded_at IS NULL",
        )
        recorder = ReadRecorder(sink)
        load = load_pc_hands(recorder, PC)
    assert load.hands == 1
    assert [read for read in recorder.reads if read[0] == "select" and "raw_json" in read[2]]
    assert _hand_indexes(database_url) == [1, 2, 3, 4, 5]
    undigested = "SELECT count(*) FROM gfx_session_snapshots WHERE content_digest IS NULL"
    assert query(database_url, undigested) == [(0,)]


def test_several_new_hands_since_the_last_load_are_loaded_from_the_whole_export(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session := SyntheticSession(seed=44), 2, "compact")
        for _ in range(3):  # three rewrites land before the next hand load runs
            _add_hand_and_land(sink, nas_root, session)
        load = load_pc_hands(sink, PC)
    assert load.hands == 3
    assert _hand_indexes(database_url) == [1, 2, 3, 4, 5]


def test_a_last_hand_still_in_progress_is_rewritten_from_the_stored_digests(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    path, in_progress, complete = last_hand_in_progress(nas_root, PC, seed=45)
    with gfx_sink.open() as sink:
        path.write_bytes(encode_export(in_progress))
        land_file(sink, nas_root, PC, path)
        load_pc_hands(sink, PC)
        path.write_bytes(encode_export(complete))
        land_file(sink, nas_root, PC, path)
        recorder = ReadRecorder(sink)
        load = load_pc_hands(recorder, PC)
    assert load.hands == 1
    [hands_read] = [read[2] for read in recorder.reads if read[1] == "gfx_snapshot_hands"]
    assert hands_read["first_hands"] == [3]
    events = "SELECT count(*) FROM gfx_events e JOIN gfx_hands h ON h.id = e.hand_id WHERE h.hand_index = 3"
    assert query(database_url, events) == [(len(complete["Hands"][2]["Events"]),)]


def test_snapshot_hands_gives_the_entries_from_a_position_and_leaves_compacted_ones_out(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=46), 3, "compact")
        [(latest, raw_json)] = query(
            database_url,
            "SELECT file_hash, raw_json::text FROM gfx_session_snapshots WHERE raw_json IS NOT NULL",
        )
        [compacted] = query(database_url, "SELECT file_hash FROM gfx_session_snapshots WHERE hand_count = 1")
        hands = json.loads(raw_json)["Hands"]
        found = snapshots.hands_from(sink, PC, {latest: 2, compacted[0]: 1})
        past_the_end = snapshots.hands_from(sink, PC, {latest: 4})
        other_pc = snapshots.hands_from(sink, "PC02", {latest: 1})
    assert found == {latest: hands[1:]}
    assert past_the_end == {latest: []}
    assert other_pc == {}


def test_snapshot_hands_of_an_export_whose_hands_are_not_a_list_is_empty(database_url: str) -> None:
    execute(
        database_url,
        "INSERT INTO gfx_session_snapshots (gfx_pc_id, file_hash, session_id, raw_json) "
        """VALUES ('PC01', 'odd', 7, '{"ID": 7, "Hands": {"1": {}}}')""",
    )
    [(found,)] = query(database_url, "SELECT gfx_snapshot_hands('PC01', ARRAY['odd'], ARRAY[1])")
    assert found == {"odd": []}
