"""The ingestion suite runs against both sinks: PostgreSQL directly, and the Supabase REST sink
talking to the PostgREST-compatible test server on the same real database."""

from collections.abc import Iterator

import pytest

from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import postgres_sink

SERVICE_KEY = "sb_secret_test-only-key-0123456789"


@pytest.fixture(params=["postgres", "supabase_rest"])
def gfx_sink(request: pytest.FixtureRequest, database_url: str) -> Iterator[GfxSink]:
    if request.param == "postgres":
        yield postgres_sink(database_url)
        return
    with serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url:
        yield SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY)
