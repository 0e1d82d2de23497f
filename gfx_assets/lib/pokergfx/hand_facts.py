"""Columns of `gfx_hands` that PokerGFX does not write, derived from a hand's events and stacks, with the
meaning production's normaliser gives them (garimto81/automation_schema src/gfx_normalizer.py): the
broadcast graphics read these columns, so they must say what production says. docs/DERIVED_VALUES.md
compares each with what the export supports.

- board_cards: the cards of the `BOARD CARD` events, in event order (every board of the hand), one card per
  element: real exports write one card per event (`"5d"`), and a string naming several (`"ah kd 2c"`,
  `"ah,kd"`) is split at spaces and commas. gfx_events.board_cards keeps each event's text as written.
- player_count: the entries of `Players` (seats dealt in, sitting out included).
- pot_size: the `Pot` of the hand's last event whose `Pot` is above 0, else 0. An event's `Pot` is the pot
  before that action, so this is the pot before the last priced action.
- winner_name / winner_seat: among the seats whose stack grew over the hand (`EndStackAmt >
  StartStackAmt`), the one with the largest `CumulativeWinningsAmt` (the first in `Players` on a tie);
  None when no stack grew.
- showdown_count: production's normaliser never derives it, so it is 0 (its column default), as there.
- blinds: `FlopDrawBlinds` under production's snake_case keys (`big_blind_amt`, ...), see `blinds`.
"""

import re
from typing import Any

Json = dict[str, Any]
_CARD_SEPARATORS = re.compile(r"[\s,]+")


def number(value: Any) -> int | None:
    """An integer of the export (never a bool); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dicts(value: Any) -> list[Json]:
    """The objects of a JSON list (entries of another shape are skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def event_kind(event: Json) -> str:
    kind = event.get("EventType")
    return kind.strip().upper() if isinstance(kind, str) else ""


def board_cards(events: list[Json]) -> list[str]:
    return [
        card
        for event in events
        if event_kind(event) == "BOARD CARD" and isinstance(event.get("BoardCards"), str)
        for card in _CARD_SEPARATORS.split(event["BoardCards"])
        if card
    ]


def stack_gain(player: Json) -> int | None:
    start, end = number(player.get("StartStackAmt")), number(player.get("EndStackAmt"))
    return end - start if start is not None and end is not None else None


def winner(players: list[Json]) -> Json | None:
    gainers = [player for player in players if (stack_gain(player) or 0) > 0]
    # max() keeps the first of equal keys: the first such seat in Players, as production picks it
    return max(gainers, key=lambda player: number(player.get("CumulativeWinningsAmt")) or 0, default=None)


def pot_size(hand: Json) -> int:
    pots = [number(event.get("Pot")) or 0 for event in dicts(hand.get("Events"))]
    return next((pot for pot in reversed(pots) if pot > 0), 0)


# FlopDrawBlinds key -> production's key, and production's value when the key is missing
BLIND_KEYS = {
    "AnteType": ("ante_type", "NO_ANTE"),
    "BigBlindAmt": ("big_blind_amt", 0),
    "BigBlindPlayerNum": ("big_blind_player_num", 0),
    "SmallBlindAmt": ("small_blind_amt", 0),
    "SmallBlindPlayerNum": ("small_blind_player_num", 0),
    "ButtonPlayerNum": ("button_player_num", 0),
    "ThirdBlindAmt": ("third_blind_amt", 0),
    "ThirdBlindPlayerNum": ("third_blind_player_num", 0),
    "BlindLevel": ("blind_level", 0),
}


def blinds(value: Any) -> Json | None:
    """`FlopDrawBlinds` with production's keys, values as written; {} when absent or empty; None (and a
    finding) when it is not an object. Other keys PokerGFX may add stay in raw_json."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        return None
    return {key: value.get(field, default) for field, (key, default) in BLIND_KEYS.items()}
