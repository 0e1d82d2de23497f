"""The demo NAS of `gfx-assets dev`: three synthetic PCs with one bad export among their files, and a
simulator playing hands on them."""

import itertools
import os
import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from gfx_assets.lib.nas_sync.registry import REGISTRY_PATH
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, seed_nas, write_session

DEMO_PCS = ["PC01", "PC02", "PC03"]
HANDS_PER_SESSION = 60
# Never a name the simulator writes (`PGFX_live_data_export GameID=<id>.json`), so it stays as seeded.
DEMO_BAD_FILE_NAME = "demo-truncated-export.json"
DAY_SECONDS = 86400


def ensure_sample_nas(nas_root: Path) -> bool:
    """Seed the sample NAS unless it already has a registry; True when it was seeded now."""
    if (nas_root / REGISTRY_PATH).exists():
        return False
    exports = seed_nas(nas_root, DEMO_PCS)
    seed_bad_export(exports[-1])
    return True


def seed_bad_export(good: Path) -> Path:
    """A copy of the export `good` cut in half, beside it: the first sync rejects it with its reason,
    so PC health and the open-problems check have something to show. It is dated a day back, long
    finished, so it is not taken for a file PokerGFX is still writing."""
    bad = good.with_name(DEMO_BAD_FILE_NAME)
    content = good.read_bytes()
    bad.write_bytes(content[: len(content) // 2])
    written = time.time() - DAY_SECONDS
    os.utime(bad, (written, written))
    return bad


class HandSimulator(threading.Thread):
    """Appends a hand to one live session file every `interval` seconds, round-robin over the PCs,
    rewriting the file in place the way PokerGFX does; a full session makes way for a new one."""

    def __init__(self, nas_root: Path, interval: float = 10.0) -> None:
        super().__init__(name="gfx-hand-simulator", daemon=True)
        self._nas_root = nas_root
        self._interval = interval
        self._stop = threading.Event()
        self._sessions: dict[str, tuple[SyntheticSession, int]] = {}

    def run(self) -> None:
        for pc in itertools.cycle(DEMO_PCS):
            if self._stop.wait(self._interval):
                return
            self.play_hand(pc)

    def play_hand(self, pc: str) -> Path:
        session, hands = self._sessions.get(pc, (None, HANDS_PER_SESSION))
        if session is None or hands >= HANDS_PER_SESSION:
            session, hands = SyntheticSession(random.getrandbits(64), created=datetime.now(UTC)), 0
        session.add_hand()
        self._sessions[pc] = (session, hands + 1)
        path = self._nas_root / pc / f"{session.created:%m%d}" / session.file_name
        write_session(path, session)
        return path

    def stop(self) -> None:
        self._stop.set()
