"""Rows as Dagster table metadata: the first MAX_TABLE_ROWS rows, and the total as `dagster/row_count`."""

from collections.abc import Sequence

import dagster as dg

from gfx_assets.lib.sinks.base import Row

MAX_TABLE_ROWS = 100
MAX_CELL_CHARS = 300


def column(name: str, kind: str, description: str) -> dg.TableColumn:
    return dg.TableColumn(name=name, type=kind, description=description)


def table(rows: Sequence[Row], columns: Sequence[dg.TableColumn]) -> dg.TableMetadataValue:
    """At most MAX_TABLE_ROWS rows, long texts shortened: the UI shows metadata, not a database."""
    records = [
        dg.TableRecord({c.name: _cell(row.get(c.name)) for c in columns}) for row in rows[:MAX_TABLE_ROWS]
    ]
    return dg.MetadataValue.table(records=records, schema=dg.TableSchema(columns=list(columns)))


def table_metadata(name: str, rows: Sequence[Row], columns: Sequence[dg.TableColumn]) -> dict:
    """The table under `name`, the total row count, and how many rows the table shows of it."""
    return {
        name: table(rows, columns),
        "dagster/row_count": dg.MetadataValue.int(len(rows)),
        "rows_shown": dg.MetadataValue.text(f"{min(len(rows), MAX_TABLE_ROWS)} of {len(rows)}"),
    }


def _cell(value: str | int | float | bool | None) -> str | int | float | bool | None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[: MAX_CELL_CHARS - 1] + "…"
    return value
