"""Runs that a stopped or crashed code server left marked as running.

With the DefaultRunLauncher a run's worker is a child of the code server that launched it (the dev's, or
the deployment's `user_code` container), so when that server stops (Ctrl-C mid-run, a container restart)
or dies (a crash, SIGKILL, a power cut), its runs die with it, but their records may still say STARTING,
STARTED or CANCELING. Dagster's run monitoring cannot check the health of this launcher's workers, and
the NAS sensor never starts a second run for a PC with one in flight, so such a PC would never sync
again. The code server owns every run of the instance: when it starts (`gfx-assets dev`, `gfx-assets
code-server`), before it launches anything, every such run is an orphan and is marked failed (or
canceled). Dagster's run retries then launch it again, and the failure sensor records it if it has used
up its retries.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

ORPHAN_MESSAGE = "its run worker ended with the code server that launched it (stopped or crashed mid-run)"


def end_orphaned_runs(instance: "dg.DagsterInstance") -> int:
    """Mark the runs still recorded as in flight failed (canceled if they were being canceled)."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    runs = [record.dagster_run for record in instance.get_run_records(dg.RunsFilter(statuses=statuses))]
    for run in runs:
        if run.status == dg.DagsterRunStatus.CANCELING:
            instance.report_run_canceled(run, ORPHAN_MESSAGE)
        else:
            instance.report_run_failed(run, ORPHAN_MESSAGE)
    return len(runs)
