"""Dead letters tell the truth: whoever lands a file resolves its dead letter, even when the run that
landed it never reached its own bookkeeping (a step that failed after a chunk landed, an earlier attempt
of a retried step); a dead letter of a file that has not landed stays open."""

from datetime import UTC, datetime
from pathlib import Path

from gfx_assets.lib.common.alerts import FailedRun, record_failure
from gfx_assets.resources import GfxSink
from gfx_assets_tests.alerts import pc_files, ui_run
from gfx_assets_tests.support import evaluate_failure_sensor, nas, query, sync

OPEN = "SELECT source, nas_path FROM gfx_sync_failures WHERE resolved_at IS NULL ORDER BY 1, 2"


def dead_letter(gfx_sink: GfxSink, items: list[str]) -> None:
    """Open dead letters of PC01's files, as a failed run leaves them."""
    failed = FailedRun("gfx_sessions_job", "run-1", "PC01", "boom", tuple(items), "gfx")
    with gfx_sink.open() as target:
        record_failure(target, failed, datetime.now(UTC))


def test_a_sync_resolves_the_dead_letters_of_files_that_landed_in_a_run_that_then_failed(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str
) -> None:
    files = pc_files(nas_root)
    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[:2]).success
    dead_letter(gfx_sink, files[:2])  # landed, but the step failed before its bookkeeping

    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[2:]).success

    assert query(database_url, OPEN) == []


def test_a_dead_letter_of_a_file_not_landed_stays_open(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str
) -> None:
    files = pc_files(nas_root)
    dead_letter(gfx_sink, files[:1])

    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[1:]).success

    assert query(database_url, OPEN) == [("gfx", files[0])]


def test_a_dead_letter_of_a_file_rewritten_since_it_landed_stays_open(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str
) -> None:
    files = pc_files(nas_root)
    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[:1]).success
    rewritten = nas_root / files[0]
    rewritten.write_text(rewritten.read_text() + " ")  # new content: it has not landed as it is now
    dead_letter(gfx_sink, files[:1])

    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[1:]).success

    assert query(database_url, OPEN) == [("gfx", files[0])]


def test_the_failure_sensor_resolves_older_dead_letters_of_files_that_have_landed(
    instance, nas_root: Path, gfx_sink: GfxSink, database_url: str, refused_key_sink: GfxSink
) -> None:
    files = pc_files(nas_root)
    assert sync(instance, "PC01", nas(nas_root), gfx_sink, files=files[:1]).success
    dead_letter(gfx_sink, files[:1])  # left open by a step that failed after landing it

    evaluate_failure_sensor(
        instance, ui_run(instance, nas_root, files, refused_key_sink), gfx_sink, nas(nas_root)
    )

    assert query(database_url, OPEN) == [("gfx", path) for path in files[1:]]
