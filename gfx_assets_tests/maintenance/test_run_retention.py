"""Dagster's run history stays bounded (issue 18): `maintenance/dagster_run_history` deletes the runs that
finished before the retention window, with their event logs, on Dagster's PostgreSQL storage; it keeps
recent runs, runs in flight and runs whose failure is still an open dead letter, and says what it did in
its metadata."""

import dagster as dg
import psycopg
import pytest

from gfx_assets.defs.maintenance.assets import dagster_run_history
from gfx_assets.resources import GfxSink, RunRetention
from gfx_assets_tests.support import postgres_sink


@dg.asset(check_specs=[dg.AssetCheckSpec("small_check", asset="small_step")])
def small_step() -> dg.MaterializeResult:
    """A run to fill Dagster's history with, with an asset check as the sync's runs have."""
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])


def _runs(instance: dg.DagsterInstance, count: int) -> list[str]:
    return [dg.materialize([small_step], instance=instance).run_id for _ in range(count)]


def _age(storage_url: str, run_ids: list[str], days: int) -> None:
    """Backdate runs as if they had finished `days` ago."""
    with psycopg.connect(storage_url) as conn:
        conn.execute(
            "UPDATE runs SET create_timestamp = create_timestamp - make_interval(days => %s),"
            " update_timestamp = update_timestamp - make_interval(days => %s) WHERE run_id = ANY(%s)",
            (days, days, run_ids),
        )


def _events(storage_url: str, run_ids: list[str], table: str = "event_logs") -> int:
    """Rows of the runs in one of Dagster's tables."""
    with psycopg.connect(storage_url) as conn:
        [(count,)] = conn.execute(
            f"SELECT count(*) FROM {table} WHERE run_id = ANY(%s)", (run_ids,)
        ).fetchall()
    return count


def _purge(instance: dg.DagsterInstance, sink: GfxSink) -> dict:
    resources = {"sink": sink, "run_retention": RunRetention(days=14)}
    result = dg.materialize([dagster_run_history], instance=instance, resources=resources)
    [event] = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


@pytest.fixture
def sink(database_url: str) -> GfxSink:
    return postgres_sink(database_url)


def test_runs_older_than_the_window_are_deleted_with_their_event_logs(
    pg_instance: dg.DagsterInstance, empty_database_url: str, sink: GfxSink
) -> None:
    old, recent = _runs(pg_instance, 3), _runs(pg_instance, 2)
    _age(empty_database_url, old, days=15)
    assert _events(empty_database_url, old) > 0
    metadata = _purge(pg_instance, sink)
    assert metadata["runs_purged"] == 3
    assert [pg_instance.get_run_by_id(run_id) for run_id in old] == [None, None, None]
    assert _events(empty_database_url, old) == 0
    assert all(pg_instance.get_run_by_id(run_id) for run_id in recent)


def test_the_asset_check_executions_of_deleted_runs_go_with_them(
    pg_instance: dg.DagsterInstance, empty_database_url: str, sink: GfxSink
) -> None:
    old, recent = _runs(pg_instance, 2), _runs(pg_instance, 1)
    _age(empty_database_url, old, days=15)
    assert _events(empty_database_url, old, "asset_check_executions") == 2
    _purge(pg_instance, sink)
    assert _events(empty_database_url, old, "asset_check_executions") == 0
    assert _events(empty_database_url, recent, "asset_check_executions") == 1


def test_a_run_whose_failure_is_an_open_dead_letter_is_kept(
    pg_instance: dg.DagsterInstance, empty_database_url: str, sink: GfxSink, database_url: str
) -> None:
    old = _runs(pg_instance, 3)
    _age(empty_database_url, old, days=30)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO gfx_sync_failures (source, gfx_pc_id, nas_path, run_id, error)"
            " VALUES ('gfx', 'PC01', 'PC01/a.json', %s, 'boom')",
            (old[1],),
        )
    metadata = _purge(pg_instance, sink)
    assert (metadata["runs_purged"], metadata["runs_kept_for_open_dead_letters"]) == (2, 1)
    assert [pg_instance.get_run_by_id(run_id) is not None for run_id in old] == [False, True, False]


def test_a_run_in_flight_is_never_deleted(
    pg_instance: dg.DagsterInstance, empty_database_url: str, sink: GfxSink
) -> None:
    [run_id] = _runs(pg_instance, 1)
    with psycopg.connect(empty_database_url) as conn:
        conn.execute("UPDATE runs SET status = 'STARTED' WHERE run_id = %s", (run_id,))
    _age(empty_database_url, [run_id], days=60)
    assert _purge(pg_instance, sink)["runs_purged"] == 0
    assert pg_instance.get_run_by_id(run_id) is not None
