"""Map one PokerGFX export to rows of `gfx_hands`, `gfx_hand_players`, `gfx_events` and `gfx_players`.
Dagster-free.

A hand is keyed by (gfx_pc_id, session_id, hand_index), hand_index being its 1-based position in the
export's `Hands` (HandNum repeats in real files); an event by (hand_id, event_order), event_order its
1-based position in the hand's `Events`; a seat by (hand_id, seat_num). Every id is a uuid5 of that
natural key (`ids`), so a replay writes the same ids and children name their hand without reading it back.

An entry of `Hands`, `Players` or `Events` that is not an object is refused (listed in `HandRows.refused`,
shown in the asset's metadata) and keeps its position: the hands and events after it keep their raw
1-based positions. Two entries of `Players` with the same `PlayerNum` would share a seat key: the first
is stored, the other refused with the reason; so is an entry without an integer `PlayerNum`.

Field by field: enums (`GameVariant`, `GameClass`, `BetStructure`, `EventType`) are upper-cased with
spaces as underscores (`ALL IN` -> ALL_IN, `BOARD CARD` -> BOARD_CARD); a value outside the enum is
NULL (raw_json keeps it). `Duration` -> duration_seconds and `RecordingOffsetStart` ->
recording_offset_seconds are whole seconds (fraction cut off), recording_offset_iso keeps the text.
Times are UTC (digits past microseconds dropped). `FlopDrawBlinds` is stored under production's keys
(`hand_facts.blinds`), `StudLimits` whole as jsonb. Derived columns: see `hand_facts`; hole cards,
has_shown, is_winner and player_hash: see `hand_players`. A value a column cannot hold (out of range, of
the wrong kind, not parsable) is NULL and counted, never a refused row: see `hand_values`.
"""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gfx_assets.lib.pokergfx import hand_facts as facts
from gfx_assets.lib.pokergfx.hand_facts import Json, dicts, number
from gfx_assets.lib.pokergfx.hand_players import hand_player_row, is_winner, player_row, text
from gfx_assets.lib.pokergfx.hand_values import checked, kind
from gfx_assets.lib.pokergfx.ids import event_id, hand_id
from gfx_assets.lib.pokergfx.iso_duration import whole_seconds
from gfx_assets.lib.sinks import JsonText

HANDS, HAND_PLAYERS, EVENTS = "gfx_hands", "gfx_hand_players", "gfx_events"
GAME_VARIANTS = ("HOLDEM", "OMAHA", "OMAHA_HILO", "STUD", "STUD_HILO", "RAZZ", "DRAW", "MIXED")
GAME_CLASSES = ("FLOP", "STUD", "DRAW", "MIXED")
BET_STRUCTURES = ("NOLIMIT", "POTLIMIT", "LIMIT", "SPREAD_LIMIT")
EVENT_TYPES = (
    *("FOLD", "CHECK", "CALL", "BET", "RAISE", "ALL_IN", "BOARD_CARD", "ANTE", "BLIND", "STRADDLE"),
    *("BRING_IN", "MUCK", "SHOW", "WIN"),
)


@dataclass
class HandRows:
    """Rows for the four tables; `players` has one row per player_hash. `refused` names the export entries
    not stored and why, `unmapped` counts the values stored as NULL (see `hand_values`)."""

    hands: list[dict[str, Any]] = field(default_factory=list)
    hand_players: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    players: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)


def map_hands(
    pc_id: str, session_id: int, data: Json, first_index: int = 1, now: datetime | None = None
) -> HandRows:
    """Rows of the hands at positions `first_index`.. of the export `data` (earlier ones are left out)."""
    hands = data.get("Hands") if isinstance(data.get("Hands"), list) else []
    return map_hand_entries(pc_id, session_id, hands[first_index - 1 :], first_index, now)


def map_hand_entries(
    pc_id: str, session_id: int, entries: list[Any], first_index: int = 1, now: datetime | None = None
) -> HandRows:
    """Rows of `entries`, the entries of an export's `Hands` from position `first_index` on."""
    now = now or datetime.now(UTC)
    rows = HandRows()
    for index, hand in _objects(rows, HANDS, f"session_id={session_id}", "Hands", entries, first_index):
        _add_hand(rows, pc_id, session_id, index, hand, now)
    return rows


def _objects(
    rows: HandRows, table: str, where: str, name: str, value: Any, start: int = 1
) -> Iterator[tuple[int, Json]]:
    """(1-based position, entry) of the objects of a JSON list, counting from `start`. Another entry keeps
    its position (later entries are not renumbered) and is refused."""
    for position, entry in enumerate(value if isinstance(value, list) else [], start=start):
        if isinstance(entry, dict):
            yield position, entry
        else:
            rows.refused.append(f"{table} ({where}): {name}[{position}] is not an object ({kind(entry)})")


def _add_hand(rows: HandRows, pc_id: str, session_id: int, index: int, hand: Json, now: datetime) -> None:
    key, where = hand_id(pc_id, session_id, index), f"session_id={session_id}, hand_index={index}"
    key_bytes = key.bytes
    rows.hands.append(checked(HANDS, hand_row(key, pc_id, session_id, index, hand, now), hand, rows.unmapped))
    seats: set[int] = set()
    for position, player in _objects(rows, HAND_PLAYERS, where, "Players", hand.get("Players")):
        seat = number(player.get("PlayerNum"))
        problem = _seat_problem(seat, seats)
        if problem:
            rows.refused.append(f"{HAND_PLAYERS} ({where}): Players[{position}] {problem}")
            continue
        seats.add(seat)
        row = hand_player_row(key, key_bytes, player, is_winner(player))
        rows.hand_players.append(checked(HAND_PLAYERS, row, player, rows.unmapped))
        identity = player_row(player, now)
        rows.players[identity["player_hash"]] = identity
    for order, event in _objects(rows, EVENTS, where, "Events", hand.get("Events")):
        rows.events.append(checked(EVENTS, event_row(key, key_bytes, order, event), event, rows.unmapped))


def _seat_problem(seat: int | None, taken: set[int]) -> str | None:
    """Why a seat cannot be stored: a seat is keyed by (hand, seat_num), the first entry of a seat wins."""
    if seat is None:
        return "has no integer PlayerNum"
    if seat in taken:
        return f"repeats PlayerNum {seat}: the hand's first entry for seat {seat} is kept"
    return None


def hand_row(
    key: uuid.UUID, pc_id: str, session_id: int, index: int, hand: Json, now: datetime
) -> dict[str, Any]:
    players = dicts(hand.get("Players"))
    top = facts.winner(players)
    offset = hand.get("RecordingOffsetStart")
    return {
        "id": key,
        "gfx_pc_id": pc_id,
        "session_id": session_id,
        "hand_index": index,
        "hand_num": number(hand.get("HandNum")),
        "game_variant": enum(hand.get("GameVariant"), GAME_VARIANTS),
        "game_class": enum(hand.get("GameClass"), GAME_CLASSES),
        "bet_structure": enum(hand.get("BetStructure"), BET_STRUCTURES),
        "duration_seconds": whole_seconds(hand.get("Duration")),
        "start_time": utc(hand.get("StartDateTimeUTC")),
        "recording_offset_iso": text(offset),
        "recording_offset_seconds": whole_seconds(offset),
        "num_boards": number(hand.get("NumBoards")),
        "run_it_num_times": number(hand.get("RunItNumTimes")),
        "ante_amt": number(hand.get("AnteAmt")),
        "bomb_pot_amt": number(hand.get("BombPotAmt")),
        "description": text(hand.get("Description")),
        "blinds": _json(facts.blinds(hand.get("FlopDrawBlinds"))),
        "stud_limits": _json(hand.get("StudLimits")),
        "pot_size": facts.pot_size(hand),
        "player_count": len(players),
        "showdown_count": 0,  # production's normaliser never derives it: see hand_facts
        "board_cards": facts.board_cards(dicts(hand.get("Events"))),
        "winner_name": text(top.get("Name")) if top else None,
        "winner_seat": number(top.get("PlayerNum")) if top else None,
        "updated_at": now,
    }


def event_row(key: uuid.UUID, key_bytes: bytes, order: int, event: Json) -> dict[str, Any]:
    """An event of the hand `key` (`key_bytes`: its 16 bytes, see `ids.event_id`)."""
    return {
        "id": event_id(key_bytes, order),
        "hand_id": key,
        "event_order": order,
        "event_type": enum(event.get("EventType"), EVENT_TYPES),
        "player_num": number(event.get("PlayerNum")),
        "bet_amt": number(event.get("BetAmt")),
        "pot": number(event.get("Pot")),
        "board_cards": text(event.get("BoardCards")),
        "board_num": number(event.get("BoardNum")),
        "num_cards_drawn": number(event.get("NumCardsDrawn")),
        "event_time": utc(event.get("DateTimeUTC")),
    }


def enum(value: Any, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    name = "_".join(value.strip().upper().replace("-", " ").split())
    return name if name in allowed else None


def utc(value: Any) -> datetime | None:
    """An ISO 8601 time as aware UTC (no offset means UTC); None if it is not one or UTC cannot hold it."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # not a time, or out of range in UTC ('0001-01-01T00:00+05:00')
        return None


def _json(value: Any) -> JsonText | None:
    return JsonText(json.dumps(value, ensure_ascii=False)) if isinstance(value, dict) else None
