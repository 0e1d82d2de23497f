"""`gfx-assets`: migrate the target database, sync PCs in-process, start the Dagster UI, or look after
the embedded PostgreSQL (`db status|stop`)."""

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from gfx_assets.cli.errors import describe
from gfx_assets.settings import get_settings


def _migrate(_: argparse.Namespace) -> int:
    from gfx_assets.cli.runtime import embedded_server_in_use, migrate_target

    settings = get_settings()
    with embedded_server_in_use(settings):
        applied = migrate_target(settings)
    print("applied: " + ", ".join(applied) if applied else "nothing to apply: the database is up to date")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from gfx_assets.cli.sync import run_sync

    return run_sync(get_settings(), args.pc)


def _wsop_sync(_: argparse.Namespace) -> int:
    from gfx_assets.cli.wsop_sync import run_wsop_sync

    return run_wsop_sync(get_settings())


def _dev(args: argparse.Namespace) -> int:
    from gfx_assets.cli.dev import run_dev

    return run_dev(get_settings(), port=args.port, simulate=not args.no_simulator)


def _db(args: argparse.Namespace) -> int:
    from gfx_assets.cli.db import run_db

    return run_db(get_settings(), args.action)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gfx-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending SQL migrations").set_defaults(run=_migrate)
    sync = commands.add_parser("sync", help="sync PC folders into gfx_sessions now, in-process")
    sync.add_argument("--pc", action="append", help="PC id (repeatable); default: every enabled PC")
    sync.set_defaults(run=_sync)
    commands.add_parser(
        "wsop-sync", help="copy what changed in the WSOP+ source now (wsop_sync_job, in-process)"
    ).set_defaults(run=_wsop_sync)
    dev = commands.add_parser("dev", help="migrate, seed a sample NAS, start the Dagster UI and daemon")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument("--no-simulator", action="store_true", help="do not append hands to sample files")
    dev.set_defaults(run=_dev)
    # its options are `dagster api grpc`'s (-h is its host): passed through as they are, see main()
    commands.add_parser(
        "code-server",
        help="end the runs a previous code server left running, then `dagster api grpc <options>`",
        add_help=False,
    )
    db = commands.add_parser("db", help="the embedded PostgreSQL under GFX_HOME (shared by every command)")
    db.add_argument("action", choices=["status", "stop"], help="show whether it runs, or stop it")
    db.set_defaults(run=_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; a failure is one line on stderr (see cli/errors.py), exit 2 for configuration
    and 1 for run-time failures."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["code-server"]:
            from gfx_assets.cli.code_server import run_code_server

            return run_code_server(argv[1:])
        args = _parser().parse_args(argv)
        with _sigterm_as_interrupt():
            return args.run(args)
    except (Exception, KeyboardInterrupt) as error:
        exit_code, line = describe(error)
        print(f"gfx-assets: {line}", file=sys.stderr)
        return exit_code


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so a command still releases what it holds (the embedded server)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
