"""Settings and the embedded PostgreSQL: clear errors for bad values, one shared server per GFX_HOME."""

import subprocess
import sys
from pathlib import Path

import pytest

from gfx_assets.cli import main
from gfx_assets.lib.common.postgres import stop_embedded_server
from gfx_assets.settings import GfxSettings, SettingsError, get_settings

SERVER_PID = (
    "import sys; from pathlib import Path; import psycopg; "
    "from gfx_assets.lib.common.postgres import embedded_server_url; "
    "url = embedded_server_url(Path(sys.argv[1])); "
    "print(psycopg.connect(url).execute('SELECT pg_postmaster_start_time()').fetchone()[0])"
)


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


def test_a_second_process_reuses_the_running_embedded_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
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
