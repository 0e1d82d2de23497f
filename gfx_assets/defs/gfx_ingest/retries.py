"""How a sync step reacts to sink errors: transient ones retry with backoff, permanent ones fail now."""

import random
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from gfx_assets.lib.sinks import SinkError, SinkUnavailable

SINK_MAX_RETRIES = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 60.0

# Unexpected errors (a bug, a flaky NFS read) get a few exponential retries with jitter too.
gfx_retry_policy = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def backoff_seconds(retry_number: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never shorter than the server's Retry-After."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**retry_number)
    return max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling))


@contextmanager
def sink_errors_as_retries(context: dg.OpExecutionContext) -> Iterator[None]:
    """Turn transient sink errors into `RetryRequested` and permanent ones into a final `Failure`."""
    try:
        yield
    except SinkUnavailable as error:
        wait = backoff_seconds(context.retry_number, error.retry_after)
        context.log.warning(
            f"sink unavailable: {error}; retry {context.retry_number + 1}/{SINK_MAX_RETRIES} in {wait:.1f}s"
        )
        raise dg.RetryRequested(max_retries=SINK_MAX_RETRIES, seconds_to_wait=wait) from None
    except SinkError as error:
        raise dg.Failure(description=f"sink error, not retried: {error}", allow_retries=False) from None
