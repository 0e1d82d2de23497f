"""Overlapping work: the same files synced by two runs at once give no duplicates, and the instance
configuration (dagster.yaml) admits one run per PC at a time, with run retries for crashes only."""

from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._utils.tags import TagConcurrencyLimitsCounter  # the run queue's own limit logic

from gfx_assets.cli.runtime import PROJECT_ROOT
from gfx_assets_tests.support import query, start_worker, write_registry


@pytest.fixture
def project_instance():
    """An instance with the project's dagster.yaml settings (storage left to the test instance)."""
    settings = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    settings.pop("storage")
    with dg.instance_for_test(overrides=settings) as instance:
        yield instance


def _run(pc: str) -> dg.DagsterRun:
    return dg.DagsterRun(job_name="gfx_sessions_job", tags={"dagster/partition": pc})


def test_two_runs_syncing_the_same_files_at_once_give_no_duplicates(
    table_gg: Path, tmp_path: Path, database_url: str
) -> None:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    workers = [start_worker(table_gg.parent, registry, database_url, batch_size=2) for _ in range(2)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    # 18 files, 17 distinct contents (one ledger row each), 15 games (one gfx_sessions row each)
    ledger = "SELECT count(*), count(DISTINCT file_hash) FROM gfx_session_snapshots"
    assert query(database_url, ledger) == [(17, 17)]
    games = "SELECT count(*), count(DISTINCT (gfx_pc_id, session_id)) FROM gfx_sessions"
    assert query(database_url, games) == [(15, 15)]
    assert query(database_url, "SELECT count(*) FROM gfx_file_manifest") == [(18,)]


def test_a_second_run_for_a_pc_waits_while_one_is_in_progress(project_instance: dg.DagsterInstance) -> None:
    limits = project_instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    counter = TagConcurrencyLimitsCounter(limits, [_run("PC01")])
    assert counter.is_blocked(_run("PC01"))
    assert not counter.is_blocked(_run("PC02"))


def test_run_retries_cover_crashes_and_leave_step_errors_to_retry_policies(
    project_instance: dg.DagsterInstance,
) -> None:
    assert project_instance.run_retries_enabled
    assert project_instance.run_retries_max_retries == 3
    assert not project_instance.run_retries_retry_on_asset_or_op_failure
    assert project_instance.run_monitoring_enabled
