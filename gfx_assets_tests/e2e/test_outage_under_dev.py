"""The target database down under `gfx-assets dev` while files keep arriving: runs fail and retry
visibly, and once the database is back every file lands exactly once and reconciles."""

import time
from pathlib import Path

import pytest

from gfx_assets.lib.common.postgres import (
    as_sqlalchemy_psycopg2,
    embedded_server_url,
    ensure_database,
    stop_embedded_server,
)
from gfx_assets.lib.nas_sync.reconcile import reconcile
from gfx_assets.lib.nas_sync.scan import scan_folder
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets_tests.e2e.devserver import gfx_dev, wait_for
from gfx_assets_tests.support import query, seeded_nas

PCS = ["PC01", "PC02"]
OUTAGE_SECONDS = 45
DUPLICATES = "SELECT count(*) - count(DISTINCT (gfx_pc_id, file_hash)) FROM gfx_sessions"
RETRIES = "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'STEP_UP_FOR_RETRY'"
RETRIES = "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'STEP_UP_FOR_RETRY'"


def _count(url: str) -> int:
    return query(url, "SELECT count(*) FROM gfx_sessions")[0][0]


def _arrive(nas_root: Path, pc: str, seed: int) -> None:
    session = SyntheticSession(seed)
    session.add_hand()
    write_session(nas_root / pc / "1122" / session.file_name, session)


@pytest.fixture
def target(tmp_path: Path) -> str:
    """The target PostgreSQL: its own embedded server, so the test can stop it under Dagster."""
    yield ensure_database(embedded_server_url(tmp_path / "target"), "gfx")
    stop_embedded_server(tmp_path / "target")


def test_files_arriving_during_an_outage_land_once_it_ends(tmp_path: Path, target: str) -> None:
    home, nas_root = tmp_path / "home", seeded_nas(tmp_path / "nas", PCS, sessions_per_pc=2)
    dagster_db = ensure_database(embedded_server_url(home), "dagster")
    env = {
        "GFX_HOME": str(home),
        "GFX_DATABASE_URL": target,
        "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(dagster_db),
        "GFX_NAS_ROOT": str(nas_root),
    }
    with gfx_dev(env):
        wait_for(lambda: _count(target) == 4, 180, "the first sync")
        stop_embedded_server(tmp_path / "target")
        for seed in range(3):
            _arrive(nas_root, PCS[seed % 2], 500 + seed)
            time.sleep(OUTAGE_SECONDS / 3)
        wait_for(lambda: query(dagster_db, RETRIES)[0][0] > 0, 120, "a visible retry in the run log")
        embedded_server_url(tmp_path / "target")  # the database is back
        wait_for(lambda: _count(target) == 7, 240, "the files written during the outage")
    assert query(target, DUPLICATES) == [(0,)]
    sink = PostgresSink(target)
    try:
        for pc in PCS:
            files = scan_folder(nas_root, pc)
            result = reconcile(sink, nas_root, pc, files, in_flight_after_ns=time.time_ns())
            assert (result.accounted, result.missing) == (result.files, [])
    finally:
        sink.close()
