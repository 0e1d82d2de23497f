"""Operator views on both sinks: PC health lists every registered PC (synced or not) with its open
problems, open rejections keep a bad file's reason across later runs, dead letters show until their
file lands, the WSOP dashboard shows v_sync_dashboard, and every view is a table with a row count."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.operations.assets import (
    open_dead_letters,
    open_rejections,
    pc_health,
    wsop_sync_dashboard,
)
from gfx_assets.defs.operations.tables import MAX_TABLE_ROWS
from gfx_assets.lib.common.alerts import FailedRun, record_failure
from gfx_assets.lib.common.events import resolve_dead_letters
from gfx_assets.resources import GfxSink
from gfx_assets_tests.operations.support import CORRUPT_JSON, good_file, records, view, write_file
from gfx_assets_tests.support import materialization_metadata, nas, sync, write_registry


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    write_registry(root / "config" / "pc_registry.json", {"PC01": "PC01", "PC02": "PC02", "PC03": "PC03"})
    for pc, seed in (("PC01", 1), ("PC02", 2)):
        good_file(root / pc / "1201", seed)
    write_file(root / "PC01" / "1201" / "corrupt.json", CORRUPT_JSON)
    return root


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def test_pc_health_lists_every_registered_pc_with_its_open_problems(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    for pc in ("PC01", "PC02"):
        assert sync(instance, pc, nas(nas_root), gfx_sink).success
    metadata = view(instance, pc_health, nas(nas_root), gfx_sink)
    rows = {row["pc"]: row for row in records(metadata["pcs"])}
    assert set(rows) == {"PC01", "PC02", "PC03"}
    assert (rows["PC01"]["status"], rows["PC01"]["sessions"], rows["PC01"]["open_rejections"]) == (
        "online",
        1,
        1,
    )
    assert (rows["PC02"]["status"], rows["PC02"]["open_rejections"]) == ("online", 0)
    assert rows["PC01"]["latest_rejection"] == "PC01/1201/corrupt.json: invalid_json"
    assert rows["PC03"]["status"] == "never synced" and rows["PC03"]["in_registry"] is True
    assert metadata["dagster/row_count"] == 3
    assert metadata["pcs_with_open_problems"] == "PC01"


def test_a_rejected_file_stays_in_open_rejections_after_later_runs(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    assert materialization_metadata(sync(instance, "PC01", nas(nas_root), gfx_sink))["rejected"] == 1
    later = sync(instance, "PC01", nas(nas_root), gfx_sink)
    assert materialization_metadata(later)["rejected"] == 0  # nothing new to reject in this run
    metadata = view(instance, open_rejections, nas(nas_root), gfx_sink)
    [row] = records(metadata["rejections"])
    assert (row["pc"], row["file"], row["reason"]) == ("PC01", "PC01/1201/corrupt.json", "invalid_json")
    assert row["detail"] and row["since"]
    assert metadata["dagster/row_count"] == 1


def test_a_sync_shows_its_rejections_as_a_table_and_the_pc_row_count(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    metadata = materialization_metadata(sync(instance, "PC01", nas(nas_root), gfx_sink))
    assert isinstance(metadata["rejected_files"], dg.TableMetadataValue)
    [row] = records(metadata["rejected_files"])
    assert (row["file"], row["reason"]) == ("PC01/1201/corrupt.json", "invalid_json")
    assert metadata["dagster/row_count"] == 1


def test_a_dead_letter_shows_until_its_file_lands(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    path = "PC02/1201/late.json"
    failed = FailedRun("gfx_sessions_job", "run-1", "PC02", "sink unavailable: connection refused", (path,))
    with gfx_sink.open() as target:
        record_failure(target, failed, datetime.now(UTC))
    [row] = records(view(instance, open_dead_letters, nas(nas_root), gfx_sink)["dead_letters"])
    assert (row["source"], row["pc"], row["item"], row["attempts"]) == ("gfx", "PC02", path, 1)
    assert row["error"] == "sink unavailable: connection refused"
    health = {row["pc"]: row for row in records(view(instance, pc_health, nas(nas_root), gfx_sink)["pcs"])}
    assert health["PC02"]["open_dead_letters"] == 1
    with gfx_sink.open() as target:
        resolve_dead_letters(target, "gfx", "PC02", [path])
    assert view(instance, open_dead_letters, nas(nas_root), gfx_sink)["dagster/row_count"] == 0


def test_the_wsop_dashboard_shows_each_table_health(instance, nas_root: Path, gfx_sink: GfxSink) -> None:
    status = {"source": "wsop", "entity_type": "wsop_events", "status": "failed", "consecutive_failures": 3}
    with gfx_sink.open() as target:
        target.upsert("sync_status", [{**status, "last_error": "source down"}], ("source", "entity_type"))
    metadata = view(instance, wsop_sync_dashboard, nas(nas_root), gfx_sink)
    [row] = records(metadata["tables"])
    assert (row["entity_type"], row["health_status"], row["last_error"]) == (
        "wsop_events",
        "WARNING",
        "source down",
    )
    assert metadata["not_healthy"] == "wsop_events: WARNING"


def test_a_long_view_shows_the_first_rows_and_counts_them_all(
    instance, nas_root: Path, gfx_sink: GfxSink
) -> None:
    for number in range(MAX_TABLE_ROWS + 5):
        write_file(nas_root / "PC02" / "1202" / f"bad-{number:03}.json", b"")
    assert sync(instance, "PC02", nas(nas_root), gfx_sink).success
    metadata = view(instance, open_rejections, nas(nas_root), gfx_sink)
    assert len(metadata["rejections"].records) == MAX_TABLE_ROWS
    assert metadata["dagster/row_count"] == MAX_TABLE_ROWS + 5
    assert metadata["rows_shown"] == f"{MAX_TABLE_ROWS} of {MAX_TABLE_ROWS + 5}"
