"""The write path overlaps parsing with writing, with bounded memory: `overlapped` keeps at most
`workers` items in flight and reports results in order; its first error stops production after the
items in flight are reported; the REST sink keeps several upserts in flight (a PostgREST-compatible
server backed by the real PostgreSQL sees them arrive before the first is answered) and every file
still lands once.

Overlap is shown by the order of events (a barrier the items in flight wait at, upserts held by the
server until enough have arrived), never by how long something took."""

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from gfx_assets.lib.common.overlap import overlapped
from gfx_assets.resources import SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import nas, query, seeded_nas, sync

LEDGER_PATH = "/rest/v1/gfx_session_snapshots"  # where the sync writes every content
# Only a sink that never gets that many upserts in flight waits this long (then the upserts are let go);
# below the REST sink's 30 s request timeout, so that no upsert is sent twice.
HOLD_SECONDS = 20.0


@dataclass
class LedgerUpserts:
    """The ledger upserts in the order the server saw them: +1 when one arrived, -1 once it was answered.
    Each one is held until `hold_until` are in flight at once (or for HOLD_SECONDS at most)."""

    hold_until: int
    events: list[int] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def peak(self) -> int:
        """The most upserts in flight at once."""
        return max(itertools.accumulate(self.events), default=0)


class HoldingUpserts:
    """ASGI middleware in front of the test server that records and holds the ledger upserts."""

    def __init__(self, app: ASGIApp, upserts: LedgerUpserts) -> None:
        self.app, self.upserts = app, upserts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("POST", LEDGER_PATH):
            await self.app(scope, receive, send)
            return
        upserts = self.upserts
        upserts.events.append(1)
        if sum(upserts.events) >= upserts.hold_until:
            upserts.released.set()
        try:
            with suppress(TimeoutError):
                await asyncio.wait_for(upserts.released.wait(), HOLD_SECONDS)
            upserts.released.set()  # whether they came or not: the next upserts are not held
            await self.app(scope, receive, send)
        finally:
            upserts.events.append(-1)


def test_items_are_consumed_in_order_with_at_most_workers_in_flight_plus_one_being_produced() -> None:
    produced, in_flight, peak, results = [], [0], [0], []
    lock = threading.Lock()
    first_three = threading.Barrier(3, timeout=30)  # passed only once the first 3 items are in flight

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
        if item < 3:
            first_three.wait()
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
    upserts = LedgerUpserts(hold_until=4)
    app = create_app(database_url, service_key=SERVICE_KEY)
    app.add_middleware(HoldingUpserts, upserts=upserts)
    with serve(app) as base_url, dg.instance_for_test() as instance:
        sink = SupabaseSinkResource(
            url=base_url, service_key=SERVICE_KEY, batch_size=2, concurrent_requests=4
        )
        assert sync(instance, "PC01", nas(nas_root), sink).success
    assert upserts.events.count(1) == 12
    assert upserts.peak == 4  # four arrived before the first was answered, and never more
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(24, 24)]
    assert query(database_url, "SELECT count(*) FROM gfx_sessions") == [(24,)]  # 24 games of one file each
