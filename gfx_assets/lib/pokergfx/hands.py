"""Map one PokerGFX export to rows of `gfx_hands`, `gfx_hand_players`, `gfx_events` and `gfx_players`.
Dagster-free.

A hand is keyed by (gfx_pc_id, session_id, hand_index), hand_index being its 1-based position in the
export's `Hands` (HandNum repeats in real files); an event by (hand_id, event_order), event_order its
1-based position in the hand's `Events`; a seat by (hand_id, seat_num). Every id is a uuid5 of that
natural key, so a replay writes the same ids and children name their hand without reading it back.

Field by field: enums (`GameVariant`, `GameClass`, `BetStructure`, `EventType`) are upper-cased with
spaces as underscores (`ALL IN` -> ALL_IN, `BOARD CARD` -> BOARD_CARD); a value outside the enum is
NULL (raw_json keeps it). `Duration` -> duration_seconds and `RecordingOffsetStart` ->
recording_offset_seconds are whole seconds (fraction cut off), recording_offset_iso keeps the text.
Times are UTC (digits past microseconds dropped). `FlopDrawBlinds` / `StudLimits` are stored whole as
jsonb. Derived columns: see `hand_facts`; hole cards and player_hash: see `hand_players`.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gfx_assets.lib.pokergfx import hand_facts as facts
from gfx_assets.lib.pokergfx.hand_facts import Json, dicts, number
from gfx_assets.lib.pokergfx.hand_players import (
    ID_NAMESPACE,
    hand_player_row,
    is_winner,
    player_row,
    text,
)
from gfx_assets.lib.pokergfx.iso_duration import whole_seconds
from gfx_assets.lib.sinks import JsonText

GAME_VARIANTS = ("HOLDEM", "OMAHA", "OMAHA_HILO", "STUD", "STUD_HILO", "RAZZ", "DRAW", "MIXED")
GAME_CLASSES = ("FLOP", "STUD", "DRAW", "MIXED")
BET_STRUCTURES = ("NOLIMIT", "POTLIMIT", "LIMIT", "SPREAD_LIMIT")
EVENT_TYPES = (
    *("FOLD", "CHECK", "CALL", "BET", "RAISE", "ALL_IN", "BOARD_CARD", "ANTE", "BLIND", "STRADDLE"),
    *("BRING_IN", "MUCK", "SHOW", "WIN"),
)


@dataclass
class HandRows:
    """Rows for the four tables; `players` has one row per player_hash."""

    hands: list[dict[str, Any]] = field(default_factory=list)
    hand_players: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    players: dict[str, dict[str, Any]] = field(default_factory=dict)


def hand_id(pc_id: str, session_id: int, hand_index: int) -> uuid.UUID:
    return uuid.uuid5(ID_NAMESPACE, f"gfx_hand/{pc_id}/{session_id}/{hand_index}")


def session_hands(data: Json) -> list[Json]:
    return dicts(data.get("Hands"))


def map_hands(
    pc_id: str, session_id: int, data: Json, first_index: int = 1, now: datetime | None = None
) -> HandRows:
    """Rows of the hands at positions `first_index`.. of the export `data` (earlier ones are left out)."""
    now = now or datetime.now(UTC)
    rows = HandRows()
    for index, hand in enumerate(session_hands(data), start=1):
        if index >= first_index:
            _add_hand(rows, pc_id, session_id, index, hand, now)
    return rows


def _add_hand(rows: HandRows, pc_id: str, session_id: int, index: int, hand: Json, now: datetime) -> None:
    key = hand_id(pc_id, session_id, index)
    players = dicts(hand.get("Players"))
    rows.hands.append(hand_row(key, pc_id, session_id, index, hand, now))
    rows.hand_players.extend(hand_player_row(key, player, is_winner(player)) for player in players)
    rows.events.extend(
        event_row(key, order, event) for order, event in enumerate(dicts(hand.get("Events")), 1)
    )
    for player in players:
        identity = player_row(player, now)
        rows.players[identity["player_hash"]] = identity


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
        "blinds": _json(hand.get("FlopDrawBlinds")),
        "stud_limits": _json(hand.get("StudLimits")),
        "pot_size": facts.pot_size(hand),
        "player_count": len(players),
        "showdown_count": facts.showdown_count(hand),
        "board_cards": facts.board_cards(dicts(hand.get("Events"))),
        "winner_name": text(top.get("Name")) if top else None,
        "winner_seat": number(top.get("PlayerNum")) if top else None,
        "updated_at": now,
    }


def event_row(key: uuid.UUID, order: int, event: Json) -> dict[str, Any]:
    return {
        "id": uuid.uuid5(key, f"event/{order}"),
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
    """An ISO 8601 time as aware UTC (no offset means UTC); None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _json(value: Any) -> JsonText | None:
    return JsonText(json.dumps(value, ensure_ascii=False)) if isinstance(value, dict) else None
