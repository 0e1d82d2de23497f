"""Stopping a process tree that runs in its own process group: `gfx-assets dev` starts `dagster dev` in
a new session, and every process it starts (webserver, daemon, code server, `dagster api grpc`, run
workers) stays in that group, so the group is what gets signalled, waited for and, last, killed."""

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


def group_members(pgid: int) -> list[psutil.Process]:
    """The live processes of process group `pgid` (zombies are dead: they only wait to be reaped)."""
    members = []
    for process in psutil.process_iter():
        with suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
    return members


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
