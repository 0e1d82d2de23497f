"""Synthetic PokerGFX exports, faithful in shape and byte layout to the real ones. Dagster-free.

A `SyntheticSession` grows hand by hand like a live table; `write_session` rewrites its file in
place as PokerGFX does; `seed_nas` lays out a sample NAS (PC folders, date subfolders, registry).
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gfx_assets.lib.pokergfx.synthetic_hands import DOTNET_EPOCH, TICKS_PER_SECOND, Table, format_utc

__all__ = ["SyntheticSession", "encode_export", "game_id_for", "seed_nas", "write_session"]

_FIRST_DAY = datetime(2025, 10, 15, 8, tzinfo=UTC)
_REGISTRY_PATH = Path("config") / "pc_registry.json"


def game_id_for(created: datetime) -> int:
    """The GameID PokerGFX gives a session created at `created` (naive = UTC): .NET ticks since 0001-01-01."""
    utc = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    return (utc - DOTNET_EPOCH) // timedelta(microseconds=1) * 10


def encode_export(data: dict[str, Any]) -> bytes:
    """JSON bytes laid out like a real export: sorted keys, no whitespace, ASCII, no BOM, no final newline."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("ascii")


class SyntheticSession:
    """One game session on one table; each `add_hand` appends a hand, earlier hands never change.

    `created` is the creation time as aware UTC; `game_id` is `game_id_for(created)`.
    """

    def __init__(
        self, seed: int, created: datetime | None = None, table_type: str = "FEATURE_TABLE", players: int = 9
    ) -> None:
        rng = random.Random(seed)
        if created is None:  # a day of the real fixtures' week, between 08:00 and 14:00 UTC
            day, moment = rng.randrange(6), rng.randrange(6 * 3600 * 10**6)
            created = _FIRST_DAY + timedelta(days=day, microseconds=moment)
        self.game_id = game_id_for(created)
        self.created = DOTNET_EPOCH + timedelta(microseconds=self.game_id // 10)
        self.file_name = f"PGFX_live_data_export GameID={self.game_id}.json"
        self._table_type = table_type
        first_hand = self.game_id + rng.randrange(60 * TICKS_PER_SECOND, 3600 * TICKS_PER_SECOND)
        self._table = Table(rng, players, first_hand)
        self._hands: list[dict[str, Any]] = []

    def add_hand(self) -> None:
        """Play one more hand at the table."""
        self._hands.append(self._table.play_hand(len(self._hands) + 1))

    def to_json_bytes(self) -> bytes:
        """The export file as PokerGFX would write it now."""
        return encode_export(
            {
                "CreatedDateTimeUTC": format_utc(self.game_id),
                "EventTitle": "",
                "Hands": self._hands,
                "ID": self.game_id,
                "Payouts": [0] * 10,
                "SoftwareVersion": "PokerGFX 3.2",
                "Type": self._table_type,
            }
        )


def write_session(path: Path, session: SyntheticSession) -> None:
    """Rewrite `path` in place (truncate, then write), as PokerGFX does after every hand."""
    content = session.to_json_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.write(content)


def seed_nas(
    nas_root: Path, pcs: list[str], sessions_per_pc: int = 3, hands: tuple[int, int] = (1, 40), seed: int = 0
) -> list[Path]:
    """Write sample exports `<pc>/<MMDD>/PGFX_live_data_export GameID=<id>.json` and the PC registry.

    Session n of every PC is created on day n (one date folder per day); files whose content is
    already there are left untouched, so seeding again with the same seed changes nothing.
    Returns the export paths.
    """
    paths = []
    for pc_index, pc in enumerate(pcs):
        for day in range(sessions_per_pc):
            session = _seeded_session(random.Random(f"{seed}/{pc}/{day}"), pc_index, day, hands)
            path = nas_root / pc / f"{session.created:%m%d}" / session.file_name
            _write_if_changed(path, session.to_json_bytes())
            paths.append(path)
    _write_if_changed(nas_root / _REGISTRY_PATH, _registry_bytes(pcs))
    return paths


def _seeded_session(rng: random.Random, pc_index: int, day: int, hands: tuple[int, int]) -> SyntheticSession:
    """PC k's session starts in minutes [10k, 10k + 10) after 08:00 UTC on its day, so no two share an id."""
    seconds = 600 * pc_index + rng.randrange(600)
    created = _FIRST_DAY + timedelta(days=day, seconds=seconds, microseconds=rng.randrange(10**6))
    session = SyntheticSession(rng.getrandbits(64), created=created)
    for _ in range(rng.randint(*hands)):
        session.add_hand()
    return session


def _registry_bytes(pcs: list[str]) -> bytes:
    entries = [
        {
            "id": pc,
            "name": f"GFX {pc}",
            "description": f"Synthetic PokerGFX PC {pc}",
            "watch_path": pc,
            "enabled": True,
        }
        for pc in pcs
    ]
    return (json.dumps({"pcs": entries}, indent=2) + "\n").encode("utf-8")


def _write_if_changed(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
