"""The sample NAS of `gfx-assets dev` (cli/demo.py): besides the good exports of its three PCs it holds
one truncated export, which the first sync rejects with its reason (so PC health has a bad file to show),
and which the hand simulator never overwrites."""

from pathlib import Path

import dagster as dg

from gfx_assets.cli.demo import DEMO_PCS, HandSimulator, ensure_sample_nas
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import nas, query, sync

BAD_FILE = "PC03/1017/demo-truncated-export.json"  # the path README names


def test_the_first_sync_of_the_sample_nas_rejects_its_bad_export_with_a_reason(
    tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    root = tmp_path / "nas"
    assert ensure_sample_nas(root)
    with dg.instance_for_test() as instance:
        assert all(sync(instance, pc, nas(root), gfx_sink).success for pc in DEMO_PCS)
    [(pc, path, reason, detail)] = query(
        database_url, "SELECT gfx_pc_id, nas_path, reason, detail FROM gfx_rejected_files"
    )
    assert (pc, path, reason) == ("PC03", BAD_FILE, "invalid_json")
    assert "truncated" in detail
    # 9 good exports landed in the ledger, each its own game with one gfx_sessions row
    stored = "SELECT (SELECT count(*) FROM gfx_session_snapshots), (SELECT count(*) FROM gfx_sessions)"
    assert query(database_url, stored) == [(9, 9)]


def test_the_hand_simulator_leaves_the_bad_export_as_seeded(tmp_path: Path) -> None:
    root = tmp_path / "nas"
    ensure_sample_nas(root)
    seeded = (root / BAD_FILE).read_bytes(), (root / BAD_FILE).stat().st_mtime_ns
    simulator = HandSimulator(root)
    written = {simulator.play_hand(pc) for _ in range(3) for pc in DEMO_PCS}
    assert root / BAD_FILE not in written
    assert ((root / BAD_FILE).read_bytes(), (root / BAD_FILE).stat().st_mtime_ns) == seeded
