"""Reconciliation: is every settled file of a PC folder in the database, or rejected with a reason?"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gfx_assets.lib.common.tables import LEDGER, MANIFEST, REJECTED
from gfx_assets.lib.nas_sync.manifest import as_datetime
from gfx_assets.lib.nas_sync.scan import FileStat
from gfx_assets.lib.pokergfx.session import sha256_hex
from gfx_assets.lib.sinks import Sink

MAX_EXAMPLES = 10


@dataclass
class Reconciliation:
    files: int = 0
    accounted: int = 0
    missing: list[str] = field(default_factory=list)  # content neither stored nor rejected
    in_flight: list[str] = field(default_factory=list)  # not stored yet, but written moments ago
    stale: list[str] = field(default_factory=list)  # changed on the NAS since its last sync

    @property
    def passed(self) -> bool:
        return not self.missing


def reconcile(
    sink: Sink,
    nas_root: Path,
    pc_id: str,
    files: Iterable[FileStat],
    in_flight: Callable[[FileStat], bool],
    rehash: bool,
) -> Reconciliation:
    """Look every file's `(gfx_pc_id, file_hash)` up in the ledger gfx_session_snapshots, else its path in
    gfx_rejected_files (same hash, or same size for files rejected before hashing). The hash is read
    from the file (`rehash`, the hourly sweep) or taken from the manifest when the file is unchanged
    since its sync (after every run: no file is read again). A file not accounted for that
    `in_flight` says may still be written is in flight, not missing."""
    result = Reconciliation()
    synced = _manifest(sink, pc_id)
    files = list(files)
    hashed = [(file, _hash(nas_root / file.nas_path) if rehash else _known(synced, file)) for file in files]
    hashed = [(file, digest) for file, digest in hashed if digest is not None]
    stored = _stored_hashes(sink, pc_id, [digest for _, digest in hashed if digest])
    rejected = {row["nas_path"]: row for row in sink.select(REJECTED, _REJECTED, {"gfx_pc_id": pc_id})}
    for file, digest in hashed:
        result.files += 1
        if digest in stored or _is_rejected(rejected.get(file.stored_path), file, digest):
            result.accounted += 1
        elif in_flight(file):
            result.in_flight.append(file.stored_path)
        else:
            result.missing.append(file.stored_path)
        if file.stored_path in synced and synced[file.stored_path][0] != file.key:
            result.stale.append(file.stored_path)
    return result


def _known(synced: dict[str, tuple], file: FileStat) -> str:
    """The manifest's hash of an unchanged file; "" (matches nothing) for a new or changed one."""
    key, digest = synced.get(file.stored_path, (None, None))
    return (digest or "") if key == file.key else ""


_REJECTED = ["nas_path", "file_hash", "file_size"]


def _hash(path: Path) -> str | None:
    """The file's SHA-256; None if it vanished since the scan. An unreadable file hashes to ""
    and so counts as missing: the NAS holds it and the database cannot."""
    try:
        return sha256_hex(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _stored_hashes(sink: Sink, pc_id: str, hashes: list[str]) -> set[str]:
    rows = sink.select(LEDGER, ["file_hash"], {"gfx_pc_id": pc_id, "file_hash": hashes})
    return {row["file_hash"] for row in rows}


def _is_rejected(row: dict | None, file: FileStat, digest: str) -> bool:
    if row is None:
        return False
    return row["file_hash"] == digest or (row["file_hash"] is None and row["file_size"] == file.size)


def _manifest(sink: Sink, pc_id: str) -> dict[str, tuple]:
    """Per stored path: the fingerprint key at its last sync, and the hash it had then."""
    columns = ["nas_path", "file_size", "file_mtime", "file_hash"]
    rows = sink.select(MANIFEST, columns, {"gfx_pc_id": pc_id})
    return {
        row["nas_path"]: (
            (row["nas_path"], row["file_size"], as_datetime(row["file_mtime"])),
            row["file_hash"],
        )
        for row in rows
    }
