"""A transaction PostgreSQL rolls back on its own, deadlock_detected (40P01) or serialization_failure
(40001), is transient on both sinks (the REST sink sees it as PostgREST's 500 with the SQLSTATE as code):
the sink retries that one request and the rows land; with no attempt left it is `SinkUnavailable`, never
a row refused or a permanent error. The rollback is raised, once, by a trigger of a real table."""

from contextlib import AbstractContextManager

import psycopg
import pytest

from gfx_assets.lib.sinks import Sink, SinkUnavailable
from gfx_assets.resources import GfxSink

TABLE = "rollback_items"
ROLLBACKS = {"40P01": "deadlock detected", "40001": "could not serialize access"}


@pytest.fixture(params=list(ROLLBACKS))
def rolls_back_once(request: pytest.FixtureRequest, database_url: str) -> str:
    """`TABLE`, whose first insert (of any transaction) is rolled back with the SQLSTATE of the param."""
    state = request.param
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {TABLE} (key int PRIMARY KEY, note text)")
        conn.execute("CREATE SEQUENCE rollback_attempts")  # nextval survives the rollback
        conn.execute(f"""
            CREATE FUNCTION roll_back_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('rollback_attempts') = 1 THEN
                    RAISE EXCEPTION '{ROLLBACKS[state]} (injected)' USING ERRCODE = '{state}';
                END IF;
                RETURN NEW;
            END $$""")
        conn.execute(
            f"CREATE TRIGGER roll_back_once BEFORE INSERT ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION roll_back_once()"
        )
    return state


def opened(sink: GfxSink, deadline_seconds: float) -> AbstractContextManager[Sink]:
    quick = {"request_deadline_seconds": deadline_seconds, "request_backoff_seconds": 0.01}
    return sink.model_copy(update=quick).open()


def stored(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT key, note FROM {TABLE} ORDER BY key").fetchall()


def test_a_rolled_back_request_is_retried_on_its_own_and_the_rows_land(
    gfx_sink: GfxSink, rolls_back_once: str, database_url: str
) -> None:
    with opened(gfx_sink, deadline_seconds=5) as sink:
        result = sink.upsert(TABLE, [{"key": 1, "note": "a"}, {"key": 2, "note": "b"}], ["key"])
    assert result.written == 2 and not result.rejected
    assert stored(database_url) == [(1, "a"), (2, "b")]


def test_a_rolled_back_request_with_no_attempt_left_is_unavailable_never_a_refused_row(
    gfx_sink: GfxSink, rolls_back_once: str, database_url: str
) -> None:
    with opened(gfx_sink, deadline_seconds=0) as sink, pytest.raises(SinkUnavailable) as raised:
        sink.upsert(TABLE, [{"key": 1, "note": "a"}, {"key": 2, "note": "b"}], ["key"])
    assert ROLLBACKS[rolls_back_once] in str(raised.value)
    assert stored(database_url) == []
