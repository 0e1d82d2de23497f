"""Runs that a stopped or crashed `gfx-assets dev` left marked as running.

With the DefaultRunLauncher a run's worker is a child of the dev's code server, so when the dev stops
(Ctrl-C mid-run) or dies (a crash, a power cut), its runs die with it, but their records may still say
STARTING, STARTED or CANCELING. Nothing in Dagster revisits them for this launcher (run monitoring
cannot check the health of its workers), and the NAS sensor never starts a second run for a PC with
one in flight, so such a PC would never sync again. `gfx-assets dev` owns its Dagster instance: at
start-up, before any Dagster process runs, every such run is an orphan and is marked failed (or
canceled). Dagster's run retries then launch it again, and the failure sensor records it if it has
used up its retries.
"""

from gfx_assets.cli.runtime import dagster_instance
from gfx_assets.settings import GfxSettings

ORPHAN_MESSAGE = "its run worker ended with the previous gfx-assets dev (stopped or crashed mid-run)"


def end_orphaned_runs(settings: GfxSettings) -> int:
    """Mark the runs still recorded as in flight failed (canceled if they were being canceled)."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    with dagster_instance(settings) as instance:  # disposed (connections closed) before Dagster starts
        runs = [record.dagster_run for record in instance.get_run_records(dg.RunsFilter(statuses=statuses))]
        for run in runs:
            if run.status == dg.DagsterRunStatus.CANCELING:
                instance.report_run_canceled(run, ORPHAN_MESSAGE)
            else:
                instance.report_run_failed(run, ORPHAN_MESSAGE)
    return len(runs)
