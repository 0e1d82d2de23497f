"""A big backlog of hands is loaded by the run's process and a worker process at once (issue 20), on both
sinks: the tables end byte for byte where one process leaves them (the digests recorded in
test_ids_unchanged), a backlog below WORKER_BATCHES stays in the run's process, and a worker's failure
reaches the caller as the sink's own error with its sessions left for the next load."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from psycopg.conninfo import make_conninfo

from gfx_assets.lib.nas_sync.hand_loading import load_pc_hands
from gfx_assets.lib.sinks import Sink
from gfx_assets.lib.sinks.base import RequestRetry, SinkUnavailable
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.resources import GfxSink
from gfx_assets_tests.gfx_hands.test_ids_unchanged import LOADED_AT, RECORDED, table_digests
from gfx_assets_tests.support import nas, query, sync, write_registry

PC = "PC01"
SMALL_BATCHES = 10  # hands per batch: table-GG's sessions make more than WORKER_BATCHES batches of it


class FactoryRecorder:
    """The sink, counting the worker sinks asked for; `factory`, if given, replaces the sink's own."""

    def __init__(self, sink: Sink, factory: Callable[[], Sink] | None = None) -> None:
        self.sink = sink
        self.replacement = factory
        self.factories = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sink, name)

    def factory(self) -> Callable[[], Sink] | None:
        self.factories += 1
        return self.replacement or self.sink.factory()


@pytest.fixture
def synced(gfx_sink: GfxSink, table_gg: Path, tmp_path: Path) -> GfxSink:
    """table-GG's files landed as PC01 (gfx_sessions), its hands not loaded yet."""
    registry = write_registry(tmp_path / "registry.json", {PC: table_gg.name})
    with dg.instance_for_test() as instance:
        assert sync(instance, PC, nas(table_gg.parent, registry), gfx_sink).success
    return gfx_sink


def test_a_backlog_loaded_by_worker_processes_stores_what_one_process_stores(
    synced: GfxSink, database_url: str
) -> None:
    with synced.open() as sink:
        recorder = FactoryRecorder(sink)
        load = load_pc_hands(recorder, PC, now=LOADED_AT, batch_hands=SMALL_BATCHES, processes=2)
    assert (recorder.factories, load.worker_processes) == (1, 1)  # the run's process and one worker
    assert load.refused == []
    assert table_digests(database_url) == RECORDED


def test_a_backlog_below_the_worker_threshold_is_loaded_in_process(
    synced: GfxSink, database_url: str
) -> None:
    with synced.open() as sink:
        recorder = FactoryRecorder(sink)
        load = load_pc_hands(recorder, PC, now=LOADED_AT, processes=2)  # table-GG: under 4 batches of 500
    assert (recorder.factories, load.worker_processes) == (0, 0)
    assert table_digests(database_url) == RECORDED


def test_a_worker_that_fails_raises_the_sinks_error_and_leaves_its_sessions_to_load(
    synced: GfxSink, database_url: str
) -> None:
    refused = make_conninfo(database_url, user="gfx_nobody", password="wrong")
    unloaded = "SELECT count(*) FROM gfx_session_snapshots WHERE hands_loaded_at IS NULL"
    [(before,)] = query(database_url, unloaded)
    with synced.open() as sink, pytest.raises(SinkUnavailable) as raised:
        recorder = FactoryRecorder(
            sink, factory=PostgresSink(refused, 5, RequestRetry(deadline_seconds=0)).factory()
        )
        load_pc_hands(recorder, PC, now=LOADED_AT, batch_hands=SMALL_BATCHES, processes=2)
    assert "wrong" not in str(raised.value)
    # the worker's batch is left to load, the batch the run's process took meanwhile is loaded ...
    [(after,)] = query(database_url, unloaded)
    assert 0 < after < before
    # ... and the next load, the run's retry, finishes the tables as one load would have
    with synced.open() as sink:
        load_pc_hands(sink, PC, now=LOADED_AT, batch_hands=SMALL_BATCHES, processes=2)
    assert table_digests(database_url) == RECORDED
