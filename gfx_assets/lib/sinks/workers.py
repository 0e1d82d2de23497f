"""Work spread over worker processes, each item done with a sink of its own. Dagster-free.

Used for a big backlog of hand loads (a first sync, a re-sync of an archive): mapping a batch of hands is
Python work, writing it mostly waits on PostgreSQL, and two processes overlap the two, where two threads
of one process do not (the GIL: a writer thread made the whole sync slower, BENCHMARKS.md, issue 20).

Workers are started with `spawn`: a fresh interpreter that imports only what the work needs (the
Dagster-free library, ~50 MB), and no copy of the parent's threads or connections. Each item opens its
sink from `factory` (`Sink.factory`: picklable, credentials travel over the pool's pipe, never in a
command line or a log) and closes it when done, so nothing is left open when the pool shuts down.
Results come back in the items' order; the first item that failed raises its error in the caller.
"""

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from functools import partial
from typing import TypeVar

from gfx_assets.lib.sinks.base import Sink

Item = TypeVar("Item")
Result = TypeVar("Result")


def in_workers(
    factory: Callable[[], Sink],
    work: Callable[[Sink, Item], Result],
    items: Iterable[Item],
    processes: int,
) -> Iterator[Result]:
    """`work(sink, item)` for each item, in `processes` worker processes; `work` must be picklable (a
    module-level function, or a `functools.partial` of one)."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield from pool.map(partial(_with_own_sink, factory, work), items)
    finally:  # after a failure, the items not started yet are not started
        pool.shutdown(wait=True, cancel_futures=True)


def _with_own_sink(factory: Callable[[], Sink], work: Callable[[Sink, Item], Result], item: Item) -> Result:
    with closing(factory()) as sink:
        return work(sink, item)
