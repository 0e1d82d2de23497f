"""The `gfx-assets` command line, run as a user would: `migrate` and `sync` against a configured
PostgreSQL (GFX_DATABASE_URL), on the real fixtures; no embedded server starts when a URL is set."""

from pathlib import Path

import pytest

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.e2e.devserver import gfx
from gfx_assets_tests.support import query, write_registry

PER_PC = "SELECT gfx_pc_id, count(*) FROM {table} GROUP BY 1 ORDER BY 1"
# when each stored content (ledger) and each game's row were last written
WRITTEN = (
    "SELECT gfx_pc_id, file_hash, updated_at FROM gfx_session_snapshots ORDER BY 1, 2",
    "SELECT id, updated_at, processed_at FROM gfx_sessions ORDER BY id",
)


@pytest.fixture
def cli_env(tmp_path: Path, table_gg: Path, database_url: str, empty_database_url: str) -> dict[str, str]:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name, "PC02": table_gg.name})
    return {
        "GFX_HOME": str(tmp_path / "home"),
        "GFX_DATABASE_URL": database_url,
        "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(empty_database_url),
        "GFX_NAS_ROOT": str(table_gg.parent),
        "GFX_PC_REGISTRY": str(registry),
    }


def test_sync_lands_the_fixtures_for_every_pc_and_exits_0(cli_env: dict[str, str], database_url: str) -> None:
    result = gfx(["sync"], cli_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PC01: ok" in result.stdout and "PC02: ok" in result.stdout
    # per PC: 18 files, 17 distinct contents in the ledger, 15 games in gfx_sessions
    assert query(database_url, PER_PC.format(table="gfx_session_snapshots")) == [("PC01", 17), ("PC02", 17)]
    assert query(database_url, PER_PC.format(table="gfx_sessions")) == [("PC01", 15), ("PC02", 15)]


def test_a_second_sync_changes_nothing(cli_env: dict[str, str], database_url: str) -> None:
    gfx(["sync"], cli_env)
    before = [query(database_url, statement) for statement in WRITTEN]
    result = gfx(["sync", "--pc", "PC01"], cli_env)
    assert result.returncode == 0
    assert "PC01: ok, files_scanned 18, new 0" in result.stdout
    assert [query(database_url, statement) for statement in WRITTEN] == before


def test_sync_of_an_unknown_pc_is_a_configuration_error(cli_env: dict[str, str]) -> None:
    result = gfx(["sync", "--pc", "PC99"], cli_env)
    assert result.returncode == 2
    assert result.stderr.strip() == "gfx-assets: --pc: not enabled in the registry: PC99"


def test_no_embedded_server_starts_when_a_database_url_is_set(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert gfx(["migrate"], cli_env).returncode == 0
    assert not (tmp_path / "home" / "pgdata").exists()


def test_migrate_twice_applies_nothing_the_second_time(cli_env: dict[str, str]) -> None:
    result = gfx(["migrate"], cli_env)
    assert result.returncode == 0
    assert "nothing to apply" in result.stdout
