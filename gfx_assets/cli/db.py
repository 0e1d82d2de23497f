"""`gfx-assets db status|stop`: the embedded PostgreSQL under GFX_HOME, which `gfx-assets dev`, `sync`,
`migrate` and Dagster's processes share; `stop` stops it whoever started it."""

from gfx_assets.lib.common.embedded_lease import lease_holders, stop_shared_server
from gfx_assets.lib.common.postgres import embedded_server_pid
from gfx_assets.settings import GfxSettings


def run_db(settings: GfxSettings, action: str) -> int:
    home = settings.home.resolve()
    where = f"embedded PostgreSQL under {home / 'pgdata'}"
    if action == "stop":
        print(f"{where}: {'stopped' if stop_shared_server(home) else 'was not running'}")
        return 0
    pid = embedded_server_pid(home)
    holders = ", ".join(map(str, sorted(lease_holders(home)))) or "none"
    print(
        f"{where}: running (pid {pid}), used by gfx-assets processes: {holders}"
        if pid
        else f"{where}: not running"
    )
    return 0
