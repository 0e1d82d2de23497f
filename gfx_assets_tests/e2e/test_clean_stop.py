"""Stopping `gfx-assets dev`: SIGINT (Ctrl-C) or SIGTERM ends every process it started (dagster dev,
webserver, daemon, code server, `dagster api grpc`, the embedded PostgreSQL) within 30 s, five times in
a row on one GFX_HOME, a second Ctrl-C during the stop included; and the processes the check looks for
are seen while it runs, so the check is known to find them."""

import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from gfx_assets_tests.e2e.devserver import gfx_dev, location_loaded, processes_of, wait_for

STOP_SECONDS = 30
ROUNDS = [
    (signal.SIGINT,),
    (signal.SIGTERM,),
    (signal.SIGINT, signal.SIGINT),  # an impatient second Ctrl-C must not cut the clean-up short
    (signal.SIGTERM,),
    (signal.SIGINT,),
]
EXPECTED_WHILE_RUNNING = [
    "dagster dev",
    "dagster_webserver",
    "dagster._daemon",
    "code-server",
    "api grpc",
    "postgres",
]


def test_dev_leaves_no_process_after_a_stop_signal_five_times_in_a_row(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for round_number, signals in enumerate(ROUNDS, start=1):
        with gfx_dev({"GFX_HOME": str(home)}, "--no-simulator") as (process, url):
            port = urlsplit(url).port
            wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, 120, "the Dagster UI")
            wait_for(lambda: location_loaded(url), 60, "the code location to load")
            running = " | ".join(processes_of(process.pid, home, port))
            missing = [name for name in EXPECTED_WHILE_RUNNING if name not in running]
            assert not missing, f"round {round_number}: not found while running: {missing} in {running}"

            stopped_at = _send(process, signals)
            try:
                process.wait(STOP_SECONDS - (time.monotonic() - stopped_at))
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"round {round_number}: running {STOP_SECONDS} s after {signals}"
                ) from None
            assert processes_of(process.pid, home, port) == [], f"round {round_number}: left behind"
            assert process.returncode == 0


def _send(process: subprocess.Popen, signals: tuple[signal.Signals, ...]) -> float:
    sent_at = time.monotonic()
    for stop_signal in signals:
        process.send_signal(stop_signal)
        time.sleep(1)
    return sent_at
