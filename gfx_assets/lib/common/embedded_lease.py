"""Who uses the embedded PostgreSQL of a GFX_HOME, so that the last user stops the server it started.

`gfx-assets dev`, `sync`, `migrate` and each test session take a lease for as long as they need the
server. The last lease to end stops the server when a lease holder started it; a server that was
already running when the first lease was taken (someone else's) is left running.

pgserver's own handle list cannot do this: its `cleanup_mode="stop"` stops a server that was running
before the first handle, and only at interpreter exit (not on SIGTERM). So the holders are kept here:
a small JSON ledger beside pgdata, changed under an exclusive `flock` (serialising the start and stop
of the server with it), with the pids of holders that died without ending their lease dropped.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from gfx_assets.lib.common.postgres import embedded_server_pid, embedded_server_url, stop_embedded_server

LEDGER_NAME = "embedded_server.json"


@dataclass
class Ledger:
    started_by_holder: bool = False
    holders: list[int] = field(default_factory=list)  # a pid once per lease it holds (leases may nest)


@contextmanager
def embedded_server_lease(home: Path) -> Iterator[str]:
    """The URL of the embedded server of `home` (started if needed) for the length of the block."""
    with _ledger(home) as ledger:
        starting = embedded_server_pid(home) is None
        url = embedded_server_url(home)
        ledger.started_by_holder |= starting
        ledger.holders.append(os.getpid())
    try:
        yield url
    finally:
        with _ledger(home) as ledger:
            with suppress(ValueError):  # a ledger lost meanwhile holds nobody
                ledger.holders.remove(os.getpid())
            if ledger.started_by_holder and not ledger.holders:
                stop_embedded_server(home)
                ledger.started_by_holder = False


def stop_shared_server(home: Path) -> bool:
    """Stop the embedded server of `home` whoever started it (`gfx-assets db stop`); True if it ran."""
    with _ledger(home) as ledger:
        ledger.started_by_holder = False
        return stop_embedded_server(home)


def lease_holders(home: Path) -> set[int]:
    """The live processes holding a lease on the embedded server of `home`."""
    with _ledger(home) as ledger:
        return set(ledger.holders)


@contextmanager
def _ledger(home: Path) -> Iterator[Ledger]:
    home.mkdir(parents=True, exist_ok=True)
    path = home / LEDGER_NAME
    with open(home / f"{LEDGER_NAME}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        ledger = _read(path)
        yield ledger
        path.write_text(
            json.dumps({"started_by_holder": ledger.started_by_holder, "holders": sorted(ledger.holders)})
        )


def _read(path: Path) -> Ledger:
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):  # no ledger yet, or one cut short by a crash: nobody holds a lease
        return Ledger()
    holders = [pid for pid in saved.get("holders", []) if _alive(pid)]
    return Ledger(bool(saved.get("started_by_holder")), holders)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
