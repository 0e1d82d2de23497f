"""Bad input: every kind of bad file is recorded with its reason, the good files beside it land,
the run succeeds, and a file still being written is left for later instead of being rejected."""

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.resources import GfxSink, NasResource
from gfx_assets_tests.support import (
    materialization_metadata,
    nas,
    query,
    reconciliation,
    refuse_session_rows,
    sync,
    write_registry,
)

HOUR_AGO = time.time() - 3600
BAD_FILES = {
    "empty_file": ("empty.json", b""),
    "invalid_encoding": ("latin1.json", b'{"ID": 1, "EventTitle": "caf\xe9"}'),
    "invalid_json": ("broken.json", b'{"ID": 1,, "Hands": []}'),
    "not_an_object": ("list.json", b"[1, 2, 3]"),
    "non_finite_number": ("nan.json", b'{"ID": 1, "Hands": [], "AnteAmt": NaN}'),
    "nul_character": ("nul.json", b'{"ID": 1, "EventTitle": "a\\u0000b"}'),
    "too_large": ("large.json", b'{"ID": 1, "Pad": "' + b"x" * 200_000 + b'"}'),
    "missing_session_id": ("no-id.json", b'{"Hands": []}'),
    "value_out_of_range": ("huge-id.json", b'{"ID": 99999999999999999999, "Hands": []}'),
}


def _write(path: Path, content: bytes, mtime: float = HOUR_AGO) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))


def _good_file(folder: Path, seed: int, hands: int = 3) -> Path:
    session = SyntheticSession(seed)
    for _ in range(hands):
        session.add_hand()
    path = folder / session.file_name
    write_session(path, session)
    os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path


@pytest.fixture
def pc_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "nas" / "PC01" / "1021"
    for seed in range(3):
        _good_file(folder, seed)
    return folder


# contents stored in the ledger (what "landed" means), games in gfx_sessions; each file here is its own game
STORED = "SELECT (SELECT count(*) FROM gfx_session_snapshots), (SELECT count(*) FROM gfx_sessions)"
STORED_OF_GAME = (
    "SELECT (SELECT count(*) FROM gfx_session_snapshots WHERE session_id = %s),"
    " (SELECT count(*) FROM gfx_sessions WHERE session_id = %s)"
)


def _sync(tmp_path: Path, gfx_sink: GfxSink, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return sync(instance, "PC01", _nas(tmp_path), gfx_sink)


def _nas(tmp_path: Path) -> NasResource:
    registry = write_registry(tmp_path / "registry.json", {"PC01": "PC01"})
    return nas(tmp_path / "nas", registry, max_file_bytes=100_000)


def test_each_bad_file_is_recorded_with_its_reason_and_the_good_files_land(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    for name, content in BAD_FILES.values():
        _write(pc_folder / name, content)
    with dg.instance_for_test() as instance:
        result = _sync(tmp_path, gfx_sink, instance)
    assert result.success
    assert query(database_url, STORED) == [(3, 3)]
    recorded = dict(query(database_url, "SELECT reason, nas_path FROM gfx_rejected_files"))
    assert recorded == {reason: f"PC01/1021/{name}" for reason, (name, _) in BAD_FILES.items()}
    assert materialization_metadata(result)["rejected"] == len(BAD_FILES)
    assert reconciliation(result).passed


def test_a_rejection_carries_a_readable_detail(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    _write(pc_folder / "broken.json", BAD_FILES["invalid_json"][1])
    with dg.instance_for_test() as instance:
        _sync(tmp_path, gfx_sink, instance)
    [(detail,)] = query(database_url, "SELECT detail FROM gfx_rejected_files")
    assert "line 1" in detail


def test_a_truncated_file_still_being_written_is_left_for_a_later_run(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    good = _good_file(pc_folder.parent / "1022", seed=9)
    _write(good, good.read_bytes()[:500], mtime=time.time() - 5)
    with dg.instance_for_test() as instance:
        result = _sync(tmp_path, gfx_sink, instance)
    assert result.success
    assert materialization_metadata(result)["still_being_written"] == 1
    assert query(database_url, "SELECT count(*) FROM gfx_rejected_files") == [(0,)]
    assert query(
        database_url, "SELECT count(*) FROM gfx_file_manifest WHERE nas_path LIKE 'PC01/1022/%%'"
    ) == [(0,)]


def test_a_rejected_file_that_becomes_valid_lands_and_its_rejection_is_cleared(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    session = SyntheticSession(42)
    session.add_hand()
    path = pc_folder / session.file_name
    _write(path, session.to_json_bytes()[:-1])
    with dg.instance_for_test() as instance:
        _sync(tmp_path, gfx_sink, instance)
        assert query(database_url, "SELECT reason FROM gfx_rejected_files") == [("invalid_json",)]
        _write(path, session.to_json_bytes(), mtime=HOUR_AGO + 60)
        assert _sync(tmp_path, gfx_sink, instance).success
    assert query(database_url, "SELECT count(*) FROM gfx_rejected_files") == [(0,)]
    assert query(database_url, STORED_OF_GAME, session.game_id, session.game_id) == [(1, 1)]


def test_source_files_are_never_changed(pc_folder: Path, tmp_path: Path, gfx_sink: GfxSink) -> None:
    for name, content in BAD_FILES.values():
        _write(pc_folder / name, content)
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in pc_folder.iterdir()}
    with dg.instance_for_test() as instance:
        _sync(tmp_path, gfx_sink, instance)
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in pc_folder.iterdir()} == before


def test_a_row_the_database_refuses_does_not_keep_the_rest_of_its_chunk_out(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    refused = _good_file(pc_folder, seed=7)
    game_id = int(refused.stem.split("=")[1])
    refuse_session_rows(database_url, game_id)
    with dg.instance_for_test() as instance:
        result = _sync(tmp_path, gfx_sink, instance)
    assert result.success
    assert query(database_url, STORED) == [(3, 3)]
    assert query(database_url, "SELECT reason, nas_path FROM gfx_rejected_files") == [
        ("database_rejected", f"PC01/1021/{refused.name}")
    ]


def test_a_file_name_that_is_not_utf8_is_stored_with_escapes_and_synced_once(
    pc_folder: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    session = SyntheticSession(11)
    session.add_hand()
    name = os.fsdecode(b"PGFX_live_data_export caf\xe9.json")
    _write(pc_folder / name, session.to_json_bytes())
    with dg.instance_for_test() as instance:
        first = _sync(tmp_path, gfx_sink, instance)
        second = _sync(tmp_path, gfx_sink, instance)
    assert first.success and second.success
    assert materialization_metadata(second)["files_considered"] == 0
    escaped = ("PC01/1021/PGFX_live_data_export caf\\xe9.json",)
    for table in ("gfx_session_snapshots", "gfx_sessions"):  # one content, one game
        stored = query(database_url, f"SELECT nas_path FROM {table} WHERE session_id = %s", session.game_id)
        assert stored == [escaped]
    assert reconciliation(second).passed
