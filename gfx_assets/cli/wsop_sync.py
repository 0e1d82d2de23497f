"""`gfx-assets wsop-sync`: run wsop_sync_job once in-process and print one line per WSOP table."""

import dagster as dg

from gfx_assets.cli.errors import ConfigurationError
from gfx_assets.cli.runtime import dagster_instance, embedded_server_in_use, migrate_target
from gfx_assets.defs.wsop_sync.jobs import WSOP_SYNC_JOB_NAME
from gfx_assets.lib.wsop.source import SOURCE_URL_SETTING
from gfx_assets.lib.wsop.tables import WSOP_TABLES
from gfx_assets.settings import GfxSettings

# The run's full log is in the Dagster UI; the terminal gets warnings and the summary.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
SUMMARY_KEYS = ("rows_read", "rows_upserted", "rows_unchanged")


def run_wsop_sync(settings: GfxSettings) -> int:
    """0 when every table synced, 1 when the run failed; an unset source is a ConfigurationError (2)."""
    if settings.wsop_source_url is None:
        raise ConfigurationError(f"{SOURCE_URL_SETTING}: not set; set it to the WSOP+ source PostgreSQL URL")
    with embedded_server_in_use(settings):
        migrate_target(settings)
        from gfx_assets.definitions import defs

        job = defs().resolve_job_def(WSOP_SYNC_JOB_NAME)
        with dagster_instance(settings) as instance:  # disposed (connections closed) before the server stops
            result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE)
    for table in WSOP_TABLES:
        print(_summary(result, table))
    return 0 if result.success else 1


def _summary(result: dg.ExecuteInProcessResult, table: str) -> str:
    materializations = result.asset_materializations_for_node(table)
    if not materializations:
        failure = next((e for e in result.all_events if e.is_step_failure and e.step_key == table), None)
        reason = failure.step_failure_data.user_failure_data if failure else None
        detail = reason.description if reason and reason.description else "not synced; see the run in the UI"
        return f"{table}: FAILED (run {result.run_id}): {detail}"
    metadata = materializations[0].metadata
    counts = ", ".join(f"{key.removeprefix('rows_')} {metadata[key].value}" for key in SUMMARY_KEYS)
    return f"{table}: ok, {counts}, rows in the table {metadata['dagster/row_count'].value}"
