"""Sink resources: the rows go to PostgreSQL directly or to Supabase's REST API."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import SecretStr

from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.resources.database import GfxDatabase

# Rows of one PostgreSQL chunk stay under this many bytes of JSON, whatever GFX_BATCH_SIZE says.
POSTGRES_CHUNK_BYTES = 64 * 1024 * 1024


class GfxSink(dg.ConfigurableResource):
    """Base of the sinks: `open()` yields a `Sink` for one run or one sensor tick."""

    batch_size: int = 500
    max_retries: int = 5  # step retries on transient sink errors (RetryRequested)
    retry_base_seconds: float = 2.0  # first backoff; doubles per retry, with jitter, capped at 60 s

    @property
    def max_chunk_bytes(self) -> int:
        return POSTGRES_CHUNK_BYTES

    @contextmanager
    def open(self) -> Iterator[Sink]:
        sink = self.connect()
        try:
            yield sink
        finally:
            sink.close()

    def connect(self) -> Sink:
        raise NotImplementedError


class PostgresSinkResource(GfxSink):
    """Writes straight to PostgreSQL with psycopg 3."""

    database: GfxDatabase

    def connect(self) -> Sink:
        return PostgresSink(self.database.resolved_url())


class SupabaseSinkResource(GfxSink):
    """Writes through Supabase's REST API (PostgREST) with httpx. `service_key` is bound to
    GFX_SUPABASE_SERVICE_KEY with dg.EnvVar, so the key itself never reaches run config or the UI."""

    url: str
    service_key: str
    max_body_bytes: int = 4 * 1024 * 1024

    @property
    def max_chunk_bytes(self) -> int:
        return self.max_body_bytes

    def connect(self) -> Sink:
        from gfx_assets.lib.sinks.rest import SupabaseRestSink

        return SupabaseRestSink(
            self.url.rstrip("/"), SecretStr(self.service_key), self.batch_size, self.max_body_bytes
        )
