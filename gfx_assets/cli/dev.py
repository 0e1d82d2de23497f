"""`gfx-assets dev`: migrate, seed the sample NAS, run the simulator, start Dagster UI and daemon."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from gfx_assets.cli.demo import HandSimulator, ensure_sample_nas
from gfx_assets.cli.runtime import PROJECT_ROOT, migrate_target, prepare_dagster_home
from gfx_assets.lib.common.postgres import stop_embedded_server
from gfx_assets.settings import GfxSettings

SHUTDOWN_SECONDS = 30


def run_dev(settings: GfxSettings, port: int, simulate: bool) -> int:
    """Start everything; Ctrl-C (or SIGTERM) stops everything this command started."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _raise_keyboard_interrupt)
    embedded_was_running = (settings.home.resolve() / "pgdata" / "postmaster.pid").exists()
    migrate_target(settings)
    env = prepare_dagster_home(settings)
    if settings.nas_root is None:
        ensure_sample_nas(settings.resolved_nas_root)
    simulator = _start_simulator(settings) if simulate else None
    dagster = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
    )
    print(f"gfx-assets: Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops everything)", flush=True)
    try:
        return dagster.wait()
    except KeyboardInterrupt:
        return _shutdown(dagster)
    finally:
        if simulator:
            simulator.stop()
        if not settings.database_url and not embedded_was_running:
            stop_embedded_server(settings.home)


def _start_simulator(settings: GfxSettings) -> HandSimulator | None:
    """Only the sample NAS is simulated: a configured NAS belongs to real PokerGFX PCs."""
    if settings.nas_root is not None:
        return None
    simulator = HandSimulator(settings.resolved_nas_root)
    simulator.start()
    return simulator


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _shutdown(dagster: subprocess.Popen) -> int:
    dagster.send_signal(signal.SIGINT)  # dagster dev stops its webserver, daemon and code servers
    try:
        return dagster.wait(SHUTDOWN_SECONDS)
    except subprocess.TimeoutExpired:
        dagster.kill()
        return dagster.wait()
