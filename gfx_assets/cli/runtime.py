"""Process set-up shared by the CLI commands: target database, Dagster home and its storage.

Dagster is imported only by `dagster_instance`: a command with no run to launch (an empty sync) never
pays its import (2 s on two cores)."""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from gfx_assets.cli.errors import (
    CommandFailure,
    ConfigurationError,
    database_of,
    require_file,
    require_folder,
)
from gfx_assets.lib.common.embedded_lease import embedded_server_lease
from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.lib.common.postgres import (
    EMBEDDED_DAGSTER_DB,
    EMBEDDED_TARGET_DB,
    as_sqlalchemy_psycopg2,
    embedded_server_url,
    ensure_database,
)
from gfx_assets.settings import GfxSettings

if TYPE_CHECKING:
    import dagster as dg

EMBEDDED = "the embedded server of GFX_HOME"


@contextmanager
def embedded_server_in_use(settings: GfxSettings) -> Iterator[None]:
    """Hold a lease on the embedded server while a command needs it (GFX_DATABASE_URL unset): it is
    started if needed and stopped at the end if this command started it and nobody else uses it."""
    if settings.database_url:
        yield
        return
    home = settings.home.resolve()
    with ExitStack() as lease:
        try:
            lease.enter_context(embedded_server_lease(home))
        except OSError as error:
            raise ConfigurationError(f"GFX_HOME: cannot use {home}: {error.strerror or error}") from None
        except (subprocess.SubprocessError, RuntimeError) as error:
            raise CommandFailure(f"cannot start the embedded PostgreSQL under {home}: {error}") from None
        yield


def require_nas_root(settings: GfxSettings) -> Path:
    """The NAS root, which must exist, and the registry file when GFX_PC_REGISTRY names one."""
    root = settings.resolved_nas_root
    if settings.nas_root is None and not root.is_dir():
        raise ConfigurationError(f"GFX_NAS_ROOT: unset, and the sample NAS {root} does not exist yet")
    require_folder("GFX_NAS_ROOT", root)
    if settings.pc_registry:
        require_file("GFX_PC_REGISTRY", settings.pc_registry)
    return root


def target_url(settings: GfxSettings) -> str:
    """GFX_DATABASE_URL, or the `gfx` database of the embedded server (started if needed)."""
    if settings.database_url:
        return settings.database_url.get_secret_value()
    server = embedded_server_url(settings.home)
    with database_of(EMBEDDED, server):
        return ensure_database(server, EMBEDDED_TARGET_DB)


def migrate_target(settings: GfxSettings) -> list[str]:
    url = target_url(settings)
    with database_of("GFX_DATABASE_URL" if settings.database_url else EMBEDDED, url):
        return migrate(url)


def dagster_storage_url(settings: GfxSettings) -> str:
    """GFX_DAGSTER_STORAGE_URL, else a `dagster` database on the target's server."""
    if settings.dagster_storage_url:
        return as_sqlalchemy_psycopg2(settings.dagster_storage_url.get_secret_value())
    if settings.database_url:
        setting, server = "GFX_DATABASE_URL", settings.database_url.get_secret_value()
    else:
        setting, server = EMBEDDED, embedded_server_url(settings.home)
    with database_of(setting, server):
        return as_sqlalchemy_psycopg2(ensure_database(server, EMBEDDED_DAGSTER_DB))


def prepare_dagster_home(settings: GfxSettings) -> dict[str, str]:
    """Create DAGSTER_HOME under GFX_HOME with the project's dagster.yaml; return the environment
    (also applied to this process) that child processes need."""
    if settings.dagster_storage_url:  # a wrong URL stops the command with one line, not Dagster's retries
        url = settings.dagster_storage_url.get_secret_value()
        with database_of("GFX_DAGSTER_STORAGE_URL", url):
            psycopg.connect(_libpq_url(url)).close()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        "DAGSTER_HOME": str(home),
        "GFX_HOME": str(settings.home.resolve()),
        "GFX_DAGSTER_STORAGE_URL": dagster_storage_url(settings),
    }
    os.environ.update(env)
    return env


def dagster_instance(settings: GfxSettings) -> "dg.DagsterInstance":
    import dagster as dg

    prepare_dagster_home(settings)
    return dg.DagsterInstance.get()


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg2://`) as libpq reads it."""
    return re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)
