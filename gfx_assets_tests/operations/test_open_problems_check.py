"""gfx_pc_open_problems: each sync of a PC evaluates it on the PC's partition; a PC with open
rejections or dead letters gets a WARN failure naming them, a clean PC passes, the run still
succeeds, and the history is kept per partition."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.operations.checks import gfx_pc_open_problems
from gfx_assets.lib.common.alerts import FailedRun, record_failure
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession
from gfx_assets.resources import GfxSink
from gfx_assets_tests.operations.support import CORRUPT_JSON, good_file, records, write_file
from gfx_assets_tests.support import nas, write_registry

CHECK = dg.AssetCheckKey(gfx_sessions.key, "gfx_pc_open_problems")


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    write_registry(root / "config" / "pc_registry.json", {"PC01": "PC01", "PC02": "PC02"})
    for pc, seed in (("PC01", 1), ("PC02", 2)):
        good_file(root / pc / "1201", seed)
    return root


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01", "PC02"])
        yield instance


def _sync(instance: dg.DagsterInstance, pc: str, nas_root: Path, sink: GfxSink) -> dg.AssetCheckEvaluation:
    result = dg.materialize(
        [gfx_sessions, gfx_pc_open_problems],
        partition_key=pc,
        instance=instance,
        resources={"nas": nas(nas_root), "sink": sink},
    )
    assert result.success  # a warning never fails the sync
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_pc_with_a_rejected_file_warns_and_a_clean_pc_passes(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    write_file(nas_root / "PC01" / "1201" / "corrupt.json", CORRUPT_JSON)
    warned = _sync(instance, "PC01", nas_root, gfx_sink)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.partition == "PC01"
    [problem] = records(warned.metadata["problems"].value)
    assert (problem["kind"], problem["file"]) == ("rejected", "PC01/1201/corrupt.json")
    assert problem["why"].startswith("invalid_json")
    assert _sync(instance, "PC02", nas_root, gfx_sink).passed


def test_an_open_dead_letter_warns_until_its_file_lands(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    [path] = [p.relative_to(nas_root).as_posix() for p in (nas_root / "PC02").rglob("*.json")]
    failed = FailedRun("gfx_sessions_job", "run-1", "PC02", "sink unavailable", (path,))
    with gfx_sink.open() as target:
        record_failure(target, failed, datetime.now(UTC))
    # the file is stored by this very run, which resolves its dead letter before the check reads
    assert _sync(instance, "PC02", nas_root, gfx_sink).passed
    other = "PC02/1201/never-landed.json"
    with gfx_sink.open() as target:
        record_failure(
            target, FailedRun("gfx_sessions_job", "run-2", "PC02", "sink down", (other,)), datetime.now(UTC)
        )
    warned = _sync(instance, "PC02", nas_root, gfx_sink)
    assert not warned.passed
    [problem] = records(warned.metadata["problems"].value)
    assert (problem["kind"], problem["file"], problem["why"]) == ("dead letter", other, "sink down")
    assert warned.description == "PC02: 0 open rejection(s), 1 open dead letter(s)"


def test_the_check_history_is_kept_per_pc(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    write_file(nas_root / "PC01" / "1201" / "corrupt.json", CORRUPT_JSON)
    _sync(instance, "PC01", nas_root, gfx_sink)
    _sync(instance, "PC02", nas_root, gfx_sink)
    write_file(nas_root / "PC01" / "1201" / "corrupt.json", _valid_session())  # fixed on the NAS
    _sync(instance, "PC01", nas_root, gfx_sink)
    history = {
        pc: [
            record.status
            for record in instance.event_log_storage.get_asset_check_execution_history(
                CHECK, limit=10, partition_filter=PartitionKeyFilter(key=pc)
            )
        ]
        for pc in ("PC01", "PC02")
    }
    failed, passed = AssetCheckExecutionRecordStatus.FAILED, AssetCheckExecutionRecordStatus.SUCCEEDED
    assert history == {"PC01": [passed, failed], "PC02": [passed]}


def _valid_session() -> bytes:
    session = SyntheticSession(9)
    session.add_hand()
    return session.to_json_bytes()
