"""Shared fixtures: a real PostgreSQL (the embedded server, or GFX_TEST_DATABASE_URL) and the real fixtures.

Every test that needs a database gets a fresh database cloned from a migrated template, so tests
never see each other's rows and never mock PostgreSQL.
"""

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.embedded_lease import embedded_server_lease
from gfx_assets.lib.common.migrations import load_migrations, migrate
from gfx_assets.lib.common.paths import PROJECT_ROOT, SHARED_FIXTURES
from gfx_assets.lib.common.postgres import ensure_database, stop_embedded_server, with_database
from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets.settings import get_settings
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.supabase_roles import create_supabase_roles
from gfx_assets_tests.support import postgres_sink

REPO_ROOT = PROJECT_ROOT
FIXTURES = SHARED_FIXTURES
TEMPLATE_LOCK = 7_314_021_116
SERVICE_KEY = "sb_secret_test-only-key-0123456789"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The server of GFX_DATABASE_URL if set (tests create their own databases there), else the
    embedded server under .gfx/test. Supabase's roles anon, authenticated and service_role exist on it, so
    that migrations meet them as they would in Supabase.

    The embedded server is held with a lease: the last test session (or xdist worker) using it stops it
    at the end when a session started it; a server already running before is left running."""
    configured = get_settings().database_url
    with ExitStack() as lease:
        if configured:
            url = configured.get_secret_value()
        else:
            url = lease.enter_context(embedded_server_lease(REPO_ROOT / ".gfx" / "test"))
        create_supabase_roles(url)
        yield url


@pytest.fixture(scope="session", autouse=True)
def no_embedded_server_left_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Embedded servers a test started under its tmp_path (a GFX_HOME of its own) are stopped when the
    session ends, should the test itself not have stopped them."""
    yield
    for pid_file in tmp_path_factory.getbasetemp().glob("**/pgdata/postmaster.pid"):
        stop_embedded_server(pid_file.parent.parent)


@pytest.fixture(scope="session")
def template_db(server_url: str) -> str:
    """A migrated template database, named by the migrations' checksums so that concurrent test
    sessions share it and an edited migration gets a new one; created under an advisory lock."""
    digest = hashlib.sha256("".join(m.checksum for m in load_migrations()).encode()).hexdigest()[:12]
    name = f"gfx_test_template_{digest}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (TEMPLATE_LOCK,))
        try:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                building = f"{name}_building"
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(building)))
                migrate(ensure_database(server_url, building))
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(*map(sql.Identifier, (building, name)))
                )
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (TEMPLATE_LOCK,))
    return name


@pytest.fixture
def database_url(server_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database for one test; dropped afterwards."""
    name = f"gfx_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_db)
            )
        )
    yield with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """A fresh database with no migrations applied."""
    name = f"gfx_empty_{uuid.uuid4().hex[:12]}"
    url = ensure_database(server_url, name)
    yield url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["postgres", "supabase_rest"])
def gfx_sink(request: pytest.FixtureRequest, database_url: str) -> Iterator[GfxSink]:
    """Both sinks on the same real database: PostgreSQL directly, and the Supabase REST sink talking
    to the PostgREST-compatible test server. Suites that take this fixture run once per sink."""
    if request.param == "postgres":
        yield postgres_sink(database_url)
        return
    with serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url:
        yield SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY)


@pytest.fixture(scope="session")
def table_gg() -> Path:
    """The real PokerGFX exports of ../shared; missing fixtures fail the test, never skip it."""
    folder = FIXTURES / "table-GG"
    if not folder.is_dir():
        pytest.fail(f"real PokerGFX fixtures are missing: expected {folder} (../shared beside the repo)")
    return folder


@pytest.fixture
def pg_instance(empty_database_url: str) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance on PostgreSQL (a fresh database of the test server), the storage class every
    deployment uses, for tests whose behaviour depends on Dagster's storage."""
    url = empty_database_url.replace(
        "postgresql://", "postgresql+psycopg2://", 1
    )  # dagster-postgres's driver
    storage = {"postgres": {"postgres_url": url}}
    with dg.instance_for_test(overrides={"storage": storage}) as instance:
        yield instance
