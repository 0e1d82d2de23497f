"""Final sync failures: an 'error' event and dead letters in the database, and an optional Slack alert.

Dagster-free: `gfx_run_failure_sensor` gathers what failed and calls these. Everything written or sent
goes through `redact` first, so no password, API key or webhook URL leaves in an error text.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.common.tables import SYNC_EVENTS, SYNC_FAILURES
from gfx_assets.lib.sinks import Sink, require_all_written

T = TypeVar("T")

MAX_ERROR_CHARS = 2000
MAX_ALERT_ERROR_CHARS = 500
RETRY_ATTEMPTS = 5
RETRY_FIRST_DELAY_SECONDS = 0.5  # doubling: 0.5 + 1 + 2 + 4 = 7.5 s of waiting at most
WEBHOOK_TIMEOUT_SECONDS = 5.0
DEAD_LETTER_KEY = ("source", "gfx_pc_id", "nas_path")


@dataclass(frozen=True)
class FailedRun:
    """A run that failed for good: what the dead letters, the 'error' event and the alert say."""

    job_name: str
    run_id: str
    pc_id: str | None  # the PC of a 'gfx' run; '' for a 'wsop' run
    error: str  # already redacted and truncated: see describe_error
    nas_paths: tuple[str, ...]  # the failed items: NAS paths ('gfx') or table names ('wsop')
    source: str = "gfx"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(messages: Iterable[str], secrets: Iterable[str] = ()) -> str:
    """One error text for the database and the alert: redacted, at most MAX_ERROR_CHARS long."""
    return truncate(redact("\n".join(messages).strip(), secrets), MAX_ERROR_CHARS)


def record_failure(sink: Sink, failed: FailedRun, now: datetime) -> None:
    """Write the run's 'error' event and dead-letter its files. Keyed by run, so a replay of the same
    failure changes nothing; a new failure of a file counts an attempt and reopens a resolved one."""
    event = {
        "event_type": "error",
        "source": failed.source,
        "gfx_pc_id": failed.pc_id or None,
        "run_id": failed.run_id,
        "file_count": len(failed.nas_paths),
        "error_message": failed.error,
    }
    require_all_written(sink.upsert(SYNC_EVENTS, [event], ("run_id", "event_type")), SYNC_EVENTS)
    if failed.pc_id is None or not failed.nas_paths:
        return
    rows = dead_letters(failed, _earlier_failures(sink, failed), now)
    if rows:
        require_all_written(sink.upsert(SYNC_FAILURES, rows, DEAD_LETTER_KEY), SYNC_FAILURES)


def dead_letters(failed: FailedRun, earlier: dict[str, dict], now: datetime) -> list[dict]:
    """Rows of `gfx_sync_failures` for the run's files, given their existing rows by path."""
    rows = []
    for nas_path in dict.fromkeys(failed.nas_paths):
        before = earlier.get(nas_path)
        if before is not None and before["run_id"] == failed.run_id:
            continue  # this failure is already recorded
        rows.append(
            {
                "source": failed.source,
                "gfx_pc_id": failed.pc_id,
                "nas_path": nas_path,
                "run_id": failed.run_id,
                "error": failed.error,
                "attempts": before["attempts"] + 1 if before else 1,
                "first_failed_at": before["first_failed_at"] if before else now,
                "last_failed_at": now,
                "resolved_at": None,
            }
        )
    return rows


def _earlier_failures(sink: Sink, failed: FailedRun) -> dict[str, dict]:
    columns = ["nas_path", "run_id", "attempts", "first_failed_at"]
    filters = {
        "source": failed.source,
        "gfx_pc_id": failed.pc_id,
        "nas_path": list(dict.fromkeys(failed.nas_paths)),
    }
    return {row["nas_path"]: row for row in sink.select(SYNC_FAILURES, columns, filters)}


def slack_payload(failed: FailedRun, recorded: bool) -> dict[str, str]:
    """A Slack incoming-webhook message naming the job, PC, run, files and error."""
    where = failed.pc_id or ", ".join(failed.nas_paths) or "no PC"
    items = "file(s)" if failed.source == "gfx" else "table(s)"
    if recorded:
        listed = f"{len(failed.nas_paths)} {items} not synced, listed in gfx_sync_failures."
    else:  # the target refused even the look-up of what is missing: no count to give
        listed = f"the {items} not synced are listed in gfx_sync_failures once the target takes writes."
    lines = [
        f":rotating_light: *{failed.job_name}* ({failed.source}) failed for good on *{where}*",
        f"Run `{failed.run_id}`: {listed}",
        "> " + truncate(failed.error, MAX_ALERT_ERROR_CHARS).replace("\n", "\n> "),
    ]
    if not recorded:
        lines.append("The failure could not be written to the database: see the sensor's log in Dagster.")
    return {"text": "\n".join(lines)}


def post_alert(
    url: str, payload: dict[str, str], log: logging.Logger, timeout: float = WEBHOOK_TIMEOUT_SECONDS
) -> bool:
    """POST `payload` to the webhook; a failure is logged (without the URL), never raised."""
    import httpx  # here, not at the top: a run worker that posts no alert skips its import (0.2 s)

    try:
        httpx.post(url, json=payload, timeout=timeout).raise_for_status()
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        log.error(f"failure alert not delivered: {redact(f'{type(error).__name__}: {error}', [url])}")
        return False
    return True
