"""gfx_nas_sensor's cheap ticks: the cursor's `synced` digest per PC (the settled file set the manifest
last held completely) spares the manifest query while a PC's files stay the same; a changed PC asks
only for the files not yet seen synced; and a file rewritten in place in a folder that had been quiet
for the quiet period is requested once that folder's periodic full rescan comes round."""

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_ingest.sensor_ticks import new_session, requested_files, requests_by_pc, tick
from gfx_assets_tests.support import execute, nas, sync

TWO_HOURS_AGO = time.time() - 7200


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    """Two PCs whose folders and files were last written two hours ago: quiet."""
    root = tmp_path / "nas"
    seed_nas(root, ["PC01", "PC02"], sessions_per_pc=2, hands=(1, 3))
    for path in [*(root / "PC01").rglob("*"), *(root / "PC02").rglob("*"), root / "PC01", root / "PC02"]:
        os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))
    return root


@pytest.fixture
def instance(pg_instance: dg.DagsterInstance) -> dg.DagsterInstance:
    """On PostgreSQL, as deployed: the sensor's look-ups of runs and its cursor go to Dagster's storage."""
    pg_instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01", "PC02"])
    return pg_instance


@pytest.fixture
def synced_cursor(instance, nas_root: Path, gfx_sink: GfxSink) -> str:
    """The cursor of a tick after both PCs were synced."""
    for pc in ("PC01", "PC02"):
        assert sync(instance, pc, nas(nas_root), gfx_sink).success
    return tick(instance, nas_root, gfx_sink).cursor


def test_a_pc_is_recorded_as_synced_once_the_manifest_holds_all_its_files(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    assert json.loads(tick(instance, nas_root, gfx_sink).cursor)["synced"] == {}
    assert sync(instance, "PC01", nas(nas_root), gfx_sink).success
    synced = json.loads(tick(instance, nas_root, gfx_sink).cursor)["synced"]
    assert set(synced) == {"PC01"}
    assert len(synced["PC01"]) == 16  # a digest, never a file list: the UI shows the cursor


def test_a_pc_whose_files_match_its_synced_digest_is_not_looked_up_in_the_manifest(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str, synced_cursor: str
) -> None:
    execute(database_url, "DELETE FROM gfx_file_manifest")  # only a lookup would notice
    assert not tick(instance, nas_root, gfx_sink, cursor=synced_cursor).run_requests
    assert set(requests_by_pc(tick(instance, nas_root, gfx_sink))) == {"PC01", "PC02"}  # no digest: looked up


def test_a_new_file_is_looked_up_alone_not_with_the_files_already_seen_synced(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str, synced_cursor: str
) -> None:
    execute(database_url, "DELETE FROM gfx_file_manifest WHERE gfx_pc_id = 'PC01'")
    new = new_session(nas_root / "PC01" / "1101", seed=5)
    [request] = tick(instance, nas_root, gfx_sink, cursor=synced_cursor).run_requests
    assert requested_files(request) == [new.relative_to(nas_root).as_posix()]


def test_a_new_file_then_synced_moves_the_synced_digest(
    instance, nas_root: Path, gfx_sink: GfxSink, synced_cursor: str
) -> None:
    new_session(nas_root / "PC01" / "1101", seed=5)
    assert set(requests_by_pc(tick(instance, nas_root, gfx_sink, cursor=synced_cursor))) == {"PC01"}
    assert sync(instance, "PC01", nas(nas_root), gfx_sink).success
    after = tick(instance, nas_root, gfx_sink, cursor=synced_cursor)
    assert not after.run_requests
    before, now = json.loads(synced_cursor)["synced"], json.loads(after.cursor)["synced"]
    assert now["PC01"] != before["PC01"] and now["PC02"] == before["PC02"]


def test_a_file_rewritten_in_place_in_a_quiet_folder_is_requested_at_the_folders_rescan(
    instance, nas_root: Path, gfx_sink: GfxSink, synced_cursor: str
) -> None:
    path = next((nas_root / "PC01").rglob("*.json"))
    path.write_bytes(path.read_bytes() + b" ")  # in place, as PokerGFX writes: the folder mtime stays
    os.utime(path, (time.time() - 30, time.time() - 30))
    assert not tick(instance, nas_root, gfx_sink, cursor=synced_cursor).run_requests  # not stat'ed yet
    rescan = tick(instance, nas_root, gfx_sink, cursor=synced_cursor, rescan_seconds=0)
    [request] = rescan.run_requests
    assert requested_files(request) == [path.relative_to(nas_root).as_posix()]
