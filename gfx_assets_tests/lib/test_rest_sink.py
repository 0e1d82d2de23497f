"""SupabaseRestSink against the PostgREST look-alike over a real PostgreSQL (never a mocked database).

Covers: rows land and read back as through PostgresSink; idempotent re-upserts, deduplicated
conflict keys, an empty update as DO NOTHING; chunking by rows and body bytes; JWT vs sb_secret_
headers; transient failures (429 + Retry-After, 503, HTML 502, timeouts, refused and dropped
connections) as SinkUnavailable; each request retried by the sink on its own (Retry-After honoured,
a deadline per request, so progress resets the budget); 42501 (a revoked grant) retried, a wrong key
never; 413 splitting; bad rows isolated with
PostgREST's code and message; 401 as SinkAuthError that never leaks the key; unknown table or
column as SinkError; long IN lists split under the URL limit; reserved characters in filters;
paging past a server row cap; delete; JsonText spliced verbatim into the body."""

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from gfx_assets.lib.sinks.base import (
    JsonText,
    RequestRetry,
    Row,
    SinkAuthError,
    SinkError,
    SinkUnavailable,
    UpsertResult,
)
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.lib.sinks.rest import MAX_URL_BYTES, SupabaseRestSink
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.postgrest_gateway import Faults, SeenRequest
from gfx_assets_tests.support import execute

# Test-only credentials, shaped like the real kinds: a legacy service_role JWT and a new secret key.
SERVICE_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.dGVzdC1vbmx5LXNpZ25hdHVyZQ"
)
SECRET_KEY = "sb_secret_TESTONLYnotarealkey0123456789"
TABLE = "gfx_sessions"
CONFLICT = ("gfx_pc_id", "file_hash")
MTIME = datetime(2025, 3, 1, 12, 30, 15, 250000, tzinfo=UTC)
QUICK = RequestRetry(deadline_seconds=5, first_backoff_seconds=0.01, backoff_cap_seconds=0.05)
SINGLE_ATTEMPT = RequestRetry(deadline_seconds=0)  # to see how one failed request is classified
PRIVILEGE_REVOKED = '{"code": "42501", "message": "permission denied for table gfx_sessions"}'


def session_row(number: int, *, pc: str = "PC-01", **changes: object) -> Row:
    row: Row = {
        "gfx_pc_id": pc,
        "session_id": 1000 + number,
        "file_name": f"PGFX_live_data_export GameID={number}.json",
        "nas_path": f"/nas/{pc}/PGFX_live_data_export GameID={number}.json",
        "file_hash": f"{number:064x}",
        "file_size": 20 + number,
        "file_mtime": MTIME + timedelta(minutes=number),
        "raw_json": JsonText(f'{{"ID": {number}, "Hands": []}}'),
        "table_type": "FEATURE_TABLE",
        "event_title": "WSOP Main Event",
        "software_version": "PokerGFX 3.2",
        "hand_count": 0,
        "player_count": 9,
        "payouts": [0, 0],
        "session_created_at": MTIME,
        "sync_status": "synced",
        "updated_at": MTIME,
    }
    return {**row, **changes}


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def app(database_url: str, faults: Faults) -> Starlette:
    return create_app(database_url, service_key=SERVICE_JWT, faults=faults)


@pytest.fixture
def rest_url(app: Starlette) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def sink(rest_url: str) -> Iterator[SupabaseRestSink]:
    rest = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), retry=QUICK)
    yield rest
    rest.close()


@pytest.fixture
def single(rest_url: str) -> Iterator[SupabaseRestSink]:
    """A sink that gives up after one attempt: what a failed request raises."""
    rest = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), retry=SINGLE_ATTEMPT)
    yield rest
    rest.close()


@pytest.fixture
def direct(database_url: str) -> Iterator[PostgresSink]:
    postgres = PostgresSink(database_url)
    yield postgres
    postgres.close()


def requests(app: Starlette, method: str) -> list[SeenRequest]:
    return [seen for seen in app.state.requests if seen.method == method]


def count_rows(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def by_hash(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: row["file_hash"])


def test_rows_land_as_postgres_sink_would_store_them(sink: SupabaseRestSink, direct: PostgresSink) -> None:
    rows = [session_row(number) for number in range(3)]
    assert sink.upsert(TABLE, rows, CONFLICT) == UpsertResult(written=3)
    assert direct.upsert(TABLE, [{**row, "gfx_pc_id": "PC-02"} for row in rows], CONFLICT).written == 3
    columns = [*rows[0], "sync_source"]
    through_rest = by_hash(direct.select(TABLE, columns, {"gfx_pc_id": "PC-01"}))
    through_postgres = by_hash(direct.select(TABLE, columns, {"gfx_pc_id": "PC-02"}))
    assert through_rest == [{**row, "gfx_pc_id": "PC-01"} for row in through_postgres]
    assert [row["raw_json"] for row in through_rest] == [{"ID": n, "Hands": []} for n in range(3)]


def test_select_gives_the_values_postgres_sink_gives(sink: SupabaseRestSink, direct: PostgresSink) -> None:
    sink.upsert(TABLE, [session_row(number) for number in range(3)], CONFLICT)
    columns = ["id", *session_row(0), "created_at"]
    through_rest = by_hash(sink.select(TABLE, columns, {"gfx_pc_id": "PC-01"}))
    assert through_rest == by_hash(direct.select(TABLE, columns, {"gfx_pc_id": "PC-01"}))
    assert [row["file_mtime"] for row in through_rest] == [MTIME + timedelta(minutes=n) for n in range(3)]


def test_upserting_the_same_rows_again_adds_no_duplicates(sink: SupabaseRestSink, database_url: str) -> None:
    rows = [session_row(number) for number in range(5)]
    sink.upsert(TABLE, rows, CONFLICT)
    assert sink.upsert(TABLE, rows, CONFLICT) == UpsertResult(written=5)
    assert count_rows(database_url) == 5


def test_duplicate_conflict_keys_in_one_batch_are_deduped_keeping_the_last(
    sink: SupabaseRestSink, app: Starlette, database_url: str
) -> None:
    rows = [session_row(1, file_name="first.json"), session_row(1, file_name="last.json")]
    assert sink.upsert(TABLE, rows, CONFLICT) == UpsertResult(written=1)
    assert sink.select(TABLE, ["file_name"], {"file_hash": rows[0]["file_hash"]}) == [
        {"file_name": "last.json"}
    ]
    assert [seen.status for seen in requests(app, "POST")] == [201]


def test_an_empty_update_keeps_the_stored_row_like_do_nothing(sink: SupabaseRestSink) -> None:
    sink.upsert(TABLE, [session_row(1, event_title="original")], CONFLICT)
    sink.upsert(TABLE, [session_row(1, event_title="changed")], CONFLICT, update=[])
    assert sink.select(TABLE, ["event_title"], {"gfx_pc_id": "PC-01"}) == [{"event_title": "original"}]


def test_chunks_respect_batch_size_and_body_bytes(rest_url: str, app: Starlette, database_url: str) -> None:
    rows = [session_row(number) for number in range(10)]
    with_rows_limit = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), batch_size=4)
    with_bytes_limit = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), max_body_bytes=2000)
    try:
        with_rows_limit.upsert(TABLE, rows, CONFLICT)
        assert len(requests(app, "POST")) == 3
        with_bytes_limit.upsert(TABLE, rows, CONFLICT)
    finally:
        with_rows_limit.close()
        with_bytes_limit.close()
    by_bytes = requests(app, "POST")[3:]
    assert len(by_bytes) > 2
    assert all(seen.body_bytes <= 2000 for seen in by_bytes)
    assert count_rows(database_url) == 10


def test_a_jwt_service_key_is_sent_as_apikey_and_bearer(sink: SupabaseRestSink, app: Starlette) -> None:
    sink.upsert(TABLE, [session_row(1)], CONFLICT)
    assert requests(app, "POST")[0].auth_headers == ("apikey", "authorization")


def test_an_sb_secret_key_is_sent_as_apikey_only(database_url: str) -> None:
    app = create_app(database_url, service_key=SECRET_KEY)
    with serve(app) as url:
        rest = SupabaseRestSink(url, SecretStr(SECRET_KEY))
        try:
            assert rest.upsert(TABLE, [session_row(1)], CONFLICT).written == 1
        finally:
            rest.close()
    assert requests(app, "POST")[0].auth_headers == ("apikey",)


def test_429_with_retry_after_is_unavailable_with_that_delay(
    single: SupabaseRestSink, faults: Faults
) -> None:
    faults.status_for_next.append((429, {"Retry-After": "7"}))
    with pytest.raises(SinkUnavailable) as raised:
        single.upsert(TABLE, [session_row(1)], CONFLICT)
    assert raised.value.retry_after == 7.0
    assert "429" in str(raised.value)


def test_503_is_unavailable(single: SupabaseRestSink, faults: Faults) -> None:
    faults.status_for_next.append((503, {}))
    with pytest.raises(SinkUnavailable) as raised:
        single.upsert(TABLE, [session_row(1)], CONFLICT)
    assert raised.value.retry_after is None


def test_the_sink_retries_a_503_on_its_own_and_the_rows_land(
    sink: SupabaseRestSink, app: Starlette, faults: Faults, database_url: str
) -> None:
    faults.status_for_next = [(503, {}), (503, {})]
    assert sink.upsert(TABLE, [session_row(1)], CONFLICT).written == 1
    assert [seen.status for seen in requests(app, "POST")] == [503, 503, 201]
    assert count_rows(database_url) == 1


def test_the_sink_waits_the_retry_after_before_the_next_attempt(
    sink: SupabaseRestSink, app: Starlette, faults: Faults
) -> None:
    faults.status_for_next.append((429, {"Retry-After": "1"}))
    started = time.monotonic()
    assert sink.upsert(TABLE, [session_row(1)], CONFLICT).written == 1
    assert time.monotonic() - started >= 1.0  # the sink's own backoff is at most 0.05 s
    assert [seen.status for seen in requests(app, "POST")] == [429, 201]


def test_a_request_still_failing_at_its_deadline_raises_unavailable(
    rest_url: str, app: Starlette, faults: Faults
) -> None:
    faults.status_every = (1, 503, {})  # every request
    retry = RequestRetry(deadline_seconds=2.0, first_backoff_seconds=0.01, backoff_cap_seconds=0.05)
    rest = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), retry=retry)
    try:
        with pytest.raises(SinkUnavailable, match=r"gave up after \d+ attempts"):
            rest.upsert(TABLE, [session_row(1)], CONFLICT)
    finally:
        rest.close()
    assert len(requests(app, "POST")) > 2


def test_each_request_has_its_own_deadline_so_a_long_flaky_sync_completes(
    rest_url: str, app: Starlette, faults: Faults, database_url: str
) -> None:
    faults.status_every = (2, 429, {"Retry-After": "0.2"})  # every other request waits 0.2 s
    retry = RequestRetry(deadline_seconds=0.5, first_backoff_seconds=0.01, backoff_cap_seconds=0.05)
    rest = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), batch_size=1, retry=retry)
    started = time.monotonic()
    try:
        assert rest.upsert(TABLE, [session_row(number) for number in range(8)], CONFLICT).written == 8
    finally:
        rest.close()
    assert time.monotonic() - started > 1.0  # twice the deadline, spent in waits of the retried requests
    assert [seen.status for seen in requests(app, "POST")].count(429) >= 4
    assert count_rows(database_url) == 8


def test_a_revoked_grant_42501_is_retried_until_the_rows_land(
    sink: SupabaseRestSink, app: Starlette, faults: Faults, database_url: str
) -> None:
    faults.status_for_next.append((403, {"content-type": "application/json"}, PRIVILEGE_REVOKED))
    assert sink.upsert(TABLE, [session_row(1)], CONFLICT) == UpsertResult(written=1)
    assert [seen.status for seen in requests(app, "POST")] == [403, 201]
    assert count_rows(database_url) == 1


def test_a_revoked_grant_42501_is_unavailable_never_an_auth_error(
    single: SupabaseRestSink, faults: Faults
) -> None:
    faults.status_for_next.append((403, {"content-type": "application/json"}, PRIVILEGE_REVOKED))
    with pytest.raises(SinkUnavailable, match="42501") as raised:
        single.upsert(TABLE, [session_row(1)], CONFLICT)
    assert not isinstance(raised.value, SinkError)


def test_a_dropped_connection_is_unavailable(
    single: SupabaseRestSink, app: Starlette, faults: Faults
) -> None:
    faults.drop_connections = 1
    with pytest.raises(SinkUnavailable, match="Supabase unreachable"):
        single.upsert(TABLE, [session_row(1)], CONFLICT)
    assert requests(app, "POST")[0].status is None


def test_a_dropped_connection_is_retried_and_the_row_lands(
    sink: SupabaseRestSink, app: Starlette, faults: Faults, database_url: str
) -> None:
    faults.drop_connections = 1
    assert sink.upsert(TABLE, [session_row(1)], CONFLICT).written == 1
    assert [seen.status for seen in requests(app, "POST")] == [None, 201]
    assert count_rows(database_url) == 1


def test_a_refused_connection_is_unavailable() -> None:
    with serve(Starlette()) as url:
        pass  # the port is free again once the server stopped
    rest = SupabaseRestSink(url, SecretStr(SERVICE_JWT), retry=SINGLE_ATTEMPT)
    with pytest.raises(SinkUnavailable, match="ConnectError"):
        rest.upsert(TABLE, [session_row(1)], CONFLICT)


def test_a_timeout_is_unavailable(rest_url: str, faults: Faults) -> None:
    faults.delay_seconds = 0.5
    rest = SupabaseRestSink(rest_url, SecretStr(SERVICE_JWT), timeout=0.1, retry=SINGLE_ATTEMPT)
    with pytest.raises(SinkUnavailable, match="Timeout"):
        rest.upsert(TABLE, [session_row(1)], CONFLICT)


def test_an_html_gateway_page_is_unavailable_with_a_readable_message(
    single: SupabaseRestSink, faults: Faults
) -> None:
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body>"
        "<center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
    )
    faults.status_for_next.append((502, {}, page))
    with pytest.raises(SinkUnavailable) as raised:
        single.upsert(TABLE, [session_row(1)], CONFLICT)
    assert str(raised.value) == "Supabase unavailable (502): 502 Bad Gateway 502 Bad Gateway cloudflare"


def test_413_splits_the_chunk_until_every_row_lands(
    sink: SupabaseRestSink, app: Starlette, faults: Faults, database_url: str
) -> None:
    faults.max_body_bytes = 2500
    result = sink.upsert(TABLE, [session_row(number) for number in range(10)], CONFLICT)
    assert result == UpsertResult(written=10)
    assert 413 in [seen.status for seen in requests(app, "POST")]
    assert count_rows(database_url) == 10


def test_a_single_row_over_the_body_limit_is_rejected_with_code_413(
    sink: SupabaseRestSink, faults: Faults, database_url: str
) -> None:
    faults.max_body_bytes = 2000
    huge = session_row(0, raw_json=JsonText('{"ID": 0, "Hands": ["' + "x" * 3000 + '"]}'))
    result = sink.upsert(TABLE, [huge, session_row(1), session_row(2)], CONFLICT)
    assert result.written == 2
    assert [(failure.row, failure.code) for failure in result.rejected] == [(huge, "413")]
    assert count_rows(database_url) == 2


def test_a_row_violating_a_check_is_isolated_and_the_others_land(
    sink: SupabaseRestSink, database_url: str
) -> None:
    rows = [session_row(number) for number in range(10)]
    rows[6] = session_row(6, table_type="BOGUS")
    result = sink.upsert(TABLE, rows, CONFLICT)
    assert result.written == 9
    [failure] = result.rejected
    assert failure.row is rows[6]
    assert failure.code == "23514"
    assert "gfx_sessions_table_type_check" in failure.message
    assert count_rows(database_url) == 9


def test_a_row_postgresql_cannot_store_as_jsonb_is_isolated(sink: SupabaseRestSink) -> None:
    bad = session_row(2, raw_json=JsonText('{"ID": 2, "Name": "\\u0000"}'))
    result = sink.upsert(TABLE, [session_row(1), bad, session_row(3)], CONFLICT)
    assert result.written == 2
    assert [(failure.row, failure.code) for failure in result.rejected] == [(bad, "22P05")]


def test_a_row_that_is_not_valid_json_is_isolated(sink: SupabaseRestSink) -> None:
    broken = session_row(2, raw_json=JsonText('{"ID": 2, "Hands": ['))
    result = sink.upsert(TABLE, [session_row(1), broken, session_row(3)], CONFLICT)
    assert result.written == 2
    assert [failure.row for failure in result.rejected] == [broken]


def test_rows_the_server_rejects_are_isolated(sink: SupabaseRestSink, database_url: str) -> None:
    refused = "ADD CONSTRAINT refused_games CHECK (session_id NOT IN (1003, 1007))"
    execute(database_url, f"ALTER TABLE {TABLE} {refused}")  # PostgreSQL refuses them; the server relays it
    result = sink.upsert(TABLE, [session_row(number) for number in range(10)], CONFLICT)
    assert result.written == 8
    assert sorted(failure.row["session_id"] for failure in result.rejected) == [1003, 1007]
    assert all("refused_games" in failure.message for failure in result.rejected)
    assert count_rows(database_url) == 8


def test_a_wrong_key_is_an_auth_error_that_never_shows_the_key(
    rest_url: str, app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = SERVICE_JWT[:-4] + "XXXX"
    caplog.set_level(logging.DEBUG)
    rest = SupabaseRestSink(rest_url, SecretStr(wrong))
    with pytest.raises(SinkAuthError) as raised:
        rest.upsert(TABLE, [session_row(1)], CONFLICT)
    message = str(raised.value)
    assert "401 PGRST301" in message
    assert "service_role JWT or an sb_secret_... key in GFX_SUPABASE_SERVICE_KEY" in message
    assert len(requests(app, "POST")) == 1  # never retried
    for shown in (message, repr(raised.value), caplog.text, repr(rest), str(rest)):
        assert wrong not in shown
        assert wrong.split(".")[2] not in shown


def test_a_403_without_a_postgresql_code_is_an_auth_error_never_retried(
    sink: SupabaseRestSink, app: Starlette, faults: Faults
) -> None:
    faults.status_for_next.append((403, {}))
    with pytest.raises(SinkAuthError, match="403"):
        sink.upsert(TABLE, [session_row(1)], CONFLICT)
    assert len(requests(app, "POST")) == 1


def test_an_unknown_table_is_a_permanent_error(sink: SupabaseRestSink) -> None:
    with pytest.raises(SinkError, match="PGRST205") as raised:
        sink.upsert("gfx_nowhere", [session_row(1)], CONFLICT)
    assert not isinstance(raised.value, SinkAuthError)


def test_an_unknown_column_is_a_permanent_error(sink: SupabaseRestSink) -> None:
    with pytest.raises(SinkError, match="PGRST204"):
        sink.upsert(TABLE, [session_row(1, hand_total=3)], CONFLICT)


def test_a_long_in_list_is_split_under_the_url_limit_and_returns_every_row(
    sink: SupabaseRestSink, app: Starlette
) -> None:
    rows = [session_row(number) for number in range(400)]
    sink.upsert(TABLE, rows, CONFLICT)
    hashes = [row["file_hash"] for row in rows] + [f"{n:064x}" for n in range(10_000, 10_100)]
    found = sink.select(TABLE, ["file_hash"], {"gfx_pc_id": "PC-01", "file_hash": hashes})
    assert sorted(row["file_hash"] for row in found) == sorted(row["file_hash"] for row in rows)
    reads = [seen for seen in requests(app, "GET") if seen.path.endswith(TABLE)]
    assert len(reads) > 4
    assert all(len(seen.path) + len(seen.query) < MAX_URL_BYTES for seen in reads)


def test_in_list_values_with_reserved_characters_match_exactly(sink: SupabaseRestSink) -> None:
    paths = ["/nas/a,b.json", "/nas/(c): d.json", '/nas/say "hi".json', "/nas/back\\slash.json", "/nas/plain"]
    sink.upsert(TABLE, [session_row(n, nas_path=path) for n, path in enumerate(paths)], CONFLICT)
    found = sink.select(TABLE, ["nas_path"], {"nas_path": paths[:4]})
    assert sorted(row["nas_path"] for row in found) == sorted(paths[:4])
    assert sink.select(TABLE, ["session_id"], {"nas_path": paths[2]}) == [{"session_id": 1002}]


def test_select_pages_past_a_server_row_cap(database_url: str) -> None:
    app = create_app(database_url, service_key=SERVICE_JWT, max_rows=7)
    with serve(app) as url:
        rest = SupabaseRestSink(url, SecretStr(SERVICE_JWT))
        try:
            rest.upsert(TABLE, [session_row(number) for number in range(20)], CONFLICT)
            found = rest.select(TABLE, ["session_id"], {"gfx_pc_id": "PC-01"})
        finally:
            rest.close()
    assert sorted(row["session_id"] for row in found) == list(range(1000, 1020))


def test_select_on_an_empty_in_list_asks_nothing(sink: SupabaseRestSink, app: Starlette) -> None:
    assert sink.select(TABLE, ["file_hash"], {"file_hash": []}) == []
    assert not [seen for seen in requests(app, "GET") if seen.path.endswith(TABLE)]


def test_a_none_filter_matches_null_like_the_postgres_sink(sink: SupabaseRestSink) -> None:
    sink.upsert(TABLE, [session_row(1), {**session_row(2), "session_id": None}], CONFLICT)
    expected = [{"file_hash": session_row(2)["file_hash"]}]
    assert sink.select(TABLE, ["file_hash"], {"session_id": None}) == expected


def test_update_sets_values_on_the_filtered_rows(sink: SupabaseRestSink) -> None:
    sink.upsert(TABLE, [session_row(1), session_row(2)], CONFLICT)
    sink.update(TABLE, {"sync_status": "stale"}, {"file_hash": [session_row(1)["file_hash"]]})
    statuses = sink.select(TABLE, ["file_hash", "sync_status"], {"gfx_pc_id": "PC-01"})
    assert sorted(row["sync_status"] for row in statuses) == ["stale", "synced"]


def test_delete_removes_exactly_the_filtered_rows(sink: SupabaseRestSink, database_url: str) -> None:
    rows = [session_row(number) for number in range(300)]
    sink.upsert(TABLE, rows, CONFLICT)
    sink.delete(TABLE, {"gfx_pc_id": "PC-01", "file_hash": [row["file_hash"] for row in rows[:250]]})
    assert count_rows(database_url) == 50


def test_json_text_is_spliced_into_the_body_verbatim_through_an_injected_transport() -> None:
    bodies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(201)

    raw = JsonText('{"ID": 1,   "Hands": [ ],"Z": "é"}')
    rest = SupabaseRestSink(
        "https://project.supabase.co", SecretStr(SERVICE_JWT), transport=httpx.MockTransport(answer)
    )
    rest.upsert(TABLE, [session_row(1, raw_json=raw)], CONFLICT)
    rest.close()
    [body] = bodies
    assert f'"raw_json":{raw}'.encode() in body
    assert b'"file_mtime":"2025-03-01T12:31:15.250000+00:00"' in body
    assert b'"payouts":[0,0]' in body
