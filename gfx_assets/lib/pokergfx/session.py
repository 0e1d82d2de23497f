"""Parse one PokerGFX JSON export into the fields of a `gfx_sessions` row. Dagster-free.

`parse_session` returns a `ParsedSession` or raises `RejectedFile` carrying a `RejectReason`;
whatever the bytes, it raises nothing else. Strict decoding lives in `pokergfx_json`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gfx_assets.lib.pokergfx.iso_duration import whole_seconds
from gfx_assets.lib.pokergfx.json_text import RejectedFile, RejectReason, decode_text, load_object

__all__ = [
    "TABLE_TYPES",
    "ParsedSession",
    "RejectReason",
    "RejectedFile",
    "decode_text",
    "parse_session",
    "sha256_hex",
]

TABLE_TYPES = ("FEATURE_TABLE", "MAIN_TABLE", "FINAL_TABLE", "SIDE_TABLE", "UNKNOWN")
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

_FILE_NAME_ID = re.compile(r"GameID=([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")
_VARIANT_ID_KEYS = ("session_id", "sessionId", "SessionID", "GameID", "game_id", "gameId")
_NESTED_ID_KEYS = (("Session", "ID"), ("session", "id"))
_TABLE_TYPE_SEPARATORS = re.compile(r"[\s_-]+")


@dataclass(frozen=True, slots=True)
class SessionTimes:
    """Production's session statistics (its `update_session_stats`): the hands' durations summed, the
    first hand's start and the latest hand end (start + duration). A value PostgreSQL's column cannot
    hold (a sum past int4, a time past year 9999) is None, never a rejected file."""

    total_duration_seconds: int | None = 0
    session_start_time: datetime | None = None
    session_end_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedSession:
    """The columns of one `gfx_sessions` row, taken from one export file."""

    session_id: int
    table_type: str
    event_title: str | None
    software_version: str | None
    session_created_at: datetime | None
    hand_count: int
    player_count: int
    payouts: list[int] | None
    times: SessionTimes
    json_text: str
    data: dict[str, Any] = field(repr=False, compare=False)  # the parsed export, for the ledger's digests


def sha256_hex(raw: bytes) -> str:
    """The SHA-256 of the file's bytes as 64 lowercase hex digits."""
    return hashlib.sha256(raw).hexdigest()


def parse_session(raw: bytes, file_name: str, max_bytes: int | None = None) -> ParsedSession:
    """Parse the bytes of the export named `file_name`; raises `RejectedFile` when it cannot be stored."""
    if max_bytes is not None and len(raw) > max_bytes:
        detail = f"the file is {len(raw)} bytes, over the limit of {max_bytes} bytes"
        raise RejectedFile(RejectReason.TOO_LARGE, detail)
    text = decode_text(raw)
    data = load_object(text)
    hands = data.get("Hands")
    hands = hands if isinstance(hands, list) else []
    return ParsedSession(
        session_id=_session_id(data, file_name),
        table_type=_table_type(data.get("Type")),
        event_title=_optional_str(data.get("EventTitle")),
        software_version=_optional_str(data.get("SoftwareVersion")),
        session_created_at=_utc_datetime(data.get("CreatedDateTimeUTC")),
        hand_count=len(hands),
        player_count=_player_count(hands),
        payouts=_payouts(data.get("Payouts")),
        times=session_times(hands),
        json_text=text,
        data=data,
    )


def session_times(hands: list[Any]) -> SessionTimes:
    """Durations in whole seconds and start times as `gfx_hands` stores them, over the hands that are
    objects; a hand without a parsable Duration counts 0 s, one without a start time is left out."""
    objects = [hand for hand in hands if isinstance(hand, dict)]
    spans = [
        (_utc_datetime(hand.get("StartDateTimeUTC")), _int4_seconds(hand.get("Duration"))) for hand in objects
    ]
    total = sum(seconds or 0 for _, seconds in spans)
    starts = [start for start, _ in spans if start is not None]
    ends = [_end(start, seconds) for start, seconds in spans if start is not None and seconds is not None]
    ends = [end for end in ends if end is not None]
    return SessionTimes(
        total if -INT32_MAX - 1 <= total <= INT32_MAX else None,
        min(starts, default=None),
        max(ends, default=None),
    )


def _int4_seconds(duration: Any) -> int | None:
    """A hand's duration_seconds as gfx_hands holds it (None where int4 cannot)."""
    seconds = whole_seconds(duration)
    return seconds if seconds is not None and -INT32_MAX - 1 <= seconds <= INT32_MAX else None


def _end(start: datetime, seconds: int) -> datetime | None:
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _session_id(data: dict[str, Any], file_name: str) -> int:
    for source, value in _session_id_candidates(data, file_name):
        if value is not None:
            return _int64(value, f"the session id from {source}")
    detail = f'no session id: no integer "ID" field and no "GameID=<digits>" in the file name {file_name!r}'
    raise RejectedFile(RejectReason.MISSING_SESSION_ID, detail)


def _session_id_candidates(data: dict[str, Any], file_name: str) -> Iterator[tuple[str, int | str | None]]:
    """Where a session id may be, best source first: ID, the file name, then spellings seen elsewhere."""
    yield '"ID"', _id_value(data.get("ID"))
    match = _FILE_NAME_ID.search(file_name)
    yield "the file name", match.group(1) if match else None
    for key in _VARIANT_ID_KEYS:
        yield f'"{key}"', _id_value(data.get(key))
    for outer, inner in _NESTED_ID_KEYS:
        nested = data.get(outer)
        yield f'"{outer}.{inner}"', _id_value(nested.get(inner)) if isinstance(nested, dict) else None


def _id_value(value: Any) -> int | str | None:
    if _is_int(value):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value
    return None


def _int64(value: int | str, what: str) -> int:
    """`value` (an int or a string of ASCII digits) as an int, if it fits PostgreSQL bigint."""
    if isinstance(value, str):
        digits = value.lstrip("0") or "0"
        value = int(digits) if len(digits) <= 20 else INT64_MAX + 1
    if not INT64_MIN <= value <= INT64_MAX:
        raise RejectedFile(RejectReason.VALUE_OUT_OF_RANGE, f"{what} does not fit a signed 64-bit integer")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _table_type(value: Any) -> str:
    """`value` as one of TABLE_TYPES, ignoring case and spaces/hyphens/underscores; else UNKNOWN."""
    if not isinstance(value, str):
        return "UNKNOWN"
    name = _TABLE_TYPE_SEPARATORS.sub("_", value.upper()).strip("_")
    return name if name in TABLE_TYPES else "UNKNOWN"


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _utc_datetime(value: Any) -> datetime | None:
    """An ISO 8601 time as aware UTC (no offset means UTC; digits past microseconds are dropped)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _player_count(hands: list[Any]) -> int:
    """Distinct non-empty player names over all hands, skipping entries of the wrong shape."""
    names: set[str] = set()
    for hand in hands:
        players = hand.get("Players") if isinstance(hand, dict) else None
        if isinstance(players, list):
            names.update(_player_names(players))
    return len(names)


def _player_names(players: list[Any]) -> Iterator[str]:
    for player in players:
        name = player.get("Name") if isinstance(player, dict) else None
        if isinstance(name, str) and name.strip():
            yield name.strip()


def _payouts(value: Any) -> list[int] | None:
    """The Payouts list if it holds only integers (None otherwise); each must fit bigint."""
    if not isinstance(value, list) or not all(_is_int(amount) for amount in value):
        return None
    return [_int64(amount, f"Payouts[{index}]") for index, amount in enumerate(value)]
