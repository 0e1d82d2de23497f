"""The demo WSOP+ source of `gfx-assets dev`: created once on the server, and changed by the simulator
so that each scheduled sync has new chip counts and players to copy."""

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import with_database
from gfx_assets.lib.wsop import demo
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import metadata, query, sync, wsop_source


@pytest.fixture
def demo_server(server_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test server, with the demo database under a name of this test (dropped afterwards)."""
    monkeypatch.setattr(demo, "DEMO_SOURCE_DB", "wsop_source_demo_test")
    yield server_url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(demo.DEMO_SOURCE_DB))
        )


def test_the_sample_source_is_created_once(demo_server: str) -> None:
    url = demo.ensure_sample_source(demo_server)
    assert url == with_database(demo_server, "wsop_source_demo_test")
    counts = query(url, "SELECT (SELECT count(*) FROM wsop_events), (SELECT count(*) FROM wsop_chip_counts)")

    assert demo.ensure_sample_source(demo_server) == url
    assert (
        query(url, "SELECT (SELECT count(*) FROM wsop_events), (SELECT count(*) FROM wsop_chip_counts)")
        == counts
    )


def test_each_simulator_round_gives_the_next_sync_new_rows(
    demo_server: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(demo.ensure_sample_source(demo_server), lookback_seconds=0)
    sync(source, gfx_sink)

    demo.WsopSimulator(source.url, chip_counts_per_round=25).play_round()
    result = sync(source, gfx_sink)

    assert metadata(result, "wsop_chip_counts")["rows_upserted"] == 25
    assert metadata(result, "wsop_players")["rows_upserted"] == 3
