"""Specification of `gfx_assets.lib.pokergfx.synthetic`: synthetic PokerGFX exports indistinguishable in shape
from the real ones of ../shared (same keys, key order, byte layout and value formats), deterministic
per seed, growing hand by hand, rewritten in place, and laid out as a sample NAS with its PC registry.
"""

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from gfx_assets.lib.common.paths import SHARED_FIXTURES
from gfx_assets.lib.pokergfx.session import parse_session
from gfx_assets.lib.pokergfx.synthetic import (
    SyntheticSession,
    encode_export,
    game_id_for,
    seed_nas,
    write_session,
)

REAL_EXPORTS = SHARED_FIXTURES / "table-GG"
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z")
DURATION = re.compile(r"P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{0,6}[1-9]))?S)?")
CARD = r"(?:10|[2-9jqka])[cdhs]"  # as the real exports write cards: "10h", "ac"
EXPORT_NAME = re.compile(r"PGFX_live_data_export GameID=(\d+)\.json")


def real_exports() -> list[bytes]:
    files = sorted(REAL_EXPORTS.rglob("*.json"))
    assert files, f"real PokerGFX exports missing: {REAL_EXPORTS}"
    return [path.read_bytes() for path in files]


def key_shapes(document: dict) -> dict[str, set[tuple[str, ...]]]:
    """The key tuples (in file order) of the top level, hands, players, events and blind/stud blocks."""
    hands = document["Hands"]
    return {
        "top": {tuple(document)},
        "hand": {tuple(hand) for hand in hands},
        "player": {tuple(player) for hand in hands for player in hand["Players"]},
        "event": {tuple(event) for hand in hands for event in hand["Events"]},
        "blinds": {tuple(hand["FlopDrawBlinds"]) for hand in hands},
        "stud": {tuple(hand["StudLimits"]) for hand in hands},
    }


def duration(text: str) -> timedelta:
    """An ISO 8601 duration as the exports write them (7 fractional digits at most), to the microsecond."""
    match = DURATION.fullmatch(text)
    assert match, f"not an export duration: {text!r}"
    days, hours, minutes, seconds, fraction = (group or "0" for group in match.groups())
    whole = timedelta(days=int(days), hours=int(hours), minutes=int(minutes), seconds=int(seconds))
    return whole + timedelta(microseconds=int(fraction.ljust(7, "0")[:6]))


def recording_clock_offset(hand: dict) -> timedelta:
    """How far RecordingOffsetStart (a duration since 0001-01-01) runs ahead of StartDateTimeUTC."""
    start = datetime.fromisoformat(hand["StartDateTimeUTC"])
    return datetime(1, 1, 1, tzinfo=UTC) + duration(hand["RecordingOffsetStart"]) - start


def grown(seed: int, hands: int, **options: object) -> SyntheticSession:
    session = SyntheticSession(seed, **options)
    for _ in range(hands):
        session.add_hand()
    return session


def test_game_ids_count_dotnet_ticks_like_the_real_ones():
    assert game_id_for(datetime(1, 1, 1, tzinfo=UTC)) == 0
    # The real 638964779338222042 was created at 13:38:53.8222042; datetime keeps 6 of the 7 digits.
    assert game_id_for(datetime(2025, 10, 19, 13, 38, 53, 822204, tzinfo=UTC)) == 638964779338222040


def test_a_naive_creation_time_counts_as_utc_and_offsets_are_honoured():
    utc = datetime(2025, 10, 19, 13, 38, 53, tzinfo=UTC)
    assert game_id_for(utc.replace(tzinfo=None)) == game_id_for(utc)
    two_hours_ahead = timezone(timedelta(hours=2))
    assert game_id_for(datetime(2025, 10, 19, 15, 38, 53, tzinfo=two_hours_ahead)) == game_id_for(utc)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not():
    assert grown(5, 10).to_json_bytes() == grown(5, 10).to_json_bytes()
    assert grown(5, 10).to_json_bytes() != grown(6, 10).to_json_bytes()


def test_the_file_name_carries_the_game_id_like_the_real_files():
    session = SyntheticSession(1, created=datetime(2025, 10, 19, 13, 38, 53, 822204, tzinfo=UTC))
    assert session.file_name == "PGFX_live_data_export GameID=638964779338222040.json"
    assert session.created == datetime(2025, 10, 19, 13, 38, 53, 822204, tzinfo=UTC)


def test_a_synthetic_session_round_trips_through_parse_session():
    created = datetime(2025, 10, 20, 9, 0, tzinfo=UTC)
    session = grown(11, 25, created=created, table_type="FINAL_TABLE", players=7)
    raw = session.to_json_bytes()
    names = {player["Name"] for hand in json.loads(raw)["Hands"] for player in hand["Players"]}

    parsed = parse_session(raw, session.file_name)

    assert (parsed.session_id, parsed.hand_count, parsed.player_count) == (session.game_id, 25, len(names))
    assert len(names) >= 7
    assert (parsed.table_type, parsed.session_created_at, parsed.software_version) == (
        "FINAL_TABLE",
        created,
        "PokerGFX 3.2",
    )
    assert (parsed.event_title, parsed.payouts) == ("", [0] * 10)


def test_synthetic_keys_and_key_order_equal_the_real_exports():
    real: dict[str, set[tuple[str, ...]]] = {}
    for raw in real_exports():
        for part, shapes in key_shapes(json.loads(raw)).items():
            real.setdefault(part, set()).update(shapes)
    assert key_shapes(json.loads(grown(3, 60).to_json_bytes())) == real


def test_synthetic_values_use_the_real_vocabularies():
    hands = json.loads(grown(4, 80).to_json_bytes())["Hands"]
    events = [event for hand in hands for event in hand["Events"]]
    event_types = {event["EventType"] for event in events}
    assert event_types == {"FOLD", "CHECK", "CALL", "BET", "ALL IN", "BOARD CARD"}
    board_cards = [event["BoardCards"] for event in events if event["EventType"] == "BOARD CARD"]
    assert board_cards and all(re.fullmatch(CARD, card) for card in board_cards)
    hole_cards = [player["HoleCards"] for hand in hands for player in hand["Players"]]
    assert all(len(cards) == 1 and re.fullmatch(rf"|{CARD} {CARD}", cards[0]) for cards in hole_cards)
    assert {(hand["GameVariant"], hand["GameClass"], hand["BetStructure"]) for hand in hands} == {
        ("HOLDEM", "FLOP", "NOLIMIT")
    }


def test_a_real_export_re_encoded_like_the_generator_is_byte_identical():
    for raw in real_exports():
        assert encode_export(json.loads(raw)) == raw


def test_synthetic_bytes_have_the_real_compact_layout():
    raw = grown(8, 5).to_json_bytes()
    assert raw.startswith(b'{"CreatedDateTimeUTC":"') and raw.endswith(b'"Type":"FEATURE_TABLE"}')
    assert raw.isascii() and b"\n" not in raw and b", " not in raw and b'": ' not in raw


def test_synthetic_times_and_durations_have_the_real_formats():
    document = json.loads(grown(9, 30).to_json_bytes())
    created = document["CreatedDateTimeUTC"]
    assert UTC_TIME.fullmatch(created) and document["ID"] == game_id_for(datetime.fromisoformat(created))
    for hand in document["Hands"]:
        assert UTC_TIME.fullmatch(hand["StartDateTimeUTC"]) and hand["StartDateTimeUTC"] > created
        assert timedelta(seconds=1) < duration(hand["Duration"]) < timedelta(hours=1)


def test_recording_offset_start_runs_four_hours_ahead_of_the_start_as_in_the_real_exports():
    real_hands = [hand for raw in real_exports() for hand in json.loads(raw)["Hands"]]
    synthetic_hands = json.loads(grown(9, 30).to_json_bytes())["Hands"]
    assert {recording_clock_offset(hand) for hand in real_hands + synthetic_hands} == {timedelta(hours=4)}


def test_hands_are_numbered_from_one_and_conserve_chips():
    for hand_num, hand in enumerate(json.loads(grown(10, 50).to_json_bytes())["Hands"], start=1):
        assert hand["HandNum"] == hand_num
        players = hand["Players"]
        assert sum(p["StartStackAmt"] for p in players) == sum(p["EndStackAmt"] for p in players)


def test_adding_a_hand_leaves_the_earlier_hands_unchanged():
    session = grown(12, 4)
    before = json.loads(session.to_json_bytes())
    session.add_hand()
    after = json.loads(session.to_json_bytes())
    assert after["Hands"][:4] == before["Hands"] and len(after["Hands"]) == 5
    assert {key: value for key, value in after.items() if key != "Hands"} == {
        key: value for key, value in before.items() if key != "Hands"
    }


@pytest.mark.parametrize("players", [1, 11])
def test_a_table_needs_two_to_ten_players(players: int):
    with pytest.raises(ValueError, match="players must be 2 to 10"):
        SyntheticSession(1, players=players)


def test_write_session_rewrites_the_same_file_in_place(tmp_path: Path):
    session = grown(13, 1)
    path = tmp_path / "1019" / session.file_name
    write_session(path, session)
    inode = path.stat().st_ino
    session.add_hand()
    write_session(path, session)
    assert path.stat().st_ino == inode and path.read_bytes() == session.to_json_bytes()


def test_seed_nas_writes_pc_and_date_folders_and_the_registry(tmp_path: Path):
    paths = seed_nas(tmp_path, ["PC01", "PC02"], sessions_per_pc=3, hands=(1, 4), seed=1)

    assert len(paths) == 6 and all(path.is_file() for path in paths)
    for path in paths:
        pc, day, name = path.relative_to(tmp_path).parts
        parsed = parse_session(path.read_bytes(), name)
        assert pc in ("PC01", "PC02") and 1 <= parsed.hand_count <= 4
        assert day == f"{parsed.session_created_at:%m%d}"
        assert parsed.session_id == int(EXPORT_NAME.fullmatch(name).group(1))
    assert len({path.name for path in paths}) == 6
    assert len({path.parent.name for path in paths}) == 3
    registry = json.loads((tmp_path / "config" / "pc_registry.json").read_text())
    assert registry["pcs"][0] == {
        "id": "PC01",
        "name": "GFX PC01",
        "description": "Synthetic PokerGFX PC PC01",
        "watch_path": "PC01",
        "enabled": True,
    }
    assert [pc["id"] for pc in registry["pcs"]] == ["PC01", "PC02"]


def test_seeding_again_with_the_same_seed_changes_nothing(tmp_path: Path):
    first = seed_nas(tmp_path, ["PC01"], seed=4)
    stamps = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    assert seed_nas(tmp_path, ["PC01"], seed=4) == first
    assert {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()} == stamps
