"""`gfx-assets code-server [dagster api grpc options]`: the deployment's code server (docker-compose's
`user_code`), which first ends the runs its previous process left running (see `orphans`): a restart of
the container kills the runs it executed, and this marks them failed so that run retries take them over
at once, with no manual step. Then it becomes `dagster api grpc` with the given options."""

import os
import sys
from pathlib import Path

from gfx_assets.cli.orphans import ORPHAN_MESSAGE, end_orphaned_runs


def run_code_server(grpc_args: list[str]) -> int:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME of the deployment; closed before exec
        ended = end_orphaned_runs(instance)
    if ended:
        print(f"gfx-assets: {ended} run(s) left running marked failed: {ORPHAN_MESSAGE}")
    dagster = str(Path(sys.executable).parent / "dagster")
    sys.stdout.flush()
    os.execv(dagster, [dagster, "api", "grpc", *grpc_args])
    return 0  # not reached: exec replaced this process
