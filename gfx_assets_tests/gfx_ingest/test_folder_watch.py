"""`FolderWatch`, the sensor's scan of a PC folder: a quiet folder (it and its files unchanged for the
quiet period) is known by its directory mtime, anything else is listed and stat'ed; what that finds at
once (new, renamed, deleted files, new folders, files in active folders), what waits for the folder's
periodic full rescan (a file rewritten in place after a long pause), and how a filesystem that does not
keep directory mtimes is caught."""

import os
import time
from pathlib import Path

import pytest

from gfx_assets.lib.nas_sync.folder_watch import FolderWatch, WatchTiming
from gfx_assets.lib.nas_sync.scan import scan_folder, settled

TIMING = WatchTiming(settle_seconds=1.0, quiet_seconds=600.0, rescan_seconds=300.0)
HOURS_AGO = 7200


def _export(number: int) -> str:
    return f"PGFX_live_data_export GameID={638964611175191251 + number}.json"


def _age(path: Path, seconds: float) -> None:
    os.utime(path, (time.time() - seconds, time.time() - seconds))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """PC01 with two date folders of two files each, all written two hours ago."""
    for folder in ("1019", "1020"):
        for number in (1, 2):
            path = tmp_path / "PC01" / folder / _export(number)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"{}")
            _age(path, HOURS_AGO)
        _age(tmp_path / "PC01" / folder, HOURS_AGO)
    _age(tmp_path / "PC01", HOURS_AGO)
    return tmp_path


def _write_quietly(folder: Path, name: str, content: bytes) -> None:
    """Rewrite a file in place, then put the folder's mtime back: as a NAS that keeps no directory
    mtimes would show a file created in it."""
    mtime_ns = folder.stat().st_mtime_ns
    (folder / name).write_bytes(content)
    os.utime(folder, ns=(mtime_ns, mtime_ns))


def _paths(watch: FolderWatch, now: float | None = None, timing: WatchTiming = TIMING) -> list[str]:
    return sorted(file.nas_path for file in watch.scan(timing, now or time.time()).files)


def test_the_first_scan_lists_every_folder_and_finds_what_a_full_scan_finds(root: Path) -> None:
    scan = FolderWatch(root, "PC01").scan(TIMING, time.time())
    assert scan.listed == 3  # PC01, 1019, 1020
    assert set(scan.files) == set(settled(scan_folder(root, "PC01"), 1.0, time.time()))


def test_quiet_folders_are_not_listed_again(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    first = watch.scan(TIMING, time.time())
    again = watch.scan(TIMING, time.time())
    assert again.listed == 0
    assert again.files == first.files
    assert again.digest == first.digest


def test_a_new_file_in_a_quiet_folder_is_found_by_the_next_scan(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    watch.scan(TIMING, time.time())
    (root / "PC01" / "1020" / _export(3)).write_bytes(b"{}")
    _age(root / "PC01" / "1020" / _export(3), 30)  # settled
    scan = watch.scan(TIMING, time.time())
    assert scan.listed == 1
    assert f"PC01/1020/{_export(3)}" in [file.nas_path for file in scan.files]


def test_a_deleted_file_is_gone_from_the_next_scan(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    watch.scan(TIMING, time.time())
    (root / "PC01" / "1019" / _export(1)).unlink()
    assert f"PC01/1019/{_export(1)}" not in _paths(watch)


def test_a_new_date_folder_is_found_by_the_next_scan(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    watch.scan(TIMING, time.time())
    path = root / "PC01" / "1021" / _export(5)
    path.parent.mkdir()
    path.write_bytes(b"{}")
    _age(path, 30)
    assert f"PC01/1021/{_export(5)}" in _paths(watch)


def test_a_file_rewritten_in_place_in_a_quiet_folder_waits_for_the_folders_rescan(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    first = watch.scan(TIMING, time.time())
    path = root / "PC01" / "1019" / _export(1)
    path.write_bytes(b'{"Hands": []}')  # in place: the folder's mtime does not change
    _age(path, 30)
    assert watch.scan(TIMING, time.time()).digest == first.digest  # not stat'ed: the trade-off
    due = watch.scan(TIMING, time.time() + TIMING.rescan_seconds)
    assert due.listed == 3
    assert due.digest != first.digest


def test_a_folder_with_a_recently_written_file_is_stat_ed_on_every_scan(root: Path) -> None:
    path = root / "PC01" / "1020" / _export(2)
    _age(path, 60)  # written within the quiet period: the session may still be running
    watch = FolderWatch(root, "PC01")
    first = watch.scan(TIMING, time.time())
    path.write_bytes(b'{"Hands": [1]}')
    _age(path, 30)
    again = watch.scan(TIMING, time.time())
    assert again.listed == 1  # 1020 only
    assert again.digest != first.digest


def test_an_unsettled_file_is_left_out_until_it_settles(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    watch.scan(TIMING, time.time())
    (root / "PC01" / "1020" / _export(3)).write_bytes(b"{}")
    assert f"PC01/1020/{_export(3)}" not in _paths(watch)
    assert f"PC01/1020/{_export(3)}" in _paths(watch, now=time.time() + 2)


def test_a_warm_watch_and_a_fresh_one_give_the_same_digest(root: Path) -> None:
    warm = FolderWatch(root, "PC01")
    warm.scan(TIMING, time.time())
    assert warm.scan(TIMING, time.time()).digest == FolderWatch(root, "PC01").scan(TIMING, time.time()).digest


def test_unconfirmed_files_are_those_not_in_the_confirmed_scan(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    confirmed = watch.scan(TIMING, time.time())
    watch.confirm(confirmed)
    (root / "PC01" / "1020" / _export(3)).write_bytes(b"{}")
    _age(root / "PC01" / "1020" / _export(3), 30)
    scan = watch.scan(TIMING, time.time())
    assert [file.nas_path for file in watch.unconfirmed(scan, confirmed.digest)] == [
        f"PC01/1020/{_export(3)}"
    ]
    assert watch.unconfirmed(scan, "another digest") is None  # a cursor this process did not confirm


def test_a_filesystem_without_directory_mtimes_is_caught_and_then_listed_in_full(root: Path) -> None:
    watch = FolderWatch(root, "PC01")
    watch.scan(TIMING, time.time())
    _write_quietly(root / "PC01" / "1019", _export(3), b"{}")
    due = watch.scan(TIMING, time.time() + TIMING.rescan_seconds)
    assert due.mtime_misses == ("PC01/1019",)
    _write_quietly(root / "PC01" / "1020", _export(4), b"{}")
    later = time.time() + TIMING.rescan_seconds + 2
    assert f"PC01/1020/{_export(4)}" in _paths(watch, now=later)  # listed although not due


def test_a_rescan_period_of_zero_lists_every_folder_on_every_scan(root: Path) -> None:
    every_scan = WatchTiming(settle_seconds=1.0, quiet_seconds=600.0, rescan_seconds=0.0)
    watch = FolderWatch(root, "PC01")
    watch.scan(every_scan, time.time())
    assert watch.scan(every_scan, time.time()).listed == 3
