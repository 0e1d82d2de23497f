"""INSERT on the ledger gfx_session_snapshots (where the sync writes every content) revoked for a while
under `gfx-assets dev`, from a login role that owns no table and has DML rights only (as an operator's
rights fix would do it): the files written meanwhile are retried, never recorded as rejected, and all
land once the grant is back, with no dead letter left open for a landed file and no process left behind.
On both sinks: directly as that role, and through the PostgREST test app running its requests as that
role (as PostgREST runs the service key's).

The revoke lasts until the run logs show the ledger write refused for want of the grant and retried
twice (the sinks' request-level retry at work: it fits in one request's retry deadline of 120 s), and
at most REVOKE_SECONDS. After the last file lands, the test waits for the failure sensors to tick once
more, not for a fixed time.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.migrations import migrate
from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.e2e.devserver import wait_for
from gfx_assets_tests.e2e.faults import (
    REJECTED,
    arrive,
    assert_converged,
    dev_leaving_nothing,
    landed,
    nas_files,
    server_of_its_own,
    wait_until_bookkept,
)
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.supabase_roles import create_supabase_roles
from gfx_assets_tests.support import query, seeded_nas

PCS = ["PC01", "PC02"]
REVOKE_SECONDS = 90  # the bound on the wait for the refusals below
# The sinks' retry log lines (python log records of the `gfx_assets` logger in the run logs) for a write
# into the ledger refused by PostgreSQL's privilege check (42501).
REFUSED_AND_RETRIED = """
    SELECT count(*) FROM event_logs
    WHERE event LIKE '%permission denied for table gfx_session_snapshots%'
    AND event LIKE '%retrying in%'"""
NEW_FILES = 4
LAND_AFTER_GRANT_SECONDS = 120


@dataclass
class Writer:
    """`gfx-assets dev` settings writing as the DML-only role; `target` is the owner's URL."""

    env: dict[str, str]
    target: str
    role: str
    storage: str  # Dagster's storage, where the run logs are


def _dml_role(target: str) -> str:
    role = f"gfx_writer_{uuid.uuid4().hex[:8]}"
    name = sql.Identifier(role)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name)
        )
        conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(name))
    return role


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname or ''}"))


@pytest.fixture(params=["postgres", "supabase_rest"])
def writer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Writer]:
    with (
        server_of_its_own(tmp_path / "target", "gfx") as target,
        server_of_its_own(tmp_path / "dagster", "dagster") as storage,
    ):
        create_supabase_roles(target)
        migrate(target)  # by the owner: the writer may not create anything
        role = _dml_role(target)
        settings = {
            "GFX_HOME": str(tmp_path / "home"),
            "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(storage),
        }
        if request.param == "postgres":
            yield Writer({**settings, "GFX_DATABASE_URL": _as_role(target, role)}, target, role, storage)
            return
        with serve(create_app(target, service_key=SERVICE_KEY, role=role)) as base_url:
            rest = {
                "GFX_SINK": "supabase",
                "GFX_SUPABASE_URL": base_url,
                "GFX_SUPABASE_SERVICE_KEY": SERVICE_KEY,
            }
            yield Writer({**settings, **rest}, target, role, storage)


def _set_insert(target: str, role: str, granted: bool) -> None:
    statement = "GRANT INSERT ON {} TO {}" if granted else "REVOKE INSERT ON {} FROM {}"
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier("gfx_session_snapshots"), sql.Identifier(role)))


def test_files_written_while_insert_is_revoked_land_after_the_grant_and_none_is_rejected(
    tmp_path: Path, writer: Writer
) -> None:
    nas_root = seeded_nas(tmp_path / "nas", PCS, sessions_per_pc=2)
    with dev_leaving_nothing({**writer.env, "GFX_NAS_ROOT": str(nas_root)}, tmp_path / "home"):
        wait_for(lambda: landed(writer.target) == 4, 180, "the first sync")
        _set_insert(writer.target, writer.role, granted=False)
        for number in range(NEW_FILES):
            arrive(nas_root, PCS[number % len(PCS)], 700 + number)
        wait_for(
            lambda: query(writer.storage, REFUSED_AND_RETRIED)[0][0] >= 2,
            REVOKE_SECONDS,
            "a write refused for the revoked grant, retried twice",
        )
        assert landed(writer.target) == 4, "a file landed although INSERT was revoked"
        assert query(writer.target, REJECTED) == []

        _set_insert(writer.target, writer.role, granted=True)
        total = len(nas_files(nas_root))
        wait_for(lambda: landed(writer.target) == total, LAND_AFTER_GRANT_SECONDS, "every file to land")
        wait_until_bookkept(writer.storage)  # a late dead letter would show by then
        assert_converged(writer.target, nas_root)
