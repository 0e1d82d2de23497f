"""Row fingerprints that agree across drivers: the same row read with psycopg from the source, with
psycopg from a PostgreSQL target, or as JSON from the REST sink gives the same 64-bit number.

Values are brought to one canonical form first (numeric and float as normalised decimals, timestamps in
UTC, jsonb as sorted JSON), because JSON renders numeric as a number and timestamps with an offset.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

RANGE_PREFIX_CHARS = 2  # ranges of the uuid key space: its first two hex digits, 256 ranges
_MASK = (1 << 64) - 1


def key_range(row_id: UUID | str) -> str:
    return str(row_id)[:RANGE_PREFIX_CHARS]


def fingerprint(values: Sequence[Any]) -> int:
    text = json.dumps([_canonical(value) for value in values], sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def range_checksums(rows: Iterable[tuple[UUID, int]]) -> dict[str, tuple[int, int]]:
    """Per key range: (row count, sum of fingerprints mod 2**64), independent of row order."""
    ranges: dict[str, tuple[int, int]] = {}
    for row_id, value in rows:
        count, total = ranges.get(key_range(row_id), (0, 0))
        ranges[key_range(row_id)] = (count + 1, (total + value) & _MASK)
    return ranges


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time | UUID):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    raise TypeError(f"no canonical form for a {type(value).__name__}")
