"""The Supabase sink: rows go through Supabase's REST API (PostgREST, `/rest/v1`) over one pooled client.

It mirrors `PostgresSink`: the same rows land, `select` gives the same values, and failures fall in
the same kinds (see base.py):
- 408, 429, 5xx, timeouts and dropped connections -> `SinkUnavailable`, carrying the server's
  Retry-After. Every request is idempotent (upserts with on_conflict, deletes and updates by filter,
  reads), so each is retried on its own (`RequestRetry`: backoff, jitter, Retry-After, a deadline);
  only a request still failing at its deadline raises, and the Dagster step retries later.
- 401/403 with PostgreSQL's 42501 (insufficient_privilege: a grant revoked on the table) ->
  `SinkUnavailable` too, retried slowly: rights come back, and the rows are not to blame.
- a chunk refused because of a row's data (PostgreSQL classes 22/23/54, 21000, invalid JSON, 413)
  -> `RowRejected`, so `write_isolating` halves the chunk until the row is isolated.
- any other 401/403 (a PGRST3xx JWT code, or none: the gateway refused the key) -> `SinkAuthError`;
  any other refusal (unknown table or column, bad request) -> `SinkError`.
The service key never appears in a message, a log line, `repr` or `str`.
"""

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from functools import partial
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from pydantic import SecretStr

from gfx_assets.lib.common import fast_json
from gfx_assets.lib.sinks import rest_wire as wire
from gfx_assets.lib.sinks.base import (
    INSUFFICIENT_PRIVILEGE,
    Filters,
    RequestRetry,
    Row,
    RowRejected,
    SinkAuthError,
    SinkError,
    SinkUnavailable,
    UpsertResult,
    dedupe_on,
    privilege_refused,
    write_isolating,
)

MAX_URL_BYTES = 6000  # API gateways refuse longer request lines; long IN lists are split below this
PAGE_ROWS = 1000  # Supabase's default max-rows; pages follow Content-Range, so a lower cap is fine too

_AUTH_HINT = "expected the project's service_role JWT or an sb_secret_... key in GFX_SUPABASE_SERVICE_KEY"
_ROW_LEVEL_CLASSES = ("22", "23", "54")  # as in PostgresSink: the row's data, not the request
_ROW_LEVEL_CODES = ("21000", "PGRST102")  # one statement touched a row twice; a row is not valid JSON
_JSON_BODY = {"Content-Type": "application/json", "Prefer": "return=minimal"}
_PARSERS: dict[str, Callable[[str], Any]] = {  # PostgreSQL types JSON renders as text, by OpenAPI format
    "timestamp with time zone": datetime.fromisoformat,
    "timestamp without time zone": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time without time zone": time.fromisoformat,
    "uuid": UUID,
}
Params = list[tuple[str, str]]


class SupabaseRestSink:
    """Writes to Supabase through PostgREST with the project's service key."""

    def __init__(
        self,
        url: str,
        service_key: SecretStr,
        batch_size: int = 500,
        max_body_bytes: int = 4 * 1024 * 1024,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        retry: RequestRetry | None = None,
    ) -> None:
        self._url = url.rstrip("/")
        self._retry = retry or RequestRetry()
        self._key = service_key
        self._batch_size = batch_size
        self._max_body_bytes = max_body_bytes
        self._timeout = timeout
        self._own_transport = transport is None
        self._parsers: dict[str, dict[str, Callable[[str], Any]]] | None = None
        self._client = httpx.Client(
            base_url=f"{self._url}/rest/v1",
            headers=wire.auth_headers(service_key.get_secret_value()),
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"SupabaseRestSink(url={self._url!r})"

    def factory(self) -> Callable[[], "SupabaseRestSink"] | None:
        """None with a transport given (tests' fault injection): it cannot be sent to another process."""
        if not self._own_transport:
            return None
        return partial(
            SupabaseRestSink, self._url, self._key, self._batch_size, self._max_body_bytes, self._timeout,
            retry=self._retry,
        )  # fmt: skip

    def upsert(
        self,
        table: str,
        rows: Sequence[Row],
        conflict: Sequence[str],
        update: Sequence[str] | None = None,
        mostly_new: bool = False,  # noqa: ARG002 - one upsert request either way: PostgREST has no COPY
    ) -> UpsertResult:
        rows = dedupe_on(rows, conflict)  # PostgREST answers 500/21000 when one batch holds a key twice
        if not rows:
            return UpsertResult()
        columns = list(rows[0])  # every row sends every column: PostgREST needs one key set (PGRST102)
        # PostgREST cannot limit the update to `update`: merge-duplicates updates every column sent.
        # That is acceptable here, since rows are keyed by their content hash; an empty update still
        # maps exactly, to ignore-duplicates (PostgresSink's DO NOTHING).
        updated = [column for column in (update if update is not None else columns) if column not in conflict]
        resolution = "merge-duplicates" if updated else "ignore-duplicates"
        headers = {"Prefer": f"resolution={resolution},return=minimal", "Content-Type": "application/json"}
        params = {"on_conflict": ",".join(conflict), "columns": ",".join(columns)}
        bodies = {id(row): wire.encode_row(row, columns) for row in rows}

        def write(chunk: Sequence[Row]) -> None:
            body = b"[" + b",".join(bodies[id(row)] for row in chunk) + b"]"
            self._send("POST", wire.path(table), rows=True, params=params, headers=headers, content=body)

        result = UpsertResult()
        for chunk in wire.chunks(rows, bodies, self._batch_size, self._max_body_bytes):
            result.add(write_isolating(write, chunk))
        return result

    def select(self, table: str, columns: Sequence[str], filters: Filters) -> list[Row]:
        # Ordering on every selected column keeps offset paging stable: rows that tie are identical.
        shape = [("select", ",".join(columns)), ("order", ",".join(columns))]
        rows = [row for params in self._queries(table, filters, shape) for row in self._read(table, params)]
        parsers = self._column_parsers(table)
        return [
            {column: wire.parse(parsers.get(column), value) for column, value in row.items()} for row in rows
        ]

    def count(self, table: str, filters: Filters) -> int:
        """PostgREST's exact count (`Content-Range: 0-0/<count>`) of each query, one row read per query."""
        total = 0
        for params in self._queries(table, filters, [("limit", "1")]):
            response = self._send("GET", wire.path(table), params=params, headers={"Prefer": "count=exact"})
            counted = wire.total(response.headers.get("Content-Range"))
            if counted is None:
                raise SinkError(f"Supabase did not count the rows of {table} (Content-Range without a total)")
            total += counted
        return total

    def delete(self, table: str, filters: Filters) -> None:
        for params in self._queries(table, filters, []):
            self._send("DELETE", wire.path(table), params=params)

    def update(self, table: str, values: Row, filters: Filters) -> None:
        body = wire.ENCODER.encode(values).encode()
        for params in self._queries(table, filters, []):
            self._send("PATCH", wire.path(table), params=params, content=body, headers=_JSON_BODY)

    def call(self, function: str, arguments: Row) -> Any:
        body = wire.ENCODER.encode(arguments).encode()
        headers = {"Content-Type": "application/json"}
        return fast_json.loads(
            self._send("POST", "/rpc" + wire.path(function), content=body, headers=headers).content
        )

    def close(self) -> None:
        self._client.close()

    def _read(self, table: str, params: Params) -> list[Row]:
        """Every row of one query, page after page: the server may cap a page below what was asked."""
        rows: list[Row] = []
        while True:
            paging = [("limit", str(PAGE_ROWS)), ("offset", str(len(rows)))]
            response = self._send(
                "GET", wire.path(table), params=params + paging, headers={"Prefer": "count=exact"}
            )
            page = fast_json.loads(response.content)
            rows.extend(page)
            total = wire.total(response.headers.get("Content-Range"))
            if not page or (len(rows) >= total if total is not None else len(page) < PAGE_ROWS):
                return rows

    def _queries(self, table: str, filters: Filters, shape: Params) -> list[Params]:
        """The query strings that together cover `filters`, each short enough for a gateway."""
        params, lists = list(shape), []
        for column, value in filters.items():
            if value is None:
                params.append((column, "is.null"))
            elif isinstance(value, list | tuple | set):
                lists.append((column, list(dict.fromkeys(wire.list_item(v) for v in value if v is not None))))
            else:
                params.append(
                    (column, f"eq.{wire.as_text(value)}")
                )  # after eq. PostgREST takes the rest verbatim
        if any(not items for _, items in lists):
            return []
        fixed = len(f"{self._client.base_url}{table}?{urlencode(params)}")
        room = (MAX_URL_BYTES - fixed) // max(len(lists), 1)  # shared by the IN lists
        options = [
            [(column, f"in.({','.join(part)})") for part in wire.split(items, room - len(column) - 12)]
            for column, items in lists
        ]
        return [params + list(combination) for combination in itertools.product(*options)]

    def _column_parsers(self, table: str) -> dict[str, Callable[[str], Any]]:
        """How to turn JSON text back into the values psycopg gives, from PostgREST's OpenAPI document."""
        if self._parsers is None:
            definitions = self._openapi().get("definitions") or {}
            self._parsers = {
                name: {
                    column: _PARSERS[spec["format"]]
                    for column, spec in (definition.get("properties") or {}).items()
                    if spec.get("format") in _PARSERS
                }
                for name, definition in definitions.items()
            }
        return self._parsers.get(table, {})

    def _openapi(self) -> dict:
        try:
            return self._send("GET", "/").json()
        except SinkAuthError:
            raise
        except SinkError:
            return {}  # the document is turned off (openapi-mode): values stay as JSON renders them

    def _send(self, method: str, path: str, *, rows: bool = False, **request: Any) -> httpx.Response:
        """One request, retried while the sink is unavailable; a refusal is raised as its error kind
        (`rows`: the body holds rows to isolate)."""
        return self._retry.call(
            lambda: self._attempt(method, path, rows, request), f"Supabase {method} {path}"
        )

    def _attempt(self, method: str, path: str, rows: bool, request: dict[str, Any]) -> httpx.Response:
        try:
            response = self._client.request(method, path, **request)
        except httpx.TransportError as error:  # timeouts, refused and dropped connections
            raise SinkUnavailable(f"Supabase unreachable ({type(error).__name__}: {error})") from error
        if response.is_success:
            return response
        raise self._refusal(response, rows)

    def _refusal(self, response: httpx.Response, rows: bool) -> Exception:
        status = response.status_code
        code, message = wire.describe(response)
        key = self._key.get_secret_value()
        message = message.replace(key, "***") if key else message  # in case a gateway echoes it
        label = f"{status} {code}".strip()
        if status in (401, 403) and code == INSUFFICIENT_PRIVILEGE:
            return privilege_refused(f"Supabase refused a privilege ({label} {message})")
        if status in (401, 403):
            return SinkAuthError(f"Supabase refused the service key ({label} {message}): {_AUTH_HINT}")
        if rows and status == 413:
            return RowRejected("413", message)
        if rows and (code in _ROW_LEVEL_CODES or code[:2] in _ROW_LEVEL_CLASSES):
            return RowRejected(code, message)
        if status in (408, 429) or status >= 500:
            return SinkUnavailable(f"Supabase unavailable ({label}): {message}", wire.retry_after(response))
        return SinkError(f"Supabase refused the request ({label}): {message}")
