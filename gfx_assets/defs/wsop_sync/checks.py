"""`<table>_reconciliation`: the hourly comparison of each WSOP table with the source."""

import dagster as dg

from gfx_assets.defs.wsop_sync.assets import WSOP_ASSETS
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.sinks import SinkError, SinkUnavailable
from gfx_assets.lib.wsop.errors import SourceUnavailable
from gfx_assets.lib.wsop.reconcile import MAX_EXAMPLES, Reconciliation, reconcile_table
from gfx_assets.lib.wsop.tables import WSOP_TABLES
from gfx_assets.resources import GfxSink, WsopSource

_ACTIONS = {
    "delete": "rows deleted at the source are deleted, missing and changed rows re-copied",
    "recopy": "missing and changed rows are re-copied, rows deleted at the source are only flagged",
    "flag": "nothing is changed, every difference is flagged",
}


def _reconciliation_check(asset: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    table = WSOP_TABLES[asset.key.path[-1]]

    @dg.asset_check(
        asset=asset,
        name=f"{table.name}_reconciliation",
        blocking=False,
        description=(
            f"Compares {table.name} with the WSOP+ source: row keys and checksums of 256 key ranges, then "
            "row by row in the ranges that differ. Finds rows deleted at the source and rows changed "
            "without a new timestamp (chip counts corrected in place). GFX_WSOP_RECONCILE_ACTION says "
            "what happens: " + "; ".join(f"{name}: {what}" for name, what in _ACTIONS.items()) + ". "
            "Fails while any difference is left in place."
        ),
    )
    def _check(wsop_source: WsopSource, sink: GfxSink) -> dg.AssetCheckResult:
        options = wsop_source.options(sink)
        with sink.open() as target:
            try:
                result = reconcile_table(target, table, options, wsop_source.reconcile_action)
            except (SourceUnavailable, SinkUnavailable, SinkError) as error:
                raise dg.Failure(redact(f"{table.name}: {error}", secrets=[wsop_source.url])) from None
        return _result(result)

    return _check


def _result(result: Reconciliation) -> dg.AssetCheckResult:
    found = len(result.deleted_at_source) + len(result.missing) + len(result.differing)
    return dg.AssetCheckResult(
        passed=result.unresolved == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{result.source_rows} source rows, {result.target_rows} target rows; {found} difference(s) "
            f"({len(result.deleted_at_source)} deleted at the source, {len(result.missing)} missing, "
            f"{len(result.differing)} changed); action {result.action}: {result.removed} removed, "
            f"{result.recopied} re-copied, {result.unresolved} left flagged"
        ),
        metadata={
            "source_rows": result.source_rows,
            "target_rows": result.target_rows,
            "ranges_differing": len(result.ranges_differing),
            "deleted_at_source": len(result.deleted_at_source),
            "missing": len(result.missing),
            "changed": len(result.differing),
            "removed": result.removed,
            "recopied": result.recopied,
            "unresolved": result.unresolved,
            "examples": dg.MetadataValue.json(
                {
                    "deleted_at_source": [str(key) for key in result.deleted_at_source[:MAX_EXAMPLES]],
                    "missing": [str(key) for key in result.missing[:MAX_EXAMPLES]],
                    "changed": [str(key) for key in result.differing[:MAX_EXAMPLES]],
                }
            ),
        },
    )


WSOP_RECONCILIATION_CHECKS = [_reconciliation_check(asset) for asset in WSOP_ASSETS]
