"""The sink contract shared by the PostgreSQL and the Supabase REST sinks.

Errors fall in three kinds, and callers act on the kind, never on the sink:
- `SinkUnavailable`: transient (network, overload, restart); the caller retries with backoff.
- `SinkAuthError` / `SinkError`: permanent (credentials, schema); retrying cannot help.
- a row the database refuses: returned in `UpsertResult.rejected` after the chunk was split
  until the row was isolated, so the other rows of its chunk still land.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Row = dict[str, Any]
Filters = dict[str, Any]  # column -> value (equality), list of values (IN), or None (IS NULL)


class JsonText(str):
    """A string that already holds a JSON document, stored as jsonb without being re-encoded."""


class SinkError(RuntimeError):
    """A permanent sink failure (schema mismatch, bad request): retrying will not help."""


class SinkAuthError(SinkError):
    """The sink refused our credentials."""


class SinkUnavailable(RuntimeError):
    """A transient sink failure; `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RowRejected(Exception):
    """Raised by a chunk writer when the database refused the chunk because of its data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RowFailure:
    row: Row
    code: str
    message: str


@dataclass
class UpsertResult:
    written: int = 0
    rejected: list[RowFailure] = field(default_factory=list)

    def add(self, other: "UpsertResult") -> None:
        self.written += other.written
        self.rejected.extend(other.rejected)


class Sink(Protocol):
    def upsert(
        self, table: str, rows: Sequence[Row], conflict: Sequence[str], update: Sequence[str] | None = None
    ) -> UpsertResult:
        """Insert rows; on a conflict update `update` columns (None: every column sent)."""

    def select(self, table: str, columns: Sequence[str], filters: Filters) -> list[Row]: ...

    def delete(self, table: str, filters: Filters) -> None: ...

    def update(self, table: str, values: Row, filters: Filters) -> None:
        """Set `values` on the rows matching `filters` (a None filter value means IS NULL)."""

    def close(self) -> None: ...


def write_isolating(write_chunk: Callable[[Sequence[Row]], None], rows: Sequence[Row]) -> UpsertResult:
    """Write `rows`; when the database refuses the chunk, halve it until the bad rows are isolated."""
    if not rows:
        return UpsertResult()
    try:
        write_chunk(rows)
        return UpsertResult(written=len(rows))
    except RowRejected as refused:
        if len(rows) == 1:
            return UpsertResult(rejected=[RowFailure(rows[0], refused.code, refused.message)])
    middle = len(rows) // 2
    result = write_isolating(write_chunk, rows[:middle])
    result.add(write_isolating(write_chunk, rows[middle:]))
    return result


def dedupe_on(rows: Iterable[Row], conflict: Sequence[str]) -> list[Row]:
    """Keep the last row per conflict key: one statement may not touch a row twice (21000)."""
    unique: dict[tuple, Row] = {}
    for row in rows:
        unique[tuple(row[column] for column in conflict)] = row
    return list(unique.values())


def require_all_written(result: UpsertResult, table: str) -> None:
    """Bookkeeping rows are ours, not the NAS's: a refused one is a sink fault, never a silent skip."""
    if result.rejected:
        failure = result.rejected[0]
        raise SinkError(
            f"{table}: {len(result.rejected)} row(s) refused, first {failure.code}: {failure.message}"
        )
