"""The whole command's child of bench/sync_bench.py and the children's settings, with its contender
`gfx-assets sync (REST)` (`--rest`).

The REST contender is the whole command of the contender `gfx-assets sync`, in the same child process,
rounds and fresh databases, but with GFX_SINK=supabase: every row goes over HTTP (httpx) to the
project's PostgREST look-alike (gfx_assets_tests/postgrest_app.py) in front of the contender's
database. GFX_DATABASE_URL still names that database, for the command's migration check. The server
runs in the bench's own process (uvicorn in a thread), started before the child's clock and stopped
after it, so the child's wall time and peak RSS are the sync's own.

Caveat: the look-alike is Python, and its CPU competes with the sync's on the machine (2 cores where
BENCHMARKS.md measures), whereas Supabase's PostgREST is Haskell, on machines of its own. The report
gives the server's CPU seconds (this process's, which only serves while the child runs) beside the
REST / direct ratio, so that share can be weighed.
"""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

WHOLE_COMMAND = "gfx-assets sync"
REST_COMMAND = "gfx-assets sync (REST)"
SERVICE_KEY = "sb_secret_bench-only-key-0123456789"  # the look-alike checks it as Supabase's gateway does
Contender = Callable[[str], dict]  # database URL -> {"seconds": ..., "peak_rss_mb": ...}


def child_env(
    nas_root: Path, registry: Path, url: str, storage_url: str, rest_url: str | None = None
) -> dict[str, str]:
    """A child's settings: the corpus, its database and Dagster's storage; with `rest_url`, the REST
    sink to the look-alike there."""
    env = {
        **os.environ,
        "GFX_HOME": str(nas_root.parent / "home"),
        "GFX_DATABASE_URL": url,
        "GFX_DAGSTER_STORAGE_URL": storage_url,
        "GFX_NAS_ROOT": str(nas_root),
        "GFX_PC_REGISTRY": str(registry),
        "GFX_SETTLE_SECONDS": "0",
    }
    if rest_url:
        env |= {"GFX_SINK": "supabase", "GFX_SUPABASE_URL": rest_url, "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY}
    return env


def peak_rss_mb() -> float:
    """VmHWM of this process: the peak RSS of its own address space, since its exec."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def cli_child() -> None:
    """`gfx-assets sync` in this process, on the sink of the environment, then its peak RSS."""
    from gfx_assets.cli import main as gfx_assets

    code = gfx_assets(["sync"])
    print(json.dumps({"peak_rss_mb": peak_rss_mb()}))
    sys.exit(code)


def rest_contender(run_cli: Callable[[str, str], dict]) -> Contender:
    """`run_cli(database URL, REST URL)` (the child of the whole command) with the look-alike serving
    that database meanwhile; adds the server's CPU seconds and requests to the child's figures."""
    # imported here, in the bench's process only: every child imports this module, and uvicorn's and
    # Starlette's imports would add to the children's time and RSS
    from gfx_assets_tests.postgrest_app import create_app, serve

    def contender(url: str) -> dict:
        app = create_app(url, service_key=SERVICE_KEY)
        with serve(app) as rest_url:
            cpu = time.process_time()
            figures = run_cli(url, rest_url)
            server_cpu = time.process_time() - cpu
        return {**figures, "server_cpu_seconds": server_cpu, "requests": len(app.state.requests)}

    return contender


def rest_summary(results: dict[str, list[dict]]) -> list[str]:
    """The line under the table that sets the REST contender beside the direct one (both run in the same
    rounds), if it ran."""
    if REST_COMMAND not in results:
        return []
    rest, direct = results[REST_COMMAND], results[WHOLE_COMMAND]
    ratio = statistics.median(r["seconds"] for r in rest) / statistics.median(r["seconds"] for r in direct)
    cpu = statistics.median(r["server_cpu_seconds"] for r in rest)
    requests = statistics.median(r["requests"] for r in rest)
    return [
        "",
        f"REST / direct: {ratio:.2f}× (the REST sync's server, in the bench's process: "
        f"{cpu:.2f} s CPU, {requests:,.0f} requests; medians)",
    ]
