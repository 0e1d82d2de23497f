"""A small PostgREST look-alike for tests: Supabase's `/rest/v1` over a real PostgreSQL, with faults.

It speaks the subset the REST sink uses, as PostgREST does: requests run on a pool of connections (as
PostgREST's own pool; each request as the app's role, in autocommit), upserts through one
`INSERT ... SELECT FROM json_populate_recordset(...) ON CONFLICT` statement, eq/in/is filters with
PostgREST's quoting, limit/offset/order paging with Content-Range, the OpenAPI column formats, and
PostgreSQL errors as `{code, message, details, hint}` with the SQLSTATE as code. In front of it
`postgrest_gateway.Gateway` plays Supabase's gateway: injected faults, the service key, a body limit, a
request log.
"""

import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
import uvicorn
from psycopg import sql
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gfx_assets.lib.common import fast_json
from gfx_assets_tests import postgrest_query as query
from gfx_assets_tests.postgrest_gateway import DroppedConnection, Faults, Gateway, error

POOL_WAIT_SECONDS = 5.0  # a request waits this long for a connection (the database may be down), then 500


def create_app(
    database_url: str,
    *,
    service_key: str,
    faults: Faults | None = None,
    max_rows: int | None = None,
    role: str | None = None,
) -> Starlette:
    """The app; `app.state.faults` and `app.state.requests` (a list of `SeenRequest`) are for the test.
    With `role`, table requests run as that role (SET ROLE), as PostgREST runs the service key's as
    service_role; without it, as the user of `database_url`."""
    app = Starlette(
        lifespan=_pooled,
        routes=[
            Route("/rest/v1/", _openapi),
            Route("/rest/v1/rpc/{function}", _rpc, methods=["POST"]),
            Route("/rest/v1/{table}", _table, methods=list(_HANDLERS)),
        ],
    )
    app.state.database_url = database_url
    app.state.faults = faults or Faults()
    app.state.requests = []
    app.state.max_rows = max_rows
    app.state.role = role
    app.add_middleware(Gateway, service_key=service_key, faults=app.state.faults, log=app.state.requests)
    return app


@asynccontextmanager
async def _pooled(app: Starlette) -> AsyncIterator[None]:
    """The app's connections, opened as the server starts (without waiting for the database, which a test
    may have stopped) and closed as it stops. Each is checked when taken, so one a test killed is replaced."""
    app.state.pool = AsyncConnectionPool(
        app.state.database_url,
        kwargs={"autocommit": True},
        min_size=1,
        max_size=4,
        timeout=POOL_WAIT_SECONDS,
        check=AsyncConnectionPool.check_connection,
        open=False,
    )
    await app.state.pool.open(wait=False)
    try:
        yield
    finally:
        await app.state.pool.close()


async def _openapi(request: Request) -> Response:
    """The part of PostgREST's OpenAPI document the sink reads: each column's type as its format."""
    async with await psycopg.AsyncConnection.connect(request.app.state.database_url) as conn:
        tables = await query.catalog(conn)
    definitions = {
        table: {
            "type": "object",
            "properties": {column: {"format": kind} for column, kind in columns.items()},
        }
        for table, columns in tables.items()
    }
    return JSONResponse({"swagger": "2.0", "definitions": definitions})


async def _table(request: Request) -> Response:
    table = request.path_params["table"]

    async def answer(conn: psycopg.AsyncConnection) -> Response:
        columns = (await query.catalog(conn)).get(table)
        if columns is None:
            return error(404, "PGRST205", f"Could not find the table 'public.{table}' in the schema cache")
        return await _HANDLERS[request.method](request, conn, table, columns)

    return await _answered(request, answer)


async def _rpc(request: Request) -> Response:
    """`POST /rpc/<function>`: the function's result as JSON, as PostgREST answers a scalar function."""
    function = request.path_params["function"]

    async def answer(conn: psycopg.AsyncConnection) -> Response:
        statement = await query.function_call(conn, function)
        if statement is None:
            return error(
                404, "PGRST202", f"Could not find the function public.{function} in the schema cache"
            )
        body = (await request.body()).decode() or "{}"
        text = (await (await conn.execute(statement, [body])).fetchone())[0]
        return Response(text, 200, media_type="application/json")

    return await _answered(request, answer)


async def _answered(request: Request, answer: Any) -> Response:
    """`answer(conn)` on a pooled connection, as the app's role; PostgreSQL's errors as PostgREST's."""
    role = request.app.state.role
    try:
        async with request.app.state.pool.connection() as conn:
            await conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)) if role else "RESET ROLE")
            return await answer(conn)
    except query.BadRequest as bad:
        return error(400, bad.code, bad.message)
    except psycopg.Error as failure:
        state, diag = failure.sqlstate or "", failure.diag
        message = diag.message_primary or str(failure)
        return error(query.status_of(state), state, message, diag.message_detail, diag.message_hint)


async def _insert(request: Request, conn: psycopg.AsyncConnection, table: str, columns: dict) -> Response:
    body = (await request.body()).decode()
    try:
        # a sync's upserts send ~1.4 million rows: msgspec reads them in about 60% of json's time (a body
        # of the real fixtures' seats and events: 18 ms against 29 ms), into the same values, and what it
        # refuses goes to json, which decides (fast_json)
        payload = fast_json.loads(body)
    except ValueError:
        raise query.BadRequest("PGRST102", "Empty or invalid json") from None
    rows = payload if isinstance(payload, list) else [payload]
    if not rows:
        return Response(status_code=201)
    sent = query.csv(request.query_params.get("columns")) or query.same_keys(rows)
    unknown = [column for column in sent if column not in columns]
    if unknown:
        message = f"Could not find the '{unknown[0]}' column of '{table}' in the schema cache"
        raise query.BadRequest("PGRST204", message)
    conflict = query.csv(request.query_params.get("on_conflict"))
    resolution = query.preference(request.headers.get("prefer", ""), "resolution")
    statement = query.upsert_sql(table, sent, conflict, resolution)
    await conn.execute(statement, [body if isinstance(payload, list) else f"[{body}]"])
    return Response(status_code=201)


async def _read(request: Request, conn: psycopg.AsyncConnection, table: str, columns: dict) -> Response:
    params = request.query_params
    where, values = query.where(params.multi_items())
    selected = query.csv(params.get("select"))
    shown = sql.SQL(", ").join(map(sql.Identifier, selected)) if selected else sql.SQL("*")
    rows = sql.SQL("SELECT {} FROM {} WHERE {}").format(shown, sql.Identifier(table), where)
    offset = int(params.get("offset") or 0)
    limits = [int(n) for n in (params.get("limit"), request.app.state.max_rows) if n is not None]
    page = sql.SQL("SELECT coalesce(json_agg(t), '[]')::text, count(*) FROM ({}{} LIMIT {} OFFSET {}) t")
    statement = page.format(
        rows, query.order_by(params.get("order")), sql.Literal(min(limits, default=None)), offset
    )
    text, shown_rows = await (await conn.execute(statement, values)).fetchone()
    total = "*"
    if query.preference(request.headers.get("prefer", ""), "count") == "exact":
        counting = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sql.Identifier(table), where)
        total = str((await (await conn.execute(counting, values)).fetchone())[0])
    shown_range = f"{offset}-{offset + shown_rows - 1}" if shown_rows else "*"
    status = 206 if total != "*" and shown_rows < int(total) else 200
    headers = {"Content-Range": f"{shown_range}/{total}"}
    return Response(text, status, headers, media_type="application/json")


async def _delete(request: Request, conn: psycopg.AsyncConnection, table: str, columns: dict) -> Response:
    where, values = query.where(request.query_params.multi_items())
    await conn.execute(sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table), where), values)
    return Response(status_code=204)


async def _update(request: Request, conn: psycopg.AsyncConnection, table: str, columns: dict) -> Response:
    body = (await request.body()).decode()
    sent = list(fast_json.loads(body))
    unknown = [column for column in sent if column not in columns]
    if unknown:
        raise query.BadRequest(
            "PGRST204", f"Could not find the '{unknown[0]}' column of '{table}' in the schema cache"
        )
    where, values = query.where(request.query_params.multi_items())
    names = sql.SQL(", ").join(map(sql.Identifier, sent))
    statement = sql.SQL(
        "UPDATE {t} SET ({c}) = (SELECT {c} FROM json_populate_record(NULL::{t}, %s::json)) WHERE {w}"
    )
    await conn.execute(statement.format(t=sql.Identifier(table), c=names, w=where), [body, *values])
    return Response(status_code=204)


_HANDLERS = {"POST": _insert, "GET": _read, "DELETE": _delete, "PATCH": _update}


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run `app` with uvicorn on a free port of 127.0.0.1 in a background thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None, log_level="warning"))
    quiet = _QuietDrops()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test PostgREST server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        logging.getLogger("uvicorn.error").removeFilter(quiet)
