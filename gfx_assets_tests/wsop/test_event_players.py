"""wsop_event_players (one row per player entered in an event) synced like the other WSOP tables, on both
sinks: it lands column for column equal to the source, after events and players; an entry whose player
and eliminator appeared after the players' sync brings both along; a change committed late with an older
updated_at is caught by the lookback; an entry registered again under a new id lands; the reconciliation
finds and repairs entries deleted or changed without a new stamp; and v_sync_dashboard shows the table."""

import psycopg
import pytest

from gfx_assets.defs.wsop_sync.assets import wsop_event_players, wsop_events, wsop_players
from gfx_assets.defs.wsop_sync.checks import WSOP_RECONCILIATION_CHECKS
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import (
    assert_same_rows,
    execute,
    metadata,
    query,
    reconcile,
    rows,
    sync,
    wsop_source,
)

TABLE = "wsop_event_players"
COLUMNS = """SELECT attname::text FROM pg_attribute
             WHERE attrelid = 'wsop_event_players'::regclass AND attnum > 0 AND NOT attisdropped
             ORDER BY attnum"""
# A player of the sample entered in event 1's field, and one left out of it (each field is 100 of 200).
ENTERED = """SELECT p.wsop_player_id FROM wsop_event_players ep
             JOIN wsop_players p ON p.id = ep.player_id JOIN wsop_events e ON e.id = ep.event_id
             WHERE e.event_number = 1 AND ep.status = 'active' ORDER BY p.wsop_player_id LIMIT 1"""
NOT_ENTERED = """SELECT p.wsop_player_id FROM wsop_players p
                 WHERE NOT EXISTS (SELECT 1 FROM wsop_event_players ep
                                   JOIN wsop_events e ON e.id = ep.event_id
                                   WHERE e.event_number = 1 AND ep.player_id = p.id)
                 ORDER BY p.wsop_player_id LIMIT 1"""
ENTER = """INSERT INTO wsop_event_players (event_id, player_id, seat_num, starting_chips, status)
           SELECT e.id, p.id, 4, 60000, 'active' FROM wsop_events e, wsop_players p
           WHERE e.event_number = 1 AND p.wsop_player_id = %s"""
OF_PLAYER = """(SELECT ep.id FROM wsop_event_players ep JOIN wsop_players p ON p.id = ep.player_id
               JOIN wsop_events e ON e.id = ep.event_id WHERE e.event_number = 1 AND p.wsop_player_id = %s)"""


def one(url: str, statement: str) -> str:
    [(value,)] = query(url, statement)
    return value


def test_event_players_depend_on_events_and_players() -> None:
    [dependencies] = wsop_event_players.asset_deps.values()
    assert set(dependencies) == {wsop_events.key, wsop_players.key}


def test_the_first_sync_lands_every_entry_column_for_column(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    result = sync(wsop_source(source_url), gfx_sink)

    assert result.success
    counts = metadata(result, TABLE)
    assert (counts["rows_read"], counts["rows_upserted"], counts["dagster/row_count"]) == (500, 500, 500)
    assert query(database_url, COLUMNS) == query(source_url, COLUMNS)
    source_rows, target_rows = rows(source_url, TABLE), rows(database_url, TABLE)
    assert (len(source_rows), len(target_rows)) == (500, 500)
    for source_row, target_row in zip(source_rows, target_rows, strict=True):
        assert target_row == source_row


def test_an_entry_whose_player_and_eliminator_appeared_after_the_players_sync_brings_both(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url)
    sync(source, gfx_sink)
    execute(
        source_url,
        "INSERT INTO wsop_players (wsop_player_id, name) VALUES ('P-OUT', 'Busted'), ('P-HIT', 'Hitman')",
    )
    execute(
        source_url,
        """INSERT INTO wsop_event_players
               (event_id, player_id, status, eliminated_at, eliminated_by_player_id)
           SELECT e.id, p.id, 'eliminated', now(), k.id FROM wsop_events e, wsop_players p, wsop_players k
           WHERE e.event_number = 1 AND p.wsop_player_id = 'P-OUT' AND k.wsop_player_id = 'P-HIT'""",
    )

    result = sync(source, gfx_sink, assets=[wsop_event_players])  # entries alone, as a UI re-run would

    assert result.success
    brought = "SELECT count(*) FROM wsop_players WHERE wsop_player_id IN ('P-OUT', 'P-HIT')"
    assert query(database_url, brought) == [(2,)]
    assert_same_rows(source_url, database_url)


def test_an_entry_changed_late_with_an_older_updated_at_is_caught_by_the_lookback(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url, lookback_seconds=300)
    sync(source, gfx_sink)
    late_player, early_player = one(source_url, ENTERED), one(source_url, NOT_ENTERED)
    with psycopg.connect(source_url) as late:  # its now() (the entry's updated_at) is taken here
        late.execute(
            f"UPDATE wsop_event_players SET current_chips = 424242 WHERE id = {OF_PLAYER}", [late_player]
        )
        execute(source_url, ENTER, early_player)  # committed now, with a newer stamp
        sync(source, gfx_sink)  # the watermark moves past the open transaction's stamp
        assert query(database_url, "SELECT count(*) FROM wsop_event_players") == [(501,)]
    # the late transaction has committed now, stamped before the watermark

    result = sync(source, gfx_sink)

    assert metadata(result, TABLE)["rows_upserted"] == 1
    late_value = "SELECT count(*) FROM wsop_event_players WHERE current_chips = 424242"
    assert query(database_url, late_value) == [(1,)]
    assert_same_rows(source_url, database_url)


def test_an_entry_registered_again_under_a_new_id_lands(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url)
    sync(source, gfx_sink)
    player = one(source_url, ENTERED)
    execute(source_url, f"DELETE FROM wsop_event_players WHERE id = {OF_PLAYER}", player)
    execute(source_url, ENTER, player)
    [(new_id,)] = query(source_url, f"SELECT {OF_PLAYER}", player)

    result = sync(source, gfx_sink)

    assert result.success
    assert query(database_url, "SELECT count(*) FROM wsop_event_players WHERE id = %s", new_id) == [(1,)]


@pytest.fixture
def drifted_entries(source_url: str, gfx_sink: GfxSink) -> str:
    """A synced source that then lost one entry and had another corrected in place by a tool that
    bypasses the updated_at trigger: neither has a newer stamp for the sync to see."""
    sync(wsop_source(source_url), gfx_sink)
    execute(
        source_url,
        """DELETE FROM wsop_event_players WHERE id = (SELECT min(id::text)::uuid FROM wsop_event_players);
           ALTER TABLE wsop_event_players DISABLE TRIGGER wsop_event_players_updated_at;
           UPDATE wsop_event_players SET rank = 1, prize_won = 999
           WHERE id = (SELECT max(id::text)::uuid FROM wsop_event_players);
           ALTER TABLE wsop_event_players ENABLE TRIGGER wsop_event_players_updated_at;""",
    )
    return source_url


def test_the_reconciliation_flags_an_entry_deleted_and_one_changed_without_a_new_stamp(
    drifted_entries: str, database_url: str, gfx_sink: GfxSink
) -> None:
    before = rows(database_url, TABLE)

    checks = reconcile(wsop_source(drifted_entries, reconcile_action="flag"), gfx_sink)

    entries = checks[TABLE]
    assert not entries.passed
    found = {key: entries.metadata[key].value for key in ("deleted_at_source", "missing", "changed")}
    assert found == {"deleted_at_source": 1, "missing": 0, "changed": 1}
    assert rows(database_url, TABLE) == before


def test_the_reconciliation_makes_the_entries_equal_to_the_source(
    drifted_entries: str, database_url: str, gfx_sink: GfxSink
) -> None:
    checks = reconcile(wsop_source(drifted_entries, reconcile_action="delete"), gfx_sink)

    entries = checks[TABLE]
    assert entries.passed
    assert (entries.metadata["removed"].value, entries.metadata["recopied"].value) == (1, 1)
    assert rows(database_url, TABLE) == rows(drifted_entries, TABLE)


def test_deleting_a_player_clears_the_entries_naming_them_as_eliminator_and_keeps_those_entries(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    sync(wsop_source(source_url), gfx_sink)
    [(hitman, victims)] = query(
        source_url,
        """SELECT p.wsop_player_id, count(*) FROM wsop_event_players ep
           JOIN wsop_players p ON p.id = ep.eliminated_by_player_id
           GROUP BY p.wsop_player_id ORDER BY count(*) DESC, p.wsop_player_id LIMIT 1""",
    )
    execute(  # the source refuses to delete a player someone's entry names: the entries are cleared first
        source_url,
        f"""UPDATE wsop_event_players SET eliminated_by_player_id = NULL
            WHERE eliminated_by_player_id = (SELECT id FROM wsop_players WHERE wsop_player_id = '{hitman}');
            DELETE FROM wsop_chip_counts
            WHERE player_id = (SELECT id FROM wsop_players WHERE wsop_player_id = '{hitman}');
            DELETE FROM wsop_players WHERE wsop_player_id = '{hitman}';""",
    )
    [players_check] = [
        check
        for check in WSOP_RECONCILIATION_CHECKS
        if {key.name for key in check.check_keys} == {"wsop_players_reconciliation"}
    ]

    checks = reconcile(wsop_source(source_url, reconcile_action="delete"), gfx_sink, checks=[players_check])

    assert checks["wsop_players"].passed
    cleared = query(
        database_url,
        """SELECT count(*) FILTER (WHERE eliminated_by_player_id IS NULL AND status = 'eliminated'),
                  count(*) FILTER (WHERE eliminated_by_player_id IS NOT NULL AND NOT EXISTS
                      (SELECT 1 FROM wsop_players p WHERE p.id = eliminated_by_player_id))
           FROM wsop_event_players""",
    )
    assert victims > 0
    assert cleared == [(victims, 0)]


def test_the_dashboard_shows_the_entries_healthy_at_the_source_s_newest_stamp(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    sync(wsop_source(source_url), gfx_sink)

    dashboard = query(
        database_url,
        "SELECT status, health_status, watermark, records_synced FROM v_sync_dashboard "
        "WHERE source = 'wsop' AND entity_type = 'wsop_event_players'",
    )
    newest = one(source_url, "SELECT max(updated_at) FROM wsop_event_players")
    assert dashboard == [("success", "HEALTHY", newest, 500)]
