"""A flaky sink: whole syncs of a few hundred files converge, request by request, with nothing lost
and nothing twice, on the real PostgreSQL (never a mock).

Covers: the REST sink against a PostgREST server answering 429 to the first 3 requests and 503 to
every 7th (an in-process materialize with no step retry allowed, and the `gfx-assets sync` CLI);
the PostgreSQL sink while its connections are terminated from another session mid-run; INSERT on
the ledger gfx_session_snapshots (where the sync writes every content) revoked for a few seconds from the
(non-owner) role the sink runs as, on both sinks: retried until the GRANT, never recorded as a rejected
file."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets.resources import GfxDatabase, GfxSink, PostgresSinkResource, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.e2e.devserver import gfx
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.postgrest_gateway import Faults
from gfx_assets_tests.support import nas, query, seeded_nas, sync

FILES = 220
CLI_FILES = 60  # the CLI's run also loads the hand tables, several requests per file, at default backoff
REVOKED_SECONDS = 3.0
KILL_EVERY_SECONDS = 0.1
RETRY = dg.DagsterEventType.STEP_UP_FOR_RETRY


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=FILES, hands=(1, 1))


@pytest.fixture
def cli_nas_root(tmp_path: Path) -> Path:
    return seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=CLI_FILES, hands=(1, 1))


def flaky_faults() -> Faults:
    """The first 3 requests answer 429 (Retry-After: 1), then every 7th request answers 503."""
    return Faults(status_for_next=[(429, {"Retry-After": "1"})] * 3, status_every=(7, 503, {}))


# Small chunks (many requests), a short backoff, and no step retry: only the sink itself may retry.
FLAKY_SETTINGS = {"batch_size": 10, "request_backoff_seconds": 0.05, "max_retries": 0}


def rest_sink(base_url: str) -> SupabaseSinkResource:
    return SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY, **FLAKY_SETTINGS)


def direct_sink(database_url: str) -> PostgresSinkResource:
    return PostgresSinkResource(database=GfxDatabase(url=database_url), **FLAKY_SETTINGS)


def synced(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance) -> bool:
    """The sync step succeeded at its first attempt (the reconciliation check is tested elsewhere)."""
    kinds = [entry.dagster_event_type for entry in instance.all_logs(result.run_id)]
    return result.is_node_success("gfx_sessions") and RETRY not in kinds


def assert_every_file_landed_once(database_url: str, nas_root: Path, files: int = FILES) -> None:
    on_nas = {str(path.relative_to(nas_root)) for path in nas_root.glob("PC01/*/*.json")}
    assert len(on_nas) == files
    stored = query(database_url, "SELECT nas_path FROM gfx_session_snapshots")
    assert len(stored) == files  # no duplicates
    assert {path for (path,) in stored} == on_nas
    games = query(database_url, "SELECT nas_path FROM gfx_sessions")  # a game per file, one row each
    assert len(games) == files and {path for (path,) in games} == on_nas
    assert query(database_url, "SELECT count(*) FROM gfx_rejected_files") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM gfx_file_manifest WHERE status = 'synced'") == [(files,)]


def test_a_flaky_rest_server_converges_in_one_run_without_step_retries(
    nas_root: Path, database_url: str
) -> None:
    app = create_app(database_url, service_key=SERVICE_KEY, faults=flaky_faults())
    with serve(app) as base_url, dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(nas_root), rest_sink(base_url))
        assert synced(result, instance)
    statuses = [seen.status for seen in app.state.requests]
    assert statuses[:3] == [429, 429, 429]
    assert statuses.count(503) >= 5
    assert_every_file_landed_once(database_url, nas_root)


def test_the_sync_cli_converges_against_a_flaky_rest_server(
    cli_nas_root: Path, tmp_path: Path, database_url: str, empty_database_url: str
) -> None:
    app = create_app(database_url, service_key=SERVICE_KEY, faults=flaky_faults())
    with serve(app) as base_url:
        env = {
            "GFX_HOME": str(tmp_path / "home"),
            "GFX_DATABASE_URL": database_url,
            "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(empty_database_url),
            "GFX_NAS_ROOT": str(cli_nas_root),
            "GFX_SETTLE_SECONDS": "0",
            "GFX_BATCH_SIZE": "10",
            "GFX_SINK": "supabase",
            "GFX_SUPABASE_URL": base_url,
            "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY,
        }
        result = gfx(["sync"], env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PC01: ok" in result.stdout
    assert [seen.status for seen in app.state.requests].count(503) >= 5
    assert_every_file_landed_once(database_url, cli_nas_root, CLI_FILES)


@contextmanager
def terminating_connections(database_url: str) -> Iterator[list[int]]:
    """Every KILL_EVERY_SECONDS, terminates every other session on the test database; yields the
    count of terminated sessions per round. Stops on exit, so the assertions after it run unharmed."""
    killed: list[int] = []
    stop = threading.Event()
    statement = """SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""

    def terminate() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            while not stop.wait(KILL_EVERY_SECONDS):
                killed.append(conn.execute(statement).fetchone()[0])

    thread = threading.Thread(target=terminate, daemon=True)
    thread.start()
    try:
        yield killed
    finally:
        stop.set()
        thread.join(timeout=10)


def test_the_postgres_sink_converges_while_its_connections_are_terminated(
    nas_root: Path, database_url: str
) -> None:
    with dg.instance_for_test() as instance, terminating_connections(database_url) as terminated:
        result = sync(instance, "PC01", nas(nas_root), direct_sink(database_url))
        assert synced(result, instance)
    assert sum(terminated) >= 3  # the sink really lost its connection, several times
    assert_every_file_landed_once(database_url, nas_root)


@pytest.fixture
def writer_url(database_url: str) -> Iterator[str]:
    """The test database as a login role that may read and write the tables but owns none of them."""
    role = f"gfx_writer_{uuid.uuid4().hex[:8]}"
    name = sql.Identifier(role)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name)
        )
        conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(name))
    parts = urlsplit(database_url)
    yield urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname or ''}"))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(name))
        conn.execute(sql.SQL("DROP ROLE {}").format(name))


@pytest.fixture(params=["postgres", "supabase_rest"])
def writer_sink(request: pytest.FixtureRequest, writer_url: str) -> Iterator[GfxSink]:
    """Both sinks running as the writer role: directly, and through the PostgREST server's pool."""
    if request.param == "postgres":
        yield direct_sink(writer_url)
        return
    with serve(create_app(writer_url, service_key=SERVICE_KEY)) as base_url:
        yield rest_sink(base_url)


def test_insert_revoked_for_a_while_is_retried_and_never_rejects_a_file(
    nas_root: Path, database_url: str, writer_url: str, writer_sink: GfxSink
) -> None:
    role = sql.Identifier(urlsplit(writer_url).username)
    landed_before_grant: list[int] = []
    with psycopg.connect(database_url, autocommit=True) as conn:

        def grant() -> None:
            # Counted, not compared by clock: a row's created_at is its transaction's start, which may
            # precede the grant although its INSERT ran after it.
            [(landed,)] = conn.execute("SELECT count(*) FROM gfx_session_snapshots").fetchall()
            landed_before_grant.append(landed)
            conn.execute(sql.SQL("GRANT INSERT ON gfx_session_snapshots TO {}").format(role))

        conn.execute(sql.SQL("REVOKE INSERT ON gfx_session_snapshots FROM {}").format(role))
        timer = threading.Timer(REVOKED_SECONDS, grant)
        with dg.instance_for_test() as instance:
            timer.start()
            result = sync(instance, "PC01", nas(nas_root), writer_sink)
            timer.join()
            assert synced(result, instance)
    assert landed_before_grant == [0]  # nothing could land while INSERT was revoked
    assert_every_file_landed_once(database_url, nas_root)
