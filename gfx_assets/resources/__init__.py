"""Resources bound from the one settings object; secrets are bound with dg.EnvVar, never by value."""

import dagster as dg

from gfx_assets.resources.alerts import AlertWebhook
from gfx_assets.resources.database import GfxDatabase
from gfx_assets.resources.nas import NasResource
from gfx_assets.resources.sinks import GfxSink, PostgresSinkResource, SupabaseSinkResource
from gfx_assets.settings import GfxSettings

__all__ = [
    "AlertWebhook",
    "GfxDatabase",
    "GfxSink",
    "NasResource",
    "PostgresSinkResource",
    "SupabaseSinkResource",
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
            max_body_bytes=settings.rest_max_body_bytes,
        )
    return PostgresSinkResource(database=_database(settings), batch_size=settings.batch_size)


def build(settings: GfxSettings) -> dict[str, dg.ConfigurableResource]:
    return {
        "database": _database(settings),
        "sink": _sink(settings),
        "alert_webhook": AlertWebhook(
            url=dg.EnvVar("GFX_ALERT_WEBHOOK_URL") if settings.alert_webhook_url else ""
        ),
        "nas": NasResource(
            root=str(settings.resolved_nas_root),
            registry_file=str(settings.pc_registry.resolve()) if settings.pc_registry else "",
            settle_seconds=settings.settle_seconds,
            max_file_bytes=settings.max_file_bytes,
            max_files_per_run=settings.rescan_threshold,
        ),
    }
