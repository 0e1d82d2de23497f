"""The live case under `gfx-assets dev`: one real export rewritten in place hand after hand, as PokerGFX
does, and the same GameID on a second PC.

PC01's file (a real game of table-GG, its first n hands) is rewritten at the same path with 1, 2, ...
STEPS hands, each rewrite waited for until the tables mirror it (that content is the game's gfx_sessions
row and its hands are loaded from it). Then:
- a rewrite inside the settle time: STEPS + 1 hands and at once STEPS + 2; the intermediate content may
  or may not land, the tables end on STEPS + 2 hands and nothing is rejected;
- a rewrite while a run is in flight: STEPS + 3 hands, the run that syncs it held inside its ledger write
  (faults.writes_held), the file rewritten to FINAL hands while it waits and a NAS sensor tick let see it
  settled: the sensor starts no second run of PC01 meanwhile; once released, that run lands the content
  it read and the next run lands FINAL, the manifest showing the file synced with its last content's hash.
PC02 receives the content of STEPS hands (same GameID, same bytes) together with PC01's STEPS-th rewrite.
Every table keeps each PC's rows apart: the ledger (PC02's copy keeps its JSON while PC01's identical
content is compacted), gfx_sessions, the manifest, gfx_hands, gfx_hand_players, gfx_events, and
gfx_players, whose totals count the seats on both PCs. At the end each stored hand is checked by position
against the file (HandNum is not unique in real data): hand_num, player count, seats with names and
stacks, events in order; then every row against the mapping of the export (`map_hands`). Waits are
conditions, never sleeps: a row, a run status, a sensor tick (faults.wait_until_bookkept at the end).
"""

import hashlib
import json
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any

from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets.lib.nas_sync.scan import FileStat
from gfx_assets.lib.pokergfx.hand_players import player_hash
from gfx_assets.lib.pokergfx.hands import map_hands
from gfx_assets.lib.pokergfx.synthetic import encode_export
from gfx_assets.lib.sinks import JsonText
from gfx_assets_tests.e2e.devserver import wait_for
from gfx_assets_tests.e2e.faults import (
    REJECTED,
    RUNS_IN_FLIGHT,
    assert_converged,
    dev_leaving_nothing,
    server_of_its_own,
    ticked_after,
    wait_until_bookkept,
    waiting_in_a_write,
    writes_held,
)
from gfx_assets_tests.gfx_hands.test_real_fixtures_tables import EVENT_COLUMNS, HAND_COLUMNS, SEAT_COLUMNS
from gfx_assets_tests.support import query, write_registry

# 18 real hands, whose seats change within the first ten: Khabbazeh (seat 7) plays hands 1-4, Gascoigne
# (seat 6) sits down at hand 5, Beketov (seat 7) at hand 7 (6 seats, then 7), so on PC02's STEPS hands
# neither newcomer plays: their gfx_players rows count one session, the others' two.
SOURCE = PurePosixPath("1016/PGFX_live_data_export GameID=638962014211467634.json")
GAME_ID = 638962014211467634
PCS = ("PC01", "PC02")
STEPS = 4  # hands 1..STEPS, one rewrite each
FINAL = STEPS + 4  # then two rewrites inside the settle time, two around a run in flight
SETTLE_SECONDS = 2.0  # GFX_SETTLE_SECONDS: the file is synced once its mtime is this old
STEP_SECONDS = 180  # test-side bound on one rewrite landing (settle, a sensor tick, one run)

# The PC's game row holds this content and the hands were loaded from it: the tables mirror the file.
MIRRORED = """
    SELECT l.hands_loaded_at IS NOT NULL,
           (SELECT count(*) FROM gfx_hands h WHERE (h.gfx_pc_id, h.session_id) = (s.gfx_pc_id, s.session_id))
    FROM gfx_sessions s
    JOIN gfx_session_snapshots l ON (l.gfx_pc_id, l.file_hash) = (s.gfx_pc_id, s.file_hash)
    WHERE s.gfx_pc_id = %s AND s.session_id = %s AND s.file_hash = %s"""
# Runs of the sync job for one PC, from Dagster's run storage.
SYNC_RUNS_OF = """
    SELECT r.status, r.start_time, r.end_time, t.value FROM runs r
    JOIN run_tags p ON p.run_id = r.run_id AND p.key = 'dagster/partition' AND p.value = %s
    LEFT JOIN run_tags t ON t.run_id = r.run_id AND t.key = 'gfx/trigger'
    WHERE r.pipeline_name = 'gfx_sessions_job' ORDER BY r.start_time"""
LEDGER = "SELECT gfx_pc_id, file_hash, hand_count, nas_path, raw_json IS NOT NULL FROM gfx_session_snapshots"
SESSIONS = "SELECT gfx_pc_id, session_id, hand_count, file_hash, nas_path FROM gfx_sessions"
MANIFEST = "SELECT gfx_pc_id, nas_path, file_size, file_mtime, file_hash, status FROM gfx_file_manifest"
HANDS_OF = "SELECT hand_index, hand_num, player_count FROM gfx_hands WHERE gfx_pc_id = %s AND session_id = %s"
SEATS_OF = """
    SELECT h.hand_index, s.seat_num, s.player_name, s.start_stack_amt, s.end_stack_amt
    FROM gfx_hand_players s JOIN gfx_hands h ON h.id = s.hand_id
    WHERE h.gfx_pc_id = %s AND h.session_id = %s"""
EVENTS_OF = """
    SELECT h.hand_index, e.event_order, e.event_type::text, e.bet_amt, e.pot
    FROM gfx_events e JOIN gfx_hands h ON h.id = e.hand_id
    WHERE h.gfx_pc_id = %s AND h.session_id = %s"""
PLAYERS = "SELECT player_hash, total_hands_played, total_sessions FROM gfx_players"


def test_a_live_export_rewritten_hand_after_hand_lands_each_content_on_each_pc(
    tmp_path: Path, table_gg: Path
) -> None:
    source = json.loads((table_gg / SOURCE).read_bytes())
    content = {n: encode_export({**source, "Hands": source["Hands"][:n]}) for n in range(1, FINAL + 1)}
    nas_root, home = tmp_path / "nas", tmp_path / "home"
    write_registry(nas_root / "config" / "pc_registry.json", {pc: pc for pc in PCS})
    live, copy = (nas_root / pc / SOURCE for pc in PCS)
    with (
        server_of_its_own(tmp_path / "target", "gfx") as target,
        server_of_its_own(tmp_path / "dagster", "dagster") as storage,
    ):
        env = {
            "GFX_HOME": str(home),
            "GFX_DATABASE_URL": target,
            "GFX_DAGSTER_STORAGE_URL": as_sqlalchemy_psycopg2(storage),
            "GFX_NAS_ROOT": str(nas_root),
            "GFX_SETTLE_SECONDS": str(SETTLE_SECONDS),
            "GFX_SNAPSHOT_RETENTION": "compact",  # superseded contents lose their JSON (see _assert_ledger)
        }
        with dev_leaving_nothing(env, home):
            for n in range(1, STEPS + 1):  # hand after hand; PC02 gets the STEPS-hand content too
                _rewrite(live, content[n])
                if n == STEPS:
                    _rewrite(copy, content[n])
                _wait_mirrored(target, "PC01", content[n])
            _wait_mirrored(target, "PC02", content[STEPS])

            # Inside the settle time: the first of the two contents is never settled before the second.
            first, second = _rewrite(live, content[STEPS + 1]), _rewrite(live, content[STEPS + 2])
            assert second - first < SETTLE_SECONDS * 1e9
            _wait_mirrored(target, "PC01", content[STEPS + 2])
            assert query(target, REJECTED) == []

            # While a run is in flight: it read STEPS + 3 hands and waits inside its ledger write.
            wait_for(lambda: not query(storage, RUNS_IN_FLIGHT)[0][0], 120, "no run in flight")
            with writes_held(target) as release:
                _rewrite(live, content[STEPS + 3])
                wait_for(
                    lambda: waiting_in_a_write(target) and _started(storage, "PC01"),
                    STEP_SECONDS,
                    "a run of PC01 waiting inside its ledger write",
                )
                written = _rewrite(live, content[FINAL])
                wait_for(
                    lambda: ticked_after(storage, "gfx_nas_sensor", written / 1e9 + SETTLE_SECONDS),
                    STEP_SECONDS,
                    "a sensor tick that sees the rewrite settled while the run still waits",
                )
                unfinished = [
                    status for status, *_ in query(storage, SYNC_RUNS_OF, "PC01") if status != "SUCCESS"
                ]
                assert unfinished == ["STARTED"], (
                    "the sensor started a second run of PC01 while one was in flight"
                )
                release()
            _wait_mirrored(target, "PC01", content[FINAL])
            wait_until_bookkept(storage)

            finals = {"PC01": content[FINAL], "PC02": content[STEPS]}
            _assert_ledger(target, content, finals)
            _assert_sessions_and_manifest(target, nas_root, finals)
            for pc, final in finals.items():
                _assert_hand_by_hand(target, pc, json.loads(final))
            _assert_hand_tables(target, {pc: json.loads(final) for pc, final in finals.items()})
            _assert_one_sensor_run_at_a_time(storage)
            assert_converged(target, nas_root)


def _rewrite(path: Path, content: bytes) -> int:
    """PokerGFX rewriting its export in place (same path); the file's new mtime in ns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path.stat().st_mtime_ns


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _wait_mirrored(target: str, pc: str, content: bytes) -> None:
    hands = len(json.loads(content)["Hands"])

    def mirrored() -> bool:
        return query(target, MIRRORED, pc, GAME_ID, _sha(content)) == [(True, hands)]

    wait_for(mirrored, STEP_SECONDS, f"{pc}'s tables to mirror its {hands}-hand content")


def _started(storage: str, pc: str) -> bool:
    return any(status == "STARTED" for status, *_ in query(storage, SYNC_RUNS_OF, pc))


def _assert_ledger(target: str, content: dict[int, bytes], finals: dict[str, bytes]) -> None:
    """Each PC's ledger holds its own contents: PC01 every content it was given (the one rewritten inside
    the settle time may be missing), the one read by the held run included, with only the latest keeping
    its JSON (the others are verified prefixes, compacted); PC02 the same bytes as PC01's STEPS-hand
    content under the same hash, its JSON kept: PC01's compaction did not reach it."""
    hands_of = {_sha(text): n for n, text in content.items()}
    ledger: dict[str, dict[str, tuple]] = defaultdict(dict)
    for pc, file_hash, hand_count, nas_path, has_json in query(target, LEDGER):
        ledger[pc][file_hash] = (hand_count, nas_path, has_json)
    assert set(ledger) == set(PCS)
    for pc, rows in ledger.items():
        for file_hash, (hand_count, nas_path, has_json) in rows.items():
            assert hand_count == hands_of[file_hash], (pc, hand_count)  # a content written, whole
            assert nas_path == f"{pc}/{SOURCE}"
            assert has_json == (file_hash == _sha(finals[pc])), (pc, hand_count)
    required = {_sha(content[n]) for n in range(1, FINAL + 1) if n != STEPS + 1}
    assert required <= set(ledger["PC01"]), sorted(hands_of[h] for h in ledger["PC01"])
    assert set(ledger["PC02"]) == {_sha(content[STEPS])}


def _assert_sessions_and_manifest(target: str, nas_root: Path, finals: dict[str, bytes]) -> None:
    """One game row per PC on its own latest content; the manifest has each PC's file synced with the
    file's size, mtime and the hash of its last content."""
    assert sorted(query(target, SESSIONS)) == [
        (pc, GAME_ID, len(json.loads(final)["Hands"]), _sha(final), f"{pc}/{SOURCE}")
        for pc, final in finals.items()
    ]
    assert sorted(query(target, MANIFEST)) == [
        (pc, f"{pc}/{SOURCE}", len(final), _mtime(nas_root / pc / SOURCE), _sha(final), "synced")
        for pc, final in finals.items()
    ]


def _mtime(path: Path) -> datetime:
    return FileStat(str(path), 0, path.stat().st_mtime_ns).mtime


def _assert_hand_by_hand(target: str, pc: str, document: dict[str, Any]) -> None:
    """Each hand of the file, by position, against the stored hand of this PC: HandNum, player count,
    seats (seat, name, stacks) and events (type, bet, pot, in order)."""
    hands = {index: rest for index, *rest in query(target, HANDS_OF, pc, GAME_ID)}
    seats, events = defaultdict(list), defaultdict(list)
    for index, *seat in query(target, SEATS_OF, pc, GAME_ID):
        seats[index].append(tuple(seat))
    for index, *event in sorted(query(target, EVENTS_OF, pc, GAME_ID)):
        events[index].append(tuple(event[1:]))
    assert sorted(hands) == list(range(1, len(document["Hands"]) + 1)), pc
    for index, hand in enumerate(document["Hands"], start=1):
        players = hand["Players"]
        expected_seats = [(p["PlayerNum"], p["Name"], p["StartStackAmt"], p["EndStackAmt"]) for p in players]
        expected_events = [(e["EventType"].replace(" ", "_"), e["BetAmt"], e["Pot"]) for e in hand["Events"]]
        assert hands[index] == [hand["HandNum"], len(players)], (pc, index)
        assert sorted(seats[index]) == sorted(expected_seats), (pc, index)
        assert events[index] == expected_events, (pc, index)


def _assert_hand_tables(target: str, documents: dict[str, dict[str, Any]]) -> None:
    """Every row of gfx_hands, gfx_hand_players and gfx_events is the mapping of its PC's file (ids derive
    from PC, session and position, so the two PCs' rows are apart), and no other row is there; gfx_players
    counts each player's seats on both PCs and the (PC, session) pairs they sat in."""
    mapped = [map_hands(pc, GAME_ID, document) for pc, document in documents.items()]
    for table, columns, expected in (
        ("gfx_hands", HAND_COLUMNS, [row for rows in mapped for row in rows.hands]),
        ("gfx_hand_players", SEAT_COLUMNS, [row for rows in mapped for row in rows.hand_players]),
        ("gfx_events", EVENT_COLUMNS, [row for rows in mapped for row in rows.events]),
    ):
        found = query(target, f"SELECT {', '.join(columns)} FROM {table}")
        stored = {row[0]: dict(zip(columns, row, strict=True)) for row in found}
        assert set(stored) == {row["id"] for row in expected}, table
        for row in expected:
            assert stored[row["id"]] == {column: _as_stored(row[column]) for column in columns}, table
    seats, sessions = Counter(), defaultdict(set)
    for pc, document in documents.items():
        for player in (p for hand in document["Hands"] for p in hand["Players"]):
            key = player_hash(player["Name"], player["LongName"])
            seats[key] += 1
            sessions[key].add(pc)
    assert {key: (hands, pcs) for key, hands, pcs in query(target, PLAYERS)} == {
        key: (seats[key], len(sessions[key])) for key in seats
    }


def _as_stored(value: Any) -> Any:
    """What psycopg gives back for what the mapping sends (JsonText is jsonb text, numerics are Decimal)."""
    if isinstance(value, JsonText):
        return json.loads(value)
    return Decimal(value) if isinstance(value, float) else value


def _assert_one_sensor_run_at_a_time(storage: str) -> None:
    """Every sync run succeeded, and the sensor started no run of a PC while another was in flight (the
    hourly sweep, which may start meanwhile, is left out)."""
    for pc in PCS:
        runs = query(storage, SYNC_RUNS_OF, pc)
        assert {status for status, *_ in runs} == {"SUCCESS"}, pc
        by_sensor = [(start, end) for _, start, end, trigger in runs if trigger in ("sensor", "redrive")]
        assert all(end <= start for (_, end), (start, _) in pairwise(by_sensor)), (pc, by_sensor)
