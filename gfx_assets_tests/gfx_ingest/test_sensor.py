"""gfx_nas_sensor ticks: what it requests for new, unchanged, rewritten and unsettled files, how it
keeps PC partitions in step with the registry, how it re-requests files whose run failed, and that a PC
already being synced (by any run) gets no second run."""

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.lib.pokergfx.synthetic import seed_nas
from gfx_assets.resources import GfxDatabase, GfxSink, PostgresSinkResource
from gfx_assets_tests.gfx_ingest.sensor_ticks import (
    MINUTE_AGO,
    new_session,
    requested_files,
    requests_by_pc,
    tick,
)
from gfx_assets_tests.support import nas, sync


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    for path in seed_nas(root, ["PC01", "PC02"], sessions_per_pc=2, hands=(1, 3)):
        os.utime(path, (MINUTE_AGO, MINUTE_AGO))
    return root


@pytest.fixture
def instance(pg_instance: dg.DagsterInstance) -> dg.DagsterInstance:
    """On PostgreSQL, as deployed: the sensor's query of runs in flight runs against that storage."""
    pg_instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01", "PC02"])
    return pg_instance


@pytest.mark.parametrize("job_name", ["gfx_sessions_job", "__ASSET_JOB"])
def test_a_pc_that_a_run_is_syncing_now_gets_no_second_run(
    instance, nas_root: Path, gfx_sink: GfxSink, job_name: str
) -> None:
    """Whether the sensor or the UI (Materialize, backfill) launched the run in flight."""
    instance.add_run(
        dg.DagsterRun(
            job_name=job_name,
            status=dg.DagsterRunStatus.STARTED,
            tags={"dagster/partition": "PC01"},
            asset_selection=frozenset({gfx_sessions.key}),
        )
    )
    assert set(requests_by_pc(tick(instance, nas_root, gfx_sink))) == {"PC02"}


def test_a_new_file_gives_a_run_request_naming_it(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    requests = requests_by_pc(tick(instance, nas_root, gfx_sink))
    assert set(requests) == {"PC01", "PC02"}
    assert sorted(requested_files(requests["PC01"])) == sorted(
        p.relative_to(nas_root).as_posix() for p in (nas_root / "PC01").rglob("*.json")
    )


def test_no_change_after_a_sync_gives_no_request(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    for pc in ("PC01", "PC02"):
        assert sync(instance, pc, nas(nas_root), gfx_sink).success
    result = tick(instance, nas_root, gfx_sink)
    assert not result.run_requests
    assert result.skip_reason is not None


def test_a_rewritten_file_gets_a_new_run_key(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    first = tick(instance, nas_root, gfx_sink)
    path = next((nas_root / "PC01").rglob("*.json"))
    path.write_bytes(path.read_bytes())  # PokerGFX rewrites in place: new mtime
    os.utime(path, (MINUTE_AGO + 30, MINUTE_AGO + 30))
    second = tick(instance, nas_root, gfx_sink, cursor=first.cursor)
    assert requests_by_pc(second)["PC01"].run_key != requests_by_pc(first)["PC01"].run_key
    assert "PC02" not in requests_by_pc(second)  # same files, same key: still backing off


def test_an_unsettled_file_waits(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    for pc in ("PC01", "PC02"):
        sync(instance, pc, nas(nas_root), gfx_sink)
    new_session(nas_root / "PC01" / "1101", seed=5, mtime=time.time())
    assert not tick(instance, nas_root, gfx_sink, settle_seconds=30).run_requests
    assert set(requests_by_pc(tick(instance, nas_root, gfx_sink, settle_seconds=0))) == {"PC01"}


def test_files_whose_run_failed_are_requested_again_after_backoff_under_a_new_key(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    first = tick(instance, nas_root, gfx_sink)
    assert not tick(instance, nas_root, gfx_sink, cursor=first.cursor).run_requests
    cursor = json.loads(first.cursor)
    for request in cursor["requests"].values():
        request["at"] -= 3600  # the run ended long ago and its files are still not in the manifest
    retried = requests_by_pc(tick(instance, nas_root, gfx_sink, cursor=json.dumps(cursor)))
    assert retried["PC01"].run_key == requests_by_pc(first)["PC01"].run_key + ":redrive-1"
    assert retried["PC01"].tags["gfx/trigger"] == "redrive"


def test_more_changed_files_than_the_threshold_request_a_rescan(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    requests = requests_by_pc(tick(instance, nas_root, gfx_sink, max_files_per_run=1))
    assert requested_files(requests["PC01"]) is None


def test_a_new_pc_in_the_registry_adds_its_partition(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    instance.delete_dynamic_partition(GFX_PC_PARTITIONS_NAME, "PC02")
    result = tick(instance, nas_root, gfx_sink)
    assert result.dynamic_partitions_requests == [
        dg.AddDynamicPartitionsRequest(GFX_PC_PARTITIONS_NAME, ["PC02"])
    ]


def test_a_pc_taken_out_of_the_registry_loses_its_partition(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    registry = nas_root / "config" / "pc_registry.json"
    document = json.loads(registry.read_text())
    registry.write_text(json.dumps({"pcs": document["pcs"][:1]}))
    result = tick(instance, nas_root, gfx_sink)
    assert result.dynamic_partitions_requests == [
        dg.DeleteDynamicPartitionsRequest(GFX_PC_PARTITIONS_NAME, ["PC02"])
    ]


def test_an_unreadable_registry_keeps_the_last_good_one(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    tick(instance, nas_root, gfx_sink)
    (nas_root / "config" / "pc_registry.json").write_text('{"pcs": [')
    result = tick(instance, nas_root, gfx_sink)  # no cursor: the last good registry is not kept there
    assert not result.dynamic_partitions_requests
    assert set(requests_by_pc(result)) == {"PC01", "PC02"}  # the PCs of the last good registry


def test_the_cursor_holds_per_pc_bookkeeping_not_the_registry(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    older = json.dumps({"registry": [{"id": "PC01", "watch_path": "PC01"}], "requests": {}, "watermarks": {}})
    cursor = json.loads(tick(instance, nas_root, gfx_sink, cursor=older).cursor)
    assert set(cursor) == {"requests", "watermarks", "synced"}
    assert set(cursor["watermarks"]) == {"PC01", "PC02"}


def test_a_bad_registry_entry_is_skipped_and_the_others_kept(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    registry = nas_root / "config" / "pc_registry.json"
    document = json.loads(registry.read_text())
    document["pcs"].append({"id": "PC03", "watch_path": "../outside"})
    registry.write_text(json.dumps(document))
    result = tick(instance, nas_root, gfx_sink)
    assert set(requests_by_pc(result)) == {"PC01", "PC02"}
    assert not result.dynamic_partitions_requests


def test_while_the_database_is_unreachable_new_files_are_still_requested(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    for pc in ("PC01", "PC02"):
        sync(instance, pc, nas(nas_root), gfx_sink)
    before = tick(instance, nas_root, gfx_sink)
    new = new_session(nas_root / "PC01" / "1101", seed=5, mtime=time.time() - 2)
    dead = GfxDatabase(url="postgresql://postgres@127.0.0.1:1/gfx")
    down = PostgresSinkResource(database=dead, request_deadline_seconds=0.3, request_backoff_seconds=0.05)
    during = tick(instance, nas_root, down, cursor=before.cursor)
    [request] = during.run_requests
    assert request.run_key.endswith(":unverified")
    assert requested_files(request) == [new.relative_to(nas_root).as_posix()]
    after = requests_by_pc(tick(instance, nas_root, gfx_sink, cursor=during.cursor))
    assert "PC01" not in after  # same files as the unverified request: backing off, then a new key
