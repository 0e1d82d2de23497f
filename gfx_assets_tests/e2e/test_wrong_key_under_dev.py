"""A wrong Supabase service key under `gfx-assets dev`, then a restart with the right one (issue 9): the
sink refuses the key (401), so every sync run fails loudly and at once, the Slack alert goes out once
(not once per run), no sensor tick fails, and nothing lands or is rejected. After the restart every file
lands, the failures kept in Dagster's storage meanwhile are written to sync_events, no dead letter stays
open for a landed file, and the key appears in no alert, run log or table. Each check waits for the
failure sensors to have ticked after the last run, not for a fixed time."""

from pathlib import Path

from gfx_assets.lib.common.migrations import migrate
from gfx_assets_tests.alerts import webhook
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.e2e.devserver import wait_for
from gfx_assets_tests.e2e.faults import (
    REJECTED,
    assert_converged,
    dev_leaving_nothing,
    landed,
    nas_files,
    server_of_its_own,
    wait_until_bookkept,
)
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.supabase_roles import create_supabase_roles
from gfx_assets_tests.support import query, seeded_nas

PCS = ["PC01", "PC02"]
WRONG_KEY = "wrong-service-key-0123456789"
FAILED_RUNS = "SELECT run_id FROM runs WHERE pipeline_name = 'gfx_sessions_job' AND status = 'FAILURE'"
FAILED_TICKS = "SELECT count(*) FROM job_ticks WHERE status = 'FAILURE'"
ERROR_EVENTS = "SELECT run_id FROM sync_events WHERE event_type = 'error' AND source = 'gfx'"
KEY_IN_RUN_LOGS = "SELECT count(*) FROM event_logs WHERE event LIKE %s"


def test_a_wrong_key_fails_runs_loudly_alerts_once_and_everything_lands_after_the_fix(tmp_path: Path) -> None:
    nas_root = seeded_nas(tmp_path / "nas", PCS, sessions_per_pc=2)
    home = tmp_path / "home"
    storage = f"postgresql://postgres@/dagster?host={home.resolve() / 'pgdata'}"
    with (
        server_of_its_own(tmp_path / "target", "gfx") as target,
        serve(create_app(_migrated(target), service_key=SERVICE_KEY)) as base_url,
        webhook() as (hook_url, alerts),
    ):
        env = {
            "GFX_HOME": str(home),
            "GFX_NAS_ROOT": str(nas_root),
            "GFX_SINK": "supabase",
            "GFX_SUPABASE_URL": base_url,
            "GFX_ALERT_WEBHOOK_URL": hook_url,
        }
        with dev_leaving_nothing({**env, "GFX_SUPABASE_SERVICE_KEY": WRONG_KEY}, home):
            wait_for(lambda: len(query(storage, FAILED_RUNS)) >= len(PCS), 180, "a failed run per PC")
            wait_until_bookkept(storage)  # a second alert would have gone out by then
            assert query(storage, FAILED_TICKS) == [(0,)]
            assert len(alerts) == 1 and "401" in alerts[0]["text"], [alert["text"] for alert in alerts]
            assert "0 file(s)" not in alerts[0]["text"]  # nothing could be looked up: no count is given
            assert landed(target) == 0 and query(target, REJECTED) == []
            failed = {run_id for (run_id,) in query(storage, FAILED_RUNS)}

        with dev_leaving_nothing({**env, "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY}, home):
            total = len(nas_files(nas_root))
            wait_for(lambda: landed(target) == total, 180, "every file to land once the key is right")
            wait_for(lambda: failed <= _recorded_failures(target), 90, "the kept failures to be written")
            wait_until_bookkept(storage)
            assert_converged(target, nas_root)
            assert query(storage, KEY_IN_RUN_LOGS, f"%{WRONG_KEY}%") == [(0,)]
        assert WRONG_KEY not in str(alerts)


def _migrated(target: str) -> str:
    create_supabase_roles(target)
    migrate(target)
    return target


def _recorded_failures(target: str) -> set[str]:
    return {run_id for (run_id,) in query(target, ERROR_EVENTS)}
