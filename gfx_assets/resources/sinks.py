"""Sink resources: the rows go to PostgreSQL directly or to Supabase's REST API."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import SecretStr

from gfx_assets.lib.nas_sync.landing import WritePlan
from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import RequestRetry
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.resources.database import GfxDatabase

# Rows of one PostgreSQL chunk stay under this many bytes of JSON, whatever GFX_BATCH_SIZE says. With
# a chunk being written on each connection and the next one parsed, a sync holds about (connections + 1)
# times this much file text, and one COPY of this size keeps PostgreSQL busy long enough (~0.3 s) for the
# parse to keep up.
POSTGRES_CHUNK_BYTES = 4 * 1024 * 1024
# A sensor tick must end well within Dagster's 60 s sensor timeout, with several requests per tick.
SENSOR_REQUEST_DEADLINE_SECONDS = 10.0


class GfxSink(dg.ConfigurableResource):
    """Base of the sinks: `open()` yields a `Sink` for one run or one sensor tick."""

    batch_size: int = 500
    hand_load_processes: int = 2  # processes loading a big backlog of hands, the run's own included
    request_deadline_seconds: float = 120.0  # each request is retried this long inside the sink
    request_backoff_seconds: float = 0.5  # its first backoff; doubles per retry, with jitter
    max_retries: int = 5  # then step retries while the sink stays down (RetryRequested)
    retry_base_seconds: float = 2.0  # first step backoff; doubles per retry, with jitter, capped at 60 s

    @property
    def max_chunk_bytes(self) -> int:
        return POSTGRES_CHUNK_BYTES

    @property
    def concurrent_writes(self) -> int:
        """Chunks written at once while the next one is parsed."""
        return 1

    @property
    def write_plan(self) -> WritePlan:
        return WritePlan(self.batch_size, self.max_chunk_bytes, self.concurrent_writes)

    @contextmanager
    def open(self, max_request_deadline_seconds: float | None = None) -> Iterator[Sink]:
        """The sink; `max_request_deadline_seconds` caps how long each request is retried, for
        callers that must answer quickly (a sensor tick: SENSOR_REQUEST_DEADLINE_SECONDS)."""
        resource = self
        if max_request_deadline_seconds is not None:
            deadline = min(self.request_deadline_seconds, max_request_deadline_seconds)
            resource = self.model_copy(update={"request_deadline_seconds": deadline})
        sink = resource.connect()
        try:
            yield sink
        finally:
            sink.close()

    def connect(self) -> Sink:
        raise NotImplementedError

    @property
    def request_retry(self) -> RequestRetry:
        return RequestRetry(self.request_deadline_seconds, self.request_backoff_seconds)


class PostgresSinkResource(GfxSink):
    """Writes straight to PostgreSQL with psycopg 3. A landing COPYs its chunks over `connections`
    connections at once while the next chunk is parsed: PostgreSQL's jsonb input of one connection keeps
    one core busy, and our parser needs about a third of another (BENCHMARKS.md, issue 20)."""

    database: GfxDatabase
    connections: int = 2

    @property
    def concurrent_writes(self) -> int:
        return self.connections

    def connect(self) -> Sink:
        return PostgresSink(self.database.resolved_url(), retry=self.request_retry)


class SupabaseSinkResource(GfxSink):
    """Writes through Supabase's REST API (PostgREST) with httpx. `service_key` is bound to
    GFX_SUPABASE_SERVICE_KEY with dg.EnvVar, so the key itself never reaches run config or the UI."""

    url: str
    service_key: str
    max_body_bytes: int = 4 * 1024 * 1024
    concurrent_requests: int = 4  # upserts in flight at once: the gateway's latency is hidden

    @property
    def max_chunk_bytes(self) -> int:
        return self.max_body_bytes

    @property
    def concurrent_writes(self) -> int:
        return self.concurrent_requests

    def connect(self) -> Sink:
        from gfx_assets.lib.sinks.rest import SupabaseRestSink

        return SupabaseRestSink(
            self.url.rstrip("/"),
            SecretStr(self.service_key),
            self.batch_size,
            self.max_body_bytes,
            retry=self.request_retry,
        )
