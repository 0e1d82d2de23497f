"""`fast_json.loads` decodes exactly what the standard library decodes: the same values and types for the real
exports and for documents at the edges (long integers, extreme floats, escapes), and the standard library's
outcome, error included, for what msgspec refuses (non-finite numbers, lone surrogates, deep nesting).
Random token soups, generated from a fixed seed, must decode to the same value or fail the same way.
"""

import json
import random
from collections.abc import Callable

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
