"""Helpers shared by the ingestion tests: a NAS layout, resources on a real database, and queries."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.checks import gfx_sessions_reconciliation
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets.resources import GfxDatabase, GfxSink, NasResource, PostgresSinkResource


def write_registry(path: Path, pcs: dict[str, str]) -> Path:
    """A PC registry mapping PC id -> watch_path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [{"id": pc, "name": f"GFX {pc}", "watch_path": watch} for pc, watch in pcs.items()]
    path.write_text(json.dumps({"pcs": entries}))
    return path


def postgres_sink(database_url: str, batch_size: int = 500) -> PostgresSinkResource:
    return PostgresSinkResource(database=GfxDatabase(url=database_url), batch_size=batch_size)


def nas(root: Path, registry: Path | None = None, settle_seconds: float = 0.0, **extra: Any) -> NasResource:
    registry_file = str(registry) if registry else ""
    return NasResource(root=str(root), registry_file=registry_file, settle_seconds=settle_seconds, **extra)


def sync(
    instance: dg.DagsterInstance,
    pc_id: str,
    nas_resource: NasResource,
    sink: GfxSink,
    files: list[str] | None = None,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize one PC partition in-process, as a sensor-launched or a rescan run would."""
    if not instance.has_dynamic_partition(GFX_PC_PARTITIONS_NAME, pc_id):
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, [pc_id])
    config = {"ops": {"gfx_sessions": {"config": {"files": files}}}}
    return dg.materialize(
        [gfx_sessions, gfx_sessions_reconciliation],
        partition_key=pc_id,
        instance=instance,
        resources={"nas": nas_resource, "sink": sink},
        run_config=config,
        raise_on_error=False,
        tags=tags,
    )


def materialization_metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    event = result.asset_materializations_for_node("gfx_sessions")[0]
    return {key: value.value for key, value in event.metadata.items()}


def check_only(
    instance: dg.DagsterInstance, pc_id: str, nas_resource: NasResource, sink: GfxSink
) -> dg.AssetCheckEvaluation:
    """The hourly sweep's reconciliation check (every file of the PC, re-hashed) after a run that syncs
    no file (an empty file list)."""
    sweep = {"gfx/trigger": "hourly_reconciliation"}
    return reconciliation(sync(instance, pc_id, nas_resource, sink, files=[], tags=sweep))


def reconciliation(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def check_counts(evaluation: dg.AssetCheckEvaluation) -> dict[str, int]:
    """The reconciliation check's `counts` table: files per state (checked, accounted, missing, ...)."""
    return {
        record.data["state"]: record.data["files"] for record in evaluation.metadata["counts"].value.records
    }


def check_files(evaluation: dg.AssetCheckEvaluation, state: str) -> list[str]:
    """The files of one state (missing, in_flight, stale) the reconciliation check lists."""
    records = evaluation.metadata["files"].value.records
    return [record.data["file"] for record in records if record.data["state"] == state]


def query(database_url: str, statement: str, *params: Any) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(statement, params or None).fetchall()


def execute(database_url: str, statement: str) -> None:
    """Run SQL that returns no rows (set-up of a test's database)."""
    with psycopg.connect(database_url) as conn:
        conn.execute(statement)


_WORKER = """
import sys
import time
from pathlib import Path
import dagster as dg
from gfx_assets_tests.support import nas, postgres_sink, sync
root, registry, url, batch_size = sys.argv[1:5]
with dg.instance_for_test() as instance:
    result = sync(instance, "PC01", nas(Path(root), Path(registry)), postgres_sink(url, int(batch_size)))
sys.exit(0 if result.success else 1)
"""


def start_worker(
    nas_root: Path, registry: Path, database_url: str, batch_size: int = 500
) -> subprocess.Popen:
    """A run worker in its own process syncing PC01, for tests that kill or overlap workers."""
    args = [str(nas_root), str(registry), database_url, str(batch_size)]
    return subprocess.Popen([sys.executable, "-c", _WORKER, *args], stdout=subprocess.DEVNULL)


def evaluate_failure_sensor(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    sink: GfxSink,
    nas_resource: NasResource,
    webhook_url: str = "",
) -> None:
    """One evaluation of gfx_run_failure_sensor for the run's failure, as the daemon would deliver it."""
    from gfx_assets.defs.alerts.sensors import gfx_run_failure_sensor
    from gfx_assets.resources import AlertWebhook

    run = instance.get_run_by_id(run.run_id)  # with tags added since
    [record] = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
    resources = {"sink": sink, "nas": nas_resource, "alert_webhook": AlertWebhook(url=webhook_url)}
    with dg.build_run_status_sensor_context(
        sensor_name=gfx_run_failure_sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=record.event_log_entry.dagster_event,
        resources=resources,
    ) as context:
        gfx_run_failure_sensor(context.for_run_failure())


def seeded_nas(root: Path, pcs: list[str], sessions_per_pc: int, hands: tuple[int, int] = (1, 2)) -> Path:
    """A synthetic NAS whose files were last written ten minutes ago: settled, not in flight."""
    written = time.time() - 600
    for path in seed_nas(root, pcs, sessions_per_pc=sessions_per_pc, hands=hands):
        os.utime(path, (written, written))
    return root


def refuse_session_rows(database_url: str, session_id: int, sqlstate: str = "22023") -> None:
    """Make the database refuse inserts of one game's contents into the ledger gfx_session_snapshots, where
    the sync writes them (a real PostgreSQL error, not a mock)."""
    execute(
        database_url,
        f"""CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.session_id = {int(session_id)} THEN
            RAISE EXCEPTION 'refused for the test' USING ERRCODE = '{sqlstate}'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER refuse_one BEFORE INSERT ON gfx_session_snapshots
            FOR EACH ROW EXECUTE FUNCTION refuse_one();""",
    )
