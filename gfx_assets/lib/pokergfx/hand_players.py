"""`gfx_hand_players` and `gfx_players` rows of one hand's `Players`. Dagster-free.

player_hash identifies a player across hands, sessions and PCs as the production schema does:
md5 of `lower(trim(Name)) + ":" + lower(trim(LongName))` in hex (an identity, not a secret; the same
name pair always gives the same hash, whatever the file, the run or the sink).

- hole_cards: `["ac 7c"]` -> `{ac,7c}`; `[""]` (PokerGFX did not know them) -> `{}`.
- has_shown: at least two hole cards known (production's meaning: PokerGFX knew the seat's cards). The
  table's RFID readers
  know most hands, folded ones included (in each real session's latest file, 4204 of 4289 folded seats
  have cards), so it does not mean "showed at showdown". The export has no better signal: a player object
  holds only PlayerNum, Name, LongName, HoleCards, the stacks, CumulativeWinningsAmt,
  BlindBetStraddleAmt, SittingOut, EliminationRank and four percentages, and no real event is a SHOW or
  MUCK. docs/DERIVED_VALUES.md says more.
- sitting_out: SittingOut; a player without the field is not sitting out (production's default), so the
  graphics, which read `sitting_out = FALSE`, still show the seat.
- is_winner: the seat's stack grew over the hand (EndStackAmt > StartStackAmt), so a seat that won
  back less than it put in, or split a pot at no net gain, is not a winner; every seat with a net gain
  is (a split pot can have several). gfx_hands.winner_name / winner_seat: see `hand_facts`.
"""

import hashlib
import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from gfx_assets.lib.pokergfx.hand_facts import Json, number, stack_gain
from gfx_assets.lib.pokergfx.ids import player_id, seat_id

PERCENTS = {
    "vpip_percent": "VPIPPercent",
    "preflop_raise_percent": "PreFlopRaisePercent",
    "aggression_frequency_percent": "AggressionFrequencyPercent",
    "went_to_showdown_percent": "WentToShowDownPercent",
}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def player_hash(name: str | None, long_name: str | None) -> str:
    key = f"{(name or '').strip().lower()}:{(long_name or '').strip().lower()}"
    return hashlib.md5(key.encode()).hexdigest()


@lru_cache(maxsize=4096)
def _identity(name: str | None, long_name: str | None) -> tuple[str, uuid.UUID]:
    """(player_hash, gfx_players id) of a name pair: a session seats the same few players hand after hand,
    so each pair is hashed once, not once per seat."""
    hash_ = player_hash(name, long_name)
    return hash_, player_id(hash_)


def hole_cards(value: Any) -> list[str]:
    """`["ac 7c"]` -> `["ac", "7c"]`; `[""]` (not known) -> `[]`."""
    cards = value if isinstance(value, list) else []
    return [card for entry in cards if isinstance(entry, str) for card in entry.split()]


def percent(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def hand_player_row(hand_id: uuid.UUID, hand_bytes: bytes, player: Json, is_winner: bool) -> dict[str, Any]:
    """A seat of the hand `hand_id` (`hand_bytes`: its 16 bytes, see `ids.seat_id`)."""
    seat, cards = number(player.get("PlayerNum")), hole_cards(player.get("HoleCards"))
    name, long_name = text(player.get("Name")), text(player.get("LongName"))
    return {
        "id": seat_id(hand_bytes, seat),
        "hand_id": hand_id,
        "player_id": _identity(name, long_name)[1],
        "seat_num": seat,
        "player_name": name,
        "hole_cards": cards,
        "has_shown": len(cards) >= 2,
        "start_stack_amt": number(player.get("StartStackAmt")),
        "end_stack_amt": number(player.get("EndStackAmt")),
        "cumulative_winnings_amt": number(player.get("CumulativeWinningsAmt")),
        "blind_bet_straddle_amt": number(player.get("BlindBetStraddleAmt")),
        "sitting_out": _sitting_out(player),
        "elimination_rank": number(player.get("EliminationRank")),
        "is_winner": is_winner,
        **{column: percent(player.get(field)) for column, field in PERCENTS.items()},
    }


def _sitting_out(player: Json) -> bool | None:
    value = player.get("SittingOut", False)
    return value if isinstance(value, bool) else None


def is_winner(player: Json) -> bool:
    """The stack grew over the hand (EndStackAmt > StartStackAmt)."""
    gain = stack_gain(player)
    return gain is not None and gain > 0


def player_row(player: Json, now: datetime) -> dict[str, Any]:
    """The identity columns of `gfx_players`; totals and first/last seen are recounted after loading."""
    name, long_name = text(player.get("Name")) or "", text(player.get("LongName")) or ""
    hash_, id_ = _identity(name, long_name)
    return {
        "id": id_,
        "player_hash": hash_,
        "name": name,
        "long_name": long_name,
        "updated_at": now,
    }
