"""Reading the manifest for some files only, as the sensor does when a few files of a large PC changed:
by path (PokerGFX names hold spaces and `=`; a name that is not UTF-8 is stored with `\\xNN` escapes),
on both sinks, and the files it finds not done."""

import os
import time
from pathlib import Path

import dagster as dg

from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.scan import scan_folder
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import nas, seeded_nas, sync


def _synced_pc01(tmp_path: Path, gfx_sink: GfxSink) -> Path:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3)
    odd = root / "PC01" / "1101" / os.fsdecode(b"PGFX_live_data_export caf\xe9.json")
    odd.parent.mkdir(parents=True)
    session = SyntheticSession(11)
    session.add_hand()
    write_session(odd, session)
    os.utime(odd, (time.time() - 600, time.time() - 600))
    with dg.instance_for_test() as instance:
        assert sync(instance, "PC01", nas(root), gfx_sink).success
    return root


def test_synced_keys_by_path_holds_those_files_only(tmp_path: Path, gfx_sink: GfxSink) -> None:
    root = _synced_pc01(tmp_path, gfx_sink)
    files = sorted(scan_folder(root, "PC01"), key=lambda file: file.nas_path)
    wanted = [files[0], files[-1]]  # one ordinary name, the one that is not UTF-8
    assert "\\xe9" in wanted[1].stored_path
    with gfx_sink.open() as sink:
        keys = manifest.synced_keys(sink, "PC01", [file.stored_path for file in wanted])
    assert keys == {file.key for file in wanted}


def test_a_new_file_of_a_large_pc_is_found_not_done_by_path(tmp_path: Path, gfx_sink: GfxSink) -> None:
    root = _synced_pc01(tmp_path, gfx_sink)
    synced = list(scan_folder(root, "PC01"))
    new = root / "PC01" / "1101" / "PGFX_live_data_export GameID=638964611175191999.json"
    new.write_bytes(b"{}")
    [new_file] = [file for file in scan_folder(root, "PC01") if file.nas_path.endswith("191999.json")]
    with gfx_sink.open() as sink:
        assert manifest.not_done(sink, "PC01", [synced[0], new_file], pc_files=10_000) == [new_file]
