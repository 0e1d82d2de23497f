"""Fixtures of the render tests, built once per package (test session worker) since each takes seconds
and every test only reads them:

- `ours`: a migrated database holding table-GG synced as PC01 through the project's real sync (the
  Dagster assets of gfx_sessions_job), then render_layer.sql applied statement by statement, then one
  live session rewritten in place hand after hand and synced after every rewrite, with the render views'
  row counts taken after each sync.
- `reference`: production's DDL of the project-owned tables plus render_layer.sql, filled by
  `reference_loader` from the same exports (the live session's final content).
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from gfx_assets.lib.common.postgres import ensure_database
from gfx_assets.lib.pokergfx.synthetic import encode_export
from gfx_assets_tests.gfx_hands.conftest import fresh_database
from gfx_assets_tests.gfx_hands.growth import sync_file
from gfx_assets_tests.gfx_hands.support import sync_with_hands
from gfx_assets_tests.render import reference_loader
from gfx_assets_tests.render.reference_loader import Export
from gfx_assets_tests.render.render_sql import (
    RENDER_LAYER,
    Outcome,
    Statement,
    apply,
    production_ddl,
    read_render_layer,
    render_statements,
)
from gfx_assets_tests.support import nas, postgres_sink, write_registry

PC = "PC01"
# The live session: the real 33-hand game of 1020/ under a GameID no real export uses, so that it is a
# game of its own, written hand after hand into one file the way PokerGFX rewrites its export.
LIVE_SOURCE = "1020/PGFX_live_data_export GameID=638965452050668708.json"
LIVE_GAME_ID = 638999999999999999
LIVE_FOLDER = "1021"


@dataclass
class Rewrite:
    """The live session's render views right after the sync of its k-hand content, per hand_num."""

    hands: int
    chip_display_rows: dict[int, int] = field(default_factory=dict)
    recent_hands_rows: dict[int, int] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Ours:
    database_url: str
    render_outcomes: list[Outcome]
    rewrites: list[Rewrite]
    project_objects: set[str]  # types, tables, views and functions the migrations made, by name


@dataclass
class Reference:
    database_url: str
    outcomes: list[Outcome]


def require_render_layer(path: Path) -> str:
    """The text of render_layer.sql; a missing file fails the test (never a skip)."""
    if not path.is_file():
        pytest.fail(f"the broadcast's render SQL is missing: expected {path} (../shared beside the repo)")
    return read_render_layer(path)


@pytest.fixture(scope="session")
def render_layer_text() -> str:
    return require_render_layer(RENDER_LAYER)


@pytest.fixture(scope="session")
def live_export(table_gg: Path) -> Export:
    """The live session's final content: the source game, all its hands, under LIVE_GAME_ID."""
    document = {**json.loads((table_gg / LIVE_SOURCE).read_bytes()), "ID": LIVE_GAME_ID}
    name = f"PGFX_live_data_export GameID={LIVE_GAME_ID}.json"
    return Export(name, f"{PC}/{LIVE_FOLDER}/{name}", encode_export(document), document)


@pytest.fixture(scope="session")
def exports(table_gg: Path, live_export: Export) -> list[Export]:
    """Every export the databases are filled from: table-GG's files and the live session's last content."""
    return [*reference_loader.read_exports(table_gg), live_export]


@pytest.fixture(scope="session")
def latest(exports: list[Export]) -> dict[int, Export]:
    """Per game, the content the tables mirror."""
    return reference_loader.latest_exports(exports)


@pytest.fixture(scope="package")
def ours(
    server_url: str,
    template_db: str,
    table_gg: Path,
    render_layer_text: str,
    live_export: Export,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Ours]:
    registry = write_registry(tmp_path_factory.mktemp("registry") / "registry.json", {PC: table_gg.name})
    with fresh_database(server_url, template_db) as database_url:
        sink_resource = postgres_sink(database_url)
        with dg.instance_for_test() as instance:
            result = sync_with_hands(instance, PC, nas(table_gg.parent, registry), sink_resource)
        if not result.success:
            pytest.fail("the real sync of table-GG failed; see the run's log above")
        project_objects = _public_objects(database_url)
        outcomes = apply(database_url, render_statements(render_layer_text))
        nas_root = tmp_path_factory.mktemp("live_nas")
        with sink_resource.open() as sink:
            rewrites = _rewrite_live_session(sink, nas_root, live_export, database_url)
        yield Ours(database_url, outcomes, rewrites, project_objects)


def _public_objects(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
               UNION SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
               UNION SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"""
        ).fetchall()
    return {name for (name,) in rows}


def _rewrite_live_session(sink: Any, nas_root: Path, live: Export, database_url: str) -> list[Rewrite]:
    """Write the live file with its first 1, 2, ... n hands, sync it after each write, and read the
    render views' rows per hand of the game after each sync."""
    path = nas_root / live.nas_path
    path.parent.mkdir(parents=True)
    rewrites = []
    for count in range(1, len(live.hands) + 1):
        path.write_bytes(encode_export({**live.document, "Hands": live.hands[:count]}))
        sync_file(sink, nas_root, PC, path, "compact")
        rewrites.append(_views_after(database_url, count))
    return rewrites


def _views_after(database_url: str, count: int) -> Rewrite:
    rewrite = Rewrite(count)
    per_hand = "SELECT hand_num, count(*) FROM {} WHERE session_id = %s GROUP BY hand_num"
    try:
        with psycopg.connect(database_url) as conn:
            for view, counts in (
                ("v_render_chip_display", rewrite.chip_display_rows),
                ("v_recent_hands", rewrite.recent_hands_rows),
            ):
                counts.update(conn.execute(per_hand.format(view), (LIVE_GAME_ID,)).fetchall())
    except psycopg.Error as error:
        rewrite.error = str(error).splitlines()[0]
    return rewrite


@pytest.fixture(scope="package")
def reference(server_url: str, render_layer_text: str, exports: list[Export]) -> Iterator[Reference]:
    name = f"gfx_reference_{uuid.uuid4().hex[:12]}"
    database_url = ensure_database(server_url, name)
    try:
        outcomes = apply(database_url, reference_schema(render_layer_text))
        reference_loader.load(database_url, exports)
        yield Reference(database_url, outcomes)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def reference_schema(render_layer_text: str) -> list[Statement]:
    """Production's schema in dependency order: its enum types (render_layer's and the project-owned
    ones), then its project-owned tables with their primary keys, then the rest of render_layer.sql."""
    render = render_statements(render_layer_text)
    owned = production_ddl(render_layer_text)
    types = [s for s in render if s.kind == "type"]
    return [
        *(s for s in owned if s.kind == "type"),
        *types,
        *(s for s in owned if s.kind != "type"),
        *(Statement("constraint", key.split()[2], key) for key in reference_loader.PRIMARY_KEYS),
        *(s for s in render if s.kind != "type"),
    ]
