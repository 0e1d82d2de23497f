"""The fast path for a direct PostgreSQL target: COPY from the source straight into a staging table,
then one `INSERT ... ON CONFLICT (id)` per table.

Written here rather than as a sink method because it needs both databases at once: the rows stream
from the source's COPY into the target's COPY in the driver's buffers (memory stays flat however many
rows), and PostgreSQL compares and upserts them in one statement. Text COPY, not binary: the text
format converts between compatible types (varchar/text, int/bigint) where binary would not.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from gfx_assets.lib.sinks import SinkError, SinkUnavailable
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
        return self._copy(source, table, columns, query, params)

    def copy_ids(self, source: psycopg.Connection, table: WsopTable, columns: list[str], ids: list) -> Copied:
        """Copy the source rows with these ids (rows a reconciliation re-copies)."""
        return self._copy(source, table, columns, rows_by_id(table.name, columns), (ids,))

    def _missing_parents(self, table: WsopTable, parent: str, column: str) -> list:
        """Ids the staged rows point at in `column` that the target's `parent` table does not hold."""
        query = sql.SQL(
            "SELECT DISTINCT s.{c} FROM {stage} s WHERE s.{c} IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = s.{c})"
        ).format(c=sql.Identifier(column), stage=_stage_name(table.name), parent=sql.Identifier(parent))
        with self._translated():
            return [parent_id for (parent_id,) in self._conn.execute(query).fetchall()]

    def _copy(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], query: sql.Composed, params
    ) -> Copied:
        with self._translated(), self._conn.transaction():
            read, newest = self._stage(source, table, columns, query, params)
            for column, parent in table.parents:
                self._copy_missing_parents(source, table, column, WSOP_TABLES[parent])
            written = self._conn.execute(_upsert(table.name, columns)).rowcount
        return Copied(read, written, newest)

    def _stage(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], query: sql.Composed, params
    ) -> tuple[int, datetime | None]:
        """Stream the query's rows from the source into a temporary staging table of the target."""
        stage = _stage_name(table.name)
        self._conn.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(stage, sql.Identifier(table.name))
        )
        copy_in = sql.SQL("COPY {} ({}) FROM STDIN").format(
            stage, sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with copy_out(source, query, params) as blocks, self._conn.cursor().copy(copy_in) as writing:
            for block in blocks:
                writing.write(block)
        version = sql.Identifier(table.version_column)
        return self._conn.execute(
            sql.SQL("SELECT count(*), max({}) FROM {}").format(version, stage)
        ).fetchone()

    def _copy_missing_parents(
        self, source: psycopg.Connection, table: WsopTable, column: str, parent: WsopTable
    ) -> None:
        """Parents that appeared at the source after their own table's sync: read in the same snapshot as
        the rows pointing at them, and upserted first, so the foreign keys hold."""
        missing = self._missing_parents(table, parent.name, column)
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
            if (error.sqlstate or "")[:2] in ("22", "23"):
                raise RowsRefused(f"target refused rows: {describe(error, self._url)}") from None
            raise SinkError(
                f"target PostgreSQL error {error.sqlstate}: {describe(error, self._url)}"
            ) from None


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
