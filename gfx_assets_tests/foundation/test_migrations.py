"""Migrations: `migrate` applies the SQL files in order, once, and refuses edited ones."""

import shutil
from pathlib import Path

import psycopg
import pytest

from gfx_assets.lib.common.migrations import MIGRATIONS_DIR, MigrationError, migrate


def test_migrate_on_a_migrated_database_applies_nothing(database_url: str) -> None:
    assert migrate(database_url) == []


def test_migrate_applies_every_file_in_order_on_an_empty_database(empty_database_url: str) -> None:
    applied = migrate(empty_database_url)
    assert applied == sorted(path.name for path in MIGRATIONS_DIR.glob("[0-9]*.sql"))
    assert migrate(empty_database_url) == []


def test_gfx_sessions_has_its_unique_conflict_key(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        definition = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'gfx_sessions_pc_hash_key'"
        ).fetchone()
    assert definition == ("UNIQUE (gfx_pc_id, file_hash)",)


def test_an_edited_applied_migration_is_refused(empty_database_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    migrate(empty_database_url, copy)
    first = sorted(copy.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="was edited after it was applied"):
        migrate(empty_database_url, copy)


def test_a_failing_migration_leaves_nothing_half_applied(empty_database_url: str, tmp_path: Path) -> None:
    (tmp_path / "0001_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(MigrationError, match="0001_bad.sql failed"):
        migrate(empty_database_url, tmp_path)
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
