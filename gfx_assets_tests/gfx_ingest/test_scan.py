"""`scan_folder`, the full scan of a PC folder (runs, rescans, the hourly sweep): which files it finds,
how it names them relative to the NAS root, and what it leaves out."""

import os
from pathlib import Path

from gfx_assets.lib.nas_sync.scan import fingerprint_digest, scan_folder

EXPORT = "PGFX_live_data_export GameID=638964611175191251.json"


def _write(path: Path, content: bytes = b"{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _paths(root: Path, watch_path: str = "PC01") -> list[str]:
    return sorted(file.nas_path for file in scan_folder(root, watch_path))


def test_exports_in_date_folders_are_named_relative_to_the_nas_root(tmp_path: Path) -> None:
    _write(tmp_path / "PC01" / "1019" / EXPORT)
    _write(tmp_path / "PC01" / "1019" / "new" / EXPORT)
    _write(tmp_path / "PC01" / EXPORT)
    assert _paths(tmp_path) == [f"PC01/1019/{EXPORT}", f"PC01/1019/new/{EXPORT}", f"PC01/{EXPORT}"]


def test_size_and_mtime_are_those_of_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "PC01" / "1019" / EXPORT, b'{"ID": 1}')
    os.utime(path, ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
    [file] = scan_folder(tmp_path, "PC01")
    assert (file.size, file.mtime_ns) == (9, 1_700_000_000_123_456_789)


def test_hidden_temporary_and_other_files_are_left_out(tmp_path: Path) -> None:
    for name in (".hidden.json", "~lock.json", "notes.txt", "export.JSON"):
        _write(tmp_path / "PC01" / "1019" / name)
    assert _paths(tmp_path) == ["PC01/1019/export.JSON"]


def test_a_symlinked_folder_is_not_followed(tmp_path: Path) -> None:
    _write(tmp_path / "outside" / EXPORT)
    (tmp_path / "PC01").mkdir()
    (tmp_path / "PC01" / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert _paths(tmp_path) == []


def test_a_watch_path_below_the_pc_folder_keeps_its_full_relative_path(tmp_path: Path) -> None:
    _write(tmp_path / "site" / "PC01" / "1019" / EXPORT)
    assert _paths(tmp_path, "site/PC01") == [f"site/PC01/1019/{EXPORT}"]


def test_a_missing_pc_folder_has_no_files(tmp_path: Path) -> None:
    assert _paths(tmp_path, "PC09") == []


def test_a_name_that_is_not_utf8_is_found_and_digested(tmp_path: Path) -> None:
    name = os.fsdecode(b"PGFX_live_data_export caf\xe9.json")
    _write(tmp_path / "PC01" / "1019" / name)
    files = list(scan_folder(tmp_path, "PC01"))
    assert [file.stored_path for file in files] == ["PC01/1019/PGFX_live_data_export caf\\xe9.json"]
    assert len(fingerprint_digest(files)) == 16
