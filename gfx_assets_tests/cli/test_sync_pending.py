"""What `gfx-assets sync` decides before it starts Dagster (cli/pending.py): a PC gets a run while its
settled files are not all in the manifest, by the run's own rule (path, size and mtime), while a session
of it still has no hands loaded (stored before migration 0007, or its hand step failed), and when the
target cannot be read; a PC whose files and hands are all synced gets none. On a real database."""

import os
from pathlib import Path

import dagster as dg

from gfx_assets.cli.pending import PcWork, pc_work
from gfx_assets.lib.nas_sync.registry import load_registry
from gfx_assets.settings import GfxSettings
from gfx_assets_tests.gfx_hands.support import sync_with_hands
from gfx_assets_tests.support import execute, nas, postgres_sink, seeded_nas, sync


def _settings(tmp_path: Path, root: Path, database_url: str) -> GfxSettings:
    return GfxSettings(home=tmp_path / "home", database_url=database_url, nas_root=root, settle_seconds=1.0)


def _work(settings: GfxSettings, *pcs: str) -> list[PcWork]:
    return pc_work(settings, load_registry(settings.resolved_nas_root), list(pcs))


def _synced(root: Path, database_url: str, pc_id: str) -> None:
    """A sync run as `gfx-assets sync` and the sensor launch it: files, then hands and the ledger."""
    with dg.instance_for_test() as instance:
        assert sync_with_hands(instance, pc_id, nas(root), postgres_sink(database_url)).success


def _files_synced_without_hands(root: Path, database_url: str, pc_id: str) -> None:
    """gfx_sessions alone, as every run did before migration 0007 added the hand tables."""
    with dg.instance_for_test() as instance:
        assert sync(instance, pc_id, nas(root), postgres_sink(database_url)).success


def test_every_settled_file_of_a_pc_never_synced_is_pending(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3)
    [work] = _work(_settings(tmp_path, root, database_url), "PC01")
    assert work == PcWork("PC01", files=3, pending=3)
    assert work.needs_run


def test_a_synced_pc_needs_no_run_and_reports_what_its_run_would(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01", "PC02"], sessions_per_pc=2)
    _synced(root, database_url, "PC01")
    synced, fresh = _work(_settings(tmp_path, root, database_url), "PC01", "PC02")
    assert (synced.needs_run, fresh.needs_run) == (False, True)
    assert synced.summary() == (
        "PC01: ok, files_scanned 2, new 0, unchanged 2, duplicate 0, rejected 0, still_being_written 0; "
        "nothing new, no run started"
    )


def test_a_pc_whose_files_are_synced_but_whose_hands_were_never_loaded_needs_a_run(
    tmp_path: Path, database_url: str
) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    _files_synced_without_hands(root, database_url, "PC01")
    [work] = _work(_settings(tmp_path, root, database_url), "PC01")
    assert (work.pending, work.hands_pending, work.needs_run) == (0, 2, True)


def test_a_session_whose_hand_load_did_not_finish_keeps_its_pc_pending(
    tmp_path: Path, database_url: str
) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    _synced(root, database_url, "PC01")
    execute(
        database_url,
        """UPDATE gfx_session_snapshots SET hands_loaded_at = NULL
           WHERE session_id = (SELECT min(session_id) FROM gfx_session_snapshots)""",
    )
    [work] = _work(_settings(tmp_path, root, database_url), "PC01")
    assert (work.pending, work.hands_pending, work.needs_run) == (0, 1, True)


def test_a_run_that_loads_the_hands_leaves_nothing_pending(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    _files_synced_without_hands(root, database_url, "PC01")
    _synced(root, database_url, "PC01")
    assert _work(_settings(tmp_path, root, database_url), "PC01") == [
        PcWork("PC01", files=2, pending=0, hands_pending=0)
    ]


def test_a_file_rewritten_after_its_sync_is_pending_again(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    _synced(root, database_url, "PC01")
    rewritten = next((root / "PC01").rglob("*.json"))
    rewritten.write_bytes(rewritten.read_bytes())  # same bytes, a new mtime: the run re-reads it
    settled = rewritten.stat().st_mtime - 60
    os.utime(rewritten, (settled, settled))
    [work] = _work(_settings(tmp_path, root, database_url), "PC01")
    assert work.pending == 1


def test_a_file_still_settling_is_left_for_later(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=2)
    _synced(root, database_url, "PC01")
    next((root / "PC01").rglob("*.json")).write_bytes(b"{}")  # written now: not settled for 1 s
    [work] = _work(_settings(tmp_path, root, database_url), "PC01")
    assert work == PcWork("PC01", files=1, pending=0)


def test_a_pc_with_no_files_needs_no_run(tmp_path: Path, database_url: str) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=1)
    for path in (root / "PC01").rglob("*.json"):
        path.unlink()
    assert _work(_settings(tmp_path, root, database_url), "PC01") == [PcWork("PC01", files=0, pending=0)]


def test_a_manifest_that_cannot_be_read_leaves_the_pc_to_its_run(
    tmp_path: Path, empty_database_url: str
) -> None:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=1)
    [work] = _work(_settings(tmp_path, root, empty_database_url), "PC01")  # no gfx_file_manifest there
    assert work.pending is None and work.hands_pending is None and work.needs_run
