"""Helpers of the WSOP sync tests: materializing the WSOP assets in-process and comparing databases."""

from typing import Any

import dagster as dg
import psycopg
from psycopg import sql

from gfx_assets.defs.wsop_sync.assets import WSOP_ASSETS
from gfx_assets.defs.wsop_sync.checks import WSOP_RECONCILIATION_CHECKS
from gfx_assets.resources import GfxSink, WsopSource

TABLES = ("wsop_events", "wsop_players", "wsop_event_players", "wsop_chip_counts")


def wsop_source(url: str, **options: Any) -> WsopSource:
    """The source resource with a quick backoff, so retried failures take well under a second."""
    return WsopSource(url=url, **{"retry_base_seconds": 0.01, "max_retries": 2, **options})


def sync(
    source: WsopSource, sink: GfxSink, assets: list | None = None, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """One run of the WSOP assets (all four by default, without the reconciliation checks)."""
    resources = {"wsop_source": source, "sink": sink}
    with dg.instance_for_test() as fallback:
        return dg.materialize(
            assets or WSOP_ASSETS, resources=resources, instance=instance or fallback, raise_on_error=False
        )


def reconcile(
    source: WsopSource, sink: GfxSink, checks: list | None = None
) -> dict[str, dg.AssetCheckEvaluation]:
    """The reconciliation checks (all four by default), run alone as the hourly job runs them."""
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [*WSOP_ASSETS, *WSOP_RECONCILIATION_CHECKS],
            selection=dg.AssetSelection.checks(*(checks or WSOP_RECONCILIATION_CHECKS)),
            resources={"wsop_source": source, "sink": sink},
            instance=instance,
            raise_on_error=False,
        )
    return {evaluation.asset_key.path[-1]: evaluation for evaluation in result.get_asset_check_evaluations()}


def metadata(result: dg.ExecuteInProcessResult, table: str) -> dict[str, Any]:
    [event] = result.asset_materializations_for_node(table)
    return {key: value.value for key, value in event.metadata.items()}


def rows(url: str, table: str) -> list[tuple]:
    """Every row of the table, every column in the source's order, by id."""
    with psycopg.connect(url) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                (table,),
            )
        ]
        query = sql.SQL("SELECT {} FROM {} ORDER BY id").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
        )
        return conn.execute(query).fetchall()


def assert_same_rows(source_url: str, target_url: str) -> None:
    for table in TABLES:
        assert rows(target_url, table) == rows(source_url, table), table


def execute(url: str, statement: str, *params: Any) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement, params or None)


def query(url: str, statement: str, *params: Any) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params or None).fetchall()


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    failures = [event for event in result.all_events if event.is_step_failure]
    data = failures[0].step_failure_data
    user = data.user_failure_data
    return user.description if user and user.description else data.error.message
