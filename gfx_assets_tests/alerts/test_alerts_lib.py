"""gfx_assets.lib.common.alerts without Dagster: secret redaction, the error text and Slack payload, the
bounded retry of sink writes, alert delivery, and the rows a failure leaves in a real PostgreSQL."""

import logging
from datetime import UTC, datetime

import pytest

from gfx_assets.lib.common.alerts import (
    MAX_ERROR_CHARS,
    FailedRun,
    describe_error,
    post_alert,
    record_failure,
    slack_payload,
)
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets_tests.alerts import WEBHOOK_TOKEN, webhook
from gfx_assets_tests.support import query

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLWJ5dGVz"
LOG = logging.getLogger("gfx_assets_tests.alerts")


def _failed(pc_id: str | None = "PC01", paths: tuple[str, ...] = ("PC01/0101/a.json",)) -> FailedRun:
    return FailedRun("gfx_sessions_job", "run-1", pc_id, "gfx_sessions: sink error", paths)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("cannot connect to postgresql://gfx:hunter2@db.internal:5432/gfx", "hunter2"),
        ("connection 'host=db user=gfx password=hunter2 dbname=gfx' failed", "hunter2"),
        ("request headers {'apikey': 'k3y-value', 'x': 1}", "k3y-value"),
        ("GET /rest/v1/x?apikey=k3y-value&select=*", "k3y-value"),
        ("Authorization: Bearer opaque-token-123", "opaque-token-123"),
        (f"service key {JWT} refused", JWT.split(".")[1]),
        ("key sb_secret_AbC123-xyz was revoked", "AbC123-xyz"),
    ],
)
def test_redact_masks_each_kind_of_secret(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert "***" in redacted


def test_redact_masks_the_secrets_it_is_given() -> None:
    url = f"https://hooks.slack.com/services/T000/B000/{WEBHOOK_TOKEN}"
    assert redact(f"POST {url} failed", [url]) == "POST *** failed"


def test_redact_leaves_text_without_secrets_alone() -> None:
    text = "PostgreSQL unavailable (postgresql://gfx@db:5432/gfx): PC01/0101/GameID=1.json, user@example"
    assert redact(text) == text


def test_the_error_text_is_redacted_and_at_most_max_error_chars() -> None:
    error = describe_error(["step: password=hunter2 " + "x" * 5000])
    assert len(error) == MAX_ERROR_CHARS
    assert "hunter2" not in error


def test_the_slack_payload_names_the_job_pc_run_file_count_and_error() -> None:
    text = slack_payload(_failed(paths=("a.json", "b.json")), recorded=True)["text"]
    for part in ("gfx_sessions_job", "PC01", "run-1", "2 file(s)", "gfx_sessions: sink error"):
        assert part in text
    assert "could not be written" not in text


def test_the_slack_payload_says_when_the_failure_could_not_be_recorded() -> None:
    assert "could not be written" in slack_payload(_failed(), recorded=False)["text"]


def test_an_undelivered_alert_is_logged_without_the_webhook_url(caplog: pytest.LogCaptureFixture) -> None:
    with webhook(status=500) as (url, received), caplog.at_level(logging.ERROR):
        assert post_alert(url, {"text": "x"}, LOG) is False
    assert received == [{"text": "x"}]
    assert "not delivered" in caplog.text
    assert WEBHOOK_TOKEN not in caplog.text


def test_a_failure_without_a_pc_writes_only_its_event(database_url: str) -> None:
    sink = PostgresSink(database_url)
    record_failure(sink, _failed(pc_id=None), datetime.now(UTC))
    sink.close()
    assert query(database_url, "SELECT event_type, gfx_pc_id, file_count FROM sync_events") == [
        ("error", None, 1)
    ]
    assert query(database_url, "SELECT count(*) FROM gfx_sync_failures") == [(0,)]
