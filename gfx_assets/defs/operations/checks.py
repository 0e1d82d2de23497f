"""`gfx_pc_open_problems`: a PC with open rejections or dead letters shows a warning on its partition."""

import dagster as dg

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import gfx_pc_partitions
from gfx_assets.defs.operations import columns
from gfx_assets.defs.operations.tables import table
from gfx_assets.lib.common.redaction import redact
from gfx_assets.lib.operations import views
from gfx_assets.lib.sinks.base import Row
from gfx_assets.resources import GfxSink

NO_PARTITION = (
    "gfx_pc_open_problems checks one PC at a time: execute it for a PC partition (Assets -> gfx_sessions "
    "-> Checks, pick a partition); every sync run of a PC evaluates it."
)


@dg.asset_check(
    asset=gfx_sessions,
    partitions_def=gfx_pc_partitions,
    blocking=False,
    description=(
        "Warns when the PC has files that are not in gfx_sessions for a known reason: open rejections "
        "(files that cannot be stored, see operations/open_rejections) or open dead letters (files of "
        "runs that failed for good, see operations/open_dead_letters). Evaluated after every sync of the "
        "PC; passes again once the files are fixed on the NAS and land."
    ),
)
def gfx_pc_open_problems(context: dg.AssetCheckExecutionContext, sink: GfxSink) -> dg.AssetCheckResult:
    if not context.op_execution_context.has_partition_key:
        raise dg.Failure(NO_PARTITION, allow_retries=False)
    pc_id = context.op_execution_context.partition_key
    try:
        with sink.open() as target:
            rejections = views.open_rejections(target, pc_id)
            dead_letters = views.open_dead_letters(target, pc_id)
    except Exception as error:  # a check reports; it never fails a run whose data has landed
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"could not read the open problems: {redact(f'{type(error).__name__}: {error}')}",
        )
    problems = [_rejected(row) for row in rejections] + [_dead_letter(row) for row in dead_letters]
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{pc_id}: {len(rejections)} open rejection(s), {len(dead_letters)} open dead letter(s)",
        # Counts stay in the description: numbers in metadata would be plotted with every PC in one line.
        metadata={"problems": table(problems, columns.PROBLEMS)},
    )


def _rejected(row: Row) -> Row:
    why = f"{row['reason']}: {row['detail']}" if row["detail"] else row["reason"]
    return {"kind": "rejected", "file": row["file"], "why": why, "since": row["since"]}


def _dead_letter(row: Row) -> Row:
    return {"kind": "dead letter", "file": row["item"], "why": row["error"], "since": row["since"]}
