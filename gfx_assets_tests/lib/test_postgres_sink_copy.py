"""The PostgreSQL sink's COPY paths, on the real PostgreSQL: an upsert COPYs into a temporary table and
merges on the key (new rows inserted, stored ones updated); rows hinted as new are COPYed straight into
the table, and when one of them was stored meanwhile the chunk falls back to the merge with nothing
lost or doubled; a row the table refuses is isolated on both paths while the others land."""

from collections.abc import Iterator

import psycopg
import pytest

from gfx_assets.lib.sinks.postgres import PostgresSink

TABLE = "copy_path_items"


@pytest.fixture
def sink(database_url: str) -> Iterator[PostgresSink]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        columns = "key int PRIMARY KEY, body jsonb NOT NULL, note text CHECK (note <> 'bad')"
        conn.execute(f"CREATE TABLE {TABLE} ({columns})")
    postgres = PostgresSink(database_url)
    yield postgres
    postgres.close()


def rows(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT key, body->>'n', note FROM {TABLE} ORDER BY key").fetchall()


def item(key: int, note: str = "new") -> dict:
    return {"key": key, "body": psycopg.types.json.Jsonb({"n": str(key)}), "note": note}


def test_an_upsert_inserts_new_keys_and_updates_stored_ones(sink: PostgresSink, database_url: str) -> None:
    sink.upsert(TABLE, [item(1), item(2)], ["key"])
    result = sink.upsert(TABLE, [item(2, "updated"), item(3)], ["key"])
    assert result.written == 2 and not result.rejected
    assert rows(database_url) == [(1, "1", "new"), (2, "2", "updated"), (3, "3", "new")]


def test_rows_hinted_new_land_straight_and_a_key_stored_meanwhile_falls_back_to_the_merge(
    sink: PostgresSink, database_url: str
) -> None:
    assert sink.upsert(TABLE, [item(1)], ["key"], mostly_new=True).written == 1
    result = sink.upsert(TABLE, [item(1, "again"), item(2)], ["key"], ["note"], mostly_new=True)
    assert result.written == 2 and not result.rejected
    assert rows(database_url) == [(1, "1", "again"), (2, "2", "new")]


@pytest.mark.parametrize("mostly_new", [True, False])
def test_a_refused_row_is_isolated_and_the_rest_of_its_chunk_lands(
    sink: PostgresSink, database_url: str, mostly_new: bool
) -> None:
    result = sink.upsert(TABLE, [item(1), item(2, "bad"), item(3)], ["key"], mostly_new=mostly_new)
    assert result.written == 2
    assert [(failure.row["key"], failure.code) for failure in result.rejected] == [(2, "23514")]
    assert rows(database_url) == [(1, "1", "new"), (3, "3", "new")]
