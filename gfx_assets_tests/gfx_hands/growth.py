"""A live session file growing hand by hand, synced after every write through the real, Dagster-free
stages: stage (parse + hash) -> land in gfx_sessions -> load the hand tables -> compact. Shared by the
compaction tests, bench/compaction_bench.py and bench/live_growth_bench.py (which times each stage through
`grow`'s `on_step`)."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from gfx_assets.lib.nas_sync import manifest
from gfx_assets.lib.nas_sync.compaction import Compaction, Retention, compact_pc
from gfx_assets.lib.nas_sync.hand_loading import HandLoad, load_pc_hands
from gfx_assets.lib.nas_sync.landing import WritePlan, land
from gfx_assets.lib.nas_sync.scan import stat_files
from gfx_assets.lib.nas_sync.staging import Staged, staged_rows
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.lib.sinks import Sink

MAX_BYTES = 64 * 1024 * 1024


def export_path(nas_root: Path, pc_id: str, session: SyntheticSession) -> Path:
    return nas_root / pc_id / f"{session.created:%m%d}" / session.file_name


def last_hand_in_progress(nas_root: Path, pc_id: str, seed: int) -> tuple[Path, dict, dict]:
    """A session of 3 hands written two ways: its last hand still in progress (no events yet), then
    complete; the export's path (its folder made), and the two documents, in that order."""
    session = SyntheticSession(seed=seed)
    for _ in range(3):
        session.add_hand()
    complete = json.loads(session.to_json_bytes())
    in_progress = {**complete, "Hands": [*complete["Hands"][:2], {**complete["Hands"][2], "Events": []}]}
    path = export_path(nas_root, pc_id, session)
    path.parent.mkdir(parents=True)
    return path, in_progress, complete


def land_file(sink: Sink, nas_root: Path, pc_id: str, path: Path) -> None:
    """Land the file's current content in gfx_sessions, as the first stage of a sync run does."""
    nas_path = path.relative_to(nas_root).as_posix()
    staged = Staged()
    files = list(stat_files(nas_root, [nas_path]))
    rewrites = manifest.rewritten(
        files, manifest.synced_keys(sink, pc_id, [file.stored_path for file in files])
    )
    rows = staged_rows(nas_root, pc_id, files, staged, MAX_BYTES, 0.0, rewrites)
    land(sink, pc_id, rows, staged, WritePlan(batch_size=500, max_chunk_bytes=MAX_BYTES))


@dataclass
class Step:
    """One sync of the file's content: the seconds each stage took (landing includes staging: parse and
    hash the whole file), what the hand load wrote and what compaction did."""

    land_seconds: float
    load_seconds: float
    compact_seconds: float
    load: HandLoad
    compaction: Compaction


def sync_step(sink: Sink, nas_root: Path, pc_id: str, path: Path, retention: Retention) -> Step:
    """Land the file's current content, load its hands and compact, as one sync run does; each timed."""
    started = time.perf_counter()
    land_file(sink, nas_root, pc_id, path)
    landed = time.perf_counter()
    load = load_pc_hands(sink, pc_id)
    loaded = time.perf_counter()
    compaction = compact_pc(sink, pc_id, retention)
    return Step(landed - started, loaded - landed, time.perf_counter() - loaded, load, compaction)


def sync_file(sink: Sink, nas_root: Path, pc_id: str, path: Path, retention: Retention) -> Compaction:
    """Land the file's current content, load its hands and compact, as one sync run does."""
    return sync_step(sink, nas_root, pc_id, path, retention).compaction


def grow(
    sink: Sink,
    nas_root: Path,
    pc_id: str,
    session: SyntheticSession,
    hands: int,
    retention: Retention,
    on_step: Callable[[Step], None] | None = None,
) -> Path:
    """Add `hands` hands one at a time, rewriting and syncing the file after each; `on_step`, if given,
    gets each sync's Step in order (the k-th one after the k-th hand added)."""
    path = export_path(nas_root, pc_id, session)
    for _ in range(hands):
        session.add_hand()
        write_session(path, session)
        step = sync_step(sink, nas_root, pc_id, path, retention)
        if on_step is not None:
            on_step(step)
    return path


def stored_json_bytes(database_url: str, session_id: int) -> int:
    """The raw JSON the database holds for a session, in bytes of its jsonb text: every snapshot in the
    ledger, and the game's gfx_sessions row (a second copy of the latest)."""
    with psycopg.connect(database_url) as conn:
        [(total,)] = conn.execute(
            """SELECT coalesce(sum(octet_length(raw_json::text)), 0) FROM (
                   SELECT raw_json FROM gfx_session_snapshots WHERE session_id = %s
                   UNION ALL SELECT raw_json FROM gfx_sessions WHERE session_id = %s) AS stored""",
            (session_id, session_id),
        ).fetchall()
    return total


def final_json_bytes(database_url: str, session_id: int) -> int:
    """The latest snapshot's jsonb text, the yardstick of 'its final size'."""
    with psycopg.connect(database_url) as conn:
        [(size,)] = conn.execute(
            "SELECT octet_length(raw_json::text) FROM gfx_sessions_latest WHERE session_id = %s",
            (session_id,),
        ).fetchall()
    return size
