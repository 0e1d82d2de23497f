"""Overlapping a producer with a bounded number of concurrent consumers.

Hand-written because the standard library has no lazy, bounded map: `Executor.map` submits every
item up front (it consumes the whole iterable at once), so a backfill of thousands of files would
sit in memory. Here the caller's thread produces items while at most `workers` items are being
consumed, so memory holds at most `workers + 1` items, however long the stream.
"""

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def overlapped(
    items: Iterable[T], consume: Callable[[T], R], on_result: Callable[[R], None], workers: int = 1
) -> None:
    """`consume(item)` for every item on `workers` threads while the next items are produced here;
    each result goes to `on_result` in this thread, in item order. The first error stops producing;
    the items already being consumed finish (their results are still reported) and the error
    propagates."""
    in_flight: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gfx-writer") as pool:
        try:
            for item in items:
                if len(in_flight) >= workers:
                    on_result(in_flight.popleft().result())
                in_flight.append(pool.submit(consume, item))
        finally:
            _drain(in_flight, on_result)


def _drain(in_flight: deque[Future[R]], on_result: Callable[[R], None]) -> None:
    """Wait for every item still being consumed, report each success, then raise the first error."""
    first_error: BaseException | None = None
    while in_flight:
        future = in_flight.popleft()
        error = future.exception()
        if error is None:
            on_result(future.result())
        elif first_error is None:
            first_error = error
    if first_error is not None:
        raise first_error
