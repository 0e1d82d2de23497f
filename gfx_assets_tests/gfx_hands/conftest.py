"""Fixtures of the gfx_hands tests: the real exports loaded once per module and sink, since loading them
takes seconds and the tests of a module only read the result."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import with_database
from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.gfx_hands.support import sync_with_hands
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import nas, postgres_sink, write_registry


@dataclass
class Loaded:
    database_url: str
    sink: GfxSink
    result: dg.ExecuteInProcessResult
    registry: Path


@contextmanager
def fresh_database(server_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database (as the `database_url` fixture makes), for fixtures wider than a test."""
    name = f"gfx_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(*map(sql.Identifier, (name, template_db)))
        )
    yield with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module", params=["postgres", "supabase_rest"])
def loaded(
    request: pytest.FixtureRequest,
    server_url: str,
    template_db: str,
    table_gg: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Loaded]:
    """table-GG synced as PC01 with the hand assets, through the direct sink or the REST sink."""
    registry = write_registry(tmp_path_factory.mktemp("registry") / "registry.json", {"PC01": table_gg.name})
    with (
        fresh_database(server_url, template_db) as module_database_url,
        serve(create_app(module_database_url, service_key=SERVICE_KEY)) as base_url,
    ):
        sink = (
            postgres_sink(module_database_url)
            if request.param == "postgres"
            else SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY)
        )
        with dg.instance_for_test() as instance:
            result = sync_with_hands(instance, "PC01", nas(table_gg.parent, registry), sink)
        assert result.success
        yield Loaded(module_database_url, sink, result, registry)
