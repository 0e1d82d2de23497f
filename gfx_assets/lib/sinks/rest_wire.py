"""PostgREST's wire format: request bodies, filters and paging, and what error responses mean."""

import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from email.utils import parsedate_to_datetime
from math import isfinite
from typing import Any
from urllib.parse import quote, quote_plus
from uuid import UUID

import httpx
import msgspec

from gfx_assets.lib.common.batching import batches
from gfx_assets.lib.sinks.base import JsonText, Row

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_RESERVED = re.compile(r'[,.:()"\\\s]')  # an IN-list value holding one of these must be double-quoted
_TAGS = re.compile(r"<[^>]*>")


def auth_headers(key: str) -> dict[str, str]:
    """A legacy service_role JWT goes in both headers; an sb_secret_ key is no JWT, so apikey only."""
    if _JWT.fullmatch(key):
        return {"apikey": key, "Authorization": f"Bearer {key}"}
    return {"apikey": key}


def path(table: str) -> str:
    return "/" + quote(table, safe="")


def plain(value: Any) -> Any:
    """What JSON has no type for: datetimes as ISO 8601, UUID and Decimal as text, sets as arrays."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain)
# The same JSON values, a row in a little over half the time, for the rows of the hand tables (they go by
# the million): msgspec writes a UUID, a Decimal, a date or time as `plain` does, a datetime in UTC with `Z`
# for `+00:00` (the same instant to PostgreSQL), and refuses a lone surrogate as `.encode()` does. It would
# write NaN and infinities as null, where json writes a token PostgreSQL refuses: such a row goes to json.
FAST_ENCODER = msgspec.json.Encoder(enc_hook=plain)


def encode_row(row: Row, columns: Sequence[str]) -> bytes:
    """One JSON object; a `JsonText` is spliced in as it is, never parsed (exports reach ~1 MB). A row
    without one is encoded in one call (about half the cost of a call per value)."""
    values = [row[column] for column in columns]
    kinds = set(map(type, values))
    if JsonText not in kinds:
        whole = dict(zip(columns, values, strict=True))
        if float in kinds and not all(isfinite(value) for value in values if type(value) is float):
            return ENCODER.encode(whole).encode()
        return FAST_ENCODER.encode(whole)
    fields = (f"{ENCODER.encode(c)}:{encode_value(v)}" for c, v in zip(columns, values, strict=True))
    return ("{" + ",".join(fields) + "}").encode()


def encode_value(value: Any) -> str:
    return value if isinstance(value, JsonText) else ENCODER.encode(value)


def chunks(
    rows: Sequence[Row], bodies: dict[int, bytes], max_rows: int, max_bytes: int
) -> Iterator[list[Row]]:
    """Consecutive chunks of at most `max_rows` rows and `max_bytes` of body; a bigger row goes alone."""
    # each row costs its JSON and a comma; the brackets take 2 bytes of the budget
    return batches(rows, lambda row: len(bodies[id(row)]) + 1, max_bytes - 2, max_rows)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def list_item(value: Any) -> str:
    """An IN-list element: double-quoted, with \\ and " escaped, when it holds a reserved character."""
    text = as_text(value)
    if text and not _RESERVED.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split(items: list[str], room: int) -> Iterator[list[str]]:
    """Consecutive parts of `items` whose URL encoding fits in `room` bytes (a longer item goes alone)."""
    return batches(items, lambda item: len(quote_plus(item)) + 3, room)  # a comma travels as %2C


def total(content_range: str | None) -> int | None:
    """The row count of `Content-Range: 0-999/1234` (None when the server did not count: `/*`)."""
    total = (content_range or "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def parse(parser: Callable[[str], Any] | None, value: Any) -> Any:
    if parser is None or not isinstance(value, str):
        return value
    try:
        return parser(value)
    except ValueError:
        return value  # 'infinity' and the like stay text


def describe(response: httpx.Response) -> tuple[str, str]:
    """PostgREST's (code, message); for a gateway's HTML or text page, its first 200 readable characters."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("msg") or body.get("error")
        if message:
            return str(body.get("code") or ""), str(message)
    text = " ".join(_TAGS.sub(" ", response.text).split())
    return "", text[:200] or response.reason_phrase


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds()) if moment.tzinfo else None
