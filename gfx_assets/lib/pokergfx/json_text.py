"""Strict decoding of export bytes into a JSON object that PostgreSQL jsonb can store.

Dagster-free helper of `gfx_assets.lib.pokergfx.session`, which re-exports `RejectReason`,
`RejectedFile` and `decode_text`; import them from there.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from enum import StrEnum
from typing import Any

from gfx_assets.lib.common import fast_json


class RejectReason(StrEnum):
    """Why a file cannot become a `gfx_sessions` row."""

    EMPTY_FILE = "empty_file"
    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    NON_FINITE_NUMBER = "non_finite_number"
    NUL_CHARACTER = "nul_character"
    TOO_LARGE = "too_large"
    MISSING_SESSION_ID = "missing_session_id"
    VALUE_OUT_OF_RANGE = "value_out_of_range"


class RejectedFile(Exception):
    """A file that cannot be synced; `incomplete` means it looks cut short (maybe still being written)."""

    def __init__(self, reason: RejectReason, detail: str, incomplete: bool = False) -> None:
        super().__init__(reason, detail, incomplete)
        self.reason = RejectReason(reason)
        self.detail = detail
        self.incomplete = incomplete

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


# UTF-32 first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CUT_SHORT_DECODING = ("unexpected end of data", "truncated data")
_JSON_WHITESPACE = " \t\r\n"
# What a JSON error position can point at when the text simply stops mid-token.
_PARTIAL_TOKEN = re.compile(r"-|\.|[eE][-+]?|t(?:ru?)?|f(?:a(?:ls?)?)?|n(?:ul?)?|u[0-9a-fA-F]{0,4}")
# Only these escapes can put a NUL or a lone surrogate into the parsed strings.
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_JSON_KINDS = {
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def decode_text(raw: bytes) -> str:
    """The text of `raw`: UTF-8 with or without a BOM, or UTF-16/UTF-32 with a BOM; the BOM removed."""
    bom, encoding = next(((bom, name) for bom, name in _BOMS if raw.startswith(bom)), (b"", "utf-8"))
    payload = raw[len(bom) :]
    try:
        return payload.decode(encoding)
    except UnicodeDecodeError as error:
        offset = error.start + len(bom)
        detail = f"the file is not valid {encoding.upper()}: {error.reason} at byte offset {offset}"
        incomplete = _cut_short(raw, payload, error)
        raise RejectedFile(RejectReason.INVALID_ENCODING, detail, incomplete) from None


def _cut_short(raw: bytes, payload: bytes, error: UnicodeDecodeError) -> bool:
    """Whether decoding failed only because the bytes stop inside a character or a byte-order mark."""
    if any(bom.startswith(raw) for bom, _ in _BOMS):
        return True
    return error.end >= len(payload) and error.reason in _CUT_SHORT_DECODING


def load_object(text: str) -> dict[str, Any]:
    """Parse `text` as one strict JSON object whose strings and keys jsonb can store."""
    if not text.strip(_JSON_WHITESPACE):
        detail = "the file has no content" if not text else "the file holds only whitespace"
        raise RejectedFile(RejectReason.EMPTY_FILE, detail, incomplete=not text)
    data = fast_json.loads(text, _strict_loads)  # the strict parse names why a document is refused
    if not isinstance(data, dict):
        detail = f"the top-level JSON value is {_JSON_KINDS[type(data)]}, not an object"
        raise RejectedFile(RejectReason.NOT_AN_OBJECT, detail)
    if "\\u" in text and _RISKY_ESCAPE.search(text):
        _check_strings(data)
    return data


class _NonFiniteNumber(Exception):
    pass


def _reject_constant(literal: str) -> float:
    raise _NonFiniteNumber(f"the number {literal} is not finite")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _NonFiniteNumber(f"the number {literal[:40]} overflows to infinity")
    return value


def _strict_loads(text: str) -> Any:
    """The standard library's parse, which names the reason of a document that cannot be stored."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise _invalid_json(text, error) from None
    except _NonFiniteNumber as error:
        detail = f"{error}, and PostgreSQL jsonb stores only finite numbers"
        raise RejectedFile(RejectReason.NON_FINITE_NUMBER, detail) from None
    except RecursionError:
        detail = "invalid JSON: arrays or objects are nested too deeply to parse"
        raise RejectedFile(RejectReason.INVALID_JSON, detail) from None
    except ValueError:  # an integer literal longer than Python converts
        detail = f"an integer has more than {sys.get_int_max_str_digits()} digits"
        raise RejectedFile(RejectReason.VALUE_OUT_OF_RANGE, detail) from None


def _invalid_json(text: str, error: json.JSONDecodeError) -> RejectedFile:
    incomplete = _ends_early(text, error)
    suffix = " (the document ends early: the file looks truncated)" if incomplete else ""
    detail = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}{suffix}"
    return RejectedFile(RejectReason.INVALID_JSON, detail, incomplete)


def _ends_early(text: str, error: json.JSONDecodeError) -> bool:
    """Whether the error only says the text stops too soon; trailing NUL padding counts as not written yet."""
    if error.msg == "Extra data":
        return False
    end = len(text.rstrip(_JSON_WHITESPACE + "\x00"))
    if error.pos >= end or error.msg.startswith("Unterminated string"):
        return True
    return _PARTIAL_TOKEN.fullmatch(text, error.pos, end) is not None


def _check_strings(data: Any) -> None:
    """Walk `data` without recursion, rejecting the first string or key jsonb cannot store."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            _check_string(value)


def _check_string(value: str) -> None:
    found = _UNSTORABLE_CHARACTER.search(value)
    if found is None:
        return
    if found.group() == "\x00":
        detail = "a string or key contains \\u0000 (NUL), which PostgreSQL jsonb cannot store"
        raise RejectedFile(RejectReason.NUL_CHARACTER, detail)
    detail = f"a string or key contains the unpaired UTF-16 surrogate \\u{ord(found.group()):04x}"
    raise RejectedFile(RejectReason.INVALID_ENCODING, detail)
