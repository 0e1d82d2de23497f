"""A run worker killed with SIGKILL mid-run under `gfx-assets dev` is recovered by Dagster alone: the
run is marked failed, run retries (dagster.yaml `run_retries`) launch a new run tagged with the killed
one as its parent, and that run lands every file, once; nothing is left behind. On both sinks.

What notices the dead worker, as found in Dagster 1.13.27: not the daemon's run monitoring. The
DefaultRunLauncher that `dagster dev` uses has `supports_check_run_worker_health = False`, so run
monitoring only watches start and cancel timeouts for it. The run worker is a process the code server
(`dagster api grpc`) spawns with multiprocessing for each run, and the code server's clean-up thread
(`DagsterApiServer._check_for_orphaned_runs`, every 0.5 s) reports a run whose worker died as failed
("Run execution process for <run> was terminated by signal 9 (SIGKILL)."). That failure is no step
failure, so run retries take it even with `retry_on_asset_or_op_failure: false`.

The run is killed while it waits inside its first write (faults.writes_held), so it is known to be
mid-run whatever the machine's speed; the hold is released once the worker is dead.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.e2e.devserver import wait_for
from gfx_assets_tests.e2e.faults import (
    assert_converged,
    dev_leaving_nothing,
    landed,
    nas_files,
    run_worker,
    server_of_its_own,
    wait_until_bookkept,
    waiting_in_a_write,
    writes_held,
)
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.supabase_roles import create_supabase_roles
from gfx_assets_tests.support import query, seeded_nas

SESSIONS = 6
STARTED_SYNC = """
    SELECT r.run_id FROM runs r JOIN event_logs e ON e.run_id = r.run_id
    WHERE r.status = 'STARTED' AND e.dagster_event_type = 'STEP_START' AND e.step_key = 'gfx_sessions'"""
STATUS = "SELECT status FROM runs WHERE run_id = %s"
RETRIES_OF = """
    SELECT r.run_id, r.status FROM runs r JOIN run_tags t ON t.run_id = r.run_id
    WHERE t.key = 'dagster/parent_run_id' AND t.value = %s"""


@pytest.fixture(params=["postgres", "supabase_rest"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], str, str]]:
    """`gfx-assets dev` settings for one sink, the target database and Dagster's storage, each on a
    server of its own (not under the dev's GFX_HOME)."""
    with (
        server_of_its_own(tmp_path / "target", "gfx") as target,
        server_of_its_own(tmp_path / "dagster", "dagster") as storage,
    ):
        env = {"GFX_HOME": str(tmp_path / "home"), "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(storage)}
        create_supabase_roles(target)
        migrate(target)  # before the dev starts: the test holds writes into the ledger from the start
        if request.param == "postgres":
            yield {**env, "GFX_DATABASE_URL": target}, target, storage
            return
        with serve(create_app(target, service_key=SERVICE_KEY)) as base_url:
            rest = {
                "GFX_SINK": "supabase",
                "GFX_SUPABASE_URL": base_url,
                "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY,
            }
            yield {**env, **rest}, target, storage


def test_a_run_worker_killed_mid_run_is_retried_by_dagster_and_lands_every_file(
    tmp_path: Path, setup: tuple[dict[str, str], str, str]
) -> None:
    settings, target, storage = setup
    home, nas_root = tmp_path / "home", seeded_nas(tmp_path / "nas", ["PC01"], SESSIONS, hands=(1, 2))
    env = {**settings, "GFX_NAS_ROOT": str(nas_root)}
    with dev_leaving_nothing(env, home):
        with writes_held(target) as release:
            [(killed_run,)] = wait_for(lambda: query(storage, STARTED_SYNC), 240, "the sync step to start")
            wait_for(lambda: waiting_in_a_write(target), 120, "the run to wait inside its first write")
            worker = wait_for(lambda: run_worker(home, killed_run), 30, "the run's worker process")
            worker.kill()  # SIGKILL: no clean-up, no event written by the worker
            failed = [("FAILURE",)]
            wait_for(lambda: query(storage, STATUS, killed_run) == failed, 60, "the run marked failed")
            assert landed(target) == 0, "a file landed while every write was held"
            release()

        wait_for(
            lambda: "SUCCESS" in {status for _, status in query(storage, RETRIES_OF, killed_run)},
            300,
            "a retry of the killed run to succeed",
        )
        assert landed(target) == len(nas_files(nas_root)) == SESSIONS
        wait_until_bookkept(storage)  # a late dead letter would show by then
        assert_converged(target, nas_root)
