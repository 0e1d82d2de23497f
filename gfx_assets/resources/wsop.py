"""The WSOP+ source as a Dagster resource: where to read, how far back, and the sync's cadence."""

import time
from datetime import datetime
from itertools import islice

import dagster as dg
from dagster._utils.schedules import cron_string_iterator  # the cron parser the schedule itself uses

from gfx_assets.lib.wsop.source import SOURCE_URL_SETTING
from gfx_assets.lib.wsop.status import Schedule
from gfx_assets.lib.wsop.sync import SyncOptions
from gfx_assets.resources.sinks import GfxSink, PostgresSinkResource


class WsopSource(dg.ConfigurableResource):
    """The WSOP+ source PostgreSQL. `url` is bound to GFX_WSOP_SOURCE_URL with dg.EnvVar, so the UI and
    run config show the variable's name, never the DSN; empty means not configured (runs fail, naming
    the variable)."""

    url: str = ""
    lookback_seconds: float = 600.0
    chunk_rows: int = 5000
    reconcile_action: str = "delete"  # delete | recopy | flag
    cron: str = "*/15 * * * *"
    timezone: str = "UTC"
    max_retries: int = 3  # step retries when the source or the sink is unreachable
    retry_base_seconds: float = 2.0  # first backoff; doubles per retry, with jitter

    def require_url(self) -> str:
        if not self.url:
            raise dg.Failure(
                f"{SOURCE_URL_SETTING} is not set: set it to the WSOP+ source PostgreSQL URL",
                allow_retries=False,
            )
        return self.url

    def options(self, sink: GfxSink) -> SyncOptions:
        """Sync options; a direct PostgreSQL sink gets the COPY fast path."""
        copy_url = sink.database.resolved_url() if isinstance(sink, PostgresSinkResource) else None
        return SyncOptions(self.require_url(), self.lookback_seconds, self.chunk_rows, copy_url)

    def schedule(self) -> Schedule:
        """The cron's interval and its next tick, for sync_status."""
        following, after = next_ticks(self.cron, self.timezone)
        return Schedule(int((after - following).total_seconds()), following)


def next_ticks(cron: str, timezone: str) -> tuple[datetime, datetime]:
    following, after = islice(cron_string_iterator(time.time(), cron, timezone), 2)
    return following, after


def cron_interval_seconds(cron: str, timezone: str) -> int:
    """The gap between the cron's next two ticks (the sync's interval; stale after twice this)."""
    following, after = next_ticks(cron, timezone)
    return int((after - following).total_seconds())
