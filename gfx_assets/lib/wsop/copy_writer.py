"""The fast path for a direct PostgreSQL target: COPY from the source straight into a staging table,
then one `INSERT ... ON CONFLICT (id)` per table; a table still empty (the first full load) takes the
rows by COPY straight into it.

Written here rather than as a sink method because it needs both databases at once: the rows stream
from the source's COPY into the target's COPY in the driver's buffers (memory stays flat however many
rows), and PostgreSQL compares and upserts them in one statement. Binary COPY where both databases
agree on every column's type, text COPY otherwise (copy_format.py says why).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.lib.wsop.copy_format import binary_copy_fits
from gfx_assets.lib.wsop.errors import RowsRefused
from gfx_assets.lib.wsop.source import (
    changed_rows_query,
    copy_out,
    describe,
    require_columns,
    rows_by_id,
    table_columns,
)
from gfx_assets.lib.wsop.tables import WSOP_TABLES, WsopTable


@dataclass(frozen=True)
class Copied:
    read: int
    written: int  # inserted or changed; the rest of `read` was already there, identical
    newest: datetime | None  # newest version stamp among the rows read


class CopyTarget:
    """One target connection; each `copy_*` call is one transaction."""

    def __init__(self, url: str) -> None:
        self._url = url
        with self._translated():
            self._conn = psycopg.connect(url, connect_timeout=10, autocommit=True)
            self._conn.execute("SET TIME ZONE 'UTC'")

    def close(self) -> None:
        self._conn.close()

    def require_target_columns(self, table: str, columns: list[str]) -> None:
        with self._translated():
            require_columns(table, columns, table_columns(self._conn, table))

    def copy_changed(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], since: datetime | None
    ) -> Copied:
        """Copy the source rows stamped at or after `since` (all rows when None) and upsert them."""
        query = changed_rows_query(table.name, columns, table.version_column, since is not None)
        params = (since,) if since is not None else ()
        return self._copy(source, table, columns, query, params, into_empty=True)

    def copy_ids(self, source: psycopg.Connection, table: WsopTable, columns: list[str], ids: list) -> Copied:
        """Copy the source rows with these ids (rows a reconciliation re-copies)."""
        return self._copy(source, table, columns, rows_by_id(table.name, columns), (ids,))

    def _missing_parents(self, table: WsopTable, parent: str, columns: list[str]) -> list:
        """Ids the staged rows point at in `columns` that the target's `parent` table does not hold."""
        query = sql.SQL(
            "SELECT DISTINCT ref.id FROM {stage} s CROSS JOIN LATERAL (VALUES {refs}) AS ref (id) "
            "WHERE ref.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = ref.id)"
        ).format(
            stage=_stage_name(table.name),
            refs=sql.SQL(", ").join(sql.SQL("(s.{})").format(sql.Identifier(c)) for c in columns),
            parent=sql.Identifier(parent),
        )
        with self._translated():
            return [parent_id for (parent_id,) in self._conn.execute(query).fetchall()]

    def _copy(
        self,
        source: psycopg.Connection,
        table: WsopTable,
        columns: list[str],
        query: sql.Composed,
        params,
        into_empty: bool = False,
    ) -> Copied:
        with self._translated(), self._conn.transaction():
            if into_empty and (loaded := self._load_empty(source, table, columns, query, params)):
                return loaded
            read, newest = self._stage(source, table, columns, query, params)
            for parent, parent_columns in table.referenced_tables().items():
                self._copy_missing_parents(source, table, parent_columns, WSOP_TABLES[parent])
            written = self._conn.execute(_upsert(table.name, columns)).rowcount
        return Copied(read, written, newest)

    def _load_empty(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], query: sql.Composed, params
    ) -> Copied | None:
        """Into a table that holds no row (a first full load), COPY the rows straight in: no staging
        table, no comparison, no conflict to resolve. The table is locked against other writers (readers
        go on) until this transaction ends, and checked empty again under the lock. Returns None, with
        the attempt rolled back, when the table holds rows or refused one: a missing parent (foreign key)
        or a value it will not take. The caller then stages as usual, which brings missing parents first
        and reports a refused value."""
        target = sql.Identifier(table.name)
        if not self._is_empty(target):
            return None
        self._conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(target))
        if not self._is_empty(target):
            return None
        try:
            # a savepoint: the rollback keeps the lock (taken before it) and the transaction usable
            with self._conn.transaction():
                self._stream(source, table, columns, query, params, target)
        except psycopg.Error as error:
            # besides refused rows, 0A000: COPY is not allowed under row-level security (a role that
            # neither owns the table nor bypasses RLS), where the staging path's INSERT is
            if _refuses_rows(error) or error.sqlstate == "0A000":
                return None
            raise
        read, newest = self._count_and_newest(target, table)
        return Copied(read, read, newest)

    def _is_empty(self, target: sql.Identifier) -> bool:
        query = sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(target)
        return self._conn.execute(query).fetchone()[0]

    def _stage(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], query: sql.Composed, params
    ) -> tuple[int, datetime | None]:
        """Stream the query's rows from the source into a temporary staging table of the target."""
        stage = _stage_name(table.name)
        self._conn.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(stage, sql.Identifier(table.name))
        )
        self._stream(source, table, columns, query, params, stage)
        return self._count_and_newest(stage, table)

    def _stream(
        self,
        source: psycopg.Connection,
        table: WsopTable,
        columns: list[str],
        query: sql.Composed,
        params,
        into: sql.Identifier,
    ) -> None:
        """The query's rows from the source's COPY into the target table `into`."""
        binary = binary_copy_fits(source, self._conn, table.name, columns)
        copy_in = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
            into,
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(" (FORMAT BINARY)") if binary else sql.SQL(""),
        )
        with copy_out(source, query, params, binary) as blocks, self._conn.cursor().copy(copy_in) as writing:
            for batch in _batched(blocks):
                writing.write(batch)

    def _count_and_newest(self, rows: sql.Identifier, table: WsopTable) -> tuple[int, datetime | None]:
        version = sql.Identifier(table.version_column)
        query = sql.SQL("SELECT count(*), max({}) FROM {}").format(version, rows)
        return self._conn.execute(query).fetchone()

    def _copy_missing_parents(
        self, source: psycopg.Connection, table: WsopTable, pointing: list[str], parent: WsopTable
    ) -> None:
        """Parents that appeared at the source after their own table's sync: read in the same snapshot as
        the rows pointing at them, and upserted first, so the foreign keys hold. One staging of the parent
        for all the columns `pointing` at it (a player, and the player who eliminated them)."""
        missing = self._missing_parents(table, parent.name, pointing)
        if missing:
            columns = table_columns(source, parent.name)
            self._stage(source, parent, columns, rows_by_id(parent.name, columns), (missing,))
            self._conn.execute(_upsert(parent.name, columns))

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Target errors leave as the sink's error kinds (transient ones are retried)."""
        try:
            yield
        except psycopg.OperationalError as error:
            raise SinkUnavailable(f"target PostgreSQL unavailable: {describe(error, self._url)}") from None
        except psycopg.Error as error:
            if _refuses_rows(error):
                raise RowsRefused(f"target refused rows: {describe(error, self._url)}") from None
            raise SinkError(
                f"target PostgreSQL error {error.sqlstate}: {describe(error, self._url)}"
            ) from None


def _refuses_rows(error: psycopg.Error) -> bool:
    """SQLSTATE class 22 (a value the column will not take) or 23 (a constraint: a missing parent)."""
    return (error.sqlstate or "")[:2] in ("22", "23")


def _batched(blocks: Iterable[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The source hands out one row per block; writing them joined into ~64 KiB pieces saves the driver
    a call per row (the server sees the same byte stream: COPY data need not break at rows)."""
    pending: list[bytes] = []
    pending_bytes = 0
    for block in blocks:
        pending.append(block)
        pending_bytes += len(block)
        if pending_bytes >= size:
            yield b"".join(pending)
            pending, pending_bytes = [], 0
    if pending:
        yield b"".join(pending)


def _stage_name(table: str) -> sql.Identifier:
    return sql.Identifier(f"stage_{table}")


def _upsert(table: str, columns: list[str]) -> sql.Composed:
    """Insert new ids; update an existing row only when a column differs, so unchanged rows (the
    re-read overlap of every sync) are not rewritten and the row count says what really changed."""
    target, stage = sql.Identifier(table), _stage_name(table)
    updated = [c for c in columns if c != "id"]
    return sql.SQL(
        "INSERT INTO {t} AS t ({cols}) SELECT {cols} FROM {stage} ON CONFLICT (id) DO UPDATE SET {sets} "
        "WHERE ({old}) IS DISTINCT FROM ({new})"
    ).format(
        t=target,
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
        stage=stage,
        sets=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in updated),
        old=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in updated),
        new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in updated),
    )
