"""`gfx-assets migrate` and `sync` on the embedded server (GFX_DATABASE_URL unset), run as a user would:
they stop the server they started themselves, leave running a server that already ran (it is shared
with `gfx-assets dev`), and `gfx-assets db status|stop` shows and stops that shared server."""

from pathlib import Path

from gfx_assets.lib.common.postgres import embedded_server_pid, embedded_server_url, stop_embedded_server
from gfx_assets_tests.e2e.devserver import gfx
from gfx_assets_tests.support import write_registry


def test_migrate_stops_the_embedded_server_it_started(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = gfx(["migrate"], {"GFX_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("applied: 0001_gfx_sessions.sql")
    assert embedded_server_pid(home) is None


def test_sync_stops_the_embedded_server_it_started(tmp_path: Path, table_gg: Path) -> None:
    home = tmp_path / "home"
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    env = {"GFX_HOME": str(home), "GFX_NAS_ROOT": str(table_gg.parent), "GFX_PC_REGISTRY": str(registry)}
    result = gfx(["sync"], env)
    assert result.returncode == 0, result.stderr
    assert "PC01: ok" in result.stdout
    assert embedded_server_pid(home) is None


def test_a_shared_server_keeps_running_until_db_stop(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"GFX_HOME": str(home)}
    embedded_server_url(home)  # started by someone else, as `gfx-assets dev` would
    shared = embedded_server_pid(home)
    try:
        assert gfx(["migrate"], env).returncode == 0
        assert embedded_server_pid(home) == shared
        assert f"running (pid {shared})" in gfx(["db", "status"], env).stdout
        stopped = gfx(["db", "stop"], env)
        assert stopped.returncode == 0 and stopped.stdout.strip().endswith(": stopped")
        assert embedded_server_pid(home) is None
        assert gfx(["db", "status"], env).stdout.strip().endswith(": not running")
    finally:
        stop_embedded_server(home)
