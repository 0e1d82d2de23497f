"""render_layer.sql applied statement by statement (each in a savepoint, with the file's
`check_function_bodies = false`) to a database the project migrated and synced: every render function and
view the broadcast graphics use creates. A statement may fail only for an object outside the render
contract, or for an object the project already owns (its own wsop tables, types and indexes)."""

from pathlib import Path

import pytest

from gfx_assets_tests.render.conftest import Ours, Reference, require_render_layer
from gfx_assets_tests.render.render_sql import Outcome, production_ddl, render_statements

# Objects of the file that are not part of the render contract (../shared/downstream/README.md), by name.
NOT_RENDER_CONTRACT = {
    "v_sync_dashboard": "production's own sync bookkeeping view over its sync_status/sync_history design; "
    "the project has its own v_sync_dashboard (the DB sync guide's), which this one cannot replace",
    "sync_history": "production's sync bookkeeping table; its foreign key needs production's sync_status.id",
}
# SQLSTATEs of "it is there already": duplicate_object, duplicate_table, invalid_table_definition (a second
# primary key on a table the project created with its own).
ALREADY_THERE = {"42710", "42P07", "42P16"}
RENDER_KINDS = ("function", "view")


def _outside_contract(outcome: Outcome) -> bool:
    statement = outcome.statement
    return bool({statement.name, statement.target} & set(NOT_RENDER_CONTRACT))


def _failed(outcomes: list[Outcome]) -> list[str]:
    return [
        f"{o.statement.kind} {o.statement.name}: {o.sqlstate} {o.error}" for o in outcomes if not o.applied
    ]


def test_the_file_holds_the_render_functions_and_views(render_layer_text: str) -> None:
    names = {s.name for s in render_statements(render_layer_text) if s.kind in RENDER_KINDS}
    assert {"get_chip_display_data", "get_at_risk_data", "v_render_chip_display", "v_recent_hands"} <= names
    assert len(names) >= 40


def test_every_render_function_and_view_creates(ours: Ours) -> None:
    render = [o for o in ours.render_outcomes if o.statement.kind in RENDER_KINDS]
    assert _failed([o for o in render if not _outside_contract(o)]) == []


def test_other_statements_fail_only_on_objects_the_project_owns(ours: Ours) -> None:
    unexpected = [
        o
        for o in ours.render_outcomes
        if not o.applied
        and o.statement.kind not in RENDER_KINDS
        and not _outside_contract(o)
        and not (
            o.sqlstate in ALREADY_THERE and (o.statement.target or o.statement.name) in ours.project_objects
        )
    ]
    assert _failed(unexpected) == []


def test_production_schema_takes_the_whole_render_layer(reference: Reference) -> None:
    """The reference database (production's DDL, then the file) is built without a failing statement."""
    assert _failed(reference.outcomes) == []


def test_production_ddl_is_read_from_the_commented_block(render_layer_text: str) -> None:
    owned = {(s.kind, s.name) for s in production_ddl(render_layer_text)}
    tables = {"gfx_sessions", "gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players"}
    assert {("table", name) for name in tables} <= owned
    assert all(s.sql.startswith("CREATE ") for s in production_ddl(render_layer_text))


def test_a_missing_render_layer_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="render SQL is missing"):
        require_render_layer(tmp_path / "render_layer.sql")
