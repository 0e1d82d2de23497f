"""Fixtures of the WSOP sync tests: a real WSOP+ source database (the exact source schema, triggers
included) beside the fresh target database of `database_url`, on the same test server."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import ensure_database
from gfx_assets.lib.wsop.sample import create_source_schema, seed_source


@pytest.fixture
def empty_source_url(server_url: str) -> Iterator[str]:
    """A WSOP+ source database with the source schema and no rows; dropped afterwards."""
    name = f"wsop_source_{uuid.uuid4().hex[:12]}"
    url = ensure_database(server_url, name)
    with psycopg.connect(url) as conn:
        create_source_schema(conn)
    yield url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def source_url(empty_source_url: str) -> str:
    """The source with 5 events, 200 players and 1,000 chip counts."""
    with psycopg.connect(empty_source_url) as conn:
        seed_source(conn, events=5, players=200, chip_counts=1000)
    return empty_source_url
