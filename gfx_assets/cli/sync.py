"""`gfx-assets sync`: register PC partitions from the registry and materialize them in-process.

A PC with nothing new gets no run (cli/pending.py), and Dagster is imported and its storage opened only
when some PC has work: an empty sync takes about a second instead of several (BENCHMARKS.md)."""

from typing import TYPE_CHECKING

from gfx_assets.cli.errors import ConfigurationError
from gfx_assets.cli.pending import pc_work
from gfx_assets.cli.runtime import dagster_instance, embedded_server_in_use, migrate_target, require_nas_root
from gfx_assets.lib.nas_sync.registry import Registry, RegistryUnreadable, load_registry
from gfx_assets.settings import GfxSettings

if TYPE_CHECKING:
    import dagster as dg

# The run's full log is in the Dagster UI; the terminal gets warnings and the summary.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
SUMMARY_KEYS = ("files_scanned", "new", "unchanged", "duplicate", "rejected", "still_being_written")


def run_sync(settings: GfxSettings, pc_ids: list[str] | None) -> int:
    """Sync the PCs (default: every enabled PC); 0 when every run succeeded, rejections included."""
    registry = _registry(settings)
    for problem in registry.problems:
        print(f"warning: {problem}")
    enabled = registry.enabled()
    unknown = sorted(set(pc_ids or []) - set(enabled))
    if unknown:
        raise ConfigurationError(f"--pc: not enabled in the registry: {', '.join(unknown)}")
    with embedded_server_in_use(settings):
        migrate_target(settings)
        work = pc_work(settings, registry, pc_ids or list(enabled))
        for idle in (pc for pc in work if not pc.needs_run):
            print(idle.summary())
        to_run = [pc.pc_id for pc in work if pc.needs_run]
        return _sync_partitions(settings, list(enabled), to_run) if to_run else 0


def _registry(settings: GfxSettings) -> Registry:
    try:
        return load_registry(require_nas_root(settings), settings.pc_registry)
    except RegistryUnreadable as error:
        raise ConfigurationError(f"GFX_PC_REGISTRY: {error}") from None


def _sync_partitions(settings: GfxSettings, enabled: list[str], pc_ids: list[str]) -> int:
    from gfx_assets.definitions import defs
    from gfx_assets.defs.gfx_ingest.jobs import GFX_SYNC_JOB_NAME
    from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME

    job = defs().resolve_job_def(GFX_SYNC_JOB_NAME)
    failures = 0
    with dagster_instance(settings) as instance:  # disposed (connections closed) before the server stops
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, enabled)
        for pc_id in pc_ids:
            result = job.execute_in_process(
                instance=instance, partition_key=pc_id, raise_on_error=False, run_config=QUIET_CONSOLE
            )
            failures += not result.success
            print(_summary(pc_id, result))
    return 1 if failures else 0


def _summary(pc_id: str, result: "dg.ExecuteInProcessResult") -> str:
    if not result.success:
        return f"{pc_id}: FAILED (run {result.run_id}); see the run in the Dagster UI"
    metadata = result.asset_materializations_for_node("gfx_sessions")[0].metadata
    counts = ", ".join(f"{key} {metadata[key].value}" for key in SUMMARY_KEYS)
    return f"{pc_id}: ok, {counts}"
