"""How a `gfx-assets` command fails: one line on stderr that names the setting at fault, and an exit
code: 2 when a setting cannot work as given (a bad value, a missing folder, a wrong password), 1 when
something failed at run time (a database that does not answer). Every line is redacted.

Commands raise `ConfigurationError` / `CommandFailure` worded for the operator, or let library errors
through; `describe` (called by main() alone) turns either into the line and the code."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from gfx_assets.lib.common.migrations import MigrationError
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.nas_sync.registry import RegistryLookupError
from gfx_assets.settings import SettingsError

CONFIGURATION_EXIT = 2
RUNTIME_EXIT = 1
INTERRUPTED_EXIT = 130
# SQLSTATEs of a connection the server refuses for its settings: bad password, no such role/database
_REFUSED_BY_SERVER = {"28000", "28P01", "3D000"}


class CommandFailure(Exception):
    """A run-time failure, its message already written for the operator."""

    exit_code = RUNTIME_EXIT


class ConfigurationError(CommandFailure):
    """A setting that cannot work as given; the message starts with the variable's name."""

    exit_code = CONFIGURATION_EXIT


def require_folder(setting: str, path: Path) -> None:
    if not path.is_dir():
        raise ConfigurationError(f"{setting}: folder {path} {_missing(path)}")


def require_file(setting: str, path: Path) -> None:
    if not path.is_file():
        raise ConfigurationError(f"{setting}: file {path} {_missing(path)}")


@contextmanager
def database_of(setting: str, url: str) -> Iterator[None]:
    """Name `setting` and its (masked) URL when the block cannot connect to that database."""
    try:
        yield
    except psycopg.OperationalError as error:
        reason = _connection_reason(error)
        if error.sqlstate in _REFUSED_BY_SERVER or "authentication failed" in reason:
            raise ConfigurationError(f"{setting} ({redact(url)}): {reason}") from None
        raise CommandFailure(f"cannot reach the database of {setting} ({redact(url)}): {reason}") from None


def describe(error: BaseException) -> tuple[int, str]:
    """The exit code and the one line (without the `gfx-assets: ` prefix) for `error`."""
    match error:
        case KeyboardInterrupt():
            return INTERRUPTED_EXIT, "interrupted"
        case SettingsError() | ConfigurationError() | RegistryLookupError():
            return CONFIGURATION_EXIT, _one_line(str(error))
        case CommandFailure() | MigrationError():
            return RUNTIME_EXIT, _one_line(str(error))
        case psycopg.OperationalError():
            return RUNTIME_EXIT, f"database error: {_connection_reason(error)}"
        case OSError(filename=str() as filename) if error.strerror:
            return RUNTIME_EXIT, _one_line(f"{filename}: {error.strerror}")
    return RUNTIME_EXIT, _one_line(f"unexpected error: {type(error).__name__}: {error}")


def _missing(path: Path) -> str:
    return "is not a folder" if path.is_file() else "is not a file" if path.exists() else "does not exist"


def _connection_reason(error: psycopg.Error) -> str:
    """libpq's reason without its preamble: 'connection failed: connection to server at "h", port 1
    failed: Connection refused\\n\\tIs the server running...' becomes 'connection refused'."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    reason = re.split(r"failed: (?:FATAL:\s*)?", first_line)[-1].strip()
    return _one_line(reason[:1].lower() + reason[1:])


def _one_line(text: str) -> str:
    return redact(" ".join(text.split()))
