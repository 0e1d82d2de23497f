"""The direct PostgreSQL sink (psycopg 3): each chunk is one transaction that COPYs the rows into a
temporary table and merges them with one `INSERT … SELECT … ON CONFLICT`. A request takes an idle
connection (or opens one) and gives it back when its transaction ends: requests from several threads at
once keep as many server processes busy (a landing's `WritePlan.writers`), and requests one after another
share one connection, whichever thread makes them (a live session's runs connect once each). That is a
list of idle connections, not psycopg_pool: the pool connects in its own thread and reports a refused
password or an unreachable server as a timeout, where the connect error itself (its SQLSTATE) is what
tells a credential problem from an outage here (`_translate`). COPY is PostgreSQL's bulk
path: the rows travel as one stream (psycopg formats them in C), not as one statement per row, and a
file's JSON text goes to the server as it is (escaped for COPY, never re-encoded by us).

Each statement is retried on its own (`RequestRetry`): a dropped connection, an admin shutdown or a
restart of the server reconnects and runs the transaction again, which is safe because every
statement here is an upsert on a natural key, a delete or update by filter, or a read.
"""

import threading
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.adapt import Dumper
from psycopg.types.json import set_json_loads

from gfx_assets.lib.common import fast_json
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.sinks.base import (
    INSUFFICIENT_PRIVILEGE,
    Filters,
    JsonText,
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

T = TypeVar("T")

# SQLSTATE classes caused by a row's data (22 data exception, 23 integrity, 54 program limit):
# the chunk is split to isolate the row. Everything else is the sink's problem, not the row's.
_ROW_LEVEL_CLASSES = ("22", "23", "54")
_AUTH_STATES = ("28000", "28P01")
# Transient: connection exceptions (08), transaction rollback (40: serialization failure, deadlock),
# insufficient resources (53), operator intervention (57: admin or crash shutdown, cannot connect
# now), a lock not available (55P03); and any OperationalError (a connection lost has no SQLSTATE).
_TRANSIENT_CLASSES = ("08", "40", "53", "57")
_TRANSIENT_STATES = ("55P03",)
_STAGE = sql.Identifier("gfx_sink_stage")  # the temporary table a chunk is copied into


class _JsonTextDumper(Dumper):
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: JsonText) -> bytes:
        return obj.encode()


class PostgresSink:
    """Writes to PostgreSQL over as many connections as requests run at once, each opened lazily; one that
    breaks is dropped, the next request opens another. `close` closes the idle ones."""

    def __init__(self, url: str, connect_timeout: float = 10, retry: RequestRetry | None = None) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._retry = retry or RequestRetry()
        self._idle: list[psycopg.Connection] = []
        self._idle_lock = threading.Lock()
        self._no_direct_copy: set[str] = set()  # tables row-level security keeps COPY out of

    def upsert(
        self,
        table: str,
        rows: Sequence[Row],
        conflict: Sequence[str],
        update: Sequence[str] | None = None,
        mostly_new: bool = False,
    ) -> UpsertResult:
        if not mostly_new:  # rows expected new are deduplicated only if they meet a stored key (_write)
            rows = dedupe_on(rows, conflict)
        if not rows:
            return UpsertResult()
        columns = list(rows[0])
        merge = _merge_sql(table, columns, conflict, update if update is not None else columns)
        return write_isolating(
            lambda chunk: self._write(table, merge, columns, conflict, chunk, mostly_new), rows
        )

    def select(self, table: str, columns: Sequence[str], filters: Filters) -> list[Row]:
        where, params = _where(filters)
        query = sql.SQL("SELECT {} FROM {} WHERE {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table), where
        )

        def read(conn: psycopg.Connection) -> list[Row]:
            with conn.cursor(row_factory=psycopg.rows.dict_row) as cursor:
                return cursor.execute(query, params).fetchall()

        return self._run(read, f"select from {table}")

    def count(self, table: str, filters: Filters) -> int:
        where, params = _where(filters)
        query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sql.Identifier(table), where)
        return self._run(lambda conn: conn.execute(query, params).fetchone()[0], f"count of {table}")

    def delete(self, table: str, filters: Filters) -> None:
        where, params = _where(filters)
        query = sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table), where)
        self._run(lambda conn: conn.execute(query, params), f"delete from {table}")

    def update(self, table: str, values: Row, filters: Filters) -> None:
        where, params = _where(filters)
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values)
        query = sql.SQL("UPDATE {} SET {} WHERE {}").format(sql.Identifier(table), assignments, where)
        self._run(lambda conn: conn.execute(query, [*values.values(), *params]), f"update of {table}")

    def call(self, function: str, arguments: Row) -> Any:
        named = sql.SQL(", ").join(sql.SQL("{} => %s").format(sql.Identifier(name)) for name in arguments)
        query = sql.SQL("SELECT {}({})").format(sql.Identifier(function), named)
        params = list(arguments.values())
        return self._run(lambda conn: conn.execute(query, params).fetchone()[0], f"call of {function}")

    def factory(self) -> Callable[[], "PostgresSink"]:
        return partial(PostgresSink, self._url, self._connect_timeout, self._retry)

    def close(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _write(
        self,
        table: str,
        merge: sql.Composed,
        columns: list[str],
        conflict: Sequence[str],
        chunk: Sequence[Row],
        mostly_new: bool,
    ) -> None:
        """Rows the caller expects to be new are COPYed straight into `table` inside a savepoint; if a
        key is there after all (another run stored it meanwhile, or the chunk holds it twice), that COPY
        is rolled back and the chunk is deduplicated and merged: COPYed into a temporary table shaped
        like `table`'s columns (types only: the constraints bite at the merge, where a refused row is
        isolated like any other), then one INSERT … ON CONFLICT. ON COMMIT DROP keeps it to this
        transaction (transaction poolers too)."""
        target_columns = sql.SQL(", ").join(map(sql.Identifier, columns))
        create = sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            _STAGE, target_columns, sql.Identifier(table)
        )
        copy_direct = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), target_columns)
        copy_staged = sql.SQL("COPY {} ({}) FROM STDIN").format(_STAGE, target_columns)

        def write(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                if mostly_new and table not in self._no_direct_copy:
                    try:
                        with conn.transaction():  # a savepoint inside _once's transaction
                            _copy_rows(cursor, copy_direct, columns, chunk)
                        return
                    except psycopg.errors.UniqueViolation:
                        pass  # a key is stored already: the merge below updates it instead
                    except psycopg.errors.FeatureNotSupported:
                        # 0A000: row-level security forbids COPY into the table for a role that
                        # does not own it (Supabase); INSERT … SELECT obeys the policies instead
                        self._no_direct_copy.add(table)
                cursor.execute(create)
                _copy_rows(cursor, copy_staged, columns, dedupe_on(chunk, conflict) if mostly_new else chunk)
                cursor.execute(merge)

        self._run(write, f"upsert of {len(chunk)} row(s) into {table}")

    def _checkout(self) -> psycopg.Connection:
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()
        conn = psycopg.connect(self._url, connect_timeout=self._connect_timeout, autocommit=True)
        conn.adapters.register_dumper(JsonText, _JsonTextDumper)
        set_json_loads(fast_json.loads, conn)  # an export read back: the same values, sooner
        return conn

    def _checkin(self, conn: psycopg.Connection) -> None:
        if conn.broken or conn.closed:
            conn.close()
            return
        with self._idle_lock:
            self._idle.append(conn)

    def _run(self, work: Callable[[psycopg.Connection], T], what: str) -> T:
        """`work` in one transaction, run again (on a new connection if need be) while transient."""
        return self._retry.call(lambda: self._once(work), f"PostgreSQL {what}")

    def _once(self, work: Callable[[psycopg.Connection], T]) -> T:
        """One transaction on a connection of its own; psycopg errors leave as the sink's error kinds."""
        conn: psycopg.Connection | None = None
        try:
            conn = self._checkout()
            with conn.transaction():
                return work(conn)
        except psycopg.Error as error:
            raise _translate(error, self._url) from None
        finally:
            if conn is not None:
                self._checkin(conn)  # a broken one is closed, not kept


def _copy_rows(
    cursor: psycopg.Cursor, statement: sql.Composed, columns: list[str], rows: Sequence[Row]
) -> None:
    values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(values(row))


def _translate(error: psycopg.Error, url: str) -> Exception:
    state = error.sqlstate or ""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if state[:2] in _ROW_LEVEL_CLASSES:
        return RowRejected(state, message)
    if state in _AUTH_STATES or "password authentication failed" in message:
        return SinkAuthError(f"PostgreSQL refused the credentials of {redact(url)}: {message}")
    if state == INSUFFICIENT_PRIVILEGE:
        return privilege_refused(f"PostgreSQL refused a privilege: {message}")
    transient = state[:2] in _TRANSIENT_CLASSES or state in _TRANSIENT_STATES
    if transient or isinstance(error, psycopg.OperationalError):
        return SinkUnavailable(f"PostgreSQL unavailable ({redact(url)}): {message}")
    return SinkError(f"PostgreSQL error {state}: {message}")


def _merge_sql(
    table: str, columns: list[str], conflict: Sequence[str], update: Sequence[str]
) -> sql.Composed:
    assignments = [
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(column))
        for column in update
        if column not in conflict
    ]
    action = (
        sql.SQL("DO UPDATE SET {}").format(sql.SQL(", ").join(assignments))
        if assignments
        else sql.SQL("DO NOTHING")
    )
    column_list = sql.SQL(", ").join(map(sql.Identifier, columns))
    return sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) {}").format(
        sql.Identifier(table),
        column_list,
        column_list,
        _STAGE,
        sql.SQL(", ").join(map(sql.Identifier, conflict)),
        action,
    )


def _where(filters: Filters) -> tuple[sql.Composable, list]:
    clauses, params = [], []
    for column, value in filters.items():
        if value is None:
            clauses.append(sql.SQL("{} IS NULL").format(sql.Identifier(column)))
        elif isinstance(value, list | tuple | set):
            clauses.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
            params.append(list(value))
        else:
            clauses.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    return (sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")), params
