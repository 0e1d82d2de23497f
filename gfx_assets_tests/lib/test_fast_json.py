"""`fast_json.loads` decodes exactly what the standard library decodes: the same values and types for the real
exports and for documents at the edges (long integers, extreme floats, escapes), and the standard library's
outcome, error included, for what msgspec refuses (non-finite numbers, lone surrogates, deep nesting).
Random token soups, generated from a fixed seed, must decode to the same value or fail the same way.

`fast_json.canonical` writes exactly `json.dumps(sort_keys=True, separators=(",", ":"))`'s bytes (the text
of the digests stored in the ledger) for the real exports, their hands, floats of every magnitude, the
characters msgspec writes otherwise, and the decodable token soups.
"""

import json
import random
import struct
from collections.abc import Callable
from typing import Any

import pytest

from gfx_assets.lib.common import fast_json
from gfx_assets_tests.lib.test_pokergfx_fuzz import REAL_EXPORTS, TOKENS


def exact(value: object) -> str:
    """A rendering that tells 1 from 1.0 and True from 1, so equal renderings mean equal values and types."""
    return json.dumps(value, allow_nan=True)


def decoded(decode: Callable[[str], object], document: str) -> tuple[bool, str]:
    """(decoded?, the value's exact rendering or the error's type)."""
    try:
        return True, exact(decode(document))
    except (ValueError, RecursionError) as error:
        return False, type(error).__name__


def test_every_real_export_decodes_to_the_standard_librarys_values():
    exports = sorted(REAL_EXPORTS.rglob("*.json"))
    assert exports, f"real PokerGFX exports missing: {REAL_EXPORTS}"
    for export in exports:
        text = export.read_bytes().decode("utf-8-sig")
        assert exact(fast_json.loads(text)) == exact(json.loads(text)), export.name


@pytest.mark.parametrize(
    "document",
    [
        '{"ID": 123456789012345678901234567890}',
        '{"ID": -9223372036854775809}',
        '{"a": 18446744073709551616}',
        '{"a": 1' + "0" * 400 + "}",
        '{"a": 1.7976931348623157e308, "b": 5e-324, "c": -0.0, "d": 1.00000000000000011102230246251565}',
        '{"a": "\\u00e9\\ud83d\\ude00", "b": "\\u0000"}',
        '{"a": 1, "a": 2.0}',
        "[1.0, 1, true, null]",
    ],
)
def test_documents_at_the_edges_decode_to_the_same_values_and_types(document: str):
    assert exact(fast_json.loads(document)) == exact(json.loads(document))


@pytest.mark.parametrize(
    "document",
    ['{"a": 1e999}', '{"a": NaN}', '{"a": -Infinity}', '{"a": "\\ud800"}', "[" * 3000 + "]" * 3000],
)
def test_what_msgspec_refuses_the_fallback_decides(document: str):
    assert decoded(fast_json.loads, document) == decoded(json.loads, document)
    assert fast_json.loads(document, fallback=lambda _: "the fallback's") == "the fallback's"


def test_an_integer_past_pythons_digit_limit_fails_as_in_the_standard_library():
    with pytest.raises(ValueError, match="4300 digits"):
        fast_json.loads('{"a": 1' + "0" * 4400 + "}")


def test_random_token_soups_decode_or_fail_as_in_the_standard_library():
    rng = random.Random(20)
    documents = ["".join(rng.choices(TOKENS, k=rng.randint(1, 12))) for _ in range(5000)]
    outcomes = [(decoded(fast_json.loads, text), decoded(json.loads, text)) for text in documents]
    assert [
        text for text, (fast, standard) in zip(documents, outcomes, strict=True) if fast != standard
    ] == []
    decodable = sum(ok for (ok, _), _ in outcomes)
    assert 0 < decodable < len(outcomes), f"{decodable} of {len(outcomes)} decoded"


def dumped(value: Any) -> bytes:
    """The canonical JSON of before: the standard library's, sorted, without whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def test_canonical_json_of_every_real_export_and_each_of_its_hands_is_the_standard_librarys():
    exports = sorted(REAL_EXPORTS.rglob("*.json"))
    assert exports, f"real PokerGFX exports missing: {REAL_EXPORTS}"
    for export in exports:
        document = fast_json.loads(export.read_bytes().decode("utf-8-sig"))
        for value in [document, *(document.get("Hands") or [])]:
            assert fast_json.canonical(value) == dumped(value), export.name


def test_canonical_json_of_floats_of_every_magnitude_is_the_standard_librarys():
    rng = random.Random(21)
    floats = [0.0, -0.0, 1e-4, 9.99e-5, 1e15, 9999999999999998.0, 1e16, 5e-324, 1.7976931348623157e308]
    floats += [rng.uniform(1, 10) * 10.0**exponent for exponent in range(-307, 308) for _ in range(20)]
    floats += [struct.unpack("d", rng.randbytes(8))[0] for _ in range(20000)]  # any bit pattern
    floats = [value for value in floats if value - value == 0]  # not NaN nor an infinity
    pairs = [[value, -value] for value in floats]
    assert [pair for pair in pairs if fast_json.canonical(pair) != dumped(pair)] == []


@pytest.mark.parametrize(
    "value",
    [
        {"b": "caf\u00e9", "a": "\x7f", "c": "".join(map(chr, range(32)))},
        {"\u00e9": 1, "e": 2, "E": 3},
        {"name": "e5 and 0.00001 in a string", "n": 123456789012345678901234567890},
        {"deep": [[[[{"x": [None, True, False, 1.5]}]]]]},
    ],
)
def test_canonical_json_at_the_edges_is_the_standard_librarys(value: Any):
    assert fast_json.canonical(value) == dumped(value)


def test_canonical_json_of_random_token_soups_is_the_standard_librarys():
    """Of the soups that decode to finite numbers (what `canonical` is given: no document PostgreSQL
    stores holds NaN or an infinity), lone surrogates included."""
    rng = random.Random(22)
    documents = ["".join(rng.choices(TOKENS, k=rng.randint(1, 12))) for _ in range(5000)]
    values = [value for ok, value in map(_decoded_value, documents) if ok and _finite(value)]
    assert len(values) > 100
    assert [value for value in values if fast_json.canonical(value) != dumped(value)] == []


def _decoded_value(document: str) -> tuple[bool, Any]:
    try:
        return True, fast_json.loads(document)
    except (ValueError, RecursionError):
        return False, None


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return value - value == 0  # NaN and the infinities are not
    if isinstance(value, dict):
        return all(map(_finite, value.values()))
    return all(map(_finite, value)) if isinstance(value, list) else True
