"""Synthetic PokerGFX hands: a table of seats playing no-limit hold'em, one hand dict at a time.

Dagster-free helper of `gfx_assets.lib.pokergfx.synthetic`. Amounts, event order and formats copy the real
exports; the play itself is a plausible random walk (one betting pass per street), not poker logic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

TICKS_PER_SECOND = 10_000_000
DOTNET_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
# Real RecordingOffsetStart: the recording PC's wall clock (UTC+4) as a duration since 0001-01-01.
_RECORDING_CLOCK_OFFSET = 4 * 3600 * TICKS_PER_SECOND
_RANKS = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "j", "q", "k", "a")
_DECK = tuple(rank + suit for rank in _RANKS for suit in "cdhs")
_FIRST_NAMES = ("Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas")
# `Name` in the exports is the surname; each newcomer gets an unused one until all have been dealt out.
_SURNAMES = (
    ("Alvarez", "Berg", "Costa", "Dragan", "Eriksen", "Fischer", "Gomez", "Horvat", "Ivanov", "Jansen")
    + ("Kovacs", "Larsen", "Moreau", "Novak", "Ortega", "Petrov", "Quint", "Rossi", "Silva", "Tanaka")
    + ("Ulrich", "Varga", "Weber", "Xavier", "Young", "Zeller", "Andersen", "Bianchi", "Castillo", "Duval")
    + ("Esposito", "Fontaine", "Gruber", "Hansen", "Ilic", "Jovanovic", "Keller", "Lindqvist", "Marin")
    + ("Neri", "Olsen", "Popescu", "Quinn", "Richter", "Santos", "Toth", "Ueda", "Vidal", "Wagner", "Yilmaz")
)
# Big blinds per 1000 chips of the buy-in, rising every _HANDS_PER_LEVEL hands.
_BIG_BLIND_LEVELS = (10, 15, 20, 25, 30, 40, 50, 60, 80, 100)
_HANDS_PER_LEVEL = 12
_FACING_A_BET = (("FOLD", 60), ("CALL", 25), ("BET", 12), ("ALL IN", 3))
_UNOPENED = (("CHECK", 60), ("BET", 36), ("ALL IN", 4))


def format_utc(ticks: int) -> str:
    """Ticks since 0001-01-01 UTC as the exports write times: `2025-10-19T13:38:53.8222042Z`."""
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    return f"{DOTNET_EPOCH + timedelta(seconds=seconds):%Y-%m-%dT%H:%M:%S}.{fraction:07d}Z"


def format_duration(ticks: int) -> str:
    """A .NET TimeSpan as ISO 8601 like the exports: `PT2M32.217716S`, `P739541DT16H23M11.2859356S`."""
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    day_text = f"{days}D" if days else ""
    time_text = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M")) if value)
    if seconds or fraction or not (days or time_text):
        time_text += f"{seconds}.{fraction:07d}".rstrip("0").rstrip(".") + "S"
    return f"P{day_text}T{time_text}" if time_text else f"P{day_text}"


@dataclass(eq=False)
class _Seat:
    num: int
    name: str
    long_name: str
    stack: int
    winnings: int = 0
    hands: int = 0
    voluntary: int = 0
    raised_preflop: int = 0
    aggressive: int = 0
    actions: int = 0
    showdowns: int = 0


class Table:
    """Seats numbered from 2 like the real table (from 1 above eight players); the busted are replaced."""

    def __init__(self, rng: random.Random, players: int, next_start: int) -> None:
        if not 2 <= players <= 10:
            raise ValueError(f"players must be 2 to 10, got {players}")
        self._rng = rng
        self._surnames: list[str] = []
        self._buy_in = rng.choice((100_000, 200_000, 250_000, 1_000_000))
        first_seat = 2 if players <= 8 else 1
        self._seats = [self._newcomer(num) for num in range(first_seat, first_seat + players)]
        self._button = rng.randrange(players)
        self._next_start = next_start

    def play_hand(self, hand_num: int) -> dict[str, Any]:
        """Play the next hand and return it shaped like an element of the export's `Hands`."""
        self._seats = [seat if seat.stack else self._newcomer(seat.num) for seat in self._seats]
        self._button = (self._button + 1) % len(self._seats)
        order = self._seats[self._button + 1 :] + self._seats[: self._button + 1]
        small, big = self._blinds(hand_num)
        hand = _Hand(self._rng, order, small, big)
        start, duration = self._next_start, self._rng.randrange(20 * TICKS_PER_SECOND, 300 * TICKS_PER_SECOND)
        self._next_start = start + duration + self._rng.randrange(5 * TICKS_PER_SECOND, 90 * TICKS_PER_SECOND)
        return {
            "AnteAmt": big,
            "BetStructure": "NOLIMIT",
            "BombPotAmt": 0,
            "Description": "",
            "Duration": format_duration(duration),
            "Events": hand.events,
            "FlopDrawBlinds": {
                "AnteType": "BB_ANTE_BB1ST",
                "BigBlindAmt": big,
                "BigBlindPlayerNum": order[1].num,
                "BlindLevel": 0,
                "ButtonPlayerNum": order[-1].num,
                "SmallBlindAmt": small,
                "SmallBlindPlayerNum": order[0].num,
                "ThirdBlindAmt": 0,
                "ThirdBlindPlayerNum": 0,
            },
            "GameClass": "FLOP",
            "GameVariant": "HOLDEM",
            "HandNum": hand_num,
            "NumBoards": 1,
            "Players": hand.player_rows(self._seats),
            "RecordingOffsetStart": format_duration(start + _RECORDING_CLOCK_OFFSET),
            "RunItNumTimes": 1,
            "StartDateTimeUTC": format_utc(start),
            "StudLimits": {"BringInAmt": 0, "BringInPlayerNum": 1, "HighLimitAmt": 0, "LowLimitAmt": 0},
        }

    def _blinds(self, hand_num: int) -> tuple[int, int]:
        level = min((hand_num - 1) // _HANDS_PER_LEVEL, len(_BIG_BLIND_LEVELS) - 1)
        big = max(1000, self._buy_in * _BIG_BLIND_LEVELS[level] // 1000 // 500 * 500)
        return big // 1000 * 500, big

    def _newcomer(self, num: int) -> _Seat:
        if not self._surnames:
            self._surnames = self._rng.sample(_SURNAMES, len(_SURNAMES))
        first, last = self._rng.choice(_FIRST_NAMES), self._surnames.pop()
        stack = self._buy_in * self._rng.randrange(50, 150) // 100 // 500 * 500
        return _Seat(num, last, f"{first} {last}", stack)


class _Hand:
    """One hand's betting: blinds and a BB ante, one pass of actions per street, a random winner."""

    def __init__(self, rng: random.Random, order: list[_Seat], small: int, big: int) -> None:
        self._rng = rng
        self._deck = rng.sample(_DECK, len(_DECK))
        self._holes = {seat.num: f"{self._deck.pop()} {self._deck.pop()}" for seat in order}
        self._start_stacks = {seat.num: seat.stack for seat in order}
        self.pot = 0
        self.events: list[dict[str, Any]] = []
        self._pay(order[0], small)
        self._pay(order[1], 2 * big)  # the big blind and the BB ante
        live = self._betting_round(order[2:] + order[:2], big, preflop=True)
        for cards in (3, 1, 1):
            if len(live) < 2:
                break
            self.events += [_event("BOARD CARD", 0, 0, 0, self._deck.pop()) for _ in range(cards)]
            live = self._betting_round(live, 0, preflop=False)
        self._settle(live, order)

    def player_rows(self, seats: list[_Seat]) -> list[dict[str, Any]]:
        return [_player_row(seat, self._start_stacks[seat.num], self._hole_cards(seat)) for seat in seats]

    def _hole_cards(self, seat: _Seat) -> list[str]:
        return [""] if self._rng.random() < 0.02 else [self._holes[seat.num]]

    def _betting_round(self, live: list[_Seat], to_call: int, preflop: bool) -> list[_Seat]:
        staying: list[_Seat] = []
        for index, seat in enumerate(live):
            if seat.stack == 0 or (not staying and index == len(live) - 1):
                staying.append(seat)  # all in already, or everyone else folded
                continue
            action = self._choose(_FACING_A_BET if to_call else _UNOPENED)
            amount = min(self._amount(action, to_call, seat), seat.stack)
            if amount and amount == seat.stack:
                action = "ALL IN"
            self.events.append(_event(action, seat.num, amount, 0 if action == "FOLD" else self.pot))
            self._pay(seat, amount)
            _count_action(seat, action, preflop)
            to_call = max(to_call, amount)
            if action != "FOLD":
                staying.append(seat)
        return staying

    def _choose(self, weighted: tuple[tuple[str, int], ...]) -> str:
        actions, weights = zip(*weighted, strict=True)
        return self._rng.choices(actions, weights)[0]

    def _amount(self, action: str, to_call: int, seat: _Seat) -> int:
        if action == "CALL":
            return to_call
        if action == "BET":
            return max(2 * to_call, 500, self.pot * self._rng.randrange(40, 120) // 100 // 500 * 500)
        return seat.stack if action == "ALL IN" else 0

    def _pay(self, seat: _Seat, amount: int) -> None:
        amount = min(amount, seat.stack)
        seat.stack -= amount
        self.pot += amount

    def _settle(self, live: list[_Seat], order: list[_Seat]) -> None:
        self._rng.choice(live).stack += self.pot
        for seat in order:
            seat.hands += 1
            seat.showdowns += len(live) > 1 and seat in live
            seat.winnings += seat.stack - self._start_stacks[seat.num]


def _count_action(seat: _Seat, action: str, preflop: bool) -> None:
    voluntary = action in ("CALL", "BET", "ALL IN")
    seat.voluntary += preflop and voluntary
    seat.raised_preflop += preflop and action != "CALL" and voluntary
    seat.aggressive += action in ("BET", "ALL IN")
    seat.actions += action != "FOLD"


def _event(kind: str, player: int, amount: int, pot: int, board_card: str | None = None) -> dict[str, Any]:
    return {
        "BetAmt": amount,
        "BoardCards": board_card,
        "BoardNum": int(board_card is not None),
        "DateTimeUTC": None,
        "EventType": kind,
        "NumCardsDrawn": 0,
        "PlayerNum": player,
        "Pot": pot,
    }


def _player_row(seat: _Seat, start_stack: int, hole_cards: list[str]) -> dict[str, Any]:
    return {
        "AggressionFrequencyPercent": _percent(seat.aggressive, seat.actions),
        "BlindBetStraddleAmt": 0,
        "CumulativeWinningsAmt": seat.winnings,
        "EliminationRank": -1,
        "EndStackAmt": seat.stack,
        "HoleCards": hole_cards,
        "LongName": seat.long_name,
        "Name": seat.name,
        "PlayerNum": seat.num,
        "PreFlopRaisePercent": _percent(seat.raised_preflop, seat.hands),
        "SittingOut": False,
        "StartStackAmt": start_stack,
        "VPIPPercent": _percent(seat.voluntary, seat.hands),
        "WentToShowDownPercent": _percent(seat.showdowns, seat.hands),
    }


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
