"""What a failed run was writing: its data sources (by the assets it planned, not by job name), the
items still not landed, and its error text. Used by both failure sensors."""

from collections.abc import Iterable

import dagster as dg

from gfx_assets.lib.common.alerts import FailedRun, describe_error
from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.registry import RegistryLookupError
from gfx_assets.lib.nas_sync.scan import FileStat, stat_files, storable
from gfx_assets.lib.sinks import Sink
from gfx_assets.resources import NasResource

GFX_SYNC_OP = "gfx_sessions"
PARTITION_TAG = "dagster/partition"
WILL_RETRY_TAG = "dagster/will_retry"
SOURCE_PREFIXES = {"gfx_": "gfx", "wsop_": "wsop"}  # asset name prefix -> the data source it writes


def is_final_failure(run: dg.DagsterRun) -> bool:
    """Dagster's run retries will launch this run again: it has not failed for good yet."""
    return run.tags.get(WILL_RETRY_TAG) != "true"


def planned_assets(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[str]:
    """Names of the assets the run set out to materialize (sensor, UI, backfill or schedule run alike)."""
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records
    keys = {record.event_log_entry.dagster_event.asset_key for record in records}
    keys |= set(run.asset_selection or ())
    return sorted(key.to_user_string() for key in keys if key is not None)


def materialized_assets(instance: dg.DagsterInstance, run: dg.DagsterRun) -> set[str]:
    of_type = dg.DagsterEventType.ASSET_MATERIALIZATION
    records = instance.get_records_for_run(run.run_id, of_type=of_type).records
    return {record.event_log_entry.dagster_event.asset_key.to_user_string() for record in records}


def sources_of(assets: Iterable[str]) -> dict[str, list[str]]:
    """The run's assets grouped by data source; assets of no known source are not data runs."""
    grouped: dict[str, list[str]] = {}
    for asset in assets:
        for prefix, source in SOURCE_PREFIXES.items():
            if asset.startswith(prefix):
                grouped.setdefault(source, []).append(asset)
    return grouped


def failed_runs(instance: dg.DagsterInstance, run: dg.DagsterRun, secrets: Iterable[str]) -> list[FailedRun]:
    """One FailedRun per data source the run was writing (a GFX run's files are filled in by
    `gfx_pending_files` when it is recorded); empty for runs that write no data."""
    grouped = sources_of(planned_assets(instance, run))
    if not grouped:
        return []
    error = error_text(instance, run, secrets)
    failed = []
    if "gfx" in grouped:
        failed.append(FailedRun(run.job_name, run.run_id, run.tags.get(PARTITION_TAG), error, (), "gfx"))
    if "wsop" in grouped:
        done = materialized_assets(instance, run)
        tables = tuple(asset for asset in grouped["wsop"] if asset not in done)
        failed.append(FailedRun(run.job_name, run.run_id, "", error, tables, "wsop"))
    return failed


def error_text(instance: dg.DagsterInstance, run: dg.DagsterRun, secrets: Iterable[str]) -> str:
    """Each failed step's error (a dg.Failure's own description when it has one), else the run's."""
    messages = []
    for record in instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records:
        event = record.event_log_entry.dagster_event
        data = event.step_failure_data
        user = data.user_failure_data
        text = user.description if user and user.description else data.error and data.error.message
        messages.append(f"{event.step_key}: {(text or 'failed').strip()}")
    if not messages:
        failure = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
        messages = [(failure[0].event_log_entry.message if failure else "") or "run failed"]
    return describe_error(messages, secrets=secrets)


def gfx_pending_files(run: dg.DagsterRun, nas: NasResource, target: Sink, pc_id: str) -> list[str]:
    """The run's files that have not landed (nor been rejected) by now: the files its config named, or
    for a rescan run every settled file of the PC. A file landed meanwhile gets no dead letter."""
    config = ((run.run_config or {}).get("ops") or {}).get(GFX_SYNC_OP, {}).get("config") or {}
    files = _run_files(config, nas, pc_id)
    todo = manifest.pending(files, manifest.synced_keys(target, pc_id))
    return [storable(file.nas_path) for file in todo]


def _run_files(config: dict, nas: NasResource, pc_id: str) -> list[FileStat]:
    if config.get("files") is not None:
        return list(stat_files(nas.path, config["files"]))
    try:
        watch_path = config.get("watch_path") or nas.watch_path(pc_id)
    except RegistryLookupError:
        return []  # where the PC writes cannot be told now; the sensor redrives its files anyway
    return nas.settled_files(watch_path)
