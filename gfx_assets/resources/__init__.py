"""Resources bound from the one settings object; secrets are bound with dg.EnvVar, never by value."""

import dagster as dg

from gfx_assets.resources.alerts import AlertWebhook
from gfx_assets.resources.database import GfxDatabase
from gfx_assets.resources.nas import NasResource
from gfx_assets.resources.pc_watch import PcWatch
from gfx_assets.resources.run_retention import RunRetention
from gfx_assets.resources.sinks import GfxSink, PostgresSinkResource, SupabaseSinkResource
from gfx_assets.resources.snapshots import SnapshotRetention
from gfx_assets.resources.wsop import WsopSource
from gfx_assets.settings import GfxSettings

__all__ = [
    "AlertWebhook",
    "GfxDatabase",
    "GfxSink",
    "NasResource",
    "PcWatch",
    "RunRetention",
    "PostgresSinkResource",
    "SnapshotRetention",
    "SupabaseSinkResource",
    "WsopSource",
    "build",
]


def _database(settings: GfxSettings) -> GfxDatabase:
    url = dg.EnvVar("GFX_DATABASE_URL") if settings.database_url else ""
    return GfxDatabase(url=url, home=str(settings.home.resolve()))


def _sink(settings: GfxSettings) -> GfxSink:
    if settings.sink == "supabase":
        return SupabaseSinkResource(
            url=str(settings.supabase_url),
            service_key=dg.EnvVar("GFX_SUPABASE_SERVICE_KEY"),
            batch_size=settings.batch_size,
            hand_load_processes=settings.hand_load_processes,
            max_body_bytes=settings.rest_max_body_bytes,
            request_deadline_seconds=settings.sink_request_deadline_seconds,
        )
    return PostgresSinkResource(
        database=_database(settings),
        connections=settings.landing_connections,
        batch_size=settings.batch_size,
        hand_load_processes=settings.hand_load_processes,
        request_deadline_seconds=settings.sink_request_deadline_seconds,
    )


def _wsop_source(settings: GfxSettings) -> WsopSource:
    return WsopSource(
        url=dg.EnvVar("GFX_WSOP_SOURCE_URL") if settings.wsop_source_url else "",
        lookback_seconds=settings.wsop_lookback_seconds,
        chunk_rows=settings.wsop_chunk_rows,
        reconcile_action=settings.wsop_reconcile_action,
        cron=settings.wsop_cron,
        timezone=settings.wsop_timezone,
    )


def build(settings: GfxSettings) -> dict[str, dg.ConfigurableResource]:
    return {
        "database": _database(settings),
        "sink": _sink(settings),
        "wsop_source": _wsop_source(settings),
        "alert_webhook": AlertWebhook(
            url=dg.EnvVar("GFX_ALERT_WEBHOOK_URL") if settings.alert_webhook_url else ""
        ),
        "snapshot_retention": SnapshotRetention(mode=settings.snapshot_retention),
        "pc_watch": PcWatch(silent_minutes=settings.pc_silent_minutes),
        "run_retention": RunRetention(days=settings.run_retention_days),
        "nas": NasResource(
            root=str(settings.resolved_nas_root),
            registry_file=str(settings.pc_registry.resolve()) if settings.pc_registry else "",
            settle_seconds=settings.settle_seconds,
            still_writing_seconds=settings.still_writing_seconds,
            quiet_seconds=settings.nas_quiet_seconds,
            rescan_seconds=settings.nas_rescan_seconds,
            max_file_bytes=settings.max_file_bytes,
            max_files_per_run=settings.rescan_threshold,
        ),
    }
