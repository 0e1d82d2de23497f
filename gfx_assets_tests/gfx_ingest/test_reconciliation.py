"""gfx_sessions_reconciliation: a file whose content is in neither the ledger gfx_session_snapshots nor
gfx_rejected_files fails the check with its path; a file written moments ago is in flight, not missing,
by the same rule ingestion uses; a sensor run's check covers its files; the check never fails the run;
run without a PC it says how to pick one; the hourly schedule sweeps every PC. Its counts are in its
description and tables, never numeric metadata (the UI would plot every PC in one line)."""

import os
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.defs.gfx_ingest.checks import gfx_sessions_reconciliation
from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.defs.gfx_ingest.schedules import gfx_reconciliation_schedule
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import (
    check_counts,
    check_files,
    check_only,
    materialization_metadata,
    nas,
    postgres_sink,
    query,
    reconciliation,
    seeded_nas,
    sync,
)

HOUR_AGO = time.time() - 3600


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    return seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3, hands=(1, 2))


def _new_file(nas_root: Path, mtime: float, seed: int = 77) -> Path:
    session = SyntheticSession(seed)
    session.add_hand()
    path = nas_root / "PC01" / "1122" / session.file_name
    write_session(path, session)
    os.utime(path, (mtime, mtime))
    return path


def test_a_synced_folder_passes_with_every_file_accounted_for(nas_root: Path, gfx_sink: GfxSink) -> None:
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(nas_root), gfx_sink)
        evaluation = check_only(instance, "PC01", nas(nas_root), gfx_sink)
    assert evaluation.passed
    assert check_counts(evaluation) == {
        "checked": 3,
        "accounted": 3,
        "missing": 0,
        "in_flight": 0,
        "stale": 0,
    }
    assert evaluation.description.startswith("3/3 files accounted for, 0 missing")


def test_a_lost_row_fails_the_check_naming_the_file(
    nas_root: Path, gfx_sink: GfxSink, database_url: str
) -> None:
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(nas_root), gfx_sink)
        [(lost,)] = query(
            database_url,
            "DELETE FROM gfx_session_snapshots WHERE file_hash = (SELECT file_hash FROM gfx_session_snapshots"
            " LIMIT 1) RETURNING nas_path",
        )
        evaluation = check_only(instance, "PC01", nas(nas_root), gfx_sink)
    assert not evaluation.passed
    assert check_counts(evaluation)["missing"] == 1
    [path] = check_files(evaluation, "missing")
    assert path.startswith("PC01/") and path.endswith(".json")
    assert path == lost


def test_an_old_file_never_synced_is_missing(nas_root: Path, gfx_sink: GfxSink) -> None:
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(nas_root), gfx_sink)
        _new_file(nas_root, mtime=HOUR_AGO)
        evaluation = check_only(instance, "PC01", nas(nas_root), gfx_sink)
    assert not evaluation.passed
    assert check_counts(evaluation)["missing"] == 1


def test_a_file_written_moments_ago_is_in_flight_not_missing(nas_root: Path, gfx_sink: GfxSink) -> None:
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(nas_root), gfx_sink)
        _new_file(nas_root, mtime=time.time() - 5)
        evaluation = check_only(instance, "PC01", nas(nas_root), gfx_sink)
    assert evaluation.passed
    assert (check_counts(evaluation)["in_flight"], check_counts(evaluation)["missing"]) == (1, 0)


def test_the_counts_show_as_description_and_tables_without_a_numeric_series(
    nas_root: Path, gfx_sink: GfxSink
) -> None:
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", nas(nas_root), gfx_sink)
        old, young = _new_file(nas_root, mtime=HOUR_AGO), _new_file(nas_root, mtime=time.time() - 5, seed=78)
        evaluation = check_only(instance, "PC01", nas(nas_root), gfx_sink)
    assert evaluation.description == (
        "3/5 files accounted for, 1 missing, 1 changed in the last 300 s and not synced yet, 0 stale"
    )
    assert {key: type(value) for key, value in evaluation.metadata.items()} == {
        "counts": dg.TableMetadataValue,
        "files": dg.TableMetadataValue,
    }
    assert not [
        key
        for key, value in evaluation.metadata.items()
        if isinstance(value, (dg.IntMetadataValue, dg.FloatMetadataValue))
    ]
    assert check_counts(evaluation) == {
        "checked": 5,
        "accounted": 3,
        "missing": 1,
        "in_flight": 1,
        "stale": 0,
    }
    relative = [path.relative_to(nas_root).as_posix() for path in (old, young)]
    assert [check_files(evaluation, "missing"), check_files(evaluation, "in_flight")] == [
        [relative[0]],
        [relative[1]],
    ]


def test_the_hourly_schedule_sweeps_every_pc_partition() -> None:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01", "PC02"])
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 21, 13)
        ) as context:
            requests = gfx_reconciliation_schedule(context)
    assert sorted(request.partition_key for request in requests) == ["PC01", "PC02"]
    assert len({request.run_key for request in requests}) == 2


def test_a_truncated_file_ingestion_waits_for_is_in_flight_for_the_check_too(
    nas_root: Path, database_url: str
) -> None:
    path = _new_file(nas_root, mtime=time.time() - 200)  # older than the old 120 s, younger than 300 s
    written = path.stat().st_mtime
    path.write_bytes(path.read_bytes()[:-40])  # PokerGFX is half-way through rewriting it
    os.utime(path, (written, written))
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(nas_root), postgres_sink(database_url))
    metadata = materialization_metadata(result)
    evaluation = reconciliation(result)
    assert (metadata["still_being_written"], metadata["rejected"]) == (1, 0)
    assert evaluation.passed
    assert (check_counts(evaluation)["in_flight"], check_counts(evaluation)["missing"]) == (1, 0)


def test_after_a_sensor_run_the_check_covers_the_runs_files(nas_root: Path, database_url: str) -> None:
    first, *others = sorted(p.relative_to(nas_root).as_posix() for p in (nas_root / "PC01").rglob("*.json"))
    with dg.instance_for_test() as instance:
        evaluation = reconciliation(
            sync(instance, "PC01", nas(nas_root), postgres_sink(database_url), [first])
        )
    assert evaluation.passed  # the other, never synced files are the sensor's next runs, not this run's
    assert check_counts(evaluation)["checked"] == 1 and others


def test_an_unreadable_registry_fails_the_check_not_the_run(nas_root: Path, database_url: str) -> None:
    with dg.instance_for_test() as instance:
        assert sync(instance, "PC01", nas(nas_root), postgres_sink(database_url)).success
        (nas_root / "config" / "pc_registry.json").write_text("{not json")
        result = check_only(instance, "PC01", nas(nas_root), postgres_sink(database_url))
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert "could not run" in result.description


def test_executing_the_check_without_a_partition_explains_how_to_pick_a_pc(
    nas_root: Path, database_url: str
) -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [gfx_sessions, gfx_sessions_reconciliation],
            selection=dg.AssetSelection.checks(gfx_sessions_reconciliation),
            instance=instance,
            resources={"nas": nas(nas_root), "sink": postgres_sink(database_url)},
            raise_on_error=False,
        )
    [failure] = result.get_step_failure_events()
    assert "execute it for a PC partition" in failure.step_failure_data.user_failure_data.description
