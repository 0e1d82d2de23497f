"""migrations/0006_wsop.sql runs as-is (as in Supabase's SQL editor) and a second time harmlessly,
with row-level security on every table it creates and read-only access for signed-in users."""

import psycopg
import pytest

from gfx_assets.lib.common.paths import MIGRATIONS_DIR
from gfx_assets_tests.supabase_roles import create_supabase_roles, grant_like_supabase
from gfx_assets_tests.wsop.support import query

WSOP_SQL = (MIGRATIONS_DIR / "0006_wsop.sql").read_text()
TABLES = ("wsop_events", "wsop_players", "wsop_chip_counts", "sync_status")


@pytest.fixture
def supabase_like_url(server_url: str, empty_database_url: str) -> str:
    create_supabase_roles(server_url)
    grant_like_supabase(empty_database_url)
    return empty_database_url


def test_the_file_runs_twice_as_it_is(supabase_like_url: str) -> None:
    with psycopg.connect(supabase_like_url, autocommit=True) as conn:
        conn.execute(WSOP_SQL)
        conn.execute(WSOP_SQL)
    assert query(supabase_like_url, "SELECT count(*) FROM v_sync_dashboard") == [(0,)]


def test_every_table_has_row_level_security_and_the_view_runs_as_its_caller(supabase_like_url: str) -> None:
    with psycopg.connect(supabase_like_url, autocommit=True) as conn:
        conn.execute(WSOP_SQL)
    secured = query(supabase_like_url, "SELECT relname FROM pg_class WHERE relrowsecurity ORDER BY relname")
    assert {name for (name,) in secured} >= set(TABLES)
    [(options,)] = query(
        supabase_like_url, "SELECT reloptions FROM pg_class WHERE relname = 'v_sync_dashboard'"
    )
    assert "security_invoker=true" in options


def test_signed_in_users_read_and_anon_gets_nothing(supabase_like_url: str) -> None:
    with psycopg.connect(supabase_like_url, autocommit=True) as conn:
        conn.execute(WSOP_SQL)
        conn.execute(
            "INSERT INTO sync_status (source, entity_type, status) VALUES ('wsop', 'wsop_events', 'success')"
        )
        conn.execute("SET ROLE authenticated")
        assert conn.execute("SELECT entity_type FROM v_sync_dashboard").fetchall() == [("wsop_events",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM wsop_players")
        conn.execute("RESET ROLE")
        conn.execute("SET ROLE anon")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM v_sync_dashboard")
