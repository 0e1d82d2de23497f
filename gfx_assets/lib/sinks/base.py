"""The sink contract shared by the PostgreSQL and the Supabase REST sinks.

Every request a sink makes is idempotent (writes are upserts on a natural key, or deletes and
updates by filter; reads are reads), so each one is retried on its own by `RequestRetry` while the
sink is unavailable: one failed request costs a backoff, never the work done before it.

Errors fall in three kinds, and callers act on the kind, never on the sink:
- `SinkUnavailable`: transient (network, overload, restart, a privilege revoked for a while), and
  still so after the request's deadline; the caller retries later (the sync step, the sensor).
- `SinkAuthError` / `SinkError`: permanent (credentials, schema); retrying cannot help.
- a row the database refuses: returned in `UpsertResult.rejected` after the chunk was split
  until the row was isolated, so the other rows of its chunk still land.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from gfx_assets.lib.common.retrying import backoff, logging_to, retrying

T = TypeVar("T")
Row = dict[str, Any]
Filters = dict[str, Any]  # column -> value (equality), list of values (IN), or None (IS NULL)


_log = logging.getLogger(__name__)
INSUFFICIENT_PRIVILEGE = "42501"
PRIVILEGE_RETRY_SECONDS = 2.0


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

    def __reduce__(self) -> tuple:  # raised in a worker process, re-raised whole in its parent
        return type(self), (str(self), self.retry_after)


@dataclass(frozen=True)
class RequestRetry:
    """How one idempotent request is retried while the sink is unavailable: backoff with jitter from
    `first_backoff_seconds` (doubling, at most `backoff_cap_seconds`, at least the server's capped
    Retry-After) until the next attempt would start past `deadline_seconds`. Each request has its
    own deadline, so a sink that fails now and then never exhausts a long sync."""

    deadline_seconds: float = 120.0
    first_backoff_seconds: float = 0.5
    backoff_cap_seconds: float = 10.0

    def call(self, request: Callable[[], T], what: str) -> T:
        """`request()`; a SinkUnavailable still raised at the deadline propagates, saying so."""
        wait = backoff(self.first_backoff_seconds, self.backoff_cap_seconds)
        log = logging_to(_log, what)
        loop = retrying(SinkUnavailable, wait, deadline_seconds=self.deadline_seconds, log=log)
        started = time.monotonic()
        try:
            return loop(request)
        except SinkUnavailable as error:
            attempts = loop.statistics.get("attempt_number", 1)
            if attempts == 1:
                raise
            spent = time.monotonic() - started
            raise SinkUnavailable(
                f"{error} (gave up after {attempts} attempts in {spent:.0f}s)", error.retry_after
            ) from None


def privilege_refused(message: str) -> SinkUnavailable:
    """SQLSTATE 42501 (insufficient_privilege) on a table: a grant revoked by an operator is usually
    given back (a migration, a rights fix), so it is transient, retried slowly within the request
    deadline, and never blamed on the rows."""
    return SinkUnavailable(message, PRIVILEGE_RETRY_SECONDS)


class RowRejected(Exception):
    """Raised by a chunk writer when the database refused the chunk because of its data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple:
        return type(self), (self.code, self.message)


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
        self,
        table: str,
        rows: Sequence[Row],
        conflict: Sequence[str],
        update: Sequence[str] | None = None,
        mostly_new: bool = False,
    ) -> UpsertResult:
        """Insert rows; on a conflict update `update` columns (None: every column sent). `mostly_new`
        is a hint that the caller checked the keys are not stored yet: a sink may insert them the
        fast way first and fall back to the upsert when a key turns out to be there after all."""

    def select(self, table: str, columns: Sequence[str], filters: Filters) -> list[Row]: ...

    def count(self, table: str, filters: Filters) -> int:
        """How many rows match `filters`, counted by the database."""

    def delete(self, table: str, filters: Filters) -> None: ...

    def update(self, table: str, values: Row, filters: Filters) -> None:
        """Set `values` on the rows matching `filters` (a None filter value means IS NULL)."""

    def call(self, function: str, arguments: Row) -> Any:
        """The result of the database function `function` called with named `arguments` (PostgREST's
        `/rpc/<function>`); functions called through a sink must be safe to call again (retries)."""

    def factory(self) -> Callable[[], "Sink"] | None:
        """A picklable callable that opens another sink like this one (for a worker process, see
        `gfx_assets.lib.sinks.workers`); None when this sink cannot be opened elsewhere."""

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
