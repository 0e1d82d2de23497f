"""Foreign keys hold on both sinks: chip counts are synced after events and players, and a chip count
whose player appeared at the source after the players' sync brings that player along."""

from gfx_assets.defs.wsop_sync.assets import wsop_chip_counts, wsop_events, wsop_players
from gfx_assets.resources import GfxSink
from gfx_assets_tests.wsop.support import assert_same_rows, execute, sync, wsop_source


def test_chip_counts_depend_on_events_and_players() -> None:
    [dependencies] = wsop_chip_counts.asset_deps.values()
    assert set(dependencies) == {wsop_events.key, wsop_players.key}


def test_chip_counts_are_written_after_events_and_players_in_a_run(
    source_url: str, gfx_sink: GfxSink
) -> None:
    result = sync(wsop_source(source_url), gfx_sink)

    order = [
        event.step_key
        for event in result.all_events
        if event.event_type_value in ("STEP_START", "STEP_SUCCESS")
    ]
    chip_counts_start = order.index("wsop_chip_counts")
    assert (
        max(len(order) - 1 - order[::-1].index(step) for step in ("wsop_events", "wsop_players"))
        < chip_counts_start
    )


def test_a_chip_count_of_a_player_added_after_the_players_sync_brings_the_player(
    source_url: str, database_url: str, gfx_sink: GfxSink
) -> None:
    source = wsop_source(source_url)
    sync(source, gfx_sink)
    execute(
        source_url,
        "INSERT INTO wsop_events (event_id, event_name, event_type) VALUES ('EV-NEW', 'New', 'OTHER')",
    )
    execute(source_url, "INSERT INTO wsop_players (wsop_player_id, name) VALUES ('P-NEW', 'Newcomer')")
    execute(
        source_url,
        """INSERT INTO wsop_chip_counts (event_id, player_id, chip_count)
           SELECT e.id, p.id, 77000 FROM wsop_events e, wsop_players p
           WHERE e.event_id = 'EV-NEW' AND p.wsop_player_id = 'P-NEW'""",
    )

    result = sync(source, gfx_sink, assets=[wsop_chip_counts])  # chip counts alone, as a UI re-run would

    assert result.success
    assert_same_rows(source_url, database_url)
