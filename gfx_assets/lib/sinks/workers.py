"""Work shared by the caller's process and worker processes, each item done with a sink. Dagster-free.

Used for a big backlog of hand loads (a first sync, a re-sync of an archive): mapping a batch of hands is
Python work, writing it mostly waits on PostgreSQL, and two processes overlap the two, where two threads
of one process do not (the GIL: a writer thread made the whole sync slower, BENCHMARKS.md, issue 20).
The caller's process is one of them: it would otherwise sit waiting for the workers, and each worker
process costs its imports and a batch's rows in memory (~73 MB), so `processes` 2 starts one worker.

Workers are started with `spawn`: a fresh interpreter that imports only what the work needs (the
Dagster-free library), and no copy of the parent's threads or connections. Each item a worker does opens
its sink from `factory` (`Sink.factory`: picklable, credentials travel over the pool's pipe, never in a
command line or a log) and closes it when done, so nothing is left open when the pool shuts down; the
caller's items use the caller's `sink`. The first items go to the workers, the next to the caller, then
each takes the next item when it is done with one. After a failure no item is started; the outcome holds
the results of the items done, in the items' order, and the error of the first item that failed, so the
caller can finish what the done items need (hand loads: recount their players) before raising it.
"""

import multiprocessing
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from gfx_assets.lib.sinks.base import Sink

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class Outcome(Generic[Result]):
    """The results of the items done, in the items' order, and the error of the first that failed."""

    results: list[Result]
    error: BaseException | None = None


def in_process(sink: Sink, work: Callable[[Sink, Item], Result], items: Iterable[Item]) -> Outcome[Result]:
    """`work(sink, item)` for each item in turn, in this process, until one fails."""
    queue: _SharedItems[Item, Result] = _SharedItems(items)
    queue.drain(partial(work, sink), queue.take())
    return queue.outcome()


def in_workers(
    sink: Sink,
    factory: Callable[[], Sink],
    work: Callable[[Sink, Item], Result],
    items: Iterable[Item],
    processes: int,
) -> Outcome[Result]:
    """`work(sink, item)` for each item, in this process and `processes - 1` worker processes at once;
    `work` must be picklable (a module-level function, or a `functools.partial` of one)."""
    queue: _SharedItems[Item, Result] = _SharedItems(items)
    remote = partial(_with_own_sink, factory, work)
    with (
        ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("spawn")) as pool,
        ThreadPoolExecutor(processes - 1, thread_name_prefix="gfx-worker-feed") as feeders,
    ):
        # each feeder thread takes its first item before the caller takes any, so every worker has work
        firsts = [queue.take() for _ in range(processes - 1)]
        feeding = [
            feeders.submit(queue.drain, lambda item: pool.submit(remote, item).result(), first)
            for first in firsts
        ]
        queue.drain(partial(work, sink), queue.take())
        for fed in feeding:
            fed.result()
    return queue.outcome()


class _SharedItems(Generic[Item, Result]):
    """The items, taken one at a time by several threads, with each one's result or error by position."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._items = enumerate(items)
        self._lock = threading.Lock()
        self._done: dict[int, Result] = {}
        self._failed: dict[int, BaseException] = {}

    def take(self) -> tuple[int, Item] | None:
        with self._lock:
            return None if self._failed else next(self._items, None)

    def drain(self, do: Callable[[Item], Result], taken: tuple[int, Item] | None) -> None:
        """Do the item taken (unless None), then the items left, one at a time, until none is left or one
        has failed."""
        while taken is not None:
            position, item = taken
            try:
                result = do(item)
            except BaseException as error:  # the caller's to raise, once every process has stopped
                with self._lock:
                    self._failed[position] = error
                return
            with self._lock:
                self._done[position] = result
            taken = self.take()

    def outcome(self) -> Outcome[Result]:
        first_failed = self._failed[min(self._failed)] if self._failed else None
        return Outcome([self._done[position] for position in sorted(self._done)], first_failed)


def _with_own_sink(factory: Callable[[], Sink], work: Callable[[Sink, Item], Result], item: Item) -> Result:
    with closing(factory()) as sink:
        return work(sink, item)
