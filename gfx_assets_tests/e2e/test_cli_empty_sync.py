"""`gfx-assets sync` run as a user would when there is little or nothing to do: a PC whose settled
files are all synced gets no Dagster run, so a sync with nothing new never opens Dagster's storage (an
unreachable one does not matter), while a PC with a new file still gets its run, recorded in Dagster's
storage and so shown in the UI."""

import time
from pathlib import Path

import pytest

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets_tests.e2e.devserver import free_port, gfx
from gfx_assets_tests.support import query, seeded_nas

PARTITION_RUNS = "SELECT value, count(*) FROM run_tags WHERE key = 'dagster/partition' GROUP BY 1 ORDER BY 1"


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, empty_database_url: str) -> dict[str, str]:
    return {
        "GFX_HOME": str(tmp_path / "home"),
        "GFX_DATABASE_URL": database_url,
        "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(empty_database_url),
        "GFX_NAS_ROOT": str(seeded_nas(tmp_path / "nas", ["PC01", "PC02"], sessions_per_pc=2)),
    }


def test_a_sync_with_nothing_new_starts_no_run_and_never_opens_dagsters_storage(
    cli_env: dict[str, str],
) -> None:
    assert gfx(["sync"], cli_env).returncode == 0
    unreachable = as_sqlalchemy_psycopg2(f"postgresql://gfx@127.0.0.1:{free_port()}/dagster")
    result = gfx(["sync"], {**cli_env, "GFX_DAGSTER_STORAGE_URL": unreachable})
    assert result.returncode == 0, result.stderr
    for pc in ("PC01", "PC02"):
        assert f"{pc}: ok, files_scanned 2, new 0, unchanged 2" in result.stdout
    assert result.stdout.count("nothing new, no run started") == 2


def test_a_new_file_gets_its_pc_a_run_recorded_in_dagsters_storage(
    cli_env: dict[str, str], empty_database_url: str, database_url: str
) -> None:
    assert gfx(["sync"], cli_env).returncode == 0
    assert query(empty_database_url, PARTITION_RUNS) == [("PC01", 1), ("PC02", 1)]
    session = SyntheticSession(77)
    session.add_hand()
    path = Path(cli_env["GFX_NAS_ROOT"]) / "PC02" / "1121" / session.file_name
    write_session(path, session)
    time.sleep(1.1)  # settled (GFX_SETTLE_SECONDS, 1 s)
    result = gfx(["sync"], cli_env)
    assert result.returncode == 0, result.stderr
    assert "PC01: ok, files_scanned 2, new 0, unchanged 2" in result.stdout
    assert "PC02: ok, files_scanned 3, new 1" in result.stdout
    assert query(empty_database_url, PARTITION_RUNS) == [("PC01", 1), ("PC02", 2)]
    assert query(
        database_url, "SELECT count(*) FROM gfx_sessions WHERE session_id = %s", session.game_id
    ) == [(1,)]
