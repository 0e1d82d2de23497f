"""How a sync step reacts to sink errors: transient ones retry with backoff, permanent ones fail now."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from gfx_assets.lib.common.retrying import backoff, wait_before
from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.resources import GfxSink

BACKOFF_CAP_SECONDS = 60.0

# Unexpected errors (a bug, a flaky NFS read) get a few exponential retries with jitter too.
gfx_retry_policy = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


@contextmanager
def sink_errors_as_retries(context: dg.OpExecutionContext, sink: GfxSink) -> Iterator[None]:
    """Turn transient sink errors into `RetryRequested` (bounded by the sink's `max_retries`) and
    permanent ones into a final `Failure`. The sink already retried the failing request until its
    deadline, so this is for a sink that stays down; the wait follows the shared backoff policy."""
    try:
        yield
    except SinkUnavailable as error:
        if context.retry_number >= sink.max_retries:
            message = f"sink still unavailable after {sink.max_retries} retries: {error}"
            raise dg.Failure(message, allow_retries=False) from None
        policy = backoff(sink.retry_base_seconds, BACKOFF_CAP_SECONDS)
        wait = wait_before(policy, context.retry_number + 1, error)
        attempt = f"{context.retry_number + 1}/{sink.max_retries}"
        context.log.warning(f"sink unavailable: {error}; retry {attempt} in {wait:.1f}s")
        raise dg.RetryRequested(max_retries=sink.max_retries, seconds_to_wait=wait) from None
    except SinkError as error:
        raise dg.Failure(description=f"sink error, not retried: {error}", allow_retries=False) from None
