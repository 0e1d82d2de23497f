"""`gfx-assets dev` end to end, on its own embedded PostgreSQL: the UI comes up with the code location
loaded, the sample NAS syncs (its bad export rejected with a reason), a file dropped into a PC folder
lands in gfx_sessions with no click, Ctrl-C stops it all, and the terminal shows no warning an operator
cannot act on (Python warnings such as FutureWarning or PreviewWarning, or one about a dagster.yaml)."""

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from gfx_assets.cli.demo import DEMO_BAD_FILE_NAME
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets_tests.e2e.devserver import gfx_dev, location_loaded, wait_for

# Python warning categories (UserWarning, FutureWarning, PreviewWarning, BetaWarning, SupersessionWarning,
# ...) and Dagster's warning about a dagster.yaml; log levels (WARNING) are not matched.
OPERATOR_CANNOT_ACT_ON = re.compile(r"\w*Warning\b|dagster\.yaml")


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path, Path]]:
    home, terminal = tmp_path / "home", tmp_path / "terminal.log"
    with gfx_dev({"GFX_HOME": str(home)}, "--no-simulator", terminal=terminal) as (process, url):
        yield process, url, home, terminal


def _target(home: Path) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://postgres@/gfx?host={home.resolve() / 'pgdata'}")


def _session_rows(home: Path, game_id: int) -> int:
    with _target(home) as conn:
        query = "SELECT count(*) FROM gfx_sessions WHERE session_id = %s"
        return conn.execute(query, (game_id,)).fetchone()[0]


def _rejections(home: Path) -> list[tuple[str, str]]:
    with _target(home) as conn:
        return conn.execute("SELECT nas_path, reason FROM gfx_rejected_files").fetchall()


def test_dev_serves_the_ui_syncs_and_stops_on_ctrl_c_with_a_quiet_terminal(dev) -> None:
    process, url, home, terminal = dev
    wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, 240, "the Dagster UI")
    wait_for(lambda: location_loaded(url), 60, "the code location to load")
    bad_file = f"PC03/1017/{DEMO_BAD_FILE_NAME}"
    wait_for(
        lambda: _rejections(home) == [(bad_file, "invalid_json")], 120, "the sample bad file's rejection"
    )
    session = SyntheticSession(2024)
    for _ in range(3):
        session.add_hand()
    write_session(home / "nas" / "PC02" / "1121" / session.file_name, session)
    wait_for(lambda: _session_rows(home, session.game_id) == 1, 120, "the dropped file to land")
    process.send_signal(signal.SIGINT)
    process.wait(60)  # raises if Ctrl-C did not stop it
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)
    assert not (home / "pgdata" / "postmaster.pid").exists()
    output = terminal.read_text(errors="replace")
    assert "Dagster UI on" in output
    assert [line for line in output.splitlines() if OPERATOR_CANNOT_ACT_ON.search(line)] == []
