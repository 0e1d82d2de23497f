"""The hourly reconciliation, on both sinks: rows deleted at the source and chip counts corrected in
place (no updated_at) are found by keys and range checksums, then removed, re-copied or flagged as
GFX_WSOP_RECONCILE_ACTION says."""

import pytest

from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import assert_same_rows, execute, query, reconcile, rows, sync, wsop_source


@pytest.fixture
def drifted_source(source_url: str, gfx_sink: GfxSink) -> str:
    """A synced source that then lost one player (its chip counts and entries with it; the entries that
    named it as their eliminator name nobody now) and one more chip count, and had a chip count corrected
    in place: none of the deletes and corrections has a newer timestamp for the sync to see."""
    sync(wsop_source(source_url), gfx_sink)
    execute(
        source_url,
        """UPDATE wsop_event_players SET eliminated_by_player_id = NULL
           WHERE eliminated_by_player_id = (SELECT id FROM wsop_players WHERE wsop_player_id = 'P-9');
           DELETE FROM wsop_chip_counts
           WHERE player_id = (SELECT id FROM wsop_players WHERE wsop_player_id = 'P-9');
           DELETE FROM wsop_players WHERE wsop_player_id = 'P-9';
           DELETE FROM wsop_chip_counts WHERE id = (SELECT min(id::text)::uuid FROM wsop_chip_counts);
           UPDATE wsop_chip_counts SET chip_count = 1, stack_in_bbs = 0.01
           WHERE id = (SELECT max(id::text)::uuid FROM wsop_chip_counts);""",
    )
    return source_url


def test_flag_reports_every_difference_and_changes_nothing(
    drifted_source: str, database_url: str, gfx_sink: GfxSink
) -> None:
    before = rows(database_url, "wsop_chip_counts")

    checks = reconcile(wsop_source(drifted_source, reconcile_action="flag"), gfx_sink)

    chip_counts, players = checks["wsop_chip_counts"], checks["wsop_players"]
    assert not chip_counts.passed and not players.passed and checks["wsop_events"].passed
    deleted = query(
        database_url,
        "SELECT count(*) + 1 FROM wsop_chip_counts c JOIN wsop_players p "
        "ON p.id = c.player_id WHERE p.wsop_player_id = 'P-9'",
    )[0][0]
    assert chip_counts.metadata["deleted_at_source"].value == deleted
    assert chip_counts.metadata["changed"].value == 1
    assert players.metadata["deleted_at_source"].value == 1
    assert rows(database_url, "wsop_chip_counts") == before


def test_delete_makes_the_target_equal_to_the_source(
    drifted_source: str, database_url: str, gfx_sink: GfxSink
) -> None:
    checks = reconcile(wsop_source(drifted_source, reconcile_action="delete"), gfx_sink)

    assert all(check.passed for check in checks.values())
    assert checks["wsop_chip_counts"].metadata["recopied"].value == 1
    assert_same_rows(drifted_source, database_url)


def test_recopy_repairs_changed_rows_and_keeps_deleted_ones_flagged(
    drifted_source: str, database_url: str, gfx_sink: GfxSink
) -> None:
    checks = reconcile(wsop_source(drifted_source, reconcile_action="recopy"), gfx_sink)

    chip_counts = checks["wsop_chip_counts"]
    assert not chip_counts.passed
    assert chip_counts.metadata["recopied"].value == 1
    assert chip_counts.metadata["unresolved"].value == chip_counts.metadata["deleted_at_source"].value
    assert query(database_url, "SELECT count(*) FROM wsop_chip_counts WHERE chip_count = 1") == [(1,)]
    assert query(database_url, "SELECT count(*) FROM wsop_players WHERE wsop_player_id = 'P-9'") == [(1,)]
