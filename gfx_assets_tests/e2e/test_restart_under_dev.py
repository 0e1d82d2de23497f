"""`gfx-assets dev` stopped in the middle of a sync and started again on the same GFX_HOME: by Ctrl-C,
and by a crash (SIGKILL of every process it started, as a power cut or the OOM killer would). After
the restart every file lands once, no run is left looking as if it were still running (which would
keep the sensor away from its PC for good), no dead letter stays open for a landed file, and nothing
is left behind. The stop comes while the run waits inside its first write (faults.writes_held), so it
is known to be mid-sync whatever the machine's speed."""

import os
import signal
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.e2e.devserver import gfx_dev, processes_of, wait_for
from gfx_assets_tests.e2e.faults import (
    assert_converged,
    dev_leaving_nothing,
    landed,
    nas_files,
    server_of_its_own,
    wait_until_bookkept,
    waiting_in_a_write,
    writes_held,
)
from gfx_assets_tests.support import query, seeded_nas

SESSIONS = 6
STOP_SECONDS = 30  # as test_clean_stop
SYNC_STEP_STARTED = """
    SELECT count(*) FROM runs r JOIN event_logs e ON e.run_id = r.run_id
    WHERE r.status = 'STARTED' AND e.dagster_event_type = 'STEP_START' AND e.step_key = 'gfx_sessions'"""
RUNS_IN_FLIGHT = "SELECT run_id, status FROM runs WHERE status IN ('STARTING', 'STARTED', 'CANCELING')"


def _crash(pid: int, home: Path, url: str) -> None:
    """SIGKILL of every process of the dev at once: no clean-up, no event written by anyone."""
    for process in processes_of(pid, home, urlsplit(url).port):
        with suppress(ProcessLookupError):
            os.kill(int(process.split(":")[0]), signal.SIGKILL)


@pytest.mark.parametrize("stop", ["ctrl_c", "crash"])
def test_a_dev_stopped_mid_sync_and_started_again_lands_every_file(tmp_path: Path, stop: str) -> None:
    nas_root = seeded_nas(tmp_path / "nas", ["PC01"], SESSIONS, hands=(1, 2))
    home = tmp_path / "home"
    with (
        server_of_its_own(tmp_path / "target", "gfx") as target,
        server_of_its_own(tmp_path / "dagster", "dagster") as storage,
    ):
        migrate(target)  # before the dev starts: the test holds writes into the ledger from the start
        env = {
            "GFX_HOME": str(home),
            "GFX_DATABASE_URL": target,
            "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(storage),
            "GFX_NAS_ROOT": str(nas_root),
        }
        with writes_held(target) as release, gfx_dev(env, "--no-simulator") as (process, url):
            wait_for(lambda: query(storage, SYNC_STEP_STARTED)[0][0], 240, "the sync step to start")
            wait_for(lambda: waiting_in_a_write(target), 120, "the sync to wait inside its first write")
            if stop == "crash":
                _crash(process.pid, home, url)
                release()
                assert landed(target) == 0, "a write of the crashed sync landed"
            else:
                process.send_signal(signal.SIGINT)  # Ctrl-C while the write is under way, which then ends
                release()
                process.wait(STOP_SECONDS)  # raises if Ctrl-C did not stop the dev on its own

        with dev_leaving_nothing(env, home):
            wait_for(lambda: landed(target) == len(nas_files(nas_root)), 300, "every file to land")
            wait_for(lambda: not query(storage, RUNS_IN_FLIGHT), 60, "no run left in flight")
            wait_until_bookkept(storage)
            assert_converged(target, nas_root)
