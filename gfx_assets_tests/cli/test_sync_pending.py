"""What `gfx-assets sync` decides before it starts Dagster (cli/pending.py): a PC gets a run while its
settled files are not all in the manifest, by the run's own rule (path, size and mtime), and when the
manifest cannot be read; a PC whose files are all synced gets none. On a real database."""

import os
from pathlib import Path

import dagster as dg

from gfx_assets.cli.pending import PcWork, pc_work
from gfx_assets.lib.nas_sync.registry import load_registry
from gfx_assets.settings import GfxSettings
from gfx_assets_tests.support import nas, postgres_sink, seeded_nas, sync


def _settings(tmp_path: Path, root: Path, database_url: str) -> GfxSettings:
    return GfxSettings(home=tmp_path / "home", database_url=database_url, nas_root=root, settle_seconds=1.0)


def _work(settings: GfxSettings, *pcs: str) -> list[PcWork]:
    return pc_work(settings, load_registry(settings.resolved_nas_root), list(pcs))


def _synced(root: Path, database_url: str, pc_id: str) -> None:
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
    assert work.pending is None and work.needs_run
