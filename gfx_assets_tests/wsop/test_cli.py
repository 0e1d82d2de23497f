"""`gfx-assets wsop-sync`, run as a user would: one summary line per table and exit 0; a re-run reads
only the lookback window and writes nothing; without GFX_WSOP_SOURCE_URL, exit 2 naming it."""

from pathlib import Path

import pytest

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.e2e.devserver import gfx
from gfx_assets_tests.wsop.support import assert_same_rows


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, empty_database_url: str) -> dict[str, str]:
    return {
        "GFX_HOME": str(tmp_path / "home"),
        "GFX_DATABASE_URL": database_url,
        "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(empty_database_url),
    }


def test_wsop_sync_copies_the_source_and_prints_a_summary(
    cli_env: dict[str, str], source_url: str, database_url: str
) -> None:
    result = gfx(["wsop-sync"], {**cli_env, "GFX_WSOP_SOURCE_URL": source_url})

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "wsop_events: ok, read 5, upserted 5, unchanged 0, rows in the table 5",
        "wsop_players: ok, read 200, upserted 200, unchanged 0, rows in the table 200",
        "wsop_event_players: ok, read 500, upserted 500, unchanged 0, rows in the table 500",
        "wsop_chip_counts: ok, read 1000, upserted 1000, unchanged 0, rows in the table 1000",
    ]
    assert_same_rows(source_url, database_url)


def test_wsop_sync_without_a_source_url_exits_2_naming_the_setting(cli_env: dict[str, str]) -> None:
    result = gfx(["wsop-sync"], cli_env)

    assert result.returncode == 2
    assert "GFX_WSOP_SOURCE_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1
