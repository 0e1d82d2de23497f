"""Acceptance of the Supabase REST sink (issue 5): whole Dagster runs syncing the real PokerGFX exports
of ../shared through the PostgREST look-alike, over a real PostgreSQL, never a mock.

Covers: the REST sink stores exactly the rows the PostgreSQL sink stores; 429 (with Retry-After) and
503 answers and dropped connections are retried by the sink itself, request by request, honouring
Retry-After, until every file lands in one step attempt (Dagster's step retry is left for a sink
that stays down past the request deadline, see reliability/); a wrong service key fails in one
attempt, says which key is expected and shows the key nowhere; a row the server refuses is recorded
with PostgREST's code and message while the rest of its chunk lands; a gateway body limit splits
chunks and records a row bigger than the limit (413)."""

import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._serdes import serialize_value
from psycopg import sql
from starlette.applications import Starlette

from gfx_assets.lib.common.postgres import with_database
from gfx_assets.resources import NasResource, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.postgrest_gateway import Faults
from gfx_assets_tests.support import (
    materialization_metadata,
    nas,
    postgres_sink,
    query,
    reconciliation,
    refuse_session_rows,
    sync,
    write_registry,
)

# A test-only key shaped like a legacy service_role JWT; the server expects SERVICE_KEY instead.
WRONG_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2VjcmV0LXNpZ25hdHVyZQ"
CONTENTS = 17  # table-GG: 18 JSON files, one a byte-identical copy; one ledger row per stored content
GAMES = 15  # game 638964611175191251 grows over 3 files: one gfx_sessions row per game
MAX_RETRIES = 5
REFUSED_GAME = 638961224831992165  # one file, the game's only content
REFUSED_FILE = f"PGFX_live_data_export GameID={REFUSED_GAME}.json"
# 818,847 bytes, the only file of its game
LARGEST_FILE = "table-GG/1018/PGFX_live_data_export GameID=638963849867159576.json"
GATEWAY_LIMIT = 600_000  # above every other file (the next largest is 513,320 bytes)
LEDGER_PATH = "/rest/v1/gfx_session_snapshots"  # where the sync writes every content
RETRY = dg.DagsterEventType.STEP_UP_FOR_RETRY


@pytest.fixture
def pc01(table_gg: Path, tmp_path: Path) -> NasResource:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    return nas(table_gg.parent, registry)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def app(database_url: str, faults: Faults) -> Starlette:
    return create_app(database_url, service_key=SERVICE_KEY, faults=faults)


@pytest.fixture
def rest_sink(app: Starlette) -> Iterator[SupabaseSinkResource]:
    with serve(app) as base_url:
        yield SupabaseSinkResource(
            url=base_url,
            service_key=SERVICE_KEY,
            max_retries=MAX_RETRIES,
            retry_base_seconds=0.05,
            request_backoff_seconds=0.05,
            request_deadline_seconds=20,
        )


@pytest.fixture
def second_database_url(server_url: str, template_db: str) -> Iterator[str]:
    """Another fresh database cloned from the migrated template, as `database_url` is."""
    name = f"gfx_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(*map(sql.Identifier, (name, template_db)))
        )
    yield with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _stored(database_url: str) -> dict[str, list]:
    """Every stored value but the ones the database picks itself (ids and timestamps of writing)."""
    statements = {
        "gfx_sessions": "SELECT to_jsonb(t) - '{id,created_at,updated_at,processed_at}'::text[]"
        " FROM gfx_sessions t",
        "gfx_session_snapshots": "SELECT to_jsonb(t) - '{created_at,updated_at}'::text[]"
        " FROM gfx_session_snapshots t",
        "gfx_file_manifest": "SELECT to_jsonb(t) - 'updated_at' FROM gfx_file_manifest t",
        "gfx_rejected_files": "SELECT to_jsonb(t) - '{first_seen_at,last_seen_at}'::text[]"
        " FROM gfx_rejected_files t",
    }
    return {
        table: sorted((row for (row,) in query(database_url, s)), key=repr) for table, s in statements.items()
    }


def _stored_counts(database_url: str) -> tuple[int, int]:
    """(contents in the ledger gfx_session_snapshots, games in gfx_sessions)."""
    [counts] = query(
        database_url,
        "SELECT (SELECT count(*) FROM gfx_session_snapshots), (SELECT count(*) FROM gfx_sessions)",
    )
    return counts


def _rejected(database_url: str) -> list[tuple]:
    return query(database_url, "SELECT nas_path, reason, detail FROM gfx_rejected_files")


def _ledger_posts(app: Starlette) -> list:
    return [seen for seen in app.state.requests if seen.method == "POST" and seen.path == LEDGER_PATH]


def test_the_rest_sink_stores_exactly_the_rows_the_postgres_sink_stores(
    pc01: NasResource, database_url: str, second_database_url: str, rest_sink: SupabaseSinkResource
) -> None:
    with dg.instance_for_test() as instance:
        assert sync(instance, "PC01", pc01, rest_sink).success
        assert sync(instance, "PC01", pc01, postgres_sink(second_database_url)).success
    through_rest, direct = _stored(database_url), _stored(second_database_url)
    assert len(through_rest["gfx_session_snapshots"]) == CONTENTS
    assert all(row["raw_json"]["Hands"] for row in through_rest["gfx_session_snapshots"])
    assert len(through_rest["gfx_sessions"]) == GAMES
    assert all(row["raw_json"]["Hands"] for row in through_rest["gfx_sessions"])
    assert through_rest == direct


def _landed_in_one_attempt(
    instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, database_url: str
) -> None:
    """Asserts that every file landed with no step retry: the sink retried the failed requests."""
    assert result.success
    assert _stored_counts(database_url) == (CONTENTS, GAMES)
    assert reconciliation(result).passed
    kinds = [entry.dagster_event_type for entry in instance.all_logs(result.run_id)]
    assert RETRY not in kinds


@pytest.mark.parametrize(
    ("status", "headers", "answers"),
    [(429, {"Retry-After": "1"}, 2), (429, {"Retry-After": "1"}, 3), (503, {}, 2)],
    ids=["429-twice", "429-three-times", "503-twice"],
)
def test_an_overloaded_server_is_retried_by_the_sink_until_every_file_lands(
    pc01: NasResource,
    database_url: str,
    rest_sink: SupabaseSinkResource,
    app: Starlette,
    faults: Faults,
    status: int,
    headers: dict[str, str],
    answers: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    faults.status_for_next = [(status, headers)] * answers
    caplog.set_level(logging.WARNING, logger="gfx_assets.lib.sinks")
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", pc01, rest_sink)
        _landed_in_one_attempt(instance, result, database_url)
    seen = app.state.requests
    assert [request.status for request in seen[:answers]] == [status] * answers
    assert seen[answers].status is not None and seen[answers].status < 400
    gaps = [
        later.arrived - earlier.arrived
        for earlier, later in zip(seen[:answers], seen[1 : answers + 1], strict=True)
    ]
    if headers:  # Retry-After wins over the 0.05 s backoff: the sink waited before each attempt
        assert all(gap >= 0.95 for gap in gaps)
    else:  # the sink's own backoff: 0.05 s doubling, with jitter (the waits it announced, not timed)
        waits = [float(wait) for wait in re.findall(r"retrying in (\d+\.\d)s", caplog.text)]
        assert len(waits) == answers and all(wait <= 0.1 for wait in waits)


def test_dropped_connections_are_retried_until_every_file_lands(
    pc01: NasResource, database_url: str, rest_sink: SupabaseSinkResource, app: Starlette, faults: Faults
) -> None:
    faults.drop_connections = 2
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", pc01, rest_sink)
        _landed_in_one_attempt(instance, result, database_url)
    assert [request.status for request in app.state.requests[:2]] == [None, None]


def test_a_wrong_service_key_fails_once_says_which_key_is_expected_and_never_shows_it(
    pc01: NasResource,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GFX_SUPABASE_SERVICE_KEY", WRONG_KEY)  # bound with dg.EnvVar, as in production
    with (
        serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url,
        dg.instance_for_test() as instance,
    ):
        key = dg.EnvVar("GFX_SUPABASE_SERVICE_KEY")
        sink = SupabaseSinkResource(url=base_url, service_key=key, max_retries=MAX_RETRIES)
        result = sync(instance, "PC01", pc01, sink)
        entries = instance.all_logs(result.run_id)
        run = instance.get_run_by_id(result.run_id)
    assert not result.success
    kinds = [entry.dagster_event_type for entry in entries]
    assert RETRY not in kinds and kinds.count(dg.DagsterEventType.STEP_FAILURE) == 1
    assert not result.asset_materializations_for_node("gfx_sessions")
    failure = result.failure_data_for_node("gfx_sessions")
    described = failure.user_failure_data.description
    assert "401" in described and "GFX_SUPABASE_SERVICE_KEY" in described
    assert "service_role" in described and "sb_secret" in described
    captured = capfd.readouterr()
    assert "Supabase refused the service key" in captured.err  # Dagster's console log was captured
    seen = [caplog.text, captured.out, captured.err, serialize_value(run), repr(run.run_config), str(failure)]
    seen += [serialize_value(entry) for entry in entries] + [repr(entry) for entry in entries]
    assert all(WRONG_KEY not in text for text in seen)
    assert all(part not in text for text in seen for part in WRONG_KEY.split(".")[1:])


def test_a_row_the_server_refuses_is_recorded_and_the_rest_of_its_chunk_lands(
    pc01: NasResource, database_url: str, rest_sink: SupabaseSinkResource, app: Starlette
) -> None:
    refuse_session_rows(database_url, REFUSED_GAME, "23514")
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", pc01, rest_sink)
    assert result.success
    assert _ledger_posts(app)[0].status == 400  # all 17 contents went as one chunk, refused as a whole
    assert _stored_counts(database_url) == (CONTENTS - 1, GAMES - 1)
    [(path, reason, detail)] = _rejected(database_url)
    assert (path, reason) == (f"table-GG/1015/{REFUSED_FILE}", "database_rejected")
    assert "23514" in detail and "refused for the test" in detail
    assert materialization_metadata(result)["rejected"] == 1
    assert reconciliation(result).passed


def test_a_gateway_body_limit_splits_chunks_and_records_a_row_bigger_than_the_limit(
    pc01: NasResource, database_url: str, rest_sink: SupabaseSinkResource, app: Starlette, faults: Faults
) -> None:
    faults.max_body_bytes = GATEWAY_LIMIT  # the sink still believes in the default 4 MiB
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", pc01, rest_sink)
    assert result.success
    assert _stored_counts(database_url) == (CONTENTS - 1, GAMES - 1)
    [(path, reason, detail)] = _rejected(database_url)
    assert (path, reason) == (LARGEST_FILE, "too_large_for_sink")
    assert "(413)" in detail
    posts = _ledger_posts(app)
    assert posts[0].status == 413 and posts[0].body_bytes > 3_000_000
    assert all(seen.body_bytes <= GATEWAY_LIMIT for seen in posts if seen.status == 201)
    assert materialization_metadata(result)["rejected"] == 1
    assert reconciliation(result).passed
