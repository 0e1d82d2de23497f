"""Packing a stream into consecutive batches bounded by item count and total size."""

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batches(
    items: Iterable[T], size_of: Callable[[T], int], max_size: int, max_items: int | None = None
) -> Iterator[list[T]]:
    """Consecutive batches of at most `max_items` items whose sizes add up to at most `max_size`;
    an item bigger than `max_size` on its own still goes, alone. Streams: one batch in memory."""
    batch: list[T] = []
    size = 0
    for item in items:
        cost = size_of(item)
        if batch and ((max_items is not None and len(batch) >= max_items) or size + cost > max_size):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += cost
    if batch:
        yield batch
