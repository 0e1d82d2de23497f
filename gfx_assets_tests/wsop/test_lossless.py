"""No row is missed, on both sinks: thousands of rows sharing one timestamp split across syncs, and a
transaction that commits after a sync with a timestamp older than the watermark (inside the lookback)."""

import psycopg

from gfx_assets.lib.wsop.sample import add_chip_counts, seed_source
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import assert_same_rows, execute, metadata, query, sync, wsop_source

SHARED_STAMP = "2026-07-04 20:00:00+00"

_LATE_CHIP_COUNT = """
INSERT INTO wsop_chip_counts (event_id, player_id, chip_count, source)
SELECT (SELECT id FROM wsop_events WHERE event_number = 1),
       (SELECT id FROM wsop_players WHERE wsop_player_id = %s), %s, 'manual'
"""


def test_ten_thousand_rows_with_one_timestamp_all_land(
    empty_source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    with psycopg.connect(empty_source_url) as conn:
        seed_source(conn, events=2, players=50, chip_counts=0)
        add_chip_counts(conn, 5000, created_at=SHARED_STAMP)
    source = wsop_source(empty_source_url, lookback_seconds=0)
    sync(source, gfx_sink)
    with psycopg.connect(empty_source_url) as conn:  # 5,000 more, stamped exactly at the watermark
        add_chip_counts(conn, 5000, created_at=SHARED_STAMP)

    result = sync(source, gfx_sink)

    counts = metadata(result, "wsop_chip_counts")
    assert (counts["rows_read"], counts["rows_upserted"], counts["rows_unchanged"]) == (10000, 5000, 5000)
    assert query(database_url, "SELECT count(*) FROM wsop_chip_counts") == [(10000,)]
    assert_same_rows(empty_source_url, database_url)


def test_a_late_commit_with_an_older_timestamp_is_caught_by_the_lookback(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url, lookback_seconds=300)
    sync(source, gfx_sink)
    with psycopg.connect(source_url) as late:  # its now() is taken here, before the next sync
        late.execute(_LATE_CHIP_COUNT, ("P-3", 123456))
        late.execute("UPDATE wsop_players SET city = 'Late City' WHERE wsop_player_id = 'P-3'")
        execute(source_url, _LATE_CHIP_COUNT, "P-4", 654321)  # committed now, with a newer stamp
        execute(source_url, "UPDATE wsop_players SET city = 'Early City' WHERE wsop_player_id = 'P-4'")
        sync(source, gfx_sink)  # the watermark moves past the open transaction's stamp
        assert query(database_url, "SELECT count(*) FROM wsop_chip_counts WHERE chip_count = 654321") == [
            (1,)
        ]
    # the late transaction has committed now, stamped before the watermark

    result = sync(source, gfx_sink)

    assert metadata(result, "wsop_chip_counts")["rows_upserted"] == 1
    assert query(database_url, "SELECT count(*) FROM wsop_chip_counts WHERE chip_count = 123456") == [(1,)]
    assert query(database_url, "SELECT city FROM wsop_players WHERE wsop_player_id = 'P-3'") == [
        ("Late City",)
    ]
    assert_same_rows(source_url, database_url)
