"""Work shared by the caller's process and worker processes, with a sink each (`gfx_assets.lib.sinks.workers`,
used by big hand loads): a sink's factory survives pickling and opens a sink on the same database, the
caller's process and a worker both take items, results come back in the items' order, a sink error
raised in a worker reaches the caller with its type and details, and after a failure the items done are
kept and no other is started."""

import os
import pickle

import httpx
from pydantic import SecretStr

from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import RowRejected, SinkUnavailable
from gfx_assets.lib.sinks.rest import SupabaseRestSink
from gfx_assets.lib.sinks.workers import in_process, in_workers
from gfx_assets.resources import GfxSink


def count_migrations(sink: Sink, offset: int) -> int:
    return sink.count("gfx_schema_migrations", {}) + offset


def process_id(sink: Sink, item: int) -> int:
    return os.getpid()


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
        outcome = in_workers(sink, sink.factory(), count_migrations, range(5), processes=2)
    assert (outcome.results, outcome.error) == ([migrations + offset for offset in range(5)], None)


def test_the_first_item_goes_to_the_worker_and_the_callers_process_takes_the_next(gfx_sink: GfxSink) -> None:
    with gfx_sink.open() as sink:
        workers_pid, *others = in_workers(sink, sink.factory(), process_id, range(3), processes=2).results
    assert workers_pid != os.getpid()
    assert os.getpid() in others


def test_a_sink_error_in_a_worker_reaches_the_caller_whole(gfx_sink: GfxSink) -> None:
    with gfx_sink.open() as sink:  # the one item goes to the worker
        error = in_workers(sink, sink.factory(), unavailable, [7.5], processes=2).error
    assert isinstance(error, SinkUnavailable)
    assert (str(error), error.retry_after) == ("the database is restarting", 7.5)


def test_after_a_failure_the_items_done_are_kept_and_no_other_is_started(gfx_sink: GfxSink) -> None:
    started: list[float] = []

    def unavailable_at_the_third(sink: Sink, item: float) -> float:
        started.append(item)
        return unavailable(sink, item) if len(started) == 3 else item

    with gfx_sink.open() as sink:
        outcome = in_process(sink, unavailable_at_the_third, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert (outcome.results, started) == ([1.0, 2.0], [1.0, 2.0, 3.0])
    assert isinstance(outcome.error, SinkUnavailable)


def test_a_rejected_row_survives_pickling() -> None:
    rejected = pickle.loads(pickle.dumps(RowRejected("23505", "duplicate key")))
    assert (rejected.code, rejected.message) == ("23505", "duplicate key")


def test_a_rest_sink_given_its_own_transport_cannot_be_opened_elsewhere() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    sink = SupabaseRestSink("http://gateway.invalid", SecretStr("key"), transport=transport)
    assert sink.factory() is None
