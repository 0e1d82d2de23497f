"""Work in worker processes with a sink each (`gfx_assets.lib.sinks.workers`, used by big hand loads): a
sink's factory survives pickling and opens a sink on the same database, results come back in the items'
order, and a sink error raised in a worker reaches the caller with its type and details."""

import pickle

import httpx
import pytest
from pydantic import SecretStr

from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import RowRejected, SinkUnavailable
from gfx_assets.lib.sinks.rest import SupabaseRestSink
from gfx_assets.lib.sinks.workers import in_workers
from gfx_assets.resources import GfxSink


def count_migrations(sink: Sink, offset: int) -> int:
    return sink.count("gfx_schema_migrations", {}) + offset


def unavailable(sink: Sink, wait: float) -> None:
    raise SinkUnavailable("the database is restarting", retry_after=wait)


def test_a_sinks_factory_pickles_and_opens_a_sink_on_the_same_database(gfx_sink: GfxSink) -> None:
    with gfx_sink.open() as sink:
        expected = sink.count("gfx_schema_migrations", {})
        factory = pickle.loads(pickle.dumps(sink.factory()))
    opened = factory()
    try:
        assert opened.count("gfx_schema_migrations", {}) == expected
    finally:
        opened.close()


def test_results_come_back_in_the_items_order(gfx_sink: GfxSink) -> None:
    with gfx_sink.open() as sink:
        migrations = sink.count("gfx_schema_migrations", {})
        results = list(in_workers(sink.factory(), count_migrations, range(5), processes=2))
    assert results == [migrations + offset for offset in range(5)]


def test_a_sink_error_in_a_worker_reaches_the_caller_whole(gfx_sink: GfxSink) -> None:
    with gfx_sink.open() as sink, pytest.raises(SinkUnavailable) as raised:
        list(in_workers(sink.factory(), unavailable, [7.5], processes=2))
    assert (str(raised.value), raised.value.retry_after) == ("the database is restarting", 7.5)


def test_a_rejected_row_survives_pickling() -> None:
    rejected = pickle.loads(pickle.dumps(RowRejected("23505", "duplicate key")))
    assert (rejected.code, rejected.message) == ("23505", "duplicate key")


def test_a_rest_sink_given_its_own_transport_cannot_be_opened_elsewhere() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    sink = SupabaseRestSink("http://gateway.invalid", SecretStr("key"), transport=transport)
    assert sink.factory() is None
