"""Issue 9's outage under `gfx-assets dev`: the sink is down for 3 minutes while
files keep arriving, then every file lands within 2 minutes of its return, once, with no dead letter
left open for a landed file, the retries visible in the run logs, and no process left behind. On both
sinks:

- direct PostgreSQL: the target server itself is stopped (Dagster's storage lives on a server of its
  own, as the README advises for production, so Dagster keeps running);
- Supabase REST: the database behind the PostgREST test app is stopped, so the API answers 5xx, as
  Supabase does while its database is down; Dagster's storage is the embedded server of GFX_HOME.

The outage lasts GFX_E2E_OUTAGE_SECONDS, default 60, with the request deadline at two thirds of it
(40 s): requests give up during the outage and the step is retried as well, which is all a longer
outage would add (issue 9's three minutes against the 120 s default deadline: GFX_E2E_OUTAGE_SECONDS=180).
After the last file lands, the test waits for the failure sensors to tick once more, not for a fixed time.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.postgres import (
    as_sqlalchemy_psycopg2,
    embedded_server_url,
    stop_embedded_server,
)
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.e2e.devserver import wait_for
from gfx_assets_tests.e2e.faults import (
    RETRIES_IN_RUN_LOGS,
    arrive,
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
OUTAGE_SECONDS = float(os.environ.get("GFX_E2E_OUTAGE_SECONDS", "60"))
REQUEST_DEADLINE_SECONDS = min(120.0, OUTAGE_SECONDS * 2 / 3)
FILES_DURING_OUTAGE = 6
LAND_AFTER_RETURN_SECONDS = 120  # the promise


@dataclass
class Setup:
    """A sink for `gfx-assets dev` whose target the test can take down and bring back."""

    env: dict[str, str]
    target: str  # the target database, for the test's own queries
    dagster_storage: str  # Dagster's run storage, where the run logs are
    target_folder: Path  # the embedded server that goes down


@pytest.fixture(params=["postgres", "supabase_rest"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    home = tmp_path / "home"
    settings = {"GFX_HOME": str(home), "GFX_SINK_REQUEST_DEADLINE_SECONDS": str(REQUEST_DEADLINE_SECONDS)}
    with server_of_its_own(tmp_path / "target", "gfx") as target:
        create_supabase_roles(target)
        migrate(target)
        if request.param == "postgres":
            with server_of_its_own(tmp_path / "dagster", "dagster") as storage:
                env = {
                    **settings,
                    "GFX_DATABASE_URL": target,
                    "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(storage),
                }
                yield Setup(env, target, storage, tmp_path / "target")
            return
        with serve(create_app(target, service_key=SERVICE_KEY)) as base_url:
            env = {
                **settings,
                "GFX_SINK": "supabase",
                "GFX_SUPABASE_URL": base_url,
                "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY,
            }
            storage = f"postgresql://postgres@/dagster?host={home.resolve() / 'pgdata'}"
            yield Setup(env, target, storage, tmp_path / "target")


def _files_arrive_during(outage_seconds: float, nas_root: Path) -> None:
    """FILES_DURING_OUTAGE new files, spread over the outage, alternating PCs."""
    pause = outage_seconds / FILES_DURING_OUTAGE
    for number in range(FILES_DURING_OUTAGE):
        arrive(nas_root, PCS[number % len(PCS)], 500 + number)
        time.sleep(pause)


def test_files_arriving_during_an_outage_land_within_two_minutes_of_its_end(
    tmp_path: Path, setup: Setup
) -> None:
    nas_root = seeded_nas(tmp_path / "nas", PCS, sessions_per_pc=2)
    with dev_leaving_nothing({**setup.env, "GFX_NAS_ROOT": str(nas_root)}, tmp_path / "home"):
        wait_for(lambda: landed(setup.target) == 4, 180, "the first sync")
        stop_embedded_server(setup.target_folder)
        _files_arrive_during(OUTAGE_SECONDS, nas_root)
        assert query(setup.dagster_storage, RETRIES_IN_RUN_LOGS)[0][0] > 0, "no retry in the run logs"

        embedded_server_url(setup.target_folder)  # the target is back
        total = len(nas_files(nas_root))
        wait_for(lambda: landed(setup.target) == total, LAND_AFTER_RETURN_SECONDS, "every file to land")
        wait_until_bookkept(setup.dagster_storage)  # a late dead letter would show by then
        assert_converged(setup.target, nas_root)
