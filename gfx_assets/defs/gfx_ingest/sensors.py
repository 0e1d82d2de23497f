"""`gfx_nas_sensor`: keeps PC partitions in step with the registry and requests syncs of changed files."""

import json
import time
from contextlib import ExitStack

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import SyncConfig, gfx_sessions
from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME, gfx_sessions_job
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.nas_sync import manifest, redrive
from gfx_assets.lib.nas_sync.folder_watch import FolderScan, FolderWatch
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
    # Dagster's sensor loop wakes every 5 s; a 1 s minimum lets every wake-up tick (at 5 s, every other
    # one was skipped: ticks 8-9 s apart). BENCHMARKS.md, "Latency (issue 11)".
    minimum_interval_seconds=1,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 5 s: reads the NAS PC registry (adding and removing PC partitions), stats the *.json files "
        "under each PC folder, and requests a sync of the settled files the database does not hold yet. "
        "Folders whose files have not changed for GFX_NAS_QUIET_SECONDS are known by their directory "
        "mtime and listed in full every GFX_NAS_RESCAN_SECONDS; the database is asked only when a PC's "
        "files differ from those it last found all synced. Files still not synced after their run ended "
        "are requested again with backoff. While the database is unreachable it requests the files "
        "written since the last tick."
    ),
)
def gfx_nas_sensor(context: dg.SensorEvaluationContext, nas: NasResource, sink: GfxSink) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    pcs, readable = _registry(context, nas)
    known = set(context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME))
    busy = _in_flight_partitions(context.instance)
    last = redrive.load_state(cursor.get("requests", {}))
    watermarks: dict[str, int] = cursor.get("watermarks", {})
    synced: dict[str, str] = cursor.get("synced", {})
    requests = []
    with ExitStack() as stack:
        target = _Target(context, sink, stack)
        for pc in pcs.values():
            if pc.id in busy:
                continue
            watch = nas.folder_watch(pc.watch_path)
            scan = _scan(context, watch, nas, pc.id)
            todo, verified = _pending(context, target, pc.id, watch, scan, synced, watermarks.get(pc.id, 0))
            watermarks[pc.id] = scan.newest_mtime_ns or watermarks.get(pc.id, 0)
            request = _request(pc, todo, last, time.time(), nas.max_files_per_run, verified)
            if request is not None:
                requests.append(request)
    cursor = {  # per-PC bookkeeping only, a few values per PC (an older cursor's registry is dropped)
        "requests": redrive.dump_state({pc: r for pc, r in last.items() if pc in pcs}),
        "watermarks": {pc: mark for pc, mark in watermarks.items() if pc in pcs},
        "synced": {pc: digest for pc, digest in synced.items() if pc in pcs},
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


def _scan(
    context: dg.SensorEvaluationContext, watch: FolderWatch, nas: NasResource, pc_id: str
) -> FolderScan:
    scan = watch.scan(nas.watch_timing, time.time())
    for folder in scan.mtime_misses:
        context.log.warning(
            f"{pc_id}: {folder} changed while its mtime did not, so this NAS does not keep directory "
            "mtimes; the sensor now lists every folder of the PC in full on every tick"
        )
    return scan


def _pending(
    context: dg.SensorEvaluationContext,
    target: "_Target",
    pc_id: str,
    watch: FolderWatch,
    scan: FolderScan,
    synced: dict[str, str],
    watermark: int,
) -> tuple[list[FileStat], bool]:
    """The files the manifest does not hold, and True. `synced` holds per PC the digest of the file
    set the manifest last held completely: the same set needs no query (a manifest emptied behind the
    sensor's back is caught by the hourly sweep), another set asks only for the files this process
    has not seen synced yet. While the database cannot be reached, the files written since the last
    tick, and False: their run fails and retries visibly, and once the database is back the manifest
    shows what is still missing."""
    digest = scan.digest
    if synced.get(pc_id) == digest:
        return [], True
    files = scan.files
    unconfirmed = watch.unconfirmed(scan, synced.get(pc_id))
    try:
        todo = manifest.not_done(
            target.open(), pc_id, files if unconfirmed is None else unconfirmed, len(files)
        )
    except (SinkError, SinkUnavailable) as error:
        # A refused key must not break the ticks either: the run fails loudly and alerts instead.
        context.log.warning(
            f"{pc_id}: cannot read the manifest ({redact(str(error))}); requesting the files written since"
        )
        return [file for file in files if file.mtime_ns > watermark], False
    if not todo:
        synced[pc_id] = digest
        watch.confirm(scan)
    return todo, True


class _Target:
    """The target for this tick, opened when a manifest query first needs it: a tick whose PCs all
    match their synced digest opens no connection."""

    def __init__(self, context: dg.SensorEvaluationContext, sink: GfxSink, stack: ExitStack) -> None:
        self._context, self._sink, self._stack = context, sink, stack
        self._target: Sink | None = None
        self._failed = False

    def open(self) -> Sink:
        if self._target is None and not self._failed:
            try:
                self._target = self._stack.enter_context(self._sink.open(SENSOR_REQUEST_DEADLINE_SECONDS))
            except (SinkError, SinkUnavailable) as error:
                self._context.log.warning(f"cannot open the target: {redact(str(error))}")
                self._failed = True
        if self._target is None:
            raise SinkUnavailable("the target could not be opened")
        return self._target


def _in_flight_partitions(instance: dg.DagsterInstance) -> set[str]:
    """PCs a run is syncing now, whoever launched it: this sensor, the UI (`__ASSET_JOB`) or a backfill."""
    records = instance.get_run_records(dg.RunsFilter(statuses=IN_FLIGHT))
    return {
        record.dagster_run.tags.get("dagster/partition")
        for record in records
        if record.dagster_run.job_name == GFX_SYNC_JOB_NAME
        or gfx_sessions.key in (record.dagster_run.asset_selection or ())
    }


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
