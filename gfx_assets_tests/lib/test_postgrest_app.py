"""The PostgREST look-alike answers as PostgREST does, so the REST sink's tests mean something.

Covers, over a real PostgreSQL: the service key (apikey, Bearer only for a JWT), PostgREST's
refusals (PGRST102 key sets, PGRST204 unknown column, PGRST205 unknown table), SQLSTATE errors as
`{code, message, details, hint}` with PostgREST's statuses, in-list quoting, and paging headers.
"""

from collections.abc import Iterator

import httpx
import pytest

from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.postgrest_query import parse_list

SERVICE_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.dGVzdC1vbmx5LXNpZ25hdHVyZQ"
)
SECRET_KEY = "sb_secret_TESTONLYnotarealkey0123456789"
MERGE = {"Prefer": "resolution=merge-duplicates,return=minimal"}


def manifest_row(path: str, **changes: object) -> dict:
    row = {
        "gfx_pc_id": "PC-01",
        "nas_path": path,
        "file_size": 10,
        "file_mtime": "2025-03-01T12:00:00+00:00",
        "status": "synced",
    }
    return {**row, **changes}


@pytest.fixture
def client(database_url: str) -> Iterator[httpx.Client]:
    with serve(create_app(database_url, service_key=SERVICE_JWT, max_rows=2)) as url:
        headers = {"apikey": SERVICE_JWT, "Authorization": f"Bearer {SERVICE_JWT}"}
        with httpx.Client(base_url=f"{url}/rest/v1", headers=headers) as http:
            yield http


def test_a_missing_or_wrong_key_answers_401_pgrst301(client: httpx.Client) -> None:
    for headers in ({"apikey": "nope"}, {"Authorization": "Bearer nope"}):
        response = client.get("/gfx_file_manifest", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "PGRST301"


def test_a_secret_key_is_refused_as_a_bearer_token(database_url: str) -> None:
    with serve(create_app(database_url, service_key=SECRET_KEY)) as url:
        as_apikey = httpx.get(f"{url}/rest/v1/gfx_file_manifest", headers={"apikey": SECRET_KEY})
        as_bearer = httpx.get(
            f"{url}/rest/v1/gfx_file_manifest",
            headers={"apikey": SECRET_KEY, "Authorization": f"Bearer {SECRET_KEY}"},
        )
    assert (as_apikey.status_code, as_bearer.status_code) == (200, 401)


def test_rows_with_different_keys_answer_400_pgrst102(client: httpx.Client) -> None:
    body = [manifest_row("/a"), {"gfx_pc_id": "PC-01", "nas_path": "/b"}]
    response = client.post("/gfx_file_manifest", json=body, headers=MERGE)
    assert (response.status_code, response.json()["code"]) == (400, "PGRST102")


def test_an_unknown_column_answers_400_pgrst204(client: httpx.Client) -> None:
    response = client.post("/gfx_file_manifest", json=[manifest_row("/a", colour="red")], headers=MERGE)
    assert (response.status_code, response.json()["code"]) == (400, "PGRST204")


def test_an_unknown_table_answers_404_pgrst205(client: httpx.Client) -> None:
    response = client.get("/gfx_nowhere")
    assert (response.status_code, response.json()["code"]) == (404, "PGRST205")


def test_merge_duplicates_upserts_on_the_conflict_columns(client: httpx.Client) -> None:
    params = {"on_conflict": "gfx_pc_id,nas_path"}
    assert (
        client.post("/gfx_file_manifest", params=params, json=[manifest_row("/a")], headers=MERGE).status_code
        == 201
    )
    again = client.post(
        "/gfx_file_manifest", params=params, json=[manifest_row("/a", file_size=99)], headers=MERGE
    )
    assert again.status_code == 201
    assert client.get("/gfx_file_manifest", params={"select": "file_size"}).json() == [{"file_size": 99}]


def test_a_duplicate_key_without_resolution_answers_409_with_the_sqlstate(client: httpx.Client) -> None:
    client.post("/gfx_file_manifest", json=[manifest_row("/a")])
    response = client.post("/gfx_file_manifest", json=[manifest_row("/a")])
    assert response.status_code == 409
    assert set(response.json()) == {"code", "message", "details", "hint"}
    assert response.json()["code"] == "23505"


def test_a_check_violation_answers_400_with_the_sqlstate(client: httpx.Client) -> None:
    response = client.post("/gfx_file_manifest", json=[manifest_row("/a", status="lost")])
    assert (response.status_code, response.json()["code"]) == (400, "23514")


def test_in_lists_take_postgrest_quoting() -> None:
    assert parse_list('(plain,"a,b","(c): d","say \\"hi\\"","back\\\\slash")') == [
        "plain",
        "a,b",
        "(c): d",
        'say "hi"',
        "back\\slash",
    ]


def test_reads_are_capped_and_counted_in_content_range(client: httpx.Client) -> None:
    rows = [manifest_row(f"/{n}") for n in range(5)]
    client.post("/gfx_file_manifest", json=rows)
    params = {"select": "nas_path", "order": "nas_path", "offset": "2", "nas_path": "in.(/0,/1,/2,/3,/4)"}
    response = client.get("/gfx_file_manifest", params=params, headers={"Prefer": "count=exact"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "2-3/5"
    assert response.json() == [{"nas_path": "/2"}, {"nas_path": "/3"}]


def test_the_openapi_document_gives_column_types(client: httpx.Client) -> None:
    properties = client.get("/").json()["definitions"]["gfx_sessions"]["properties"]
    assert properties["file_mtime"]["format"] == "timestamp with time zone"
    assert properties["payouts"]["format"] == "bigint[]"
