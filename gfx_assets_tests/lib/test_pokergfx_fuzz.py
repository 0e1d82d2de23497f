"""Robustness of `parse_session`: whatever the bytes (truncated, bit-flipped, random, or odd JSON
shapes), it returns a `ParsedSession` or raises `RejectedFile` with a reason and a detail, nothing else.
Every case is generated from a fixed seed, so a failure reproduces. Where a generator also makes storable
files, both outcomes must occur: a parser that rejected everything would fail these tests.
"""

import codecs
import json
import random

from gfx_assets.lib.common.paths import SHARED_FIXTURES
from gfx_assets.lib.pokergfx.session import ParsedSession, RejectedFile, RejectReason, parse_session

REAL_EXPORTS = SHARED_FIXTURES / "table-GG"
SMALL_REAL_EXPORT = REAL_EXPORTS / "1018/PGFX_live_data_export GameID=638964611175191251.json"
KEYS = ["ID", "Hands", "Players", "Name", "Payouts", "Type", "EventTitle", "CreatedDateTimeUTC", "Session"]
TOKENS = [
    *"{}[]:,",
    *(f'"{key}"' for key in [*KEYS, "GameID"]),
    *["1", "-7", "0.5", "99999999999999999999", "1e400", "NaN", "-Infinity", "true", "null", '"x"'],
    *[r'"\u0000"', r'"\ud800"', r'"\\u0000"', r'"\u00e9"', '"2025-10-19T13:38:53.8222042Z"'],
    *['"0001-01-01T00:00:00+01:00"', " ", "\n", "\x00", "é", "\ufeff"],
]
JSON_BYTES = b'{}[]:,"\\0123456789-+.eEtrufalsn \x00'
SCALARS = [
    *[None, True, 0, -1, 2**63, 1.5, float("nan"), float("-inf"), "", "Wolf", "FEATURE TABLE", "42"],
    *["2025-10-19T13:38:53Z", "nul\x00", "lone \udc00", "pair 😀"],
]


def small_real_export() -> bytes:
    assert REAL_EXPORTS.is_dir(), f"real PokerGFX exports missing: {REAL_EXPORTS}"
    return SMALL_REAL_EXPORT.read_bytes()


def outcome(raw: bytes, file_name: str = "export GameID=5.json") -> ParsedSession | RejectedFile:
    """Parse, insisting that only the two documented outcomes can happen."""
    try:
        return parse_session(raw, file_name, max_bytes=1_000_000)
    except RejectedFile as rejected:
        assert isinstance(rejected.reason, RejectReason)
        assert isinstance(rejected.detail, str) and rejected.detail
        assert isinstance(rejected.incomplete, bool)
        return rejected


def test_truncations_at_many_offsets_only_reject_as_incomplete():
    raw = small_real_export()
    assert isinstance(outcome(raw), ParsedSession)  # whole, it is a session
    for cut in range(0, len(raw), 7):
        result = outcome(raw[:cut])
        assert isinstance(result, RejectedFile) and result.incomplete, f"prefix of {cut} bytes"


def test_random_byte_flips_of_a_real_export_yield_a_session_or_a_rejection():
    raw = small_real_export()
    rng = random.Random(20251019)
    outcomes = []
    for _ in range(2000):
        mutated = bytearray(raw)
        for _ in range(rng.randint(1, 6)):
            byte = rng.choice(JSON_BYTES) if rng.random() < 0.8 else rng.randrange(256)
            mutated[rng.randrange(len(mutated))] = byte
        outcomes.append(outcome(bytes(mutated)))
    _both_outcomes(outcomes)


def test_random_bytes_yield_a_session_or_a_rejection():
    rng = random.Random(1)
    for _ in range(2000):
        prefix = rng.choice([b"", b"{", b'{"ID":', codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE])
        outcome(prefix + rng.randbytes(rng.randrange(40)))


def test_random_token_soup_yields_a_session_or_a_rejection():
    rng = random.Random(2)
    for _ in range(5000):
        text = "{" * rng.randint(0, 1) + "".join(rng.choices(TOKENS, k=rng.randint(1, 25)))
        outcome(text.encode(rng.choice(["utf-8", "utf-16", "utf-32"]), "surrogatepass"))


def test_random_json_shapes_yield_a_session_or_a_rejection():
    rng = random.Random(3)
    outcomes = []
    for _ in range(2000):
        document = {rng.choice(KEYS): random_value(rng, depth=4) for _ in range(rng.randint(0, 8))}
        name = rng.choice(["x.json", "GameID=12.json", "GameID=9" * 30])
        outcomes.append(outcome(json.dumps(document).encode(), name))
    _both_outcomes(outcomes)


def _both_outcomes(outcomes: list[ParsedSession | RejectedFile]) -> None:
    sessions = sum(isinstance(result, ParsedSession) for result in outcomes)
    assert 0 < sessions < len(outcomes), f"{sessions} sessions of {len(outcomes)}"


def random_value(rng: random.Random, depth: int) -> object:
    if depth == 0 or rng.random() < 0.4:
        return rng.choice(SCALARS)
    if rng.random() < 0.5:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(KEYS): random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))}
