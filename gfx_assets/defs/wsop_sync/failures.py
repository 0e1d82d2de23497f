"""How a WSOP sync step fails: transient errors retry with backoff, every final failure is counted in
sync_status (best effort) and leaves as one clear line with no secret in it."""

from typing import NoReturn

import dagster as dg
import psycopg

from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.common.retrying import backoff, wait_before
from gfx_assets.lib.sinks import Sink, SinkError, SinkUnavailable
from gfx_assets.lib.wsop.errors import SourceUnavailable
from gfx_assets.lib.wsop.status import record_failure
from gfx_assets.resources import WsopSource

BACKOFF_CAP_SECONDS = 60.0
TRANSIENT = (SourceUnavailable, SinkUnavailable)


def fail_sync(
    context: dg.OpExecutionContext, wsop_source: WsopSource, target: Sink, table: str, error: Exception
) -> NoReturn:
    """Raise what the step should end with; a final failure is first counted in sync_status."""
    message = redact(str(error).strip() or type(error).__name__, secrets=[wsop_source.url])
    retries_left = isinstance(error, TRANSIENT) and context.retry_number < wsop_source.max_retries
    if retries_left:
        # RetryRequested rather than a RetryPolicy: the resource's base (short in tests) sets the wait
        policy = backoff(wsop_source.retry_base_seconds, BACKOFF_CAP_SECONDS)
        wait = wait_before(policy, context.retry_number + 1, error)
        attempt = f"{context.retry_number + 1}/{wsop_source.max_retries}"
        context.log.warning(f"{table}: {message}; retry {attempt} in {wait:.1f}s")
        raise dg.RetryRequested(max_retries=wsop_source.max_retries, seconds_to_wait=wait) from None
    _count_failure(context, wsop_source, target, table, message)
    if isinstance(error, TRANSIENT):
        message = f"still failing after {wsop_source.max_retries} retries: {message}"
    named = message if message.startswith(f"{table}:") else f"{table}: {message}"
    raise dg.Failure(description=named, allow_retries=False) from None


def _count_failure(
    context: dg.OpExecutionContext, wsop_source: WsopSource, target: Sink, table: str, message: str
) -> None:
    """Best effort: when the target itself is down, the run-failure sensor still records the failure."""
    try:
        failures = record_failure(target, table, message, wsop_source.schedule())
    except (SinkError, SinkUnavailable, psycopg.Error) as error:
        reason = redact(str(error), secrets=[wsop_source.url])
        context.log.warning(f"{table}: could not record the failure in sync_status: {reason}")
        return
    context.log.error(f"{table}: sync failed ({failures} in a row): {message}")
