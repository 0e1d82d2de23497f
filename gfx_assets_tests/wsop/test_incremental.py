"""Full load, then incremental syncs, on both sinks: every column arrives with its type, a second run
reads only the lookback window, and re-running changes nothing."""

from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import (
    TABLES,
    assert_same_rows,
    execute,
    metadata,
    query,
    sync,
    wsop_source,
)


def test_the_first_sync_copies_every_row_and_column(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    result = sync(wsop_source(source_url), gfx_sink)

    assert result.success
    assert_same_rows(source_url, database_url)
    chip_counts = metadata(result, "wsop_chip_counts")
    assert (chip_counts["rows_read"], chip_counts["rows_upserted"], chip_counts["rows_unchanged"]) == (
        1000,
        1000,
        0,
    )
    assert chip_counts["dagster/row_count"] == 1000
    assert chip_counts["watermark_before"] == "none (first sync)"


def test_rerunning_changes_nothing(source_url: str, database_url: str, gfx_sink: GfxSink) -> None:
    source = wsop_source(source_url)
    sync(source, gfx_sink)
    before = query(database_url, "SELECT watermark FROM sync_status ORDER BY entity_type")

    again = sync(source, gfx_sink)

    assert again.success
    for table in TABLES:
        counts = metadata(again, table)
        assert counts["rows_upserted"] == 0, table
        assert counts["rows_unchanged"] == counts["rows_read"], table
    assert query(database_url, "SELECT watermark FROM sync_status ORDER BY entity_type") == before
    assert_same_rows(source_url, database_url)


def test_an_incremental_sync_reads_only_changes_since_the_watermark(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url, lookback_seconds=0)
    sync(source, gfx_sink)
    execute(source_url, "UPDATE wsop_players SET wsop_bracelets = 9 WHERE wsop_player_id = 'P-7'")
    execute(
        source_url, "UPDATE wsop_events SET status = 'final_table', tags = ARRAY['ft'] WHERE event_number = 2"
    )

    result = sync(source, gfx_sink)

    players = metadata(result, "wsop_players")
    # the other players still carry the old watermark's stamp: re-read (>=), found unchanged, not written
    assert players["rows_upserted"] == 1
    assert players["rows_unchanged"] == players["rows_read"] - 1
    assert metadata(result, "wsop_events")["rows_upserted"] == 1
    chip_counts = metadata(result, "wsop_chip_counts")
    assert (chip_counts["rows_read"], chip_counts["rows_upserted"]) == (1, 0)  # only the newest, again
    assert players["watermark_after"] > players["watermark_before"]
    assert_same_rows(source_url, database_url)
