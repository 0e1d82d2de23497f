"""The one backoff policy of gfx_assets, built from tenacity: the sinks' request retries, the sync step's
`RetryRequested` and the sensor's re-drive all wait by it.

Attempt n waits between half and all of `first * 2**(n-1)`, at most `cap` (the random half spreads
out clients that failed together), and never less than the server's Retry-After hint, itself capped
at RETRY_AFTER_CAP_SECONDS (a hint of an hour must not park a sync for an hour).
"""

import logging
import time
from collections.abc import Callable

import tenacity
from tenacity.wait import wait_base

RETRY_AFTER_CAP_SECONDS = 30.0


class _HonouringRetryAfter(wait_base):
    """The backoff, or the `retry_after` the failed attempt's error carries if that is longer."""

    def __init__(self, backoff: wait_base, retry_after_cap: float) -> None:
        self.backoff = backoff
        self.retry_after_cap = retry_after_cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        hint = getattr(error, "retry_after", None) or 0.0
        return max(self.backoff(retry_state), min(hint, self.retry_after_cap))


def backoff(first: float, cap: float, jitter: bool = True) -> wait_base:
    """Exponential backoff from `first` seconds, doubling up to `cap`, honouring Retry-After. Without
    jitter for waits that are re-evaluated on every look (the sensor's re-drive): a fresh random draw
    each time would only shorten them."""
    if jitter:
        fixed_half = tenacity.wait_exponential(multiplier=first / 2, max=cap / 2)
        wait = fixed_half + tenacity.wait_random_exponential(multiplier=first / 2, max=cap / 2)
    else:
        wait = tenacity.wait_exponential(multiplier=first, max=cap)
    return _HonouringRetryAfter(wait, RETRY_AFTER_CAP_SECONDS)


def wait_before(wait: wait_base, retry_number: int, error: BaseException | None = None) -> float:
    """The policy's wait before retry `retry_number` (1 = the first retry), for retries that something
    else schedules: Dagster's RetryRequested, the sensor's re-drive."""
    state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = retry_number
    if error is not None:
        state.set_exception((type(error), error, error.__traceback__))
    return wait(state)


def retrying(
    transient: type[BaseException] | tuple[type[BaseException], ...],
    wait: wait_base,
    *,
    deadline_seconds: float | None = None,
    attempts: int | None = None,
    log: Callable[[BaseException, int, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tenacity.Retrying:
    """A tenacity loop retrying `transient` errors by `wait` until the next attempt would start past
    `deadline_seconds` after the first, or after `attempts` attempts; then the last error propagates."""
    stops = []
    if deadline_seconds is not None:
        stops.append(tenacity.stop_before_delay(deadline_seconds))
    if attempts is not None:
        stops.append(tenacity.stop_after_attempt(attempts))

    def before_sleep(state: tenacity.RetryCallState) -> None:
        if log is not None and state.outcome is not None:
            log(state.outcome.exception(), state.attempt_number, state.upcoming_sleep)

    return tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(transient),
        wait=wait,
        stop=tenacity.stop_any(*stops) if stops else tenacity.stop_never,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


def logging_to(logger: logging.Logger, what: str) -> Callable[[BaseException, int, float], None]:
    """A `log` for `retrying`: one warning per retry, naming what is retried and when."""

    def log(error: BaseException, attempt: int, wait: float) -> None:
        logger.warning(f"{what}: {error}; attempt {attempt} failed, retrying in {wait:.1f}s")

    return log
