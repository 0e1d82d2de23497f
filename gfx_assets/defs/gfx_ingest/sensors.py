"""`gfx_nas_sensor`: keeps PC partitions in step with the registry and requests syncs of changed files."""

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import SyncConfig
from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME, gfx_sessions_job
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.nas_sync import manifest, redrive
from gfx_assets.lib.nas_sync.registry import PcEntry, RegistryUnreadable
from gfx_assets.lib.nas_sync.scan import FileStat, fingerprint_digest
from gfx_assets.lib.sinks import Sink, SinkError, SinkUnavailable
from gfx_assets.resources import GfxSink, NasResource
from gfx_assets.resources.sinks import SENSOR_REQUEST_DEADLINE_SECONDS

LAST_GOOD_REGISTRY_KEY = "gfx_nas_sensor/last_good_registry"
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dg.sensor(
    job=gfx_sessions_job,
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 5 s: reads the NAS PC registry (adding and removing PC partitions), stats every *.json "
        "under each PC folder, and requests a sync of the settled files the database does not hold yet. "
        "Files still not synced after their run ended are requested again with backoff. While the "
        "database is unreachable it requests the files written since the last tick."
    ),
)
def gfx_nas_sensor(context: dg.SensorEvaluationContext, nas: NasResource, sink: GfxSink) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    pcs, readable = _registry(context, nas)
    known = set(context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME))
    busy = _in_flight_partitions(context.instance)
    last = redrive.load_state(cursor.get("requests", {}))
    watermarks: dict[str, int] = cursor.get("watermarks", {})
    requests = []
    with _open_target(context, sink) as target:
        for pc in pcs.values():
            if pc.id in busy:
                continue
            files = nas.settled_files(pc.watch_path)
            todo, verified = _pending(context, target, pc.id, files, watermarks.get(pc.id, 0))
            watermarks[pc.id] = max((file.mtime_ns for file in files), default=watermarks.get(pc.id, 0))
            request = _request(pc, todo, last, time.time(), nas.max_files_per_run, verified)
            if request is not None:
                requests.append(request)
    cursor = {  # per-PC bookkeeping only (an older cursor's copy of the registry is dropped)
        "requests": redrive.dump_state({pc: r for pc, r in last.items() if pc in pcs}),
        "watermarks": {pc: mark for pc, mark in watermarks.items() if pc in pcs},
    }
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=_partition_changes(set(pcs), known, removals=readable),
        cursor=json.dumps(cursor),
        skip_reason=None if requests else "no new or changed settled files",
    )


def _registry(context: dg.SensorEvaluationContext, nas: NasResource) -> tuple[dict[str, PcEntry], bool]:
    """The enabled PCs, and whether the registry was readable. When it is not, the last good
    registry stays in force and no partition is removed. The last good registry is kept in Dagster's
    key-value storage, not in the cursor, which the UI offers for editing."""
    storage = context.instance.run_storage
    try:
        registry = nas.registry()
    except RegistryUnreadable as error:
        context.log.error(f"{error}; keeping the last good registry")
        last_good = storage.get_cursor_values({LAST_GOOD_REGISTRY_KEY}).get(LAST_GOOD_REGISTRY_KEY)
        return {pc["id"]: PcEntry.model_validate(pc) for pc in json.loads(last_good or "[]")}, False
    for problem in registry.problems:
        context.log.warning(problem)
    pcs = registry.enabled()
    document = json.dumps([pc.model_dump() for pc in pcs.values()])
    if storage.get_cursor_values({LAST_GOOD_REGISTRY_KEY}).get(LAST_GOOD_REGISTRY_KEY) != document:
        storage.set_cursor_values({LAST_GOOD_REGISTRY_KEY: document})
    return pcs, True


def _pending(
    context: dg.SensorEvaluationContext,
    target: Sink | None,
    pc_id: str,
    files: list[FileStat],
    watermark: int,
) -> tuple[list[FileStat], bool]:
    """The files the manifest does not hold, and True. While the database cannot be reached, the
    files written since the last tick, and False: their run fails and retries visibly, and once the
    database is back the manifest shows what is still missing."""
    try:
        if target is None:
            raise SinkUnavailable("the target could not be opened")
        return manifest.pending(files, manifest.synced_keys(target, pc_id)), True
    except (SinkError, SinkUnavailable) as error:
        # A refused key must not break the ticks either: the run fails loudly and alerts instead.
        context.log.warning(
            f"{pc_id}: cannot read the manifest ({redact(str(error))}); requesting the files written since"
        )
        return [file for file in files if file.mtime_ns > watermark], False


@contextmanager
def _open_target(context: dg.SensorEvaluationContext, sink: GfxSink) -> Iterator[Sink | None]:
    """The target for this tick, or None when it cannot be opened (down, or the key is refused)."""
    with ExitStack() as stack:
        try:
            target = stack.enter_context(sink.open(SENSOR_REQUEST_DEADLINE_SECONDS))
        except (SinkError, SinkUnavailable) as error:
            context.log.warning(f"cannot open the target: {redact(str(error))}")
            target = None
        yield target


def _in_flight_partitions(instance: dg.DagsterInstance) -> set[str]:
    records = instance.get_run_records(dg.RunsFilter(job_name=GFX_SYNC_JOB_NAME, statuses=IN_FLIGHT))
    return {record.dagster_run.tags.get("dagster/partition") for record in records}


def _request(
    pc: PcEntry,
    todo: list[FileStat],
    last: dict[str, redrive.LastRequest],
    now: float,
    max_files: int,
    verified: bool,
) -> dg.RunRequest | None:
    if not todo:
        if verified:
            last.pop(pc.id, None)
        return None
    request = redrive.next_request(last.get(pc.id), fingerprint_digest(todo), now)
    if request is None:
        return None
    last[pc.id] = request
    rescan = len(todo) > max_files  # too many paths for run config: the run rescans the folder
    files = None if rescan else [file.nas_path for file in todo]
    return dg.RunRequest(
        # a request made without the manifest gets its own key, so the same files can go again later
        run_key=redrive.run_key(pc.id, request) + ("" if verified else ":unverified"),
        partition_key=pc.id,
        run_config=dg.RunConfig(ops={"gfx_sessions": SyncConfig(files=files, watch_path=pc.watch_path)}),
        tags={"gfx/files": str(len(todo)), "gfx/trigger": "redrive" if request.attempt else "sensor"},
    )


def _partition_changes(wanted: set[str], known: set[str], removals: bool) -> list:
    """Add partitions for new PCs, remove those of PCs taken out (their rows stay in the database)."""
    changes: list = []
    if wanted - known:
        changes.append(dg.AddDynamicPartitionsRequest(GFX_PC_PARTITIONS_NAME, sorted(wanted - known)))
    if removals and known - wanted:
        changes.append(dg.DeleteDynamicPartitionsRequest(GFX_PC_PARTITIONS_NAME, sorted(known - wanted)))
    return changes
