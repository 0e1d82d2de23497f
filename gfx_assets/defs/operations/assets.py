"""Operator views as assets: each materialization reads the database and shows it as a table."""

import dagster as dg

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.operations import columns
from gfx_assets.defs.operations.tables import table_metadata
from gfx_assets.lib.nas_sync.registry import RegistryUnreadable
from gfx_assets.lib.operations import views
from gfx_assets.resources import GfxSink, NasResource, PcWatch

OPERATIONS = "operations"
OPERATIONS_KIND = {"postgres", "table"}
# No deps on gfx_sessions or the WSOP assets: every sync would mark these views "Unsynced" in the UI
# although the schedule keeps them at most two minutes old.
REFRESH_NOTE = " Refreshed every 2 minutes by operations_refresh_schedule; Materialize to refresh now."


@dg.asset(
    key_prefix=OPERATIONS,
    group_name=OPERATIONS,
    kinds=OPERATIONS_KIND,
    description=(
        "Health of every GFX PC, one row each: online / idle / offline (or never synced), silent (stopped "
        "writing mid-show), last file, last sync, "
        "sessions stored, open rejections and open dead letters. PCs come from the NAS registry and "
        "from pc_status, so a registered PC that never synced is listed too." + REFRESH_NOTE
    ),
)
def pc_health(
    context: dg.AssetExecutionContext, nas: NasResource, sink: GfxSink, pc_watch: PcWatch
) -> dg.MaterializeResult:
    registered = _registered_pcs(context, nas)
    with sink.open() as target:
        rows = views.pc_health(target, registered, pc_watch.silent_after)
    troubled = [row["pc"] for row in rows if row["open_rejections"] or row["open_dead_letters"]]
    return dg.MaterializeResult(
        metadata={
            **table_metadata("pcs", rows, columns.PC_HEALTH),
            "pcs_with_open_problems": dg.MetadataValue.text(", ".join(troubled) or "none"),
            "never_synced": sum(row["status"] == views.NEVER_SYNCED for row in rows),
            "silent": dg.MetadataValue.text(
                ", ".join(r["pc"] for r in rows if r["status"] == views.SILENT) or "none"
            ),
        }
    )


@dg.asset(
    key_prefix=OPERATIONS,
    group_name=OPERATIONS,
    kinds=OPERATIONS_KIND,
    description=(
        "NAS files that cannot be stored (gfx_rejected_files), newest first, with the reason and the "
        "parser's or database's detail. A file leaves this list once a fixed version of it lands."
        + REFRESH_NOTE
    ),
)
def open_rejections(sink: GfxSink) -> dg.MaterializeResult:
    with sink.open() as target:
        rows = views.open_rejections(target)
    return dg.MaterializeResult(metadata=table_metadata("rejections", rows, columns.REJECTIONS))


@dg.asset(
    key_prefix=OPERATIONS,
    group_name=OPERATIONS,
    kinds=OPERATIONS_KIND,
    description=(
        "Dead letters (gfx_sync_failures with resolved_at empty): NAS files and WSOP tables whose run "
        "failed for good and that have not landed since. The sensor re-requests NAS files with backoff; "
        "an item leaves this list as soon as it lands." + REFRESH_NOTE
    ),
)
def open_dead_letters(sink: GfxSink) -> dg.MaterializeResult:
    with sink.open() as target:
        rows = views.open_dead_letters(target)
    return dg.MaterializeResult(metadata=table_metadata("dead_letters", rows, columns.DEAD_LETTERS))


@dg.asset(
    key_prefix=OPERATIONS,
    group_name=OPERATIONS,
    kinds=OPERATIONS_KIND,
    description=(
        "v_sync_dashboard: per WSOP+ table its health (CRITICAL, WARNING, STALE, ERROR, HEALTHY), lag "
        "behind the source, watermark, failures in a row and last error." + REFRESH_NOTE
    ),
)
def wsop_sync_dashboard(sink: GfxSink) -> dg.MaterializeResult:
    with sink.open() as target:
        rows = views.sync_dashboard(target)
    unhealthy = [
        f"{row['entity_type']}: {row['health_status']}" for row in rows if row["health_status"] != "HEALTHY"
    ]
    return dg.MaterializeResult(
        metadata={
            **table_metadata("tables", rows, columns.DASHBOARD),
            "not_healthy": dg.MetadataValue.text(", ".join(unhealthy) or "none"),
        }
    )


def _registered_pcs(context: dg.AssetExecutionContext, nas: NasResource) -> set[str]:
    """The registry's enabled PCs; while it cannot be read, the PC partitions (the last good one)."""
    try:
        return set(nas.registry().enabled())
    except RegistryUnreadable as error:
        context.log.warning(f"{error}; listing the PCs of the gfx_pc partitions instead")
        return set(context.instance.get_dynamic_partitions(GFX_PC_PARTITIONS_NAME))
