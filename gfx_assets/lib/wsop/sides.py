"""The two sides a reconciliation compares, read as fingerprints per key range.

`PostgresSide` streams rows through a server-side cursor (the source, or a direct PostgreSQL target):
memory holds one range's fingerprints at most. `RestSide` reads the target through the REST sink,
which has no range filter: it loads the table's fingerprints once (about 100 bytes a row).
"""

from collections.abc import Iterator
from typing import Protocol
from uuid import UUID

import psycopg
from psycopg import sql

from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.wsop.fingerprints import RANGE_PREFIX_CHARS, fingerprint, key_range, range_checksums

FETCH_ROWS = 5000


class Side(Protocol):
    def ranges(self, table: str, columns: list[str]) -> dict[str, tuple[int, int]]: ...

    def fingerprints(self, table: str, columns: list[str], ranges: list[str]) -> dict[UUID, int]: ...


class PostgresSide:
    def __init__(self, url: str | None = None, conn: psycopg.Connection | None = None) -> None:
        self._url = url
        self._conn = conn

    @classmethod
    def on(cls, conn: psycopg.Connection) -> "PostgresSide":
        return cls(conn=conn)

    def __enter__(self) -> "PostgresSide":
        if self._conn is None:
            self._conn = psycopg.connect(self._url, connect_timeout=10)
            self._conn.read_only = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._url and self._conn is not None:
            self._conn.close()

    def ranges(self, table: str, columns: list[str]) -> dict[str, tuple[int, int]]:
        return range_checksums(self._scan(table, columns, None))

    def fingerprints(self, table: str, columns: list[str], ranges: list[str]) -> dict[UUID, int]:
        return dict(self._scan(table, columns, ranges))

    def _scan(self, table: str, columns: list[str], ranges: list[str] | None) -> Iterator[tuple[UUID, int]]:
        where = sql.SQL("WHERE left(id::text, {}) = ANY(%s)").format(sql.Literal(RANGE_PREFIX_CHARS))
        query = sql.SQL("SELECT {} FROM {} {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(table),
            where if ranges is not None else sql.SQL(""),
        )
        position = columns.index("id")
        with self._conn.cursor(name=f"reconcile_{table}") as cursor:
            cursor.itersize = FETCH_ROWS
            cursor.execute(query, (ranges,) if ranges is not None else None)
            for row in cursor:
                yield row[position], fingerprint(row)


class RestSide:
    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._loaded: dict[str, dict[UUID, int]] = {}

    def __enter__(self) -> "RestSide":
        return self

    def __exit__(self, *exc: object) -> None:
        self._loaded.clear()

    def ranges(self, table: str, columns: list[str]) -> dict[str, tuple[int, int]]:
        return range_checksums(self._all(table, columns).items())

    def fingerprints(self, table: str, columns: list[str], ranges: list[str]) -> dict[UUID, int]:
        wanted = set(ranges)
        return {key: value for key, value in self._all(table, columns).items() if key_range(key) in wanted}

    def _all(self, table: str, columns: list[str]) -> dict[UUID, int]:
        if table not in self._loaded:
            rows = self._sink.select(table, columns, {})
            self._loaded[table] = {
                row["id"]: fingerprint([row[column] for column in columns]) for row in rows
            }
        return self._loaded[table]
