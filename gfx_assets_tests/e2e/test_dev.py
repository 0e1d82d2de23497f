"""`gfx-assets dev` end to end, on its own embedded PostgreSQL: the UI comes up with the code location
loaded, a file dropped into a PC folder lands in gfx_sessions with no click, and Ctrl-C stops it all."""

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets_tests.e2e.devserver import gfx_dev, location_loaded, wait_for


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    home = tmp_path / "home"
    with gfx_dev({"GFX_HOME": str(home)}, "--no-simulator") as (process, url):
        yield process, url, home


def _session_rows(home: Path, game_id: int) -> int:
    url = f"postgresql://postgres@/gfx?host={home.resolve() / 'pgdata'}"
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM gfx_sessions WHERE session_id = %s", (game_id,)).fetchone()[
            0
        ]


def test_dev_serves_the_ui_syncs_a_dropped_file_and_stops_on_ctrl_c(dev) -> None:
    process, url, home = dev
    wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, 240, "the Dagster UI")
    wait_for(lambda: location_loaded(url), 60, "the code location to load")
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
