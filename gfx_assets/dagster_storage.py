"""Dagster's own storage (runs, event logs, schedules), named by dagster.yaml as a custom class.

dagster.yaml cannot compute a URL, and `dg dev`, `dg check defs` or `dagster job execute` read it
from the project folder with nothing exported; this class finds the storage the way `gfx-assets`
does: GFX_DAGSTER_STORAGE_URL, else a `dagster` database on the target server (embedded by default).
Its config is empty, so no URL (and no password) is ever serialised into an instance reference.

Connections are pooled, one pool per process. Outside its webserver, dagster-postgres opens a new
connection for every query (NullPool) and checks its tables in every new instance: a sync run of one PC
opened about 190 connections, each a new PostgreSQL backend, which cost seconds per run on two busy
cores (BENCHMARKS.md, "Latency (issue 11)"). Here the three storages of every instance of a process
(run worker, daemon, code server, `gfx-assets sync`) share one engine that keeps one idle connection,
pinged before use so a restarted server costs no failed query; tables are checked once per process.
One engine per process, not per instance: the code server makes an instance for every sensor tick,
and instances are freed by the cycle collector, so pools of their own would hold connections open.
"""

from functools import cache
from typing import Any

import sqlalchemy
from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import create_pg_engine

from gfx_assets.settings import get_settings

POOL_SIZE = 1  # idle connections kept per process, as Dagster's webserver keeps
POOL_MAX_OVERFLOW = 20  # more at once (daemon threads), closed when returned; Dagster's webserver default
POOL_RECYCLE_SECONDS = 3600  # Dagster's webserver default

_tables_checked: set[str] = set()  # storage URLs whose tables this process has created or found


@cache
def pooled_engine(postgres_url: str) -> sqlalchemy.Engine:
    """The process's engine for Dagster's storage at `postgres_url`."""
    return create_pg_engine(
        postgres_url,
        isolation_level="AUTOCOMMIT",  # as dagster-postgres: each statement commits on its own
        pool_size=POOL_SIZE,
        max_overflow=POOL_MAX_OVERFLOW,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_pre_ping=True,
    )


class GfxDagsterStorage(DagsterPostgresStorage):
    def __init__(self, postgres_url: str, inst_data: ConfigurableClassData | None = None) -> None:
        first = postgres_url not in _tables_checked
        super().__init__(postgres_url=postgres_url, should_autocreate_tables=first, inst_data=inst_data)
        _tables_checked.add(postgres_url)
        engine = pooled_engine(postgres_url)
        for storage in (self.run_storage, self.event_log_storage, self.schedule_storage):
            # dagster-postgres's own way to change the pool (optimize_for_webserver) sets this too
            storage._engine = engine  # type: ignore[attr-defined]  # noqa: SLF001

    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> "GfxDagsterStorage":
        from gfx_assets.cli.runtime import dagster_storage_url

        return cls(postgres_url=dagster_storage_url(get_settings()), inst_data=inst_data)
