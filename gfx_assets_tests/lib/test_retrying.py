"""The one backoff policy (tenacity): exponential with jitter up to a cap, a server's Retry-After hint
honoured but capped, and a retry loop that gives up at its deadline or attempt count with the last
error, retrying only the errors named transient."""

import time

import pytest

from gfx_assets.lib.common.retrying import RETRY_AFTER_CAP_SECONDS, backoff, retrying, wait_before


class Busy(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


def test_attempt_n_waits_between_half_and_all_of_the_doubled_first_wait() -> None:
    policy = backoff(first=1.0, cap=60.0)
    for attempt, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)]:
        waits = [wait_before(policy, attempt) for _ in range(200)]
        assert full / 2 <= min(waits) and max(waits) <= full
        assert max(waits) - min(waits) > full / 10  # jittered, not one fixed value


def test_waits_never_exceed_the_cap() -> None:
    policy = backoff(first=1.0, cap=10.0)
    assert max(wait_before(policy, 20) for _ in range(100)) <= 10.0


def test_without_jitter_the_wait_is_exactly_the_doubled_first_wait() -> None:
    assert [wait_before(backoff(2.0, 60.0, jitter=False), n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]


def test_a_retry_after_longer_than_the_backoff_is_honoured() -> None:
    assert wait_before(backoff(0.1, 60.0), 1, Busy(retry_after=7.0)) == 7.0


def test_a_retry_after_of_an_hour_is_capped() -> None:
    assert wait_before(backoff(0.1, 60.0), 1, Busy(retry_after=3600.0)) == RETRY_AFTER_CAP_SECONDS


def test_a_transient_error_is_retried_until_the_call_succeeds() -> None:
    outcomes = [Busy(), Busy(), "done"]

    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    slept: list[float] = []
    assert retrying(Busy, backoff(0.01, 1.0), attempts=5, sleep=slept.append)(call) == "done"
    assert len(slept) == 2


def test_the_loop_gives_up_at_its_deadline_with_the_last_error() -> None:
    attempts = []

    def call() -> None:
        attempts.append(time.monotonic())
        raise Busy()

    with pytest.raises(Busy):
        retrying(Busy, backoff(0.05, 0.05, jitter=False), deadline_seconds=0.3)(call)
    assert 3 <= len(attempts) <= 8
    assert attempts[-1] - attempts[0] < 0.3  # no attempt starts past the deadline


def test_an_error_not_named_transient_is_not_retried() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise ValueError("bad row")

    with pytest.raises(ValueError):
        retrying(Busy, backoff(0.01, 1.0), attempts=5, sleep=lambda _: None)(call)
    assert len(calls) == 1
