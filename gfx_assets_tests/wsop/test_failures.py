"""Failures are clear, retried where that can help, counted in sync_status and shown by v_sync_dashboard:
an unreachable source, an unset source URL, a source column the target lacks, and the health states."""

import dagster as dg
import pytest

from gfx_assets.defs.wsop_sync.assets import wsop_events
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import execute, failure_message, query, sync, wsop_source

UNREACHABLE = "postgresql://wsop_reader:s3cret-pw@127.0.0.1:1/wsop_source"


def health(database_url: str, table: str = "wsop_events") -> str:
    [(status,)] = query(
        database_url, "SELECT health_status FROM v_sync_dashboard WHERE entity_type = %s", table
    )
    return status


def test_an_unreachable_source_is_retried_then_fails_clearly_and_moves_no_watermark(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    sync(wsop_source(source_url), gfx_sink)
    before = query(database_url, "SELECT entity_type, watermark FROM sync_status ORDER BY 1")

    result = sync(wsop_source(UNREACHABLE, max_retries=2), gfx_sink)

    assert not result.success
    retries = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert sorted(e.step_key for e in retries) == ["wsop_events"] * 2 + ["wsop_players"] * 2
    message = failure_message(result)
    assert message.startswith("wsop_") and "WSOP+ source unavailable" in message and "\n" not in message
    assert "s3cret-pw" not in str([e.message for e in result.all_events])
    assert query(database_url, "SELECT entity_type, watermark FROM sync_status ORDER BY 1") == before
    assert health(database_url) == "ERROR"


def test_failures_in_a_row_turn_the_dashboard_warning_then_critical_and_a_success_resets_it(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    failing, healthy = wsop_source(UNREACHABLE, max_retries=0), wsop_source(source_url)
    assert sync(healthy, gfx_sink, assets=[wsop_events]).success
    seen = []
    for _ in range(6):
        sync(failing, gfx_sink, assets=[wsop_events])
        seen.append(health(database_url))

    assert seen == ["ERROR", "ERROR", "WARNING", "WARNING", "WARNING", "CRITICAL"]
    assert query(database_url, "SELECT consecutive_failures, status FROM sync_status") == [(6, "failed")]
    assert sync(healthy, gfx_sink, assets=[wsop_events]).success
    assert query(database_url, "SELECT consecutive_failures, status FROM sync_status") == [(0, "success")]
    assert health(database_url) == "HEALTHY"


@pytest.mark.parametrize(
    ("failures", "synced_ago", "expected"),
    [
        (6, "1 hour", "CRITICAL"),
        (3, "1 hour", "WARNING"),
        (1, "31 minutes", "STALE"),
        (1, "1 minute", "ERROR"),
    ],
)
def test_the_dashboard_applies_its_rules_in_order(
    database_url: str, failures: int, synced_ago: str, expected: str
) -> None:
    execute(
        database_url,
        "INSERT INTO sync_status (source, entity_type, status, last_synced_at, consecutive_failures) "
        "VALUES ('wsop', 'wsop_events', 'failed', now() - %s::interval, %s)",
        synced_ago,
        failures,
    )
    [(status, lag)] = query(database_url, "SELECT health_status, lag_seconds FROM v_sync_dashboard")
    assert status == expected
    assert lag >= 60


def test_a_run_without_source_url_fails_naming_the_setting(database_url: str, gfx_sink: GfxSink) -> None:
    result = sync(wsop_source(""), gfx_sink, assets=[wsop_events])

    assert not result.success
    assert failure_message(result) == (
        "GFX_WSOP_SOURCE_URL is not set: set it to the WSOP+ source PostgreSQL URL"
    )


def test_a_source_column_the_target_lacks_fails_the_run_naming_it(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    execute(
        source_url, "ALTER TABLE wsop_players ADD COLUMN hendon_mob_url text, ADD COLUMN gpi_rank integer"
    )

    result = sync(wsop_source(source_url), gfx_sink)

    assert not result.success
    message = failure_message(result)
    assert message.startswith(
        "wsop_players: the target table lacks source column(s) hendon_mob_url, gpi_rank"
    )
    assert query(database_url, "SELECT count(*) FROM wsop_players") == [(0,)]
    assert query(database_url, "SELECT status FROM sync_status WHERE entity_type = 'wsop_players'") == [
        ("failed",)
    ]
