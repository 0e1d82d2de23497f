"""When to (re-)request a sync for a PC: the sensor's memory of what it asked for, and backoff.

Dagster never launches a run_key twice, failed runs included. So the key is the files' fingerprint
digest plus an attempt number: a rewritten file changes the digest, and files that are still not
done after their run ended (sink down, file still being written) are asked for again under
attempt+1, after an exponential backoff. Whether a file is done lives in the database manifest;
this state only spaces out the requests.
"""

from dataclasses import asdict, dataclass

from gfx_assets.lib.common.retrying import backoff, wait_before

REDRIVE_BASE_SECONDS = 15.0
REDRIVE_CAP_SECONDS = 120.0  # after an outage, pending files go again within two minutes


@dataclass(frozen=True)
class LastRequest:
    digest: str
    attempt: int
    at: float


_REDRIVE_BACKOFF = backoff(REDRIVE_BASE_SECONDS, REDRIVE_CAP_SECONDS, jitter=False)


def redrive_delay(attempt: int) -> float:
    """15 s doubling to 2 min: the shared backoff policy, without jitter since every tick asks again."""
    return wait_before(_REDRIVE_BACKOFF, attempt + 1)


def next_request(last: LastRequest | None, digest: str, now: float) -> LastRequest | None:
    """The request to make for pending files with this digest, or None while backing off."""
    if last is None or last.digest != digest:
        return LastRequest(digest, 0, now)
    if now - last.at >= redrive_delay(last.attempt):
        return LastRequest(digest, last.attempt + 1, now)
    return None


def run_key(pc_id: str, request: LastRequest) -> str:
    suffix = f":redrive-{request.attempt}" if request.attempt else ""
    return f"{pc_id}:{request.digest}{suffix}"


def dump_state(requests: dict[str, LastRequest]) -> dict:
    return {pc: asdict(request) for pc, request in requests.items()}


def load_state(data: dict) -> dict[str, LastRequest]:
    return {pc: LastRequest(**item) for pc, item in data.items()}
