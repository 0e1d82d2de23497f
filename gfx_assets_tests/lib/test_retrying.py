"""The one backoff policy (tenacity): exponential with jitter up to a cap, a server's Retry-After hint
honoured but capped, and a retry loop that gives up at its deadline or attempt count with the last
error, retrying only the errors named transient. The deadline is tested on a clock of the test's own,
which only the loop's waits move, so a busy machine cannot change what the loop does."""

from types import SimpleNamespace

import pytest
import tenacity

from gfx_assets.lib.common.retrying import RETRY_AFTER_CAP_SECONDS, backoff, retrying, wait_before


class Busy(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class Clock:
    """Time as the retry loop sees it: it stands still except while the loop sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if len(self.slept) >= 100:
            raise AssertionError("the loop does not stop at its deadline")
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock tenacity measures its deadline with (its own module's `time`, nothing else's)."""
    clock = Clock()
    monkeypatch.setattr(tenacity, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock


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


def test_the_loop_gives_up_at_its_deadline_with_the_last_error(clock: Clock) -> None:
    attempts: list[float] = []
    errors: list[Busy] = []

    def call() -> None:
        attempts.append(clock.now)
        errors.append(Busy())
        raise errors[-1]

    with pytest.raises(Busy) as raised:
        retrying(Busy, backoff(0.25, 0.25, jitter=False), deadline_seconds=1.0, sleep=clock.sleep)(call)
    # one more wait of 0.25 s would start an attempt at 1.0 s, the deadline: the loop stops at 0.75 s
    assert attempts == [0.0, 0.25, 0.5, 0.75]
    assert raised.value is errors[-1]


def test_an_error_not_named_transient_is_not_retried() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise ValueError("bad row")

    with pytest.raises(ValueError):
        retrying(Busy, backoff(0.01, 1.0), attempts=5, sleep=lambda _: None)(call)
    assert len(calls) == 1
