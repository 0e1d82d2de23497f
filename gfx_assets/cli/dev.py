"""`gfx-assets dev`: migrate, seed the sample NAS, run the simulator, start Dagster UI and daemon.

`dagster dev` runs in a session (process group) of its own, so a terminal's Ctrl-C reaches only this
process, which then stops the whole group in order, and any process of its DAGSTER_HOME that left the
group (processes.stop_session), and only once every Dagster process is gone, the embedded server if it
started it: nothing is left that could restart it or retry its connections.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gfx_assets.cli.demo import HandSimulator, ensure_sample_nas
from gfx_assets.cli.errors import CommandFailure
from gfx_assets.cli.orphans import ORPHAN_MESSAGE, end_orphaned_runs
from gfx_assets.cli.processes import stop_session
from gfx_assets.cli.runtime import (
    dagster_instance,
    embedded_server_in_use,
    migrate_target,
    prepare_dagster_home,
    require_nas_root,
)
from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.lib.common.postgres import embedded_server_url
from gfx_assets.lib.wsop.demo import WsopSimulator, ensure_sample_source
from gfx_assets.settings import GfxSettings

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
POLL_SECONDS = 0.5
DEMO_WSOP_CRON = "* * * * *"
# A -W filter: matches the start of the message, case-insensitively; commas would split it.
QUIET_WARNINGS = "ignore:Function `dev_command` is superseded:FutureWarning"


class StopRequests:
    """SIGINT and SIGTERM alike: the first asks for a clean stop, any later one to hurry it (no more
    waiting, kill what is left). The handler only counts: it takes no lock (an Event's could already
    be held by the interrupted main thread) and raises nothing, so no clean-up step is cut short."""

    def __init__(self) -> None:
        self.received = 0

    @property
    def stop(self) -> bool:
        return self.received >= 1

    @property
    def hurry(self) -> bool:
        return self.received >= 2

    @contextmanager
    def installed(self) -> Iterator["StopRequests"]:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received += 1


def run_dev(settings: GfxSettings, port: int, simulate: bool) -> int:
    """Start everything; Ctrl-C (or SIGTERM) stops everything this command started."""
    with StopRequests().installed() as requests:
        if settings.nas_root is not None:
            require_nas_root(settings)
        with embedded_server_in_use(settings):
            migrate_target(settings)
            env = prepare_dagster_home(settings)
            _end_orphaned_runs(settings)
            if settings.nas_root is None:
                ensure_sample_nas(settings.resolved_nas_root)
            env |= _sample_wsop_source(settings)
            if requests.stop:
                return 0
            return _serve(settings, port, simulate, env, requests)


def _end_orphaned_runs(settings: GfxSettings) -> None:
    with dagster_instance(settings) as instance:  # disposed (connections closed) before Dagster starts
        ended = end_orphaned_runs(instance)
    if ended:
        print(f"gfx-assets: {ended} run(s) left running by the previous dev marked failed: {ORPHAN_MESSAGE}")


def _serve(
    settings: GfxSettings, port: int, simulate: bool, env: dict[str, str], requests: StopRequests
) -> int:
    simulators = _start_simulators(settings, env) if simulate else []
    dagster = _start_dagster(settings, port, env)
    try:
        print(f"gfx-assets: Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops everything)", flush=True)
        while not requests.stop:
            if dagster.poll() is not None:
                raise CommandFailure(f"dagster dev exited on its own with code {dagster.returncode}")
            time.sleep(POLL_SECONDS)
        return 0
    finally:
        for simulator in simulators:
            simulator.stop()
        stop_session(dagster, env["DAGSTER_HOME"], hurry=lambda: requests.hurry)


def _start_dagster(settings: GfxSettings, port: int, env: dict[str, str]) -> subprocess.Popen:
    dagster = str(Path(sys.executable).parent / "dagster")
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    return subprocess.Popen(
        [dagster, "dev", "-h", "127.0.0.1", "-p", str(port), "-w", workspace],
        # In DAGSTER_HOME, dagster dev does not warn about the project's dagster.yaml beside it.
        cwd=env["DAGSTER_HOME"],
        env={**os.environ, **env, **_quiet_and_absolute(settings)},
        start_new_session=True,  # its own process group: signalled and killed as one
    )


def _quiet_and_absolute(settings: GfxSettings) -> dict[str, str]:
    """Dagster's nag to use `dg dev` is filtered (gfx-assets dev is the command here; nobody can act
    on it), and NAS paths are made absolute since Dagster runs in another folder."""
    env = {"PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), QUIET_WARNINGS]))}
    if settings.nas_root is not None:
        env["GFX_NAS_ROOT"] = str(settings.resolved_nas_root)
    if settings.pc_registry is not None:
        env["GFX_PC_REGISTRY"] = str(settings.pc_registry.resolve())
    return env


def _sample_wsop_source(settings: GfxSettings) -> dict[str, str]:
    """Without GFX_WSOP_SOURCE_URL, a sample WSOP+ source on the embedded server, synced every minute so
    the schedule visibly has work (a configured source keeps its own cron)."""
    if settings.wsop_source_url or settings.database_url:
        return {}
    source = ensure_sample_source(embedded_server_url(settings.home.resolve()))
    return {"GFX_WSOP_SOURCE_URL": source, "GFX_WSOP_CRON": DEMO_WSOP_CRON}


def _start_simulators(settings: GfxSettings, env: dict[str, str]) -> list[HandSimulator | WsopSimulator]:
    """Only sample data is simulated: a configured NAS or source belongs to the real broadcast."""
    simulators: list[HandSimulator | WsopSimulator] = []
    if settings.nas_root is None:
        simulators.append(HandSimulator(settings.resolved_nas_root))
    if "GFX_WSOP_SOURCE_URL" in env and not settings.wsop_source_url:
        simulators.append(WsopSimulator(env["GFX_WSOP_SOURCE_URL"]))
    for simulator in simulators:
        simulator.start()
    return simulators
