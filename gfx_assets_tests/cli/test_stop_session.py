"""`gfx-assets dev` stops its whole Dagster session before the embedded PostgreSQL (issue 18): the process
group of `dagster dev`, and any process of its DAGSTER_HOME that left the group, are ended; processes of
another DAGSTER_HOME are left alone. Real processes, signalled for real."""

import os
import subprocess
import sys
from pathlib import Path

import psutil

from gfx_assets.cli.processes import session_members, stop_session

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _start(home: Path, **options: object) -> subprocess.Popen:
    return subprocess.Popen(SLEEPER, env={**os.environ, "DAGSTER_HOME": str(home)}, **options)


def test_a_process_of_the_session_outside_the_group_is_ended_too(tmp_path: Path) -> None:
    home, other_home = tmp_path / "home", tmp_path / "other"
    leader = _start(home, start_new_session=True)
    escaped = _start(home, start_new_session=True)  # a group of its own, as a process that left the group
    stranger = _start(other_home, start_new_session=True)
    try:
        assert {p.pid for p in session_members(str(home))} == {leader.pid, escaped.pid}
        stop_session(leader, str(home), hurry=lambda: False)
        escaped.wait(timeout=10)
        assert leader.poll() is not None and escaped.poll() is not None
        assert session_members(str(home)) == []
        assert psutil.pid_exists(stranger.pid) and stranger.poll() is None
    finally:
        for process in (leader, escaped, stranger):
            process.kill()
            process.wait()
