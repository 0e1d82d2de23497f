"""Stopping a process tree that runs in its own process group: `gfx-assets dev` starts `dagster dev` in
a new session, and every process it starts (webserver, daemon, code server, `dagster api grpc`, run
workers) stays in that group, so the group is what gets signalled, waited for and, last, killed.

A process of the session that is no longer in the group (a stop that came while `dagster dev` was still
starting its children) is still found by its environment: every Dagster process of the session has the
session's DAGSTER_HOME. `stop_session` ends those too, so the embedded PostgreSQL, stopped after it, never
goes away under a webserver or daemon that would then retry its connections."""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import suppress

import psutil

INTERRUPT_SECONDS = 10  # after SIGINT (a terminal's Ctrl-C), then as long again after SIGTERM
KILL_WAIT_SECONDS = 5
POLL_SECONDS = 0.5
POSTGRES_NAMES = ("postgres", "postmaster")


def group_members(pgid: int) -> list[psutil.Process]:
    """The live processes of process group `pgid` (zombies are dead: they only wait to be reaped)."""
    members = []
    for process in psutil.process_iter():
        with suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
    return members


def session_members(dagster_home: str) -> list[psutil.Process]:
    """Live processes other than this one whose environment names `dagster_home` as DAGSTER_HOME; never
    a PostgreSQL server (the embedded one may have been started by a process with that environment: it
    is stopped by its lease, after every Dagster process)."""
    members = []
    for process in psutil.process_iter():
        with suppress(psutil.Error, OSError):
            if (
                process.pid != os.getpid()
                and process.status() != psutil.STATUS_ZOMBIE
                and process.name() not in POSTGRES_NAMES
                and process.environ().get("DAGSTER_HOME") == dagster_home
            ):
                members.append(process)
    return members


def stop_session(leader: subprocess.Popen, dagster_home: str, hurry: Callable[[], bool]) -> None:
    """`stop_group`, then every process of the session that left the group: SIGTERM, then SIGKILL."""
    stop_group(leader, hurry)
    left = session_members(dagster_home)
    for stop_signal, seconds in ((signal.SIGTERM, INTERRUPT_SECONDS), (signal.SIGKILL, KILL_WAIT_SECONDS)):
        for process in left:
            with suppress(psutil.Error):
                process.send_signal(stop_signal)
        _, left = psutil.wait_procs(left, timeout=0 if hurry() and stop_signal == signal.SIGTERM else seconds)
        if not left:
            return


def stop_group(leader: subprocess.Popen, hurry: Callable[[], bool]) -> None:
    """End every process of `leader`'s group: SIGINT, then SIGTERM, then SIGKILL for what is left.
    Once `hurry()` is true (a second Ctrl-C) nothing is waited for but the SIGKILL."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        _signal_group(leader.pid, stop_signal)
        if _wait_for_empty_group(leader, INTERRUPT_SECONDS, hurry):
            return
    _signal_group(leader.pid, signal.SIGKILL)
    _wait_for_empty_group(leader, KILL_WAIT_SECONDS, lambda: False)


def _signal_group(pgid: int, stop_signal: signal.Signals) -> None:
    with suppress(ProcessLookupError):  # the group is empty already
        os.killpg(pgid, stop_signal)


def _wait_for_empty_group(leader: subprocess.Popen, seconds: float, hurry: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        leader.poll()  # reap the leader: our child, it would linger as a zombie
        if not group_members(leader.pid):
            return True
        if time.monotonic() >= deadline or hurry():
            return False
        time.sleep(POLL_SECONDS)
