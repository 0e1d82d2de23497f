"""The demo WSOP+ source of `gfx-assets dev`: created once on the server, brought up to date when an
older demo source lacks wsop_event_players or has the old payout shape, and changed by the simulator so
that each scheduled sync has new chip counts, players and entries to copy."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import ensure_database, with_database
from gfx_assets.lib.wsop import demo
from gfx_assets.lib.wsop.sample import EVENT_PLAYERS_MARK, SOURCE_SCHEMA_SQL
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import metadata, query, sync, wsop_source


@pytest.fixture
def demo_server(server_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test server, with the demo database under a name of this test alone (dropped afterwards), so
    that tests running at once on other workers never share it."""
    monkeypatch.setattr(demo, "DEMO_SOURCE_DB", f"wsop_source_demo_{uuid.uuid4().hex[:12]}")
    yield server_url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(demo.DEMO_SOURCE_DB))
        )


def test_the_sample_source_is_created_once(demo_server: str) -> None:
    url = demo.ensure_sample_source(demo_server)
    assert url == with_database(demo_server, demo.DEMO_SOURCE_DB)
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
    assert metadata(result, "wsop_event_players")["rows_upserted"] == 5


def test_an_older_demo_source_gets_the_entries_and_production_s_payout_shape(demo_server: str) -> None:
    older = ensure_database(demo_server, demo.DEMO_SOURCE_DB)
    with psycopg.connect(older) as conn:  # the schema and payouts of a demo source made before
        conn.execute(SOURCE_SCHEMA_SQL.split(EVENT_PLAYERS_MARK, 1)[0])
        conn.execute(
            """INSERT INTO wsop_events (event_id, event_name, event_number, payouts)
               SELECT 'EV-' || g, 'Event ' || g, g, jsonb_build_object('1', 250000, '2', 150000)
               FROM generate_series(1, 3) AS g"""
        )
        conn.execute(
            """INSERT INTO wsop_players (wsop_player_id, name)
               SELECT 'P-' || g, 'Player ' || g FROM generate_series(1, 150) AS g"""
        )

    url = demo.ensure_sample_source(demo_server)

    assert query(url, "SELECT count(*) FROM wsop_event_players") == [(3 * demo.DEMO_ENTRANTS,)]
    assert query(url, "SELECT DISTINCT payouts FROM wsop_events") == [
        ([{"place": 1, "amount": 250000}, {"place": 2, "amount": 150000}],)
    ]
