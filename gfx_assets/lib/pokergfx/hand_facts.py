"""Columns of `gfx_hands` that PokerGFX does not write, derived from a hand's events and stacks.

- board_cards: the cards of the `BOARD CARD` events, in event order (every board of the hand), one card per
  element: real exports write one card per event (`"5d"`), and a string naming several (`"ah kd 2c"`,
  `"ah,kd"`) is split at spaces and commas. gfx_events.board_cards keeps each event's text as written.
- player_count: the entries of `Players` (seats dealt in, sitting out included).
- showdown_count: the players still in at the hand's last event (never folded, not sitting out) when two
  or more are, else 0 (everyone else folded). A hand still in progress counts who is still in.
- winner_name / winner_seat: the player whose stack grew most (`EndStackAmt - StartStackAmt`), the
  lower seat on a tie; None when no stack grew (a hand in progress, a chopped pot with no net gain).
- pot_size: the final pot as the events report it. An event's `Pot` is the pot before that action and
  its `BetAmt` the player's total bet on the street ("bet to"), so the final pot is the `Pot` of the
  last priced action (a `Pot` above 0) plus what that action added: its `BetAmt`, capped at the largest
  bet another player made on the street (an uncalled excess goes back), minus what the player had
  already put in on the street (preflop: the blind of `FlopDrawBlinds`). A street ends at a
  `BOARD CARD`. A hand without a priced action (a walk, a hand not yet started) has the blinds and
  ante as its pot: small, big and third blind plus `AnteAmt`.
"""

import re
from typing import Any

Json = dict[str, Any]
_CARD_SEPARATORS = re.compile(r"[\s,]+")
_BETS = ("BET", "CALL", "RAISE", "ALL IN", "ALL_IN", "STRADDLE", "BRING IN", "BRING_IN")


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


def showdown_count(hand: Json) -> int:
    folded = {number(e.get("PlayerNum")) for e in dicts(hand.get("Events")) if event_kind(e) == "FOLD"}
    still_in = [
        player
        for player in dicts(hand.get("Players"))
        if number(player.get("PlayerNum")) not in folded and player.get("SittingOut") is not True
    ]
    return len(still_in) if len(still_in) >= 2 else 0


def stack_gain(player: Json) -> int | None:
    start, end = number(player.get("StartStackAmt")), number(player.get("EndStackAmt"))
    return end - start if start is not None and end is not None else None


def winner(players: list[Json]) -> Json | None:
    gainers = [(stack_gain(p), -(number(p.get("PlayerNum")) or 0), p) for p in players]
    gainers = [entry for entry in gainers if entry[0] is not None and entry[0] > 0]
    return max(gainers, key=lambda entry: entry[:2])[2] if gainers else None


def pot_size(hand: Json) -> int | None:
    events = dicts(hand.get("Events"))
    committed: dict[int | None, int] = _blinds(hand)
    last_pot: int | None = None
    for event in events:
        kind, seat = event_kind(event), number(event.get("PlayerNum"))
        if kind == "BOARD CARD":
            committed = {}
            continue
        pot, bet = number(event.get("Pot")) or 0, number(event.get("BetAmt")) or 0
        if pot > 0 and kind != "FOLD":
            others = max((amount for player, amount in committed.items() if player != seat), default=0)
            added = min(bet, others) if kind in _BETS else 0
            last_pot = pot + max(0, added - committed.get(seat, 0))
        if kind in _BETS:
            committed[seat] = max(committed.get(seat, 0), bet)
    return last_pot if last_pot is not None else _opening_pot(hand)


def _blinds(hand: Json) -> dict[int | None, int]:
    blinds = hand.get("FlopDrawBlinds") if isinstance(hand.get("FlopDrawBlinds"), dict) else {}
    posted: dict[int | None, int] = {}
    for which in ("Small", "Big", "Third"):
        seat, amount = number(blinds.get(f"{which}BlindPlayerNum")), number(blinds.get(f"{which}BlindAmt"))
        if seat and amount:
            posted[seat] = posted.get(seat, 0) + amount
    return posted


def _opening_pot(hand: Json) -> int | None:
    if not dicts(hand.get("Events")) and not dicts(hand.get("Players")):
        return None
    return sum(_blinds(hand).values()) + (number(hand.get("AnteAmt")) or 0)
