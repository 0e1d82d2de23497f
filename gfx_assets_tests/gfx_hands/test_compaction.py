"""Compaction of superseded snapshots and incremental hand loading, on both sinks, with a synthetic session
file grown hand by hand through the real stages (see growth.py): what is stored, what the ledger records,
what the game's one `gfx_sessions` row shows, what happens when the prefix property fails or a hand was in
progress, and that the checks catch a compaction or a hand table that went wrong."""

import json
from pathlib import Path

import pytest

from gfx_assets.lib.nas_sync import audits
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, encode_export, write_session
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_hands.growth import (
    final_json_bytes,
    grow,
    last_hand_in_progress,
    stored_json_bytes,
    sync_file,
)
from gfx_assets_tests.support import execute, query

PC = "PC01"
GROWTHS = 24


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return tmp_path / "nas"


def test_a_session_grown_hand_by_hand_stores_at_most_twice_its_final_size(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session = SyntheticSession(seed=13)
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session, GROWTHS, "compact")
    assert query(database_url, "SELECT count(*) FROM gfx_session_snapshots") == [(GROWTHS,)]
    assert query(database_url, "SELECT count(*) FROM gfx_sessions") == [(1,)]
    assert stored_json_bytes(database_url, session.game_id) <= 2 * final_json_bytes(
        database_url, session.game_id
    )
    compacted = (
        "SELECT count(*) FROM gfx_session_snapshots WHERE compacted_at IS NOT NULL AND prefix_verified"
    )
    assert query(database_url, compacted) == [(GROWTHS - 1,)]


def test_keep_records_the_verdicts_and_drops_nothing(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=14), 5, "keep")
    assert query(database_url, "SELECT count(*) FROM gfx_session_snapshots WHERE raw_json IS NULL") == [(0,)]
    assert query(
        database_url, "SELECT count(*), count(*) FILTER (WHERE prefix_verified) FROM gfx_session_snapshots"
    ) == [(5, 4)]


def test_every_file_hash_stays_accounted_for(gfx_sink: GfxSink, nas_root: Path, database_url: str) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=15), 6, "compact")
    manifest = query(database_url, "SELECT gfx_pc_id, file_hash FROM gfx_file_manifest ORDER BY 2")
    ledger = query(database_url, "SELECT gfx_pc_id, file_hash FROM gfx_session_snapshots ORDER BY 2")
    assert len(ledger) == 6
    assert set(manifest) <= set(ledger)
    newest = "SELECT file_hash FROM gfx_session_snapshots ORDER BY hand_count DESC LIMIT 1"
    assert query(database_url, "SELECT file_hash FROM gfx_sessions") == query(database_url, newest)


def test_latest_view_shows_the_newest_snapshot_after_compaction(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session = SyntheticSession(seed=16)
    with gfx_sink.open() as sink:
        path = grow(sink, nas_root, PC, session, 4, "compact")
    [(hands, raw)] = query(database_url, "SELECT hand_count, raw_json FROM gfx_sessions_latest")
    assert (hands, raw) == (4, json.loads(path.read_bytes()))


def test_a_newer_snapshot_writes_only_its_new_hands(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, session := SyntheticSession(seed=17), 3, "compact")
        before = query(database_url, "SELECT hand_index, updated_at FROM gfx_hands ORDER BY 1")
        grow(sink, nas_root, PC, session, 1, "compact")
    after = query(database_url, "SELECT hand_index, updated_at FROM gfx_hands ORDER BY 1")
    assert after[:3] == before
    assert [index for index, _ in after] == [1, 2, 3, 4]


def test_a_last_hand_still_in_progress_is_rewritten(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    path, in_progress, complete = last_hand_in_progress(nas_root, PC, seed=18)
    with gfx_sink.open() as sink:
        for document in (in_progress, complete):
            path.write_bytes(encode_export(document))
            sync_file(sink, nas_root, PC, path, "compact")
    events = "SELECT count(*) FROM gfx_events e JOIN gfx_hands h ON h.id = e.hand_id WHERE h.hand_index = 3"
    assert query(database_url, events) == [(len(complete["Hands"][2]["Events"]),)]
    kept = (
        "SELECT count(*) FROM gfx_session_snapshots WHERE prefix_verified IS FALSE AND compacted_at IS NULL"
    )
    assert query(database_url, kept) == [(1,)]


def test_a_snapshot_that_is_not_a_prefix_keeps_its_json_and_the_reason(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    session = SyntheticSession(seed=19)
    with gfx_sink.open() as sink:
        path = grow(sink, nas_root, PC, session, 2, "compact")
        rewritten = json.loads(path.read_bytes())
        rewritten["Hands"][0]["HandNum"] = 99  # an earlier hand changed: not an append
        rewritten["Hands"].append(rewritten["Hands"][1])
        path.write_bytes(encode_export(rewritten))
        sync_file(sink, nas_root, PC, path, "compact")
    [(note,)] = query(
        database_url,
        "SELECT prefix_note FROM gfx_session_snapshots WHERE hand_count = 2 AND compacted_at IS NULL",
    )
    assert "not an exact prefix" in note
    assert query(database_url, "SELECT hand_num FROM gfx_hands WHERE hand_index = 1") == [(99,)]


def test_the_compaction_audit_catches_json_dropped_without_a_verified_prefix(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=20), 3, "keep")
        assert audits.compaction_violations(sink, PC) == []
        dropped = "raw_json = NULL, content_digest = NULL, prefix_verified = NULL"
        execute(database_url, f"UPDATE gfx_session_snapshots SET {dropped} WHERE hand_count = 1")
        execute(database_url, "UPDATE gfx_session_snapshots SET prefix_verified = false WHERE hand_count = 2")
        execute(database_url, "UPDATE gfx_session_snapshots SET raw_json = NULL WHERE hand_count = 2")
        problems = audits.compaction_violations(sink, PC)
    assert len(problems) == 2


def test_the_compaction_audit_catches_a_digest_that_is_no_prefix(
    gfx_sink: GfxSink, nas_root: Path, database_url: str
) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=21), 3, "compact")
        assert audits.compaction_violations(sink, PC) == []
        execute(database_url, "UPDATE gfx_session_snapshots SET content_digest = 'x' WHERE hand_count = 1")
        [problem] = audits.compaction_violations(sink, PC)
    assert "not a prefix" in problem


def test_the_hand_audits_catch_a_missing_hand(gfx_sink: GfxSink, nas_root: Path, database_url: str) -> None:
    with gfx_sink.open() as sink:
        grow(sink, nas_root, PC, SyntheticSession(seed=22), 3, "compact")
        assert audits.hand_count_mismatches(sink, PC, audits.hand_positions(sink, PC)) == []
        execute(database_url, "DELETE FROM gfx_hands WHERE hand_index = 2")
        positions = audits.hand_positions(sink, PC)
        assert len(audits.hand_count_mismatches(sink, PC, positions)) == 1
    assert audits.hand_position_gaps(positions) == [
        f"session {list(positions)[0]}: no hand at position(s) [2]"
    ]


def test_a_replayed_sync_changes_nothing(gfx_sink: GfxSink, nas_root: Path, database_url: str) -> None:
    session = SyntheticSession(seed=23)
    with gfx_sink.open() as sink:
        path = grow(sink, nas_root, PC, session, 3, "compact")
        tables = ("gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players", "gfx_session_snapshots")
        before = {t: query(database_url, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
        write_session(path, session)  # the same content written again
        sync_file(sink, nas_root, PC, path, "compact")
    assert {t: query(database_url, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables} == before
