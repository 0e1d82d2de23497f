"""JSON decoded in about 60% of the standard library's time, into exactly the values it gives; and
canonical JSON (sorted keys, no whitespace) written in about 30% of its time, byte for byte as it writes it.

msgspec decodes a document into the same Python values as `json.loads`: integers of any length (up to
Python's 4,300-digit limit), correctly rounded floats, the last of duplicate keys. Where they differ,
msgspec refuses the document (a non-finite number, a lone surrogate, nesting past its depth limit) and
the standard library decides, so a caller sees what it always saw, only sooner (bench/json_bench.py).

msgspec writes a decoded document as `json.dumps(sort_keys=True, separators=(",", ":"))` does, but for
three things: a non-ASCII character (which json.dumps escapes as \\uXXXX and msgspec writes as UTF-8), the
DEL character (likewise), and a float that either writes with an exponent, one below 1e-4 or from 1e16 on
(json.dumps `1e-05`, `1e+16`; msgspec `0.00001`, `1e16`). `canonical` takes msgspec's text when none of
those can be in it and the standard library's otherwise; `gfx_assets_tests/lib/test_fast_json.py` holds
it to json.dumps on the real exports, on every kind of float and on random documents.
"""

import json
import re
from collections.abc import Callable
from typing import Any

import msgspec

_DECODER = msgspec.json.Decoder()
_SORTED_ENCODER = msgspec.json.Encoder(order="sorted")
# In msgspec's text, what may be written otherwise by json.dumps: a float's exponent (`1e16`, `1.5e-07`), a
# float below 1e-4 written out (`0.00001`), DEL, non-ASCII. Strings that hold these also take the slow path
# (as correctly). Four scans, not one regex of alternatives: that one costs three times as much.
_EXPONENT = re.compile(rb"e[-+0-9]")


def loads(document: str | bytes, fallback: Callable[[str | bytes], Any] = json.loads) -> Any:
    """The value of `document`; `fallback` (default `json.loads`) decodes what msgspec refuses."""
    try:
        return _DECODER.decode(document)
    except (msgspec.DecodeError, RecursionError):  # ValidationError is a DecodeError
        return fallback(document)


def canonical(value: Any) -> bytes:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"))`, encoded, for a value decoded from JSON by
    `loads` (finite numbers only: msgspec would write NaN as null, and neither decoder here gives one
    from a document PostgreSQL stores)."""
    try:
        written = _SORTED_ENCODER.encode(value)
    except (TypeError, ValueError, OverflowError, RecursionError):  # e.g. a lone surrogate, int keys
        written = None
    if (
        written is not None
        and written.isascii()
        and b"\x7f" not in written
        and b"0.0000" not in written
        and _EXPONENT.search(written) is None
    ):
        return written
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
