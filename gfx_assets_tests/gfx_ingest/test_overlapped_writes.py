"""The write path overlaps parsing with writing, with bounded memory: `overlapped` keeps at most
`workers` items in flight and reports results in order; its first error stops production after the
items in flight are reported; the REST sink keeps several upserts in flight against a slow server (a
PostgREST-compatible server backed by the real PostgreSQL) and every file still lands once."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.lib.common.overlap import overlapped
from gfx_assets.resources import SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import Faults, create_app, serve
from gfx_assets_tests.support import nas, query, seeded_nas, sync

LEDGER_PATH = "/rest/v1/gfx_session_snapshots"  # where the sync writes every content


def test_items_are_consumed_in_order_with_at_most_workers_in_flight_plus_one_being_produced() -> None:
    produced, in_flight, peak, results = [], [0], [0], []
    lock = threading.Lock()

    def items() -> Iterator[int]:
        for item in range(12):
            produced.append(item)
            with lock:  # produced but not yet reported: in flight, or about to be submitted
                assert len(produced) - len(results) <= 3 + 1
            yield item

    def consume(item: int) -> int:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1
        return item * 10

    overlapped(items(), consume, results.append, workers=3)
    assert results == [item * 10 for item in range(12)]
    assert peak[0] == 3


def test_the_first_error_stops_production_after_the_items_in_flight_are_reported() -> None:
    produced, results = [], []

    def items() -> Iterator[int]:
        for item in range(100):
            produced.append(item)
            yield item

    def consume(item: int) -> int:
        if item == 3:
            raise RuntimeError("sink down")
        time.sleep(0.01)
        return item

    with pytest.raises(RuntimeError, match="sink down"):
        overlapped(items(), consume, results.append, workers=2)
    assert 3 not in results and {0, 1, 2} <= set(results)
    assert len(produced) <= 6  # stopped soon after the failure, not after all 100 items


def test_the_rest_sink_keeps_several_upserts_in_flight_and_every_file_lands_once(
    tmp_path: Path, database_url: str
) -> None:
    nas_root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=24, hands=(1, 1))
    app = create_app(database_url, service_key=SERVICE_KEY, faults=Faults(delay_seconds=0.3))
    with serve(app) as base_url, dg.instance_for_test() as instance:
        sink = SupabaseSinkResource(
            url=base_url, service_key=SERVICE_KEY, batch_size=2, concurrent_requests=4
        )
        assert sync(instance, "PC01", nas(nas_root), sink).success
    upserts = sorted(
        seen.arrived for seen in app.state.requests if seen.method == "POST" and seen.path == LEDGER_PATH
    )
    assert len(upserts) == 12
    overlapping = sum(later - earlier < 0.15 for earlier, later in zip(upserts, upserts[1:], strict=False))
    assert overlapping >= 3  # requests arrived while others were still waiting for their answer
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(24, 24)]
    assert query(database_url, "SELECT count(*) FROM gfx_sessions") == [(24,)]  # 24 games of one file each
