"""The WSOP schedule and definitions: cron and time zone from the settings, running by default,
a freshness policy failing after two intervals, and definitions that load with no GFX_ setting at all."""

import json
import os
import subprocess
import sys

import dagster as dg
import pytest

from gfx_assets.defs.wsop_sync.assets import WSOP_ASSETS, WSOP_FRESHNESS
from gfx_assets.defs.wsop_sync.jobs import wsop_sync_job
from gfx_assets.defs.wsop_sync.schedules import wsop_reconciliation_schedule, wsop_sync_schedule
from gfx_assets.resources import WsopSource

_PRINT_SCHEDULE = """
import json
from gfx_assets.definitions import defs
definitions = defs()
schedule = definitions.resolve_schedule_def("wsop_sync_schedule")
from gfx_assets.defs.wsop_sync.assets import WSOP_ASSETS, WSOP_FRESHNESS
keys = [key.to_user_string() for key in definitions.resolve_all_asset_keys()]
from gfx_assets.defs.wsop_sync.assets import WSOP_FRESHNESS
stale = WSOP_FRESHNESS.fail_window.to_timedelta().total_seconds()
wsop = sorted(key for key in keys if key.startswith("wsop_"))
print(json.dumps([schedule.cron_schedule, schedule.execution_timezone, stale, wsop]))
"""


def _load_with(settings: dict[str, str]) -> list:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GFX_")}
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_SCHEDULE],
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_schedule_runs_the_sync_job_every_15_minutes_in_utc_by_default() -> None:
    assert wsop_sync_schedule.cron_schedule == "*/15 * * * *"
    assert wsop_sync_schedule.execution_timezone == "UTC"
    assert wsop_sync_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert wsop_sync_schedule.job_name == wsop_sync_job.name
    assert wsop_reconciliation_schedule.cron_schedule == "0 * * * *"


def test_a_sync_later_than_two_intervals_fails_the_freshness_policy() -> None:
    assert WSOP_FRESHNESS.fail_window.to_timedelta().total_seconds() == 30 * 60
    for asset in WSOP_ASSETS:
        assert asset.get_asset_spec().freshness_policy == WSOP_FRESHNESS


def test_cron_and_timezone_come_from_the_settings() -> None:
    cron, timezone, stale_seconds, _ = _load_with(
        {"GFX_WSOP_CRON": "*/5 * * * *", "GFX_WSOP_TIMEZONE": "America/Los_Angeles"}
    )
    assert (cron, timezone, stale_seconds) == ("*/5 * * * *", "America/Los_Angeles", 600)


def test_definitions_load_with_no_gfx_setting_and_hold_the_wsop_assets() -> None:
    *_, assets = _load_with({})
    assert assets == ["wsop_chip_counts", "wsop_event_players", "wsop_events", "wsop_players"]


SOURCE = WsopSource(url="postgresql://reader@wsop-plus/wsop")


def test_a_tick_requests_one_run_of_the_sync_job_tagged_wsop() -> None:
    with dg.build_schedule_context(
        scheduled_execution_time=None, resources={"wsop_source": SOURCE}
    ) as context:
        [request] = wsop_sync_schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, wsop_sync_job.name)
    assert wsop_sync_job.tags == {"gfx/source": "wsop"}


@pytest.mark.parametrize("schedule", [wsop_sync_schedule, wsop_reconciliation_schedule])
def test_without_a_wsop_source_a_tick_skips_naming_the_setting(schedule: dg.ScheduleDefinition) -> None:
    resources = {"wsop_source": WsopSource(url="")}
    with dg.build_schedule_context(scheduled_execution_time=None, resources=resources) as context:
        result = schedule.evaluate_tick(context)
    assert result.run_requests == []
    assert "GFX_WSOP_SOURCE_URL is unset" in (result.skip_message or "")


@pytest.mark.parametrize("schedule", [wsop_sync_schedule, wsop_reconciliation_schedule])
def test_with_a_wsop_source_both_schedules_request_a_run(schedule: dg.ScheduleDefinition) -> None:
    with dg.build_schedule_context(
        scheduled_execution_time=None, resources={"wsop_source": SOURCE}
    ) as context:
        assert len(schedule.evaluate_tick(context).run_requests) == 1
