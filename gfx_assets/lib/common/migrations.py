"""A small migration runner for the plain SQL files in `migrations/`.

Each file runs in its own transaction and is recorded with its SHA-256; an applied file that has
since been edited stops the run. An advisory lock lets concurrent processes migrate safely.

When nothing is pending the runner only reads (the ledger, if it exists): runs and sensors may use a
role with DML rights alone. The ledger, the lock and DDL are touched only when a file is pending.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

from gfx_assets.lib.common.paths import MIGRATIONS_DIR

_LOCK_KEY = 7_314_021_115  # arbitrary, constant: pg_advisory_lock key of the migration runner
_LEDGER = "gfx_schema_migrations"

_CREATE_LEDGER = f"""
CREATE TABLE IF NOT EXISTS {_LEDGER} (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""

_CREATE_RIGHTS = """
SELECT current_user, coalesce(current_schema(), 'public'),
       coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)
"""


class MigrationError(RuntimeError):
    """The database and the migration files disagree, or the role may not migrate; the message says
    how, in one line."""


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
    """Apply pending migrations in order; return the names applied (empty on a second run).

    Raises MigrationError when a file is pending and the role may not create objects, so that a
    least-privilege role gets one line telling it to migrate as the owner.
    """
    migrations = load_migrations(directory)
    with psycopg.connect(url, autocommit=True) as conn:
        pending = _pending(conn, migrations)
        if not pending:
            return []
        _require_create_rights(conn, pending)
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(_CREATE_LEDGER)
            pending = _pending(conn, migrations)  # again under the lock: another process may have migrated
            for migration in pending:
                _apply(conn, migration)
            return [m.name for m in pending]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _pending(conn: psycopg.Connection, migrations: list[Migration]) -> list[Migration]:
    applied = _applied(conn)
    _refuse_edited(migrations, applied)
    return [m for m in migrations if m.name not in applied]


def _applied(conn: psycopg.Connection) -> dict[str, str]:
    """name -> checksum from the ledger; empty when the ledger does not exist yet (read-only)."""
    if conn.execute("SELECT to_regclass(%s)", (_LEDGER,)).fetchone() == (None,):
        return {}
    try:
        return dict(conn.execute(f"SELECT name, checksum FROM {_LEDGER}").fetchall())
    except psycopg.errors.InsufficientPrivilege as error:
        role = conn.info.user
        raise MigrationError(
            f"role {role} may not read {_LEDGER}; grant it SELECT on {_LEDGER} ({error.diag.message_primary})"
        ) from None


def _require_create_rights(conn: psycopg.Connection, pending: list[Migration]) -> None:
    role, schema, may_create = conn.execute(_CREATE_RIGHTS).fetchone()
    if not may_create:
        names = ", ".join(m.name for m in pending)
        raise MigrationError(
            f"migration {names} pending but role {role} may not CREATE in schema {schema}; "
            "run `gfx-assets migrate` as the owner"
        )


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
                f"INSERT INTO {_LEDGER} (name, checksum) VALUES (%s, %s)",
                (migration.name, migration.checksum),
            )
    except psycopg.Error as error:
        detail = " ".join(str(error).split())  # psycopg's message may span lines; the CLI prints one
        raise MigrationError(f"migration {migration.name} failed: {detail}") from error
