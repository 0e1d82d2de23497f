"""Running `gfx-assets dev` in a subprocess for end-to-end tests, and waiting on what it does."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import psycopg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> object:
    """Poll `condition` until it is truthy; errors of a server still starting count as not yet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (httpx.HTTPError, psycopg.Error):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def gfx_dev(env: dict[str, str], *args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`gfx-assets dev` on a free port with only `env` as GFX_ settings; yields the process and URL."""
    port = free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("GFX_", "DAGSTER_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "gfx_assets.cli", "dev", "--port", str(port), *args],
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
