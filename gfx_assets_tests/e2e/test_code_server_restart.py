"""A code server killed mid-run recovers with no manual step (issue 18), in the Docker deployment's shape
without Docker: `gfx-assets code-server` (user_code's command), `dagster-daemon` and `dagster-webserver`,
each in a process group of its own as a container would be, with docker/dagster.yaml (paths moved under
tmp) and a workspace naming the gRPC server, on the test's PostgreSQL. A run of PC01 is held inside its
first write (faults.writes_held: a trigger waits on an advisory lock the test holds), the code server's
whole group is killed with SIGKILL (what a container restart does to its processes), and the code
server is started again: it marks the orphaned run failed, run retries and the sensor take over, and
every file lands."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME
from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.lib.common.postgres import ensure_database
from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets_tests.e2e.devserver import free_port, wait_for
from gfx_assets_tests.e2e.faults import waiting_in_a_write, writes_held
from gfx_assets_tests.support import write_registry

FILES = 3


@pytest.fixture
def dagster_storage(server_url: str) -> Iterator[str]:
    """A fresh database for Dagster's storage, dropped afterwards."""
    name = f"gfx_dagster_{uuid.uuid4().hex[:12]}"
    yield ensure_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def deployment(tmp_path: Path, dagster_storage: str, empty_database_url: str) -> dict[str, str]:
    """The environment of the three processes: target, Dagster storage, NAS, DAGSTER_HOME."""
    migrate(empty_database_url)
    storage = dagster_storage
    nas_root = tmp_path / "nas"
    settled = time.time() - 600
    for path in seed_nas(nas_root, ["PC01"], sessions_per_pc=FILES, hands=(1, 2)):
        os.utime(path, (settled, settled))
    write_registry(nas_root / "config" / "pc_registry.json", {"PC01": "PC01"})
    home = tmp_path / "dagster_home"
    (home / "storage").mkdir(parents=True)
    instance = (PROJECT_ROOT / "docker" / "dagster.yaml").read_text().replace("/opt/dagster/home", str(home))
    (home / "dagster.yaml").write_text(instance)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("GFX_", "DAGSTER_"))
    }
    return environment | {
        "DAGSTER_HOME": str(home),
        "GFX_HOME": str(tmp_path / "gfx_home"),
        "GFX_DATABASE_URL": empty_database_url,
        "GFX_DAGSTER_STORAGE_URL": storage,
        "GFX_NAS_ROOT": str(nas_root),
        "GFX_SETTLE_SECONDS": "0",
    }


@contextmanager
def process_group(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _runs(
    env: dict[str, str], *statuses: dg.DagsterRunStatus, job_name: str | None = GFX_SYNC_JOB_NAME
) -> list[dg.DagsterRun]:
    """The sync runs (the schedules' runs, started beside them, are not this test's), or with
    `job_name=None` the runs of every job."""
    url = env["GFX_DAGSTER_STORAGE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1)
    overrides = {"storage": {"postgres": {"postgres_url": url}}}
    runs = dg.RunsFilter(statuses=list(statuses) or None, job_name=job_name)
    with dg.instance_for_test(overrides=overrides) as instance:
        records = instance.get_run_records(runs)
        return [record.dagster_run for record in records]


def _landed(target: str) -> int:
    with psycopg.connect(target) as conn:
        return conn.execute("SELECT count(*) FROM gfx_session_snapshots").fetchone()[0]


def test_a_code_server_killed_mid_run_syncs_its_pc_again_after_restart(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    env, target = deployment, deployment["GFX_DATABASE_URL"]
    grpc_port, ui_port = free_port(), free_port()
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {grpc_port}\n"
        "      location_name: gfx_assets\n"
    )
    bin_dir = Path(sys.executable).parent
    code_server = [
        *(sys.executable, "-m", "gfx_assets.cli", "code-server"),
        *("-h", "127.0.0.1", "-p", str(grpc_port), "-m", "gfx_assets.definitions"),
    ]
    with writes_held(target) as release, ExitStack() as processes:
        first = processes.enter_context(process_group(code_server, env, tmp_path / "code_server.log"))
        wait_for(lambda: first.poll() is None and _grpc_up(grpc_port), 120, "the code server")
        processes.enter_context(
            process_group(
                [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
                env,
                tmp_path / "daemon.log",
            )
        )
        processes.enter_context(
            process_group(
                [
                    str(bin_dir / "dagster-webserver"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ui_port),
                    "-w",
                    str(workspace),
                ],
                env,
                tmp_path / "webserver.log",
            )
        )
        [held] = wait_for(lambda: _runs(env, dg.DagsterRunStatus.STARTED), 180, "a run of PC01 to start")
        wait_for(lambda: waiting_in_a_write(target), 120, "the run to wait inside its first write")
        kill_group(first)  # the container restart: the server and the run worker it spawned
        release()
        assert held.run_id in {run.run_id for run in _runs(env, dg.DagsterRunStatus.STARTED)}  # left Started
        in_flight = (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING)
        processes.enter_context(process_group(code_server, env, tmp_path / "code_server_2.log"))
        wait_for(lambda: _landed(target) == FILES, 180, "every file of PC01 to land after the restart")
        failed = wait_for(lambda: _runs(env, dg.DagsterRunStatus.FAILURE), 60, "the orphaned run to fail")
        wait_for(lambda: not _runs(env, *in_flight), 120, "no run left in flight")
    assert held.run_id in {run.run_id for run in failed}
    # the restarted server names how many runs it marked failed: the held one, and any other run the
    # killed server had left in flight (a schedule's run started beside it, under load)
    marked = re.search(
        r"(\d+) run\(s\) left running marked failed", (tmp_path / "code_server_2.log").read_text()
    )
    assert marked, "the restarted code server did not mark the orphaned run failed"
    assert 1 <= int(marked[1]) <= len(_runs(env, dg.DagsterRunStatus.FAILURE, job_name=None))


def _grpc_up(port: int) -> bool:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "api", "grpc-health-check", "-p", str(port)],
        capture_output=True,
        timeout=60,
    )
    return result.returncode == 0
