"""A reference "production" database: production's DDL of the project-owned tables plus render_layer.sql,
filled the way production's normaliser fills them (garimto81/automation_schema src/gfx_normalizer.py and
its session statistics), written here from its documented meanings, not from this project's sync code.

Production's meanings, field by field:
- gfx_sessions: one row per game (GameID) with its latest content (the file with the most hands);
  file_name is the file's name, file_hash the SHA-256 of its bytes, table_type = Type, payouts = Payouts,
  hand_count = len(Hands), session_created_at = CreatedDateTimeUTC; total_duration_seconds is the sum of
  the hands' duration_seconds, session_start_time the earliest hand start, session_end_time the latest
  hand start + duration.
- gfx_hands: one row per entry of Hands (production keys it by (session_id, hand_num), which real exports
  repeat). duration_seconds / recording_offset_seconds: whole seconds of the ISO duration (fraction cut).
  blinds: production's snake_case keys (missing ones 0, ante_type 'NO_ANTE'), {} without FlopDrawBlinds.
  pot_size: the Pot of the last event whose Pot > 0 (0 if none). winner_name / winner_seat: among players
  whose EndStackAmt > StartStackAmt, the largest CumulativeWinningsAmt (the first in Players on a tie),
  else NULL. showdown_count: 0 (production never derives it). player_count = len(Players). board_cards:
  the BoardCards of the 'BOARD CARD' events.
- gfx_hand_players: hole_cards = HoleCards[0] split at whitespace, has_shown = at least 2 hole cards,
  is_winner = EndStackAmt > StartStackAmt; player_id names the gfx_players row of the player's hash.
- gfx_players: one row per md5(lower(trim(Name)):lower(trim(LongName))), with the first spelling seen.
- gfx_events: one row per event, EventType with spaces as underscores.
Times are UTC, fractions cut to microseconds.
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

BLIND_KEYS = {
    "ante_type": ("AnteType", "NO_ANTE"),
    "big_blind_amt": ("BigBlindAmt", 0),
    "big_blind_player_num": ("BigBlindPlayerNum", 0),
    "small_blind_amt": ("SmallBlindAmt", 0),
    "small_blind_player_num": ("SmallBlindPlayerNum", 0),
    "button_player_num": ("ButtonPlayerNum", 0),
    "third_blind_amt": ("ThirdBlindAmt", 0),
    "third_blind_player_num": ("ThirdBlindPlayerNum", 0),
    "blind_level": ("BlindLevel", 0),
}
_DURATION = re.compile(
    r"P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
_TIME = re.compile(r"^(?P<main>[^.]+?)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)?$")

# Keys and indexes production has that the commented DDL leaves out (its constraints of project-owned
# tables are not in the file): the primary keys the render layer's views (GROUP BY id) and foreign keys
# rely on, and indexes that change no answer, only the time to get it.
PRIMARY_KEYS = tuple(
    f"ALTER TABLE {table} ADD PRIMARY KEY (id)"
    for table in (
        *("gfx_sessions", "gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players", "sync_status"),
        *("wsop_events", "wsop_players", "wsop_chip_counts"),
    )
)
REFERENCE_INDEXES = (
    "CREATE INDEX ON gfx_hands (session_id, hand_num)",
    "CREATE INDEX ON gfx_hand_players (hand_id)",
    "CREATE INDEX ON gfx_sessions (session_id)",
)


@dataclass(frozen=True)
class Export:
    """One export file's content: where it was read from and its parsed JSON."""

    file_name: str
    nas_path: str
    raw: bytes
    document: dict[str, Any]

    @property
    def session_id(self) -> int:
        return self.document["ID"]

    @property
    def hands(self) -> list[dict[str, Any]]:
        return self.document.get("Hands", [])


def latest_exports(exports: list[Export]) -> dict[int, Export]:
    """Per GameID, the content with the most hands (PokerGFX only appends hands)."""
    latest: dict[int, Export] = {}
    for export in exports:
        if len(export.hands) >= len(latest.get(export.session_id, export).hands):
            latest[export.session_id] = export
    return latest


def read_exports(root: Path) -> list[Export]:
    """Every *.json under root, in path order."""
    exports = []
    for path in sorted(root.rglob("*.json")):
        raw = path.read_bytes()
        exports.append(Export(path.name, path.relative_to(root.parent).as_posix(), raw, json.loads(raw)))
    return exports


def seconds(duration: str | None) -> int:
    """Whole seconds of an ISO 8601 duration (`PT2M32.217716S` -> 152), 0 for none."""
    match = _DURATION.fullmatch(duration or "")
    if not duration or not match:
        return 0
    total = sum(Decimal(value) * _UNIT_SECONDS[unit] for unit, value in match.groupdict().items() if value)
    return int(total)


def utc_time(text: str | None) -> datetime | None:
    """An export time (`2025-10-15T12:03:20.9005907Z`) as aware UTC, cut to microseconds."""
    match = _TIME.match(text or "")
    if not match:
        return None
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"] or "Z"
    moment = datetime.fromisoformat(f"{match['main']}.{fraction}{'+00:00' if zone == 'Z' else zone}")
    return moment.astimezone(UTC)


def blinds(hand: dict[str, Any]) -> dict[str, Any]:
    given = hand.get("FlopDrawBlinds") or {}
    return {key: given.get(field, default) for key, (field, default) in BLIND_KEYS.items()} if given else {}


def pot_size(hand: dict[str, Any]) -> int:
    pots = [event.get("Pot", 0) for event in hand.get("Events", []) if event.get("Pot", 0) > 0]
    return pots[-1] if pots else 0


def winner(hand: dict[str, Any]) -> dict[str, Any] | None:
    gained = [p for p in hand.get("Players", []) if p.get("EndStackAmt", 0) > p.get("StartStackAmt", 0)]
    best = None
    for player in gained:
        if best is None or player.get("CumulativeWinningsAmt", 0) > best.get("CumulativeWinningsAmt", 0):
            best = player
    return best


def hole_cards(player: dict[str, Any]) -> list[str]:
    cards = player.get("HoleCards") or [""]
    return (cards[0] or "").split()


def board_cards(hand: dict[str, Any]) -> list[str]:
    return [
        event["BoardCards"]
        for event in hand.get("Events", [])
        if event.get("EventType") in ("BOARD CARD", "BOARD_CARD") and event.get("BoardCards")
    ]


def player_hash(player: dict[str, Any]) -> str:
    name, long_name = player.get("Name", ""), player.get("LongName", "")
    return hashlib.md5(f"{name.strip().lower()}:{long_name.strip().lower()}".encode()).hexdigest()


def session_row(export: Export) -> dict[str, Any]:
    data, hands = export.document, export.hands
    starts = [(utc_time(h.get("StartDateTimeUTC")), seconds(h.get("Duration"))) for h in hands]
    starts = [(start, duration) for start, duration in starts if start]
    return {
        "session_id": export.session_id,
        "file_name": export.file_name,
        "file_hash": hashlib.sha256(export.raw).hexdigest(),
        "nas_path": export.nas_path,
        "table_type": data.get("Type", "UNKNOWN"),
        "event_title": data.get("EventTitle", ""),
        "software_version": data.get("SoftwareVersion", ""),
        "payouts": data.get("Payouts", [0] * 10),
        "hand_count": len(hands),
        "total_duration_seconds": sum(seconds(h.get("Duration")) for h in hands),
        "session_created_at": utc_time(data.get("CreatedDateTimeUTC")),
        "session_start_time": min((start for start, _ in starts), default=None),
        "session_end_time": max((start + timedelta(seconds=d) for start, d in starts), default=None),
        "raw_json": Jsonb(data),
        "sync_status": "synced",
    }


def hand_row(session_id: int, hand: dict[str, Any]) -> dict[str, Any]:
    top = winner(hand)
    offset = hand.get("RecordingOffsetStart")
    return {
        "id": uuid.uuid4(),
        "session_id": session_id,
        "hand_num": hand.get("HandNum", 0),
        "game_variant": hand.get("GameVariant", "HOLDEM"),
        "game_class": hand.get("GameClass", "FLOP"),
        "bet_structure": hand.get("BetStructure", "NOLIMIT"),
        "duration_seconds": seconds(hand.get("Duration")),
        "start_time": utc_time(hand.get("StartDateTimeUTC")),
        "recording_offset_iso": offset,
        "recording_offset_seconds": seconds(offset) if offset else None,
        "num_boards": hand.get("NumBoards", 1),
        "run_it_num_times": hand.get("RunItNumTimes", 1),
        "ante_amt": hand.get("AnteAmt", 0),
        "bomb_pot_amt": hand.get("BombPotAmt", 0),
        "description": hand.get("Description", ""),
        "blinds": Jsonb(blinds(hand)),
        "stud_limits": Jsonb(hand.get("StudLimits") or {}),
        "pot_size": pot_size(hand),
        "player_count": len(hand.get("Players", [])),
        "showdown_count": 0,
        "board_cards": board_cards(hand),
        "winner_name": top.get("Name") if top else None,
        "winner_seat": top.get("PlayerNum") if top else None,
    }


def seat_row(hand_id: uuid.UUID, player_id: uuid.UUID, player: dict[str, Any]) -> dict[str, Any]:
    cards = hole_cards(player)
    return {
        "hand_id": hand_id,
        "player_id": player_id,
        "seat_num": player.get("PlayerNum", 0),
        "player_name": player.get("Name", ""),
        "hole_cards": cards,
        "has_shown": len(cards) >= 2,
        "start_stack_amt": player.get("StartStackAmt", 0),
        "end_stack_amt": player.get("EndStackAmt", 0),
        "cumulative_winnings_amt": player.get("CumulativeWinningsAmt", 0),
        "blind_bet_straddle_amt": player.get("BlindBetStraddleAmt", 0),
        "sitting_out": player.get("SittingOut", False),
        "elimination_rank": player.get("EliminationRank", -1),
        "is_winner": player.get("EndStackAmt", 0) > player.get("StartStackAmt", 0),
        "vpip_percent": player.get("VPIPPercent", 0),
        "preflop_raise_percent": player.get("PreFlopRaisePercent", 0),
        "aggression_frequency_percent": player.get("AggressionFrequencyPercent", 0),
        "went_to_showdown_percent": player.get("WentToShowDownPercent", 0),
    }


def event_row(hand_id: uuid.UUID, order: int, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "hand_id": hand_id,
        "event_order": order,
        "event_type": "_".join(str(event.get("EventType", "")).split()),
        "player_num": event.get("PlayerNum", 0),
        "bet_amt": event.get("BetAmt", 0),
        "pot": event.get("Pot", 0),
        "board_cards": event.get("BoardCards"),
        "board_num": event.get("BoardNum", 0),
        "num_cards_drawn": event.get("NumCardsDrawn", 0),
        "event_time": utc_time(event.get("DateTimeUTC")),
    }


def load(database_url: str, exports: list[Export]) -> None:
    """Load each game's latest content, games in GameID order, into the reference database."""
    players: dict[str, uuid.UUID] = {}
    rows: dict[str, list[dict[str, Any]]] = {"gfx_sessions": [], "gfx_hands": [], "gfx_hand_players": []}
    rows.update(gfx_players=[], gfx_events=[])
    for session_id, export in sorted(latest_exports(exports).items()):
        rows["gfx_sessions"].append(session_row(export))
        for hand in export.hands:
            hand_row_ = hand_row(session_id, hand)
            rows["gfx_hands"].append(hand_row_)
            for player in hand.get("Players", []):
                key = player_hash(player)
                if key not in players:
                    players[key] = uuid.uuid4()
                    rows["gfx_players"].append(
                        {
                            "id": players[key],
                            "player_hash": key,
                            "name": player.get("Name", ""),
                            "long_name": player.get("LongName", ""),
                        }
                    )
                rows["gfx_hand_players"].append(seat_row(hand_row_["id"], players[key], player))
            for order, event in enumerate(hand.get("Events", [])):
                rows["gfx_events"].append(event_row(hand_row_["id"], order, event))
    with psycopg.connect(database_url) as conn:
        for table in ("gfx_sessions", "gfx_players", "gfx_hands", "gfx_hand_players", "gfx_events"):
            _insert(conn, table, rows[table])
        for statement in REFERENCE_INDEXES:
            conn.execute(statement)


def _insert(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copyable(row[column]) for column in columns])


def _copyable(value: Any) -> Any:
    return json.dumps(value.obj) if isinstance(value, Jsonb) else value
