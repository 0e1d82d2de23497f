"""migrations/0009_wsop_event_players.sql runs as-is after 0006 (as in Supabase's SQL editor) and a second
time harmlessly; it gives wsop_event_players production's columns, types, status enum and indexes (the
same as the sample WSOP+ source), and row-level security like the other WSOP tables: signed-in users
read, anon gets nothing."""

import psycopg
import pytest

from gfx_assets.lib.common.paths import MIGRATIONS_DIR
from gfx_assets_tests.supabase_roles import grant_like_supabase
from gfx_assets_tests.wsop.support import query

WSOP_SQL = (MIGRATIONS_DIR / "0006_wsop.sql").read_text()
EVENT_PLAYERS_SQL = (MIGRATIONS_DIR / "0009_wsop_event_players.sql").read_text()
COLUMN_TYPES = """SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
                  WHERE attrelid = 'wsop_event_players'::regclass AND attnum > 0 AND NOT attisdropped
                  ORDER BY attnum"""
STATUSES = "SELECT enum_range(NULL::wsop_player_status)::text"
PRODUCTION_INDEXES = """SELECT indexname::text, indexdef FROM pg_indexes
                        WHERE tablename = 'wsop_event_players' AND indexname LIKE 'idx%'
                          AND indexname <> 'idx_wsop_event_players_eliminated_by'
                        ORDER BY indexname"""


@pytest.fixture
def supabase_like_url(empty_database_url: str) -> str:
    """An empty database granted as Supabase grants a new project, with 0006 applied (the roles exist on
    the test server: see conftest)."""
    grant_like_supabase(empty_database_url)
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        conn.execute(WSOP_SQL)
    return empty_database_url


def test_the_file_runs_twice_as_it_is(supabase_like_url: str) -> None:
    with psycopg.connect(supabase_like_url, autocommit=True) as conn:
        conn.execute(EVENT_PLAYERS_SQL)
        conn.execute(EVENT_PLAYERS_SQL)
    assert query(supabase_like_url, "SELECT count(*) FROM wsop_event_players") == [(0,)]
    assert query(supabase_like_url, "SELECT count(*) FROM pg_type WHERE typname = 'wsop_player_status'") == [
        (1,)
    ]


def test_the_columns_types_and_statuses_are_the_source_s(database_url: str, source_url: str) -> None:
    target_columns = query(database_url, COLUMN_TYPES)
    assert len(target_columns) == 23
    assert target_columns == query(source_url, COLUMN_TYPES)
    assert query(database_url, STATUSES) == [("{registered,active,eliminated,winner}",)]
    assert query(database_url, STATUSES) == query(source_url, STATUSES)


def test_production_s_indexes_are_the_source_s(database_url: str, source_url: str) -> None:
    target_indexes = query(database_url, PRODUCTION_INDEXES)
    assert len(target_indexes) == 7
    assert target_indexes == query(source_url, PRODUCTION_INDEXES)


def test_the_table_has_row_level_security_and_signed_in_users_read_it_and_anon_nothing(
    supabase_like_url: str,
) -> None:
    with psycopg.connect(supabase_like_url, autocommit=True) as conn:
        conn.execute(EVENT_PLAYERS_SQL)
        assert conn.execute(
            "SELECT relrowsecurity FROM pg_class WHERE relname = 'wsop_event_players'"
        ).fetchall() == [(True,)]
        conn.execute("SET ROLE authenticated")
        assert conn.execute("SELECT count(*) FROM wsop_event_players").fetchall() == [(0,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM wsop_event_players")
        conn.execute("RESET ROLE")
        conn.execute("SET ROLE anon")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM wsop_event_players")
