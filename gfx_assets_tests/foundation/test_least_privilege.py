"""A role with DML rights alone (SELECT/INSERT/UPDATE/DELETE on the tables, USAGE but no CREATE on schema
public) runs everything when nothing needs migrating: `migrate` reads the ledger and does nothing, a
sensor tick and a sync run land files. When a migration is pending, it gets one line naming the file
and the role and saying to migrate as the owner, and nothing is created."""

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor
from gfx_assets.lib.common.migrations import MIGRATIONS_DIR, MigrationError, migrate
from gfx_assets_tests.support import execute, nas, postgres_sink, query, seeded_nas, sync

_GRANT_DML = """
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
"""


def _login_url(url: str, role: str, password: str) -> str:
    """`url` with another user and password (the host, database and options stay)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(role)}:{quote(password)}@{host}"))


def _dml_role(server_url: str, database_url: str) -> Iterator[str]:
    """A login role with DML rights on the tables of `database_url`; its URL; dropped afterwards."""
    role, password = f"gfx_dml_{secrets.token_hex(6)}", secrets.token_urlsafe(16)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL(_GRANT_DML).format(role=sql.Identifier(role)))
    try:
        yield _login_url(database_url, role, password)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def dml_url(server_url: str, database_url: str) -> Iterator[str]:
    """A migrated database, as a role with DML rights only."""
    yield from _dml_role(server_url, database_url)


@pytest.fixture
def dml_url_on_empty(server_url: str, empty_database_url: str) -> Iterator[str]:
    """A database no migration ran on, as a role with USAGE on schema public and nothing else."""
    yield from _dml_role(server_url, empty_database_url)


def _role_and_create_right(url: str) -> tuple[str, bool]:
    return query(url, "SELECT current_user::text, has_schema_privilege('public', 'CREATE')")[0]


def test_the_dml_role_may_not_create_in_schema_public(dml_url: str) -> None:
    role, may_create = _role_and_create_right(dml_url)
    assert role.startswith("gfx_dml_")
    assert may_create is False


def test_migrate_is_a_no_op_for_a_role_with_dml_rights_only(dml_url: str) -> None:
    assert migrate(dml_url) == []


def test_a_role_that_may_not_read_the_ledger_is_told_what_to_grant(dml_url: str, database_url: str) -> None:
    role, _ = _role_and_create_right(dml_url)
    execute(database_url, f'REVOKE SELECT ON gfx_schema_migrations FROM "{role}"')
    with pytest.raises(
        MigrationError, match=f"^role {role} may not read gfx_schema_migrations; grant it SELECT"
    ):
        migrate(dml_url)


def test_a_pending_migration_names_the_file_and_the_role_in_one_line(
    dml_url: str, database_url: str, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    (migrations / "0099_extra.sql").write_text("CREATE TABLE gfx_extra (id int);")
    role, _ = _role_and_create_right(dml_url)
    with pytest.raises(MigrationError) as raised:
        migrate(dml_url, migrations)
    assert str(raised.value) == (
        f"migration 0099_extra.sql pending but role {role} may not CREATE in schema public; "
        "run `gfx-assets migrate` as the owner"
    )
    assert query(database_url, "SELECT to_regclass('gfx_extra')") == [(None,)]


def test_a_role_without_create_leaves_an_unmigrated_database_untouched(
    dml_url_on_empty: str, empty_database_url: str
) -> None:
    with pytest.raises(
        MigrationError, match=r"^migration 0001_gfx_sessions\.sql, .* pending but role gfx_dml_"
    ):
        migrate(dml_url_on_empty)
    assert query(
        empty_database_url, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    ) == [(0,)]


def test_a_sensor_tick_needs_dml_rights_only(dml_url: str, tmp_path: Path) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
        resources = {"nas": nas(root), "sink": postgres_sink(dml_url)}
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            result = gfx_nas_sensor(context)
    assert [request.partition_key for request in result.run_requests] == ["PC01"]
    # read from the manifest: a tick the database refused would request the files unverified
    assert not result.run_requests[0].run_key.endswith(":unverified")


def test_a_sync_lands_files_as_a_role_with_dml_rights_only(
    dml_url: str, database_url: str, tmp_path: Path
) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3)
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(root), postgres_sink(dml_url))
    assert result.success
    # the contents landed in the ledger, and its trigger (running as this role) kept the 3 games' rows
    for table in ("gfx_session_snapshots", "gfx_sessions"):
        assert query(database_url, f"SELECT count(*) FROM {table} WHERE gfx_pc_id = 'PC01'") == [(3,)]
    assert query(database_url, "SELECT status, count(*) FROM gfx_file_manifest GROUP BY status") == [
        ("synced", 3)
    ]
