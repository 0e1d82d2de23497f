"""The sink path (the Supabase REST sink, or any `Sink`): rows read through a server-side cursor in
chunks of `chunk_rows`, and upserted on `id` through the project's sink layer.

A chunk's rows already in the target with the same id and version stamp (updated_at, or created_at for
chip counts) are the re-read overlap of the previous sync: they are counted as unchanged and not sent.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from gfx_assets.lib.sinks import Sink, SinkError
from gfx_assets.lib.sinks.base import Row
from gfx_assets.lib.wsop.copy_writer import Copied
from gfx_assets.lib.wsop.errors import RowsRefused
from gfx_assets.lib.wsop.source import changed_rows_query, require_columns, rows_by_id, table_columns
from gfx_assets.lib.wsop.tables import WSOP_TABLES, WsopTable


@dataclass
class SinkWriter:
    sink: Sink
    chunk_rows: int

    def require_target_columns(self, table: str, columns: list[str]) -> None:
        """Ask the target for every source column (no row matches `id IS NULL`); name those it lacks."""
        try:
            self.sink.select(table, columns, {"id": None})
        except SinkError:  # probe column by column to name exactly the missing ones
            missing = [column for column in columns if not self._has_column(table, column)]
            if not missing:
                raise
            require_columns(table, columns, [c for c in columns if c not in missing])

    def copy_changed(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], since: datetime | None
    ) -> Copied:
        query = changed_rows_query(table.name, columns, table.version_column, since is not None)
        return self._copy(source, table, _chunks(source, query, (since,) if since else (), self.chunk_rows))

    def copy_ids(self, source: psycopg.Connection, table: WsopTable, columns: list[str], ids: list) -> Copied:
        """Write these rows whatever the target holds (a reconciliation found them differing)."""
        rows = source.cursor(row_factory=dict_row).execute(rows_by_id(table.name, columns), (ids,)).fetchall()
        return self._copy(source, table, iter([rows] if rows else []), force=True)

    def close(self) -> None:
        """Nothing to release: the sink belongs to the caller."""

    def _copy(
        self, source: psycopg.Connection, table: WsopTable, chunks: Iterator[list[Row]], force: bool = False
    ) -> Copied:
        read = written = 0
        newest: datetime | None = None
        for rows in chunks:
            read += len(rows)
            stamps = (row[table.version_column] for row in rows)
            newest = max(filter(None, [newest, *stamps]), default=None)
            changed = rows if force else self._not_in_target(table, rows)
            for parent, columns in table.referenced_tables().items():
                ids = {row[column] for row in changed for column in columns}
                self._copy_missing_parents(source, WSOP_TABLES[parent], ids)
            written += self._upsert(table.name, changed)
        return Copied(read, written, newest)

    def _not_in_target(self, table: WsopTable, rows: list[Row]) -> list[Row]:
        version = table.version_column
        stored = self.sink.select(table.name, ["id", version], {"id": [row["id"] for row in rows]})
        present = {(row["id"], row[version]) for row in stored}
        return [row for row in rows if (row["id"], row[version]) not in present]

    def _copy_missing_parents(self, source: psycopg.Connection, parent: WsopTable, ids: set) -> None:
        """Parents that appeared at the source after their own table's sync: read in the same snapshot as
        the rows pointing at them, and upserted first, so the foreign keys hold."""
        ids.discard(None)
        if not ids:
            return
        present = {row["id"] for row in self.sink.select(parent.name, ["id"], {"id": list(ids)})}
        missing = list(ids - present)
        if missing:
            columns = table_columns(source, parent.name)
            rows = source.cursor(row_factory=dict_row).execute(rows_by_id(parent.name, columns), (missing,))
            self._upsert(parent.name, rows.fetchall())

    def _upsert(self, table: str, rows: list[Row]) -> int:
        result = self.sink.upsert(table, rows, ("id",))
        if result.rejected:
            first = result.rejected[0]
            raise RowsRefused(
                f"{table}: the target refused {len(result.rejected)} row(s), first id {first.row.get('id')} "
                f"({first.code}: {first.message})"
            )
        return result.written

    def _has_column(self, table: str, column: str) -> bool:
        try:
            self.sink.select(table, [column], {"id": None})
        except SinkError:  # a permanent refusal of this one column: the target lacks it
            return False
        return True


def _chunks(source: psycopg.Connection, query, params: tuple, size: int) -> Iterator[list[Row]]:
    """The query's rows, `size` at a time, from a server-side (named) cursor: memory stays flat."""
    with source.cursor(name="wsop_changed_rows", row_factory=dict_row) as cursor:
        cursor.itersize = size
        cursor.execute(query, params)
        while rows := cursor.fetchmany(size):
            yield rows
