"""The WSOP+ assets: one table each; event entries and chip counts after events and players, so foreign
keys hold."""

import time
from datetime import timedelta

import dagster as dg

from gfx_assets.defs.wsop_sync.failures import fail_sync
from gfx_assets.lib.common.events import resolve_dead_letters
from gfx_assets.lib.wsop.sync import TableSync, sync_table
from gfx_assets.lib.wsop.tables import CHIP_COUNTS, EVENT_PLAYERS, EVENTS, PLAYERS, SOURCE, WsopTable
from gfx_assets.resources import GfxSink, WsopSource
from gfx_assets.resources.wsop import cron_interval_seconds
from gfx_assets.settings import get_settings

WSOP_GROUP = "wsop_sync"
WSOP_TAGS = {"gfx/source": SOURCE}  # shown on the runs page; the failure sensor goes by asset name

# Late syncs show in the UI: the freshness warns after 1.5 intervals of the schedule without a sync and
# fails after two, the same rule as STALE in v_sync_dashboard.
_settings = get_settings()
WSOP_INTERVAL = timedelta(seconds=cron_interval_seconds(_settings.wsop_cron, _settings.wsop_timezone))
WSOP_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=2 * WSOP_INTERVAL, warn_window=1.5 * WSOP_INTERVAL
)

_DESCRIPTIONS = {
    EVENTS.name: "WSOP+ events (schedule, buy-ins, prize pools, status)",
    PLAYERS.name: "WSOP+ players (names, countries, bracelets, earnings)",
    EVENT_PLAYERS.name: (
        "WSOP+ event entries (seat, stack, rank, status, elimination, prize, bounties per player and event), "
        "after events and players"
    ),
    CHIP_COUNTS.name: "WSOP+ chip counts (stack per player and level), after events and players",
}


def _wsop_asset(table: WsopTable, deps: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        name=table.name,
        deps=deps,
        group_name=WSOP_GROUP,
        kinds={"postgres"},
        tags=WSOP_TAGS,
        op_tags=WSOP_TAGS,
        freshness_policy=WSOP_FRESHNESS,
        description=(
            f"{_DESCRIPTIONS[table.name]}, copied from the WSOP+ source database. Each run reads the rows "
            f"whose {table.version_column} is at or after the last watermark minus a lookback, upserts them "
            "on id, then moves the watermark in sync_status. Metadata: rows read, upserted (new or "
            "changed) and unchanged, the watermark before and after, and the lag behind the source."
        ),
    )
    def _sync(
        context: dg.AssetExecutionContext, wsop_source: WsopSource, sink: GfxSink
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        options = wsop_source.options(sink)
        with sink.open() as target:
            try:
                result = sync_table(target, table, options, wsop_source.schedule())
            except Exception as error:  # every failure is counted in sync_status, then leaves
                fail_sync(context, wsop_source, target, table.name, error)
            resolve_dead_letters(target, "wsop", "", [table.name])  # the table is in sync again
        context.log.info(
            f"{table.name}: read {result.rows_read}, upserted {result.rows_upserted}, "
            f"unchanged {result.rows_unchanged}; "
            f"watermark {result.watermark_before} -> {result.watermark_after}"
        )
        return dg.MaterializeResult(
            metadata=sync_metadata(result, options.copy_target_url is not None, started)
        )

    return _sync


def sync_metadata(result: TableSync, copy_path: bool, started: float) -> dict[str, object]:
    return {
        "rows_read": result.rows_read,
        "rows_upserted": result.rows_upserted,
        "rows_unchanged": result.rows_unchanged,
        "watermark_before": _timestamp(result.watermark_before),
        "watermark_after": _timestamp(result.watermark_after),
        "lag_seconds": dg.MetadataValue.float(result.lag_seconds) if result.lag_seconds is not None else None,
        "dagster/row_count": result.source_rows,
        "write_path": "COPY + INSERT ON CONFLICT" if copy_path else "sink upsert",
        "duration_seconds": round(time.monotonic() - started, 3),
    }


def _timestamp(value) -> dg.MetadataValue:
    return dg.MetadataValue.timestamp(value) if value else dg.MetadataValue.text("none (first sync)")


wsop_events = _wsop_asset(EVENTS, [])
wsop_players = _wsop_asset(PLAYERS, [])
wsop_event_players = _wsop_asset(EVENT_PLAYERS, [wsop_events, wsop_players])
wsop_chip_counts = _wsop_asset(CHIP_COUNTS, [wsop_events, wsop_players])
WSOP_ASSETS = [wsop_events, wsop_players, wsop_event_players, wsop_chip_counts]
