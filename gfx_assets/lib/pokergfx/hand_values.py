"""What the hand tables can hold, and the values of an export that they cannot. Dagster-free.

A mapped row is checked before it is written, so one odd value never costs a hand, its seats or its
events:
- an integer outside its column's type (int4, the bigint recording_offset_seconds, numeric(5,2) percents),
  derived ones included (pot_size), becomes NULL and is counted as `<table>.<column>=<out of range>`;
- a column that maps to NULL although its export field held a value (an enum value outside the schema's
  enum, a non-integer amount, a time or duration that does not parse) is counted as
  `<table>.<column>=<value>`: the value itself for enums (`gfx_events.event_type=SHOWDOWN`), else its JSON
  kind (`gfx_events.bet_amt=<number>`, `gfx_hands.start_time=<string>`).
raw_json keeps every value as PokerGFX wrote it. An export null (`"BoardCards": null`) is no finding.
"""

from collections import Counter
from typing import Any

from gfx_assets.lib.pokergfx.hand_players import PERCENTS

INT4 = (-(2**31), 2**31 - 1)
INT8 = (-(2**63), 2**63 - 1)
PERCENT_LIMIT = 999.995  # numeric(5, 2) holds what rounds to at most 999.99
ENUM_COLUMNS = ("game_variant", "game_class", "bet_structure", "event_type")
MAX_SHOWN = 40  # characters of an unmapped enum value in a finding

SOURCES: dict[str, dict[str, str]] = {  # column -> the export field it maps, per table
    "gfx_hands": {
        "hand_num": "HandNum",
        "game_variant": "GameVariant",
        "game_class": "GameClass",
        "bet_structure": "BetStructure",
        "duration_seconds": "Duration",
        "start_time": "StartDateTimeUTC",
        "recording_offset_iso": "RecordingOffsetStart",
        "recording_offset_seconds": "RecordingOffsetStart",
        "num_boards": "NumBoards",
        "run_it_num_times": "RunItNumTimes",
        "ante_amt": "AnteAmt",
        "bomb_pot_amt": "BombPotAmt",
        "description": "Description",
        "blinds": "FlopDrawBlinds",
        "stud_limits": "StudLimits",
    },
    "gfx_hand_players": {
        "seat_num": "PlayerNum",
        "player_name": "Name",
        "start_stack_amt": "StartStackAmt",
        "end_stack_amt": "EndStackAmt",
        "cumulative_winnings_amt": "CumulativeWinningsAmt",
        "blind_bet_straddle_amt": "BlindBetStraddleAmt",
        "sitting_out": "SittingOut",
        "elimination_rank": "EliminationRank",
        "vpip_percent": "VPIPPercent",
        "preflop_raise_percent": "PreFlopRaisePercent",
        "aggression_frequency_percent": "AggressionFrequencyPercent",
        "went_to_showdown_percent": "WentToShowDownPercent",
    },
    "gfx_events": {
        "event_type": "EventType",
        "player_num": "PlayerNum",
        "bet_amt": "BetAmt",
        "pot": "Pot",
        "board_cards": "BoardCards",
        "board_num": "BoardNum",
        "num_cards_drawn": "NumCardsDrawn",
        "event_time": "DateTimeUTC",
    },
}
_INT4_COLUMNS = {
    "gfx_hands": (
        *("hand_num", "duration_seconds", "num_boards", "run_it_num_times", "ante_amt", "bomb_pot_amt"),
        *("pot_size", "player_count", "showdown_count", "winner_seat"),
    ),
    "gfx_hand_players": (
        *("seat_num", "start_stack_amt", "end_stack_amt", "cumulative_winnings_amt"),
        *("blind_bet_straddle_amt", "elimination_rank"),
    ),
    "gfx_events": ("player_num", "bet_amt", "pot", "board_num", "num_cards_drawn"),
}
_PERCENT = (-PERCENT_LIMIT, PERCENT_LIMIT)
RANGES: dict[str, dict[str, tuple[float, float]]] = {  # the bounded numeric columns, per table
    "gfx_hands": {**dict.fromkeys(_INT4_COLUMNS["gfx_hands"], INT4), "recording_offset_seconds": INT8},
    "gfx_hand_players": {
        **dict.fromkeys(_INT4_COLUMNS["gfx_hand_players"], INT4),
        **dict.fromkeys(PERCENTS, _PERCENT),
    },
    "gfx_events": dict.fromkeys(_INT4_COLUMNS["gfx_events"], INT4),
}
_KINDS = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}


# SOURCES and RANGES as tuples: `checked` runs once per mapped row (1.3 million for 275 MB of exports)
_SOURCE_PAIRS = {table: tuple(sources.items()) for table, sources in SOURCES.items()}
_RANGE_TRIPLES = {
    table: tuple((column, low, high) for column, (low, high) in ranges.items())
    for table, ranges in RANGES.items()
}
_NUMBERS = (int, float)


def checked(table: str, row: dict[str, Any], source: dict[str, Any], found: Counter[str]) -> dict[str, Any]:
    """`row` with every out-of-range value set to NULL; findings counted in `found`."""
    for column, field in _SOURCE_PAIRS[table]:
        if row.get(column) is None and source.get(field) is not None:
            found[f"{table}.{column}={shown(column, source[field])}"] += 1
    for column, low, high in _RANGE_TRIPLES[table]:
        value = row.get(column)
        if isinstance(value, _NUMBERS) and not low <= value <= high:
            row[column] = None
            found[f"{table}.{column}=<out of range>"] += 1
    return row


def shown(column: str, value: Any) -> str:
    """How an unmapped value appears in a finding: an enum's text, else the value's JSON kind."""
    if column in ENUM_COLUMNS and isinstance(value, str):
        return value.strip()[:MAX_SHOWN]
    return f"<{kind(value)}>"


def kind(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)
