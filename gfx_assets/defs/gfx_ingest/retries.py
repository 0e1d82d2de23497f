"""How a sync step reacts to sink errors: transient ones retry with backoff, permanent ones fail now."""

import random
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.resources import GfxSink

BACKOFF_CAP_SECONDS = 60.0

# Unexpected errors (a bug, a flaky NFS read) get a few exponential retries with jitter too.
gfx_retry_policy = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def backoff_seconds(retry_number: int, retry_after: float | None, base: float) -> float:
    """Exponential backoff with jitter (half to all of the step), at least the server's Retry-After,
    and never more than BACKOFF_CAP_SECONDS (a hint of an hour must not park a sync for an hour)."""
    ceiling = min(BACKOFF_CAP_SECONDS, base * 2**retry_number)
    return min(BACKOFF_CAP_SECONDS, max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling)))


@contextmanager
def sink_errors_as_retries(context: dg.OpExecutionContext, sink: GfxSink) -> Iterator[None]:
    """Turn transient sink errors into `RetryRequested` (bounded by the sink's `max_retries`) and
    permanent ones into a final `Failure`."""
    try:
        yield
    except SinkUnavailable as error:
        if context.retry_number >= sink.max_retries:
            message = f"sink still unavailable after {sink.max_retries} retries: {error}"
            raise dg.Failure(message, allow_retries=False) from None
        wait = backoff_seconds(context.retry_number, error.retry_after, sink.retry_base_seconds)
        attempt = f"{context.retry_number + 1}/{sink.max_retries}"
        context.log.warning(f"sink unavailable: {error}; retry {attempt} in {wait:.1f}s")
        raise dg.RetryRequested(max_retries=sink.max_retries, seconds_to_wait=wait) from None
    except SinkError as error:
        raise dg.Failure(description=f"sink error, not retried: {error}", allow_retries=False) from None
