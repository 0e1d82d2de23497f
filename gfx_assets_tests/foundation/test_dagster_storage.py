"""Dagster's storage as dagster.yaml names it (gfx_assets/dagster_storage.py): runs, events and
schedules on PostgreSQL through one pooled engine per process. A run writes its events over a handful
of connections instead of one per query, instances of a process leave one idle connection between
them, and a pooled connection the server dropped is replaced before a query fails on it."""

import time
from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets.settings import get_settings

STORAGE = {"storage": {"custom": {"module": "gfx_assets.dagster_storage", "class": "GfxDagsterStorage"}}}


@pytest.fixture
def storage_url(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database as GFX_DAGSTER_STORAGE_URL, which the storage class reads from the settings."""
    monkeypatch.setenv("GFX_DAGSTER_STORAGE_URL", as_sqlalchemy_psycopg2(empty_database_url))
    get_settings.cache_clear()
    yield empty_database_url
    get_settings.cache_clear()


def _sessions(url: str) -> int:
    """Sessions ever opened on the database of `url` (PostgreSQL counts them when they end)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


OTHER_BACKENDS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def _backends(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) {OTHER_BACKENDS}").fetchone()[0]


def _backends_settled(url: str, at_most: int, seconds: float = 10.0) -> int:
    """The other backends, once at most `at_most` remain or `seconds` have passed (a bound, not a timing):
    the server process of a connection just closed ends a moment later, and a busy machine can show it."""
    deadline = time.monotonic() + seconds
    while (count := _backends(url)) > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


@dg.op
def count_to_ten(context: dg.OpExecutionContext) -> int:
    for number in range(10):
        context.log.info(f"{number}")  # an event each: one query each on Dagster's storage
    return 10


@dg.job
def ten_events() -> None:
    count_to_ten()


def test_a_run_writes_its_events_over_a_handful_of_connections(storage_url: str) -> None:
    with dg.instance_for_test(overrides=STORAGE) as instance:
        before = _sessions(storage_url)
        result = ten_events.execute_in_process(instance=instance)
        logged = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert _sessions(storage_url) - before <= 5  # one a query (NullPool) would be 40 or more
    assert all(str(number) in logged for number in range(10))


def test_instances_of_one_process_share_one_idle_connection(storage_url: str) -> None:
    for _ in range(10):
        with dg.instance_for_test(overrides=STORAGE) as instance:
            instance.get_runs(limit=1)
            instance.all_instigator_state()
    assert _backends_settled(storage_url, at_most=1) <= 1


def test_a_connection_the_server_dropped_is_replaced_before_a_query_fails(storage_url: str) -> None:
    with dg.instance_for_test(overrides=STORAGE) as instance:
        instance.get_runs(limit=1)
        with psycopg.connect(storage_url, autocommit=True) as conn:
            conn.execute(f"SELECT pg_terminate_backend(pid) {OTHER_BACKENDS}")
        assert instance.get_runs(limit=1) == []
