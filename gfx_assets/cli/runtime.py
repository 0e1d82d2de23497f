"""Process set-up shared by the CLI commands: target database, Dagster home and its storage."""

import os
import shutil

import dagster as dg

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


def target_url(settings: GfxSettings) -> str:
    """GFX_DATABASE_URL, or the `gfx` database of the embedded server (started if needed)."""
    if settings.database_url:
        return settings.database_url.get_secret_value()
    return ensure_database(embedded_server_url(settings.home), EMBEDDED_TARGET_DB)


def migrate_target(settings: GfxSettings) -> list[str]:
    return migrate(target_url(settings))


def dagster_storage_url(settings: GfxSettings) -> str:
    """GFX_DAGSTER_STORAGE_URL, else a `dagster` database on the target's server."""
    if settings.dagster_storage_url:
        return as_sqlalchemy_psycopg2(settings.dagster_storage_url.get_secret_value())
    server = (
        settings.database_url.get_secret_value()
        if settings.database_url
        else embedded_server_url(settings.home)
    )
    return as_sqlalchemy_psycopg2(ensure_database(server, EMBEDDED_DAGSTER_DB))


def prepare_dagster_home(settings: GfxSettings) -> dict[str, str]:
    """Create DAGSTER_HOME under GFX_HOME with the project's dagster.yaml; return the environment
    (also applied to this process) that child processes need."""
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


def dagster_instance(settings: GfxSettings) -> dg.DagsterInstance:
    prepare_dagster_home(settings)
    return dg.DagsterInstance.get()
