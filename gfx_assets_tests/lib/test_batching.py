"""batches(): consecutive groups bounded by count and size; an oversized item goes alone."""

from gfx_assets.lib.common.batching import batches


def test_batches_respect_the_size_bound() -> None:
    assert list(batches([3, 3, 3, 3], size_of=int, max_size=7)) == [[3, 3], [3, 3]]


def test_batches_respect_the_count_bound() -> None:
    assert list(batches(range(5), size_of=lambda _: 1, max_size=100, max_items=2)) == [[0, 1], [2, 3], [4]]


def test_an_item_bigger_than_the_bound_goes_alone() -> None:
    assert list(batches([1, 50, 1], size_of=int, max_size=10)) == [[1], [50], [1]]


def test_no_items_give_no_batches() -> None:
    assert list(batches([], size_of=int, max_size=10)) == []
