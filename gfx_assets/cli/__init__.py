"""`gfx-assets`: migrate the target database, sync PCs in-process, or start the Dagster UI."""

import argparse
import sys

from gfx_assets.settings import SettingsError, get_settings


def _migrate(_: argparse.Namespace) -> int:
    from gfx_assets.cli.runtime import migrate_target

    applied = migrate_target(get_settings())
    print("applied: " + ", ".join(applied) if applied else "nothing to apply: the database is up to date")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from gfx_assets.cli.sync import run_sync

    return run_sync(get_settings(), args.pc)


def _dev(args: argparse.Namespace) -> int:
    from gfx_assets.cli.dev import run_dev

    return run_dev(get_settings(), port=args.port, simulate=not args.no_simulator)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gfx-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending SQL migrations").set_defaults(run=_migrate)
    sync = commands.add_parser("sync", help="sync PC folders into gfx_sessions now, in-process")
    sync.add_argument("--pc", action="append", help="PC id (repeatable); default: every enabled PC")
    sync.set_defaults(run=_sync)
    dev = commands.add_parser("dev", help="migrate, seed a sample NAS, start the Dagster UI and daemon")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument("--no-simulator", action="store_true", help="do not append hands to sample files")
    dev.set_defaults(run=_dev)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except SettingsError as error:
        print(f"gfx-assets: invalid setting: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
