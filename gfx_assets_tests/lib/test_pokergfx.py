"""Specification of `lib.pokergfx.session`: export bytes become a `gfx_sessions` row or a rejection.

Covers the 18 real exports of ../shared (read in place; missing fixtures fail, never skip), one
rejection test per `RejectReason`, byte-order marks, and truncation (`incomplete`). Field
extraction is specified in test_pokergfx_fields.py, robustness in test_pokergfx_fuzz.py.
"""

import json
import pickle
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gfx_assets.lib.common.paths import SHARED_FIXTURES
from gfx_assets.lib.pokergfx.session import (
    ParsedSession,
    RejectedFile,
    RejectReason,
    parse_session,
    sha256_hex,
)

REAL_EXPORTS = SHARED_FIXTURES / "table-GG"
REAL_FILES = sorted(REAL_EXPORTS.rglob("*.json"))
NAME = "PGFX_live_data_export GameID=638964779338222042.json"


def read_real(path: Path | None) -> bytes:
    assert path is not None and REAL_EXPORTS.is_dir(), f"real PokerGFX exports missing: {REAL_EXPORTS}"
    return path.read_bytes()


def real_file(relative: str) -> Path:
    return REAL_EXPORTS / relative


def parse(document: object, file_name: str = "export.json") -> ParsedSession:
    return parse_session(json.dumps(document).encode(), file_name)


def rejection(raw: bytes, file_name: str = NAME, max_bytes: int | None = None) -> RejectedFile:
    with pytest.raises(RejectedFile) as caught:
        parse_session(raw, file_name, max_bytes)
    return caught.value


# --- the real exports -------------------------------------------------------------------------------


def test_the_fixture_folder_holds_18_real_exports_with_17_distinct_contents():
    assert REAL_EXPORTS.is_dir(), f"real PokerGFX exports missing: {REAL_EXPORTS}"
    assert len(REAL_FILES) == 18
    assert len({sha256_hex(path.read_bytes()) for path in REAL_FILES}) == 17


@pytest.mark.parametrize(
    "path", REAL_FILES or [None], ids=lambda path: str(path.relative_to(REAL_EXPORTS)) if path else "missing"
)
def test_a_real_export_parses_into_its_own_counts(path: Path | None):
    raw = read_real(path)
    document = json.loads(raw)
    names = {player["Name"] for hand in document["Hands"] for player in hand["Players"]}

    session = parse_session(raw, path.name)

    assert session.session_id == document["ID"] == int(path.stem.split("GameID=")[1])
    assert session.hand_count == len(document["Hands"])
    assert session.player_count == len(names)
    assert session.table_type == "FEATURE_TABLE"
    assert session.session_created_at.isoformat() == document["CreatedDateTimeUTC"][:26] + "+00:00"
    assert (session.event_title, session.software_version) == ("", "PokerGFX 3.2")
    assert session.payouts == [0] * 10
    assert session.json_text == raw.decode("utf-8")


def test_created_time_keeps_microseconds_and_drops_the_seventh_fractional_digit():
    session = parse({"ID": 1, "CreatedDateTimeUTC": "2025-10-19T13:38:59.9999999Z"})
    assert session.session_created_at == datetime(2025, 10, 19, 13, 38, 59, 999999, tzinfo=UTC)


def test_a_byte_for_byte_copy_hashes_alike_and_a_grown_session_does_not():
    copies = ("1019/", "1019/new/")
    name = "PGFX_live_data_export GameID=638964779338222042.json"
    assert len({sha256_hex(read_real(real_file(folder + name))) for folder in copies}) == 1
    grown = ("1018/", "1019/", "1019/new/")
    name = "PGFX_live_data_export GameID=638964611175191251.json"
    assert len({sha256_hex(read_real(real_file(folder + name))) for folder in grown}) == 3


def test_every_truncation_of_a_real_export_is_rejected_as_incomplete():
    raw = read_real(real_file("1017/PGFX_live_data_export GameID=638962926097967686.json"))
    for cut in range(len(raw)):
        assert rejection(raw[:cut]).incomplete, f"prefix of {cut} bytes"


def test_truncations_of_the_largest_real_export_are_rejected_as_incomplete():
    raw = read_real(real_file("1018/PGFX_live_data_export GameID=638963849867159576.json"))
    for cut in random.Random(7).sample(range(len(raw)), 40):
        assert rejection(raw[:cut]).incomplete, f"prefix of {cut} bytes"


# --- incomplete: still being written, or broken for good --------------------------------------------

EVERY_TOKEN = r"""{
  "ID": 638964779338222042,
  "EventTitle": "Caf\u00e9 \"quoted\" \\ back\/slash\ttab é 😀 \ud83d\ude00",
  "Numbers": [0, -1, 2.5, -3.25e+2, 4E-3, 1e5],
  "Flags": [true, false, null],
  "Nested": {"Hands": [{"Players": [{"Name": "A"}]}], "Empty": {}, "List": []}
}"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_every_proper_prefix_of_a_document_using_every_token_kind_is_incomplete(encoding: str):
    bom = "\ufeff" if encoding.startswith("utf-16") else ""
    raw = (bom + EVERY_TOKEN).encode(encoding)
    assert parse_session(raw, NAME).session_id == 638964779338222042
    for cut in range(len(raw)):
        assert rejection(raw[:cut]).incomplete, f"prefix {raw[:cut][-12:]!r}"


def test_a_file_zero_filled_after_a_valid_prefix_is_incomplete():
    assert rejection(b'{"ID": 1, "Hands": [' + b"\x00" * 64).incomplete


@pytest.mark.parametrize("text", ['{"ID": 1,}', '{"ID": 1} {}', '{"ID" 1}', '{"a": nul }', '{"a": tx}'])
def test_a_malformed_document_that_is_not_cut_short_is_not_incomplete(text: str):
    rejected = rejection(text.encode())
    assert (rejected.reason, rejected.incomplete) == (RejectReason.INVALID_JSON, False)


def test_invalid_json_is_explained_with_line_and_column():
    rejected = rejection(b'{\n  "ID": 1\n  "Type": "x"}')
    assert rejected.detail == "invalid JSON at line 3 column 3: Expecting ',' delimiter"


# --- one test per reject reason ----------------------------------------------------------------------


def test_a_zero_byte_file_is_rejected_as_empty_and_incomplete():
    rejected = rejection(b"")
    assert (rejected.reason, rejected.incomplete) == (RejectReason.EMPTY_FILE, True)


def test_a_whitespace_only_file_is_rejected_as_empty_but_not_incomplete():
    rejected = rejection(b" \r\n\t ")
    assert (rejected.reason, rejected.incomplete) == (RejectReason.EMPTY_FILE, False)


def test_bytes_that_are_not_utf8_are_rejected_as_invalid_encoding():
    rejected = rejection(b'{"ID": 1, "EventTitle": "caf\xe9"}')
    assert (rejected.reason, rejected.incomplete) == (RejectReason.INVALID_ENCODING, False)
    assert rejected.detail == "the file is not valid UTF-8: invalid continuation byte at byte offset 28"


def test_a_utf8_character_cut_at_the_end_is_invalid_encoding_and_incomplete():
    rejected = rejection('{"EventTitle": "café'.encode()[:-1])
    assert (rejected.reason, rejected.incomplete) == (RejectReason.INVALID_ENCODING, True)


@pytest.mark.parametrize("document", [r'{"ID": 1, "a": "x\ud800"}', r'{"ID": 1, "\udc00": 2}'])
def test_an_unpaired_surrogate_escape_is_rejected_as_invalid_encoding(document: str):
    assert rejection(document.encode()).reason == RejectReason.INVALID_ENCODING


def test_a_paired_surrogate_escape_is_an_ordinary_character():
    assert parse_session(rb'{"ID": 1, "EventTitle": "\ud83d\ude00"}', NAME).event_title == "😀"


def test_malformed_json_is_rejected_as_invalid_json():
    assert rejection(b'{"ID": 1, "Hands": [}').reason == RejectReason.INVALID_JSON


def test_absurdly_deep_nesting_is_rejected_as_invalid_json():
    rejected = rejection(b'{"ID": 1, "a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    assert rejected.reason == RejectReason.INVALID_JSON
    assert "nested too deeply" in rejected.detail


@pytest.mark.parametrize("document", ["[]", '[{"ID": 1}]', '"text"', "42", "null", "true"])
def test_a_top_level_value_other_than_an_object_is_rejected_as_not_an_object(document: str):
    assert rejection(document.encode()).reason == RejectReason.NOT_AN_OBJECT


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_is_rejected_as_non_finite_number(literal: str):
    assert rejection(b'{"ID": 1, "x": ' + literal.encode() + b"}").reason == RejectReason.NON_FINITE_NUMBER


@pytest.mark.parametrize("literal", ["1e400", "-1e400", "1.5E+999"])
def test_a_float_overflowing_to_infinity_is_rejected_as_non_finite_number(literal: str):
    assert rejection(b'{"ID": 1, "x": [' + literal.encode() + b"]}").reason == RejectReason.NON_FINITE_NUMBER


@pytest.mark.parametrize("document", [r'{"ID": 1, "a": "x\u0000y"}', r'{"ID": 1, "a": {"\u0000": 1}}'])
def test_an_escaped_nul_in_a_string_or_key_is_rejected_as_nul_character(document: str):
    assert rejection(document.encode()).reason == RejectReason.NUL_CHARACTER


def test_an_escaped_backslash_before_u0000_is_ordinary_text():
    session = parse_session(rb'{"ID": 1, "EventTitle": "C:\\u0000\\ud800"}', NAME)
    assert session.event_title == r"C:\u0000\ud800"


def test_a_file_over_max_bytes_is_rejected_as_too_large_before_decoding():
    rejected = rejection(b"\xff" * 101, max_bytes=100)
    assert (rejected.reason, rejected.detail) == (
        RejectReason.TOO_LARGE,
        "the file is 101 bytes, over the limit of 100 bytes",
    )


def test_a_file_of_exactly_max_bytes_is_accepted():
    raw = b'{"ID": 1}'
    assert parse_session(raw, NAME, max_bytes=len(raw)).session_id == 1


def test_a_file_without_any_session_id_is_rejected_as_missing_session_id():
    rejected = rejection(b'{"ID": "abc", "Hands": []}', file_name="PGFX_live_data_export.json")
    assert rejected.reason == RejectReason.MISSING_SESSION_ID


@pytest.mark.parametrize("document", [{"ID": 2**63}, {"ID": -(2**63) - 1}, {"ID": "9" * 30}])
def test_a_huge_id_is_rejected_as_value_out_of_range(document: dict):
    assert rejection(json.dumps(document).encode()).reason == RejectReason.VALUE_OUT_OF_RANGE


def test_the_int64_limits_themselves_are_valid_ids():
    assert parse({"ID": 2**63 - 1}).session_id == 2**63 - 1
    assert parse({"ID": -(2**63)}).session_id == -(2**63)


def test_a_huge_game_id_in_the_file_name_is_rejected_as_value_out_of_range():
    rejected = rejection(b'{"Hands": []}', file_name=f"PGFX_live_data_export GameID={'7' * 5000}.json")
    assert rejected.reason == RejectReason.VALUE_OUT_OF_RANGE


def test_a_payout_beyond_int64_is_rejected_as_value_out_of_range():
    rejected = rejection(json.dumps({"ID": 1, "Payouts": [0, 2**63]}).encode())
    assert (rejected.reason, rejected.detail) == (
        RejectReason.VALUE_OUT_OF_RANGE,
        "Payouts[1] does not fit a signed 64-bit integer",
    )


def test_an_integer_too_long_to_parse_is_rejected_as_value_out_of_range():
    assert rejection(b'{"ID": 1, "x": ' + b"9" * 5000 + b"}").reason == RejectReason.VALUE_OUT_OF_RANGE


def test_a_rejection_reads_as_reason_and_detail_and_survives_pickling():
    rejected = pickle.loads(pickle.dumps(rejection(b"")))
    assert (rejected.reason, rejected.detail, rejected.incomplete) == (
        RejectReason.EMPTY_FILE,
        "the file has no content",
        True,
    )
    assert str(rejected) == "empty_file: the file has no content"


# --- encodings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_file_with_a_byte_order_mark_parses_and_keeps_its_text_without_the_mark(encoding: str):
    text = '{"ID": 7, "EventTitle": "Café 😀"}'
    session = parse_session(("\ufeff" + text).encode(encoding), NAME)
    assert (session.session_id, session.event_title, session.json_text) == (7, "Café 😀", text)


def test_a_lone_byte_order_mark_is_an_empty_file_still_being_written():
    rejected = rejection(b"\xef\xbb\xbf")
    assert (rejected.reason, rejected.incomplete) == (RejectReason.EMPTY_FILE, True)
