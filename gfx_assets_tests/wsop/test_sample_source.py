"""The sample WSOP+ source has production's shapes: payouts are a JSON array of {"place", "amount"}
objects (not {"1": 250000}), in the source and in the target after a sync on both sinks, and every column
of wsop_event_players holds a value in some entry, so that a sync copying it column for column is
tested on every column."""

from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import query, sync, wsop_source

PAYOUT_SHAPES = """
SELECT count(*),
       count(*) FILTER (WHERE jsonb_typeof(payouts) = 'array' AND jsonb_array_length(payouts) > 0),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM jsonb_array_elements(payouts) AS payout
           WHERE CASE WHEN jsonb_typeof(payout) <> 'object' THEN true
                      ELSE jsonb_typeof(payout -> 'place') IS DISTINCT FROM 'number'
                        OR jsonb_typeof(payout -> 'amount') IS DISTINCT FROM 'number'
                        OR payout - 'place' - 'amount' <> '{}' END))
FROM wsop_events
"""
FIRST_PLACES = """
SELECT (payouts->0->>'place')::int, (payouts->0->>'amount')::bigint FROM wsop_events ORDER BY event_number
"""


def test_every_sample_event_pays_out_an_array_of_place_and_amount_objects(source_url: str) -> None:
    assert query(source_url, PAYOUT_SHAPES) == [(5, 5, 0)]
    first_places = query(source_url, FIRST_PLACES)
    assert len(first_places) == 5
    for place, amount in first_places:
        assert place == 1 and amount > 0


def test_synced_payouts_keep_the_array_shape_in_the_target(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    sync(wsop_source(source_url), gfx_sink)

    assert query(database_url, PAYOUT_SHAPES) == [(5, 5, 0)]
    assert query(database_url, FIRST_PLACES) == query(source_url, FIRST_PLACES)


def test_the_sample_fills_every_column_of_the_entries(source_url: str) -> None:
    columns = [
        name
        for (name,) in query(
            source_url,
            "SELECT attname::text FROM pg_attribute WHERE attrelid = 'wsop_event_players'::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        )
    ]
    assert len(columns) == 23
    filled = query(
        source_url, "SELECT " + ", ".join(f"count({name})" for name in columns) + " FROM wsop_event_players"
    )[0]
    assert [name for name, count in zip(columns, filled, strict=True) if count == 0] == []
