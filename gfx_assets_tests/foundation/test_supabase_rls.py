"""Supabase security (migrations/0005_supabase_rls.sql, and 0007's section for the hand tables and the
snapshot ledger) on a real PostgreSQL set up as a Supabase project:
the roles anon, authenticated and service_role, and Supabase's default grants made before migrating.

Covers: every table in schema public has row-level security and every view runs as its caller (so a
later migration that forgets it fails here); anon may read or write nothing, even if privileges were
granted again; authenticated reads every row of the read models (the hand tables included) and writes
nothing, and cannot read the bookkeeping (the snapshot ledger included); service_role writes; the REST
sink, running as service_role as PostgREST does, still lands a sync with its hands; the migration also
runs on a plain PostgreSQL where the Supabase roles do not exist; the functions of 0011 give the API roles
nothing their own rights refuse."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.postgres import (
    embedded_server_url,
    ensure_database,
    stop_embedded_server,
    with_database,
)
from gfx_assets.resources import SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.gfx_hands.support import sync_with_hands
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.supabase_roles import grant_like_supabase
from gfx_assets_tests.support import execute, nas, postgres_sink, query, seeded_nas

TABLES = [
    "gfx_sessions",
    "gfx_file_manifest",
    "gfx_rejected_files",
    "gfx_sync_failures",
    "sync_events",
    "gfx_schema_migrations",
    "gfx_hands",
    "gfx_hand_players",
    "gfx_events",
    "gfx_players",
    "gfx_session_snapshots",
]
TRUE = {"true", "on", "yes", "1"}  # how PostgreSQL may store a boolean reloption
HAND_TABLES = ["gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players"]
READ_MODELS = ["gfx_sessions", "gfx_sessions_latest", "pc_status", *HAND_TABLES]
BOOKKEEPING = ["gfx_file_manifest", "gfx_sync_failures", "gfx_schema_migrations", "gfx_session_snapshots"]
WRITES = {
    "insert": "INSERT INTO gfx_sessions (gfx_pc_id, file_hash, raw_json) VALUES ('PC09', 'h', '{}')",
    "update": "UPDATE gfx_sessions SET event_title = 'changed'",
    "delete": "DELETE FROM gfx_sessions",
    "truncate": "TRUNCATE gfx_sessions",  # not subject to RLS: only a revoked privilege stops it
    "manifest": "INSERT INTO gfx_file_manifest VALUES ('PC09', 'p', 1, now(), 'h', 'synced', now())",
    "hand_update": "UPDATE gfx_hands SET hand_num = 0",
    "hand_delete": "DELETE FROM gfx_hands",
    "seat_update": "UPDATE gfx_hand_players SET player_name = 'changed'",
    "event_delete": "DELETE FROM gfx_events",
    "player_insert": "INSERT INTO gfx_players (player_hash, name) VALUES ('x', 'x')",
    "ledger_update": "UPDATE gfx_session_snapshots SET hands_loaded_at = NULL",
    "hand_truncate": "TRUNCATE gfx_hands CASCADE",
}
IN_PUBLIC = "relnamespace = 'public'::regnamespace AND relkind NOT IN ('i', 'I', 'S', 'c')"
RELATIONS = f"""
    SELECT relname::text, relkind::text, relrowsecurity, coalesce(reloptions, '{{}}')
    FROM pg_class WHERE {IN_PUBLIC}
"""
ANON_GRANTED = f"""
    SELECT relname::text FROM pg_class WHERE {IN_PUBLIC}
      AND has_table_privilege('anon', oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
"""


@pytest.fixture(scope="module")
def supabase_template(server_url: str) -> Iterator[str]:
    """A database granted as Supabase grants a new project (the roles exist: see conftest), then migrated;
    built once for the module, each test gets a copy of it (`supabase_url`)."""
    with _scratch_database(server_url, "gfx_rls_migrated") as url:
        grant_like_supabase(url)
        migrate(url)
        yield url


@pytest.fixture(scope="module")
def synced_template(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Granted and migrated as above, then a sync of three files of PC01 with their hands, done by the
    owner; built once for the module, each test gets a copy of it (`synced_url`)."""
    with _scratch_database(server_url, "gfx_rls_synced") as url:
        grant_like_supabase(url)
        migrate(url)
        root = seeded_nas(tmp_path_factory.mktemp("rls") / "nas", ["PC01"], 3)
        with dg.instance_for_test() as instance:
            assert sync_with_hands(instance, "PC01", nas(root), postgres_sink(url)).success
        yield url


@pytest.fixture
def supabase_url(server_url: str, supabase_template: str) -> Iterator[str]:
    with _copy_of(server_url, supabase_template) as url:
        yield url


@pytest.fixture
def synced_url(server_url: str, synced_template: str) -> Iterator[str]:
    with _copy_of(server_url, synced_template) as url:
        yield url


@contextmanager
def _scratch_database(server_url: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A new database (empty, or a copy of `template`: CREATE DATABASE ... TEMPLATE copies its rows,
    grants and policies), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    with psycopg.connect(server_url, autocommit=True) as conn:
        if template:  # a copy needs the template to have no session open
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (template,)
            )
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(create)
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def _copy_of(server_url: str, template_url: str) -> Iterator[str]:
    with _scratch_database(server_url, "gfx_rls", conninfo_to_dict(template_url)["dbname"]) as url:
        yield url


def _as_role(url: str, role: str, *statements: str) -> list[tuple[Any, ...]]:
    """Run `statements` as `role` (SET ROLE, as PostgREST does) in a transaction that is rolled back;
    the rows of the last one."""
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        for statement in statements:
            cursor = conn.execute(statement)
        rows = cursor.fetchall() if cursor.description else []
        conn.rollback()
    return rows


def _options(reloptions: list[str]) -> dict[str, str]:
    return dict(option.split("=", 1) for option in reloptions)


def test_every_table_in_public_has_row_level_security(supabase_url: str) -> None:
    relations = query(supabase_url, RELATIONS)
    unprotected = [name for name, kind, rls, _ in relations if kind in ("r", "p") and not rls]
    assert {name for name, kind, *_ in relations if kind == "r"} >= set(TABLES)
    assert unprotected == []


def test_every_view_in_public_runs_as_its_caller(supabase_url: str) -> None:
    views = {
        name: _options(options) for name, kind, _, options in query(supabase_url, RELATIONS) if kind == "v"
    }
    assert set(views) >= {"gfx_sessions_latest", "pc_status"}
    caller = {name for name, options in views.items() if options.get("security_invoker", "").lower() in TRUE}
    assert set(views) - caller == set()


def test_public_holds_nothing_that_row_level_security_cannot_protect(supabase_url: str) -> None:
    """Materialized views and foreign tables have no RLS and PostgREST would expose them."""
    assert [name for name, kind, *_ in query(supabase_url, RELATIONS) if kind not in ("r", "p", "v")] == []


def test_anon_holds_no_privilege_on_any_table_or_view(supabase_url: str) -> None:
    assert query(supabase_url, ANON_GRANTED) == []


def test_every_table_admits_roles_other_than_anon_and_authenticated_by_a_policy(supabase_url: str) -> None:
    """A runtime role with DML grants alone must not need BYPASSRLS (see test_least_privilege.py)."""
    admitted = query(
        supabase_url, "SELECT tablename::text FROM pg_policies WHERE roles = '{public}' AND cmd = 'ALL'"
    )
    tables = [name for name, kind, *_ in query(supabase_url, RELATIONS) if kind in ("r", "p")]
    assert sorted(tables) == sorted(name for (name,) in admitted)


def test_no_policy_names_anon(supabase_url: str) -> None:
    assert query(supabase_url, "SELECT policyname FROM pg_policies WHERE 'anon' = ANY(roles)") == []


@pytest.mark.parametrize("relation", TABLES + ["gfx_sessions_latest", "pc_status"])
def test_anon_is_refused_reading(synced_url: str, relation: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(synced_url, "anon", f"SELECT * FROM {relation}")


def test_anon_sees_no_row_even_when_select_is_granted_again(synced_url: str) -> None:
    execute(synced_url, "GRANT SELECT ON gfx_sessions, gfx_sessions_latest TO anon")
    assert _as_role(synced_url, "anon", "SELECT count(*) FROM gfx_sessions") == [(0,)]
    assert _as_role(synced_url, "anon", "SELECT count(*) FROM gfx_sessions_latest") == [(0,)]
    assert query(synced_url, "SELECT count(*) FROM gfx_sessions") == [(3,)]


def test_authenticated_reads_every_row_of_the_read_models(synced_url: str) -> None:
    statements = {relation: f"SELECT count(*) FROM {relation}" for relation in READ_MODELS}
    seen = {
        relation: _as_role(synced_url, "authenticated", sql)[0][0] for relation, sql in statements.items()
    }
    assert seen == {
        relation: query(synced_url, sql)[0][0] for relation, sql in statements.items()
    }  # the owner's
    assert (seen["gfx_sessions"], seen["gfx_sessions_latest"], seen["pc_status"]) == (3, 3, 1)
    assert all(seen[table] > 0 for table in HAND_TABLES)
    status = _as_role(synced_url, "authenticated", "SELECT gfx_pc_id, total_sessions FROM pc_status")
    assert status == [("PC01", 3)]


@pytest.mark.parametrize("relation", BOOKKEEPING)
def test_authenticated_is_refused_reading_the_bookkeeping(synced_url: str, relation: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(synced_url, "authenticated", f"SELECT * FROM {relation}")


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_authenticated_is_refused_writing(synced_url: str, write: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(synced_url, "authenticated", write)


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_api_roles_cannot_recount_players_through_the_hand_load_function(
    synced_url: str, role: str
) -> None:
    players = ",".join(str(player_id) for (player_id,) in query(synced_url, "SELECT id FROM gfx_players"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(synced_url, role, f"SELECT gfx_recount_players('{{{players}}}'::uuid[], now())")


def test_anon_cannot_count_a_pcs_rows_through_the_hand_load_function(synced_url: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(synced_url, "anon", "SELECT gfx_pc_row_counts('PC01')")


def test_authenticated_inserts_are_refused_by_policy_even_when_insert_is_granted_again(
    synced_url: str,
) -> None:
    execute(synced_url, "GRANT INSERT ON gfx_sessions TO authenticated")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _as_role(synced_url, "authenticated", WRITES["insert"])


def test_service_role_writes_and_reads_every_table(synced_url: str) -> None:
    counts = _as_role(
        synced_url,
        "service_role",
        WRITES["insert"],
        WRITES["manifest"],
        "INSERT INTO sync_events (event_type, gfx_pc_id) VALUES ('sync', 'PC09')",
        "INSERT INTO gfx_sync_failures (gfx_pc_id, nas_path, run_id) VALUES ('PC09', 'p', 'r')",
        """SELECT (SELECT count(*) FROM gfx_sessions), (SELECT count(*) FROM gfx_file_manifest),
                  (SELECT count(*) FROM sync_events WHERE gfx_pc_id = 'PC09'),
                  (SELECT count(*) FROM gfx_sync_failures),
                  (SELECT count(*) > 0 FROM gfx_schema_migrations)""",
    )
    assert counts == [(4, 4, 1, 1, True)]


def test_the_rest_sink_running_as_service_role_lands_a_sync(supabase_url: str, tmp_path: Path) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3)
    app = create_app(supabase_url, service_key=SERVICE_KEY, role="service_role")
    with serve(app) as base_url, dg.instance_for_test() as instance:
        result = sync_with_hands(
            instance, "PC01", nas(root), SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY)
        )
    assert result.success
    assert query(supabase_url, "SELECT count(*) FROM gfx_sessions") == [(3,)]
    assert query(
        supabase_url, "SELECT count(*) FROM gfx_session_snapshots WHERE hands_loaded_at IS NOT NULL"
    ) == [(3,)]
    assert query(supabase_url, "SELECT count(*) > 0 FROM gfx_events") == [(True,)]
    assert query(supabase_url, "SELECT count(*) FROM gfx_file_manifest WHERE status = 'synced'") == [(3,)]
    assert any(seen.method == "POST" and seen.status == 201 for seen in app.state.requests)


@pytest.fixture
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL of its own, without Supabase's roles."""
    home = tmp_path_factory.mktemp("plain")
    try:
        yield ensure_database(embedded_server_url(home), "gfx")
    finally:
        stop_embedded_server(home)


def test_the_migration_runs_on_plain_postgresql_without_supabase_roles(plain_server: str) -> None:
    assert query(
        plain_server, "SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated')"
    ) == [(0,)]
    assert "0005_supabase_rls.sql" in migrate(plain_server)
    relations = query(plain_server, RELATIONS)
    assert [name for name, kind, rls, _ in relations if kind in ("r", "p") and not rls] == []
    assert {name for name, kind, rls, _ in relations if rls} >= set(TABLES)
    assert query(plain_server, "SELECT policyname FROM pg_policies WHERE roles <> '{public}'") == []
