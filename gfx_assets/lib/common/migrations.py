"""A small migration runner for the plain SQL files in `migrations/`.

Each file runs in its own transaction and is recorded with its SHA-256; an applied file that has
since been edited stops the run. An advisory lock lets concurrent processes migrate safely.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

from gfx_assets.lib.common.paths import MIGRATIONS_DIR

_LOCK_KEY = 7_314_021_115  # arbitrary, constant: pg_advisory_lock key of the migration runner

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS gfx_schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


class MigrationError(RuntimeError):
    """The database and the migration files disagree; the message says how."""


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return [Migration(path.name, path.read_text()) for path in sorted(directory.glob("[0-9]*.sql"))]


def migrate(url: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations in order; return the names applied (empty on a second run)."""
    migrations = load_migrations(directory)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(_CREATE_LEDGER)
            applied = dict(conn.execute("SELECT name, checksum FROM gfx_schema_migrations").fetchall())
            _refuse_edited(migrations, applied)
            pending = [m for m in migrations if m.name not in applied]
            for migration in pending:
                _apply(conn, migration)
            return [m.name for m in pending]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _refuse_edited(migrations: list[Migration], applied: dict[str, str]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.name)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"migration {migration.name} was edited after it was applied "
                f"(checksum {recorded[:12]} in the database, {migration.checksum[:12]} on disk); "
                "add a new migration instead of editing an applied one"
            )


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        with conn.transaction():
            conn.execute(migration.sql)
            conn.execute(
                "INSERT INTO gfx_schema_migrations (name, checksum) VALUES (%s, %s)",
                (migration.name, migration.checksum),
            )
    except psycopg.Error as error:
        raise MigrationError(f"migration {migration.name} failed: {error}") from error
