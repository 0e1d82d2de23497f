"""Where the time of one file went, read from Dagster's storage of a running `gfx-assets dev`: the
sensor tick that requested the file's run, the run's creation, its queue, the start of its worker, the
`gfx_sessions` step. Used by latency_bench.py; Dagster's own timestamps, the clock of this machine."""

import time
from dataclasses import dataclass

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorType  # not exported by `dagster`

SENSOR = "gfx_nas_sensor"
JOB = "gfx_sessions_job"
STEP = "gfx_sessions"
# Segments of a sample, in order: each from the previous mark (the first from the rename).
SEGMENTS = {
    "wait for the sensor tick": "tick_start",
    "tick: evaluation until the run exists": "run_created",
    "queue: until the run is launched": "run_starting",
    "launch: worker process start until RUN_START": "run_start",
    "run start until the gfx_sessions step starts": "step_start",
    "step start until the row is visible": "row_visible",
}
EVENTS = {
    dg.DagsterEventType.RUN_STARTING: "run_starting",
    dg.DagsterEventType.RUN_START: "run_start",
    dg.DagsterEventType.STEP_START: "step_start",
    dg.DagsterEventType.STEP_SUCCESS: "step_success",
}
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@dataclass
class Sample:
    """Epoch seconds of each mark of one file's way; `renamed` is when it appeared in the PC folder."""

    renamed: float
    row_visible: float
    marks: dict[str, float]
    queued_behind: list[str]  # jobs of other runs of the PC still unfinished when this one was created

    @property
    def total(self) -> float:
        return self.row_visible - self.renamed

    def segments(self) -> dict[str, float]:
        """Seconds per segment; a mark Dagster did not record (no queue with the default
        coordinator) gives its time to the next segment."""
        marks = {"renamed": self.renamed, **self.marks, "row_visible": self.row_visible}
        previous, result = self.renamed, {}
        for name, mark in SEGMENTS.items():
            at = marks.get(mark)
            result[name] = (at - previous) if at is not None else 0.0
            previous = at if at is not None else previous
        return result


def run_for_file(instance: dg.DagsterInstance, pc_id: str, nas_path: str, seconds: float) -> dg.RunRecord:
    """The sensor run of `pc_id` whose file list names `nas_path` (waits up to `seconds` for it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = dg.RunsFilter(job_name=JOB, tags={"dagster/partition": pc_id})
        for record in instance.get_run_records(runs, limit=5):
            files = record.dagster_run.run_config.get("ops", {}).get(STEP, {}).get("config", {}).get("files")
            if files and nas_path in files:
                return record
        time.sleep(0.2)
    raise TimeoutError(f"no {JOB} run of {pc_id} names {nas_path}")


def wait_until_finished(instance: dg.DagsterInstance, run_id: str, seconds: float) -> dg.DagsterRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status in FINISHED:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not finish in {seconds} s")


def marks_of(instance: dg.DagsterInstance, record: dg.RunRecord) -> dict[str, float]:
    """Tick start, run creation, RUN_STARTING, RUN_START, and the gfx_sessions step's start and success."""
    marks = {"run_created": record.create_timestamp.timestamp()}
    tick = _requesting_tick(instance, record.dagster_run.run_id)
    if tick is not None:
        marks["tick_start"] = tick.timestamp
    for entry in instance.all_logs(record.dagster_run.run_id, of_type=set(EVENTS)):
        event = entry.dagster_event
        if event is not None and (event.step_key in (None, STEP)):
            marks.setdefault(EVENTS[event.event_type], entry.timestamp)
    return marks


def queued_behind(instance: dg.DagsterInstance, record: dg.RunRecord, pc_id: str) -> list[str]:
    """Other runs of the PC that had not ended when this run was created: the run queue's per-PC
    limit (dagster.yaml) holds this run back until they end."""
    created = record.create_timestamp
    earlier = instance.get_run_records(
        dg.RunsFilter(tags={"dagster/partition": pc_id}, created_before=created), limit=20
    )
    return [
        other.dagster_run.job_name
        for other in earlier
        if other.dagster_run.run_id != record.dagster_run.run_id
        and (other.end_time is None or other.end_time > created.timestamp())
    ]


def _requesting_tick(instance: dg.DagsterInstance, run_id: str):
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == SENSOR:
            for tick in instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=50):
                if run_id in tick.run_ids:
                    return tick
    return None


def tick_spacing(instance: dg.DagsterInstance, since: float) -> list[float]:
    """Seconds between the starts of consecutive NAS sensor ticks since `since`."""
    starts = []
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == SENSOR:
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, after=since)
            starts = sorted(tick.timestamp for tick in ticks)
    return [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]


def sensor_interval(instance: dg.DagsterInstance) -> str:
    """The NAS sensor's minimum interval as the daemon sees it, and the run coordinator in force."""
    intervals = [
        state.instigator_data.min_interval
        for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        if state.instigator_name == SENSOR and state.instigator_data is not None
    ]
    interval = intervals[0] if intervals else "?"
    coordinator = type(instance.run_coordinator).__name__
    return f"{SENSOR} minimum_interval_seconds {interval}, run coordinator {coordinator}"
