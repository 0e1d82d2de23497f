"""The PC registry: valid entries load, bad ones are skipped with a reason, watch paths stay inside
the NAS root (no '..', no absolute path, no symlink out), and an unreadable file raises."""

import json
from pathlib import Path

import pytest

from gfx_assets.lib.nas_sync.registry import RegistryUnreadable, load_registry


def _registry(root: Path, entries: list[dict]) -> Path:
    path = root / "config" / "pc_registry.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pcs": entries}))
    return path


def test_valid_entries_load_with_their_watch_paths(tmp_path: Path) -> None:
    _registry(tmp_path, [{"id": "PC01", "watch_path": "PC01"}, {"id": "PC02", "watch_path": "gfx/PC02"}])
    assert {pc.id: pc.watch_path for pc in load_registry(tmp_path).pcs} == {
        "PC01": "PC01",
        "PC02": "gfx/PC02",
    }


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "PC 01", "watch_path": "PC01"},
        {"id": "PC01", "watch_path": "../elsewhere"},
        {"id": "PC01", "watch_path": "/etc"},
        {"id": "PC01"},
    ],
)
def test_a_bad_entry_is_skipped_with_a_reason(tmp_path: Path, entry: dict) -> None:
    _registry(tmp_path, [entry, {"id": "PC02", "watch_path": "PC02"}])
    registry = load_registry(tmp_path)
    assert [pc.id for pc in registry.pcs] == ["PC02"]
    assert len(registry.problems) == 1 and "entry #0" in registry.problems[0]


def test_a_symlink_leading_out_of_the_nas_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "nas", tmp_path / "outside"
    outside.mkdir()
    root.mkdir()
    (root / "PC01").symlink_to(outside)
    _registry(root, [{"id": "PC01", "watch_path": "PC01"}])
    registry = load_registry(root)
    assert registry.pcs == () and "outside the NAS root" in registry.problems[0]


def test_a_duplicate_id_keeps_the_first_entry(tmp_path: Path) -> None:
    _registry(tmp_path, [{"id": "PC01", "watch_path": "a"}, {"id": "PC01", "watch_path": "b"}])
    registry = load_registry(tmp_path)
    assert [pc.watch_path for pc in registry.pcs] == ["a"]
    assert "duplicate id" in registry.problems[0]


@pytest.mark.parametrize("content", ['{"pcs": [', '{"pcs": {}}', "[]", ""])
def test_an_unreadable_registry_raises(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config" / "pc_registry.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(RegistryUnreadable):
        load_registry(tmp_path)


def test_a_missing_registry_raises(tmp_path: Path) -> None:
    with pytest.raises(RegistryUnreadable, match="cannot read PC registry"):
        load_registry(tmp_path)
