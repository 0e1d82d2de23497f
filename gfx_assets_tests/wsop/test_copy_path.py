"""The COPY path of a direct PostgreSQL target: a first load straight into an empty table still brings
missing parents, binary COPY only where both databases agree on a column's exact type (text otherwise,
still lossless), and a value the target refuses is reported as the target's refusal, not the source's."""

import psycopg
import pytest

from gfx_assets.defs.wsop_sync.assets import wsop_chip_counts, wsop_event_players, wsop_events, wsop_players
from gfx_assets.lib.wsop.copy_format import binary_copy_fits
from gfx_assets.lib.wsop.source import table_columns
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import postgres_sink
from gfx_assets_tests.wsop.support import (
    TABLES,
    assert_same_rows,
    execute,
    failure_message,
    metadata,
    query,
    sync,
    wsop_source,
)

NEW_PLAYER_AND_CHIP_COUNT = [
    "INSERT INTO wsop_players (wsop_player_id, name) VALUES ('P-LATE', 'Late registration')",
    """INSERT INTO wsop_chip_counts (event_id, player_id, chip_count)
       SELECT e.id, p.id, 91000 FROM wsop_events e, wsop_players p
       WHERE e.event_number = 1 AND p.wsop_player_id = 'P-LATE'""",
]
ENUM_ARRAY_COLUMN = "ALTER TABLE wsop_chip_counts ADD COLUMN seen_by wsop_chip_source[]"


def binary_fits(source_url: str, target_url: str, table: str) -> bool:
    with psycopg.connect(source_url) as source, psycopg.connect(target_url) as target:
        return binary_copy_fits(source, target, table, table_columns(source, table))


def test_a_first_load_into_an_empty_table_brings_a_parent_added_after_its_sync(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url)
    sync(source, gfx_sink, assets=[wsop_events, wsop_players, wsop_event_players])
    for statement in NEW_PLAYER_AND_CHIP_COUNT:
        execute(source_url, statement)

    result = sync(source, gfx_sink, assets=[wsop_chip_counts])  # into the still empty chip counts

    assert result.success
    assert_same_rows(source_url, database_url)
    counts = metadata(result, "wsop_chip_counts")
    assert (counts["rows_read"], counts["rows_upserted"]) == (1001, 1001)


@pytest.mark.parametrize("table", TABLES)
def test_tables_of_the_same_types_in_both_databases_travel_in_binary(
    source_url: str, database_url: str, table: str
) -> None:
    assert binary_fits(source_url, database_url, table)


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE wsop_players ALTER COLUMN country_code TYPE text",  # varchar(10) at the source
        "ALTER TABLE wsop_players ALTER COLUMN wsop_cashes TYPE bigint",  # integer at the source
    ],
)
def test_a_column_of_another_type_in_the_target_travels_as_text_and_lands_converted(
    source_url: str, database_url: str, gfx_sink: GfxSink, change: str
) -> None:
    execute(database_url, change)

    result = sync(wsop_source(source_url), gfx_sink)

    assert not binary_fits(source_url, database_url, "wsop_players")
    assert result.success
    assert_same_rows(source_url, database_url)


def test_an_array_of_an_enum_travels_as_text_because_its_binary_form_names_a_local_type(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    for url in (source_url, database_url):
        execute(url, ENUM_ARRAY_COLUMN)
    execute(source_url, "UPDATE wsop_chip_counts SET seen_by = ARRAY[source, 'manual']::wsop_chip_source[]")

    result = sync(wsop_source(source_url), gfx_sink)

    assert not binary_fits(source_url, database_url, "wsop_chip_counts")
    assert result.success
    assert_same_rows(source_url, database_url)
    assert query(database_url, "SELECT count(*) FROM wsop_chip_counts WHERE 'manual' = ANY(seen_by)") == [
        (1000,)
    ]


def test_a_value_the_target_refuses_fails_as_the_targets_refusal_and_writes_nothing(
    source_url: str, database_url: str
) -> None:
    # the source's cities are like 'City 12'
    execute(database_url, "ALTER TABLE wsop_players ALTER COLUMN city TYPE varchar(4)")

    result = sync(wsop_source(source_url), postgres_sink(database_url), assets=[wsop_players])

    assert not result.success
    assert failure_message(result).startswith(
        "wsop_players: target refused rows: value too long for type character varying(4)"
    )
    assert query(database_url, "SELECT count(*) FROM wsop_players") == [(0,)]
