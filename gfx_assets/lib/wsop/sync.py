"""One incremental, lossless sync of one WSOP+ table.

Rows stamped at or after `watermark - lookback` are read in (version, id) order from one source
snapshot and upserted on `id`. The lookback re-reads what a transaction committed late with an older
stamp, and `>=` re-reads rows sharing the watermark's stamp; both are harmless because the upsert is
idempotent, and honest because rows found identical in the target count as unchanged, not upserted.
The first sync (no watermark) reads the whole table. The watermark advances only after the upsert.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import psycopg
from psycopg import sql

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.sinks import Sink, SinkUnavailable
from gfx_assets.lib.wsop.copy_writer import Copied, CopyTarget
from gfx_assets.lib.wsop.sink_writer import SinkWriter
from gfx_assets.lib.wsop.source import describe, source_snapshot, table_columns
from gfx_assets.lib.wsop.status import Schedule, read_status, record_success
from gfx_assets.lib.wsop.tables import WsopTable


class Writer(Protocol):
    def require_target_columns(self, table: str, columns: list[str]) -> None: ...

    def copy_changed(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], since: datetime | None
    ) -> Copied: ...

    def copy_ids(
        self, source: psycopg.Connection, table: WsopTable, columns: list[str], ids: list
    ) -> Copied: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SyncOptions:
    source_url: str
    lookback_seconds: float
    chunk_rows: int
    copy_target_url: str | None = None  # a direct PostgreSQL target: use the COPY fast path


@dataclass(frozen=True)
class TableSync:
    table: str
    rows_read: int
    rows_upserted: int
    watermark_before: datetime | None
    watermark_after: datetime | None
    source_rows: int  # rows of the table in the snapshot the sync read
    lag_seconds: float | None  # source clock minus the newest stamp synced

    @property
    def rows_unchanged(self) -> int:
        return self.rows_read - self.rows_upserted


def open_writer(sink: Sink, options: SyncOptions) -> Writer:
    if options.copy_target_url:
        return CopyTarget(options.copy_target_url)
    return SinkWriter(sink, options.chunk_rows)


def ensure_target_schema(options: SyncOptions) -> None:
    """A direct PostgreSQL target gets its pending migrations, so `dagster job execute` works on a fresh
    database; when it is up to date this only reads the ledger. (A Supabase target is migrated in its
    SQL editor.)"""
    if options.copy_target_url:
        try:
            migrate(options.copy_target_url)
        except psycopg.OperationalError as error:
            raise SinkUnavailable(
                f"target PostgreSQL unavailable: {describe(error, options.copy_target_url)}"
            ) from None


def sync_table(sink: Sink, table: WsopTable, options: SyncOptions, schedule: Schedule) -> TableSync:
    ensure_target_schema(options)
    before = read_status(sink, table.name).watermark
    since = before - timedelta(seconds=options.lookback_seconds) if before else None
    with source_snapshot(options.source_url) as source:
        columns = table_columns(source, table.name)
        writer = open_writer(sink, options)
        try:
            writer.require_target_columns(table.name, columns)
            copied = writer.copy_changed(source, table, columns, since)
        finally:
            writer.close()
        source_rows, source_now = source.execute(
            sql.SQL("SELECT count(*), statement_timestamp() FROM {}").format(sql.Identifier(table.name))
        ).fetchone()
    after = max(filter(None, [before, copied.newest]), default=None)
    record_success(sink, table.name, after, copied.written, schedule)
    lag = (source_now - after).total_seconds() if after else None
    return TableSync(table.name, copied.read, copied.written, before, after, source_rows, lag)
