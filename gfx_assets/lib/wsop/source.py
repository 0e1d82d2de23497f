"""The WSOP+ source PostgreSQL: one read-only, repeatable-read snapshot per sync of a table."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import psycopg
from psycopg import sql
from psycopg.adapt import Loader

from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.sinks import JsonText
from gfx_assets.lib.wsop.errors import SchemaMismatch, SourceError, SourceUnavailable, WsopConfigError

CONNECT_TIMEOUT_SECONDS = 10
SOURCE_URL_SETTING = "GFX_WSOP_SOURCE_URL"


class _JsonTextLoader(Loader):
    """jsonb stays the source's text (a JsonText), so neither sink re-encodes it."""

    def load(self, data: bytes | bytearray | memoryview) -> JsonText:
        return JsonText(bytes(data).decode())


@contextmanager
def source_snapshot(url: str, json_as_text: bool = True) -> Iterator[psycopg.Connection]:
    """A connection inside one REPEATABLE READ, READ ONLY transaction: every query of a table's sync
    (rows, parents, counts) sees the same committed state. Connection problems are SourceUnavailable,
    with the DSN's password masked."""
    if not url:
        raise WsopConfigError(f"{SOURCE_URL_SETTING} is not set: the WSOP+ source database is unknown")
    try:
        with psycopg.connect(
            url, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="gfx_assets wsop sync"
        ) as conn:
            if json_as_text:
                for json_type in ("json", "jsonb"):
                    conn.adapters.register_loader(json_type, _JsonTextLoader)
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            conn.execute("SET TIME ZONE 'UTC'")
            yield conn
    except psycopg.OperationalError as error:
        raise SourceUnavailable(f"WSOP+ source unavailable: {describe(error, url)}") from None


def describe(error: psycopg.Error, url: str) -> str:
    """The first line of a psycopg error, with the URL and any credential masked."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return redact(text, secrets=[url])


def table_columns(conn: psycopg.Connection, table: str) -> list[str]:
    """The table's columns in their defined order; a missing table is a SchemaMismatch."""
    rows = conn.execute(
        """SELECT a.attname FROM pg_attribute a
           WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum""",
        (f"public.{table}",),
    ).fetchall()
    if not rows:
        raise SchemaMismatch(f"{table}: no such table in the database")
    return [name for (name,) in rows]


def require_columns(table: str, source: list[str], target: list[str]) -> None:
    """Every source column must exist in the target: a silent drop would lose data."""
    missing = [column for column in source if column not in set(target)]
    if missing:
        raise SchemaMismatch(
            f"{table}: the target table lacks source column(s) {', '.join(missing)}; "
            "add them to the target with a new migration, then sync again"
        )


def changed_rows_query(table: str, columns: list[str], version_column: str, since: bool) -> sql.Composed:
    """Rows in (version, id) order; with `since`, only rows stamped at or after the `%s` parameter.

    `>=` (not `>`) re-reads the rows stamped exactly at the bound, so rows sharing one timestamp are
    never split between runs; rows without a stamp cannot be tracked by time and are always re-read.
    """
    where = (
        sql.SQL("WHERE {v} >= %s OR {v} IS NULL").format(v=sql.Identifier(version_column))
        if since
        else sql.SQL("")
    )
    return sql.SQL("SELECT {cols} FROM {table} {where} ORDER BY {v}, id").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        where=where,
        v=sql.Identifier(version_column),
    )


def rows_by_id(table: str, columns: list[str]) -> sql.Composed:
    """Rows whose id is in the `%s` list parameter."""
    return sql.SQL("SELECT {cols} FROM {table} WHERE id = ANY(%s)").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)), table=sql.Identifier(table)
    )


@contextmanager
def copy_out(
    source: psycopg.Connection, query: sql.Composed, params: tuple, binary: bool = False
) -> Iterator[Iterator[bytes]]:
    """The query's rows as COPY blocks (text, or binary: see copy_format), streamed. Errors of the
    source's COPY leave as source errors; an error raised by the caller's own work inside the block (the
    target refusing what it writes) passes through untouched, so the two are never confused."""
    options = sql.SQL(" (FORMAT BINARY)") if binary else sql.SQL("")
    statement = sql.SQL("COPY ({}) TO STDOUT{}").format(query, options)
    url = source.info.dsn
    with ExitStack() as stack:
        with _source_errors(url):
            copy = stack.enter_context(source.cursor().copy(statement, params))
        yield _translated_blocks(copy, url)


def _translated_blocks(copy: psycopg.Copy, url: str) -> Iterator[bytes]:
    with _source_errors(url):
        yield from copy


@contextmanager
def _source_errors(url: str) -> Iterator[None]:
    try:
        yield
    except psycopg.OperationalError as error:
        raise SourceUnavailable(f"WSOP+ source unavailable: {describe(error, url)}") from None
    except psycopg.Error as error:
        raise SourceError(f"WSOP+ source refused the query: {describe(error, url)}") from None
