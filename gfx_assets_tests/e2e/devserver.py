"""Running `gfx-assets` (and `gfx-assets dev`) in subprocesses for end-to-end tests, waiting on what
they do, and finding the processes they left behind."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import pairwise
from pathlib import Path

import httpx
import psutil
import psycopg

LOCATION_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
    "locationOrLoadError { __typename } } } } }"
)


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


def location_loaded(url: str) -> bool:
    answer = httpx.post(f"{url}/graphql", json={"query": LOCATION_QUERY}, timeout=10).json()
    [entry] = answer["data"]["workspaceOrError"]["locationEntries"]
    return (
        entry["loadStatus"] == "LOADED" and entry["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    )


def gfx(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`gfx-assets <args>` to completion with only `env` as GFX_ settings."""
    return subprocess.run(
        [sys.executable, "-m", "gfx_assets.cli", *args],
        env={**_without_gfx_settings(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def gfx_dev(
    env: dict[str, str], *args: str, terminal: Path | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """`gfx-assets dev` on a free port with only `env` as GFX_ settings; yields the process and URL.
    It runs in a session of its own, so its process group id is its pid. Its terminal output (stdout
    and stderr, as an operator sees them) goes to the file `terminal`, else nowhere."""
    port = free_port()
    with open(terminal or os.devnull, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gfx_assets.cli", "dev", "--port", str(port), *args],
            env={**_without_gfx_settings(), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process, f"http://127.0.0.1:{port}"
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _without_gfx_settings() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(("GFX_", "DAGSTER_"))}


def processes_of(pgid: int, home: Path, port: int) -> list[str]:
    """Live processes that belong to a `gfx-assets dev` run: in its process group, or with its GFX_HOME
    in their command line or environment (every Dagster process and the embedded server), or its
    port on their command line. Each as 'pid: command line'."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE or process.pid == os.getpid():
            continue
        with suppress(psutil.Error, OSError):  # gone meanwhile
            if _belongs(process, pgid, str(home.resolve()), str(port)):
                found.append(f"{process.pid}: {' '.join(process.info['cmdline'] or [])[:200]}")
    return found


def _belongs(process: psutil.Process, pgid: int, home: str, port: str) -> bool:
    cmdline = process.info["cmdline"] or []
    return (
        os.getpgid(process.pid) == pgid
        or any(home in part for part in cmdline)
        or any(flag in ("-p", "--port") and value == port for flag, value in pairwise(cmdline))
        or process.environ().get("GFX_HOME", "").startswith(home)
    )
