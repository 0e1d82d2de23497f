"""Several GFX PCs load their hand tables at the same moment, on both sinks, and their tables seat the
same players (a gfx_players row, keyed by player_hash, is shared by every PC that seats the player), each
PC in an order of its own: no load deadlocks, even with no request retried (a deadlock would fail the
load), round after round, and every hand, seat, event and player lands exactly once, with each player's
totals equal to a count of the stored seats. On the direct sink, a player's row is updated without
waiting for the seats another PC is writing for that player."""

import json
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from gfx_assets.lib.nas_sync import player_totals
from gfx_assets.lib.nas_sync.hand_loading import load_pc_hands
from gfx_assets.lib.pokergfx.hand_players import player_row
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, encode_export
from gfx_assets.lib.sinks.base import RequestRetry
from gfx_assets.lib.sinks.postgres import PostgresSink
from gfx_assets.resources import GfxDatabase, GfxSink, PostgresSinkResource, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.gfx_hands.growth import export_path, land_file
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import postgres_sink, query

PCS = ("PC01", "PC02", "PC03", "PC04")
SESSIONS_PER_PC = 3
ROUNDS = 6
HANDS_PER_ROUND = 4
# Seats are numbered 1..10: every PC seats players of this pool, by a seat order of its own.
POOL = [(f"Shared{n:02d}", f"Player Shared{n:02d}") for n in range(11)]


@pytest.fixture(params=["postgres", "supabase_rest"])
def unretried(request: pytest.FixtureRequest, database_url: str) -> Iterator[GfxSink]:
    """A sink that tries each request once, so that a deadlock fails the load instead of being retried."""
    if request.param == "postgres":
        yield PostgresSinkResource(database=GfxDatabase(url=database_url), request_deadline_seconds=0)
        return
    with serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url:
        yield SupabaseSinkResource(url=base_url, service_key=SERVICE_KEY, request_deadline_seconds=0)


def shared_seats(session: SyntheticSession, pc_index: int) -> dict[str, Any]:
    """The session's export with each seat's player taken from POOL, seat to player as the PC seats them."""
    export = json.loads(session.to_json_bytes())
    seating = random.Random(pc_index).sample(range(len(POOL)), len(POOL))
    for hand in export["Hands"]:
        for player in hand["Players"]:
            player["Name"], player["LongName"] = POOL[seating[player["PlayerNum"]]]
    return export


def pc_sessions() -> dict[str, list[SyntheticSession]]:
    """SESSIONS_PER_PC tables of ten seats per PC, each session an id of its own."""
    start = datetime(2025, 10, 15, 8, tzinfo=UTC)
    return {
        pc_id: [
            SyntheticSession(seed=100 * pc + n, created=start + timedelta(hours=pc, minutes=n), players=10)
            for n in range(SESSIONS_PER_PC)
        ]
        for pc, pc_id in enumerate(PCS)
    }


def grow_and_land(sink: GfxSink, nas_root: Path, sessions: dict[str, list[SyntheticSession]]) -> list[dict]:
    """Add HANDS_PER_ROUND hands to every session, land each file; the exports as written."""
    exports = []
    with sink.open() as target:
        for pc_index, (pc_id, pc_sessions) in enumerate(sessions.items()):
            for session in pc_sessions:
                for _ in range(HANDS_PER_ROUND):
                    session.add_hand()
                export = shared_seats(session, pc_index)
                path = export_path(nas_root, pc_id, session)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(encode_export(export))
                land_file(target, nas_root, pc_id, path)
                exports.append(export)
    return exports


def load_at_once(sink: GfxSink, pcs: tuple[str, ...]) -> list[str]:
    """Every PC's hand load in a thread of its own, released together; the errors they raised."""
    start = threading.Barrier(len(pcs))

    def load(pc_id: str) -> None:
        with sink.open() as target:
            start.wait()
            load_pc_hands(target, pc_id)

    with ThreadPoolExecutor(len(pcs)) as pool:
        futures = [pool.submit(load, pc_id) for pc_id in pcs]
    return [f"{type(error).__name__}: {error}" for future in futures if (error := future.exception())]


def expected_counts(exports: list[dict]) -> tuple[int, int, int, int]:
    hands = [hand for export in exports for hand in export["Hands"]]
    seats = [player for hand in hands for player in hand["Players"]]
    players = {(seat["Name"], seat["LongName"]) for seat in seats}
    return len(hands), len(seats), sum(len(hand["Events"]) for hand in hands), len(players)


def stored_counts(database_url: str) -> tuple[int, int, int, int]:
    tables = ("gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players")
    return tuple(query(database_url, f"SELECT count(*) FROM {table}")[0][0] for table in tables)


def miscounted_players(database_url: str) -> list[tuple]:
    """Players whose totals differ from a count of their stored seats and the sessions of those seats."""
    return query(
        database_url,
        """SELECT p.name, p.total_hands_played, p.total_sessions, count(hp.id),
                  count(DISTINCT (h.gfx_pc_id, h.session_id))
           FROM gfx_players p
           LEFT JOIN gfx_hand_players hp ON hp.player_id = p.id
           LEFT JOIN gfx_hands h ON h.id = hp.hand_id
           GROUP BY p.id
           HAVING p.total_hands_played <> count(hp.id)
               OR p.total_sessions <> count(DISTINCT (h.gfx_pc_id, h.session_id))""",
    )


def test_pcs_seating_the_same_players_load_at_once_without_a_deadlock_round_after_round(
    unretried: GfxSink, database_url: str, tmp_path: Path
) -> None:
    sessions = pc_sessions()
    landing = postgres_sink(database_url)
    for _ in range(ROUNDS):
        exports = grow_and_land(landing, tmp_path, sessions)
        assert load_at_once(unretried, PCS) == []
        assert stored_counts(database_url) == expected_counts(exports)
        assert miscounted_players(database_url) == []


def waiting_for_a_lock(database_url: str) -> bool:
    return query(database_url, "SELECT count(*) FROM pg_locks WHERE NOT granted")[0][0] > 0


def test_a_recount_that_waited_for_a_players_lock_counts_the_seats_committed_while_it_waited(
    database_url: str, tmp_path: Path
) -> None:
    """Another PC's transaction holds the player's row (as its own recount does) and commits one more seat
    of theirs while this PC's recount waits for that row: the recount counts the seat."""
    grow_and_land(postgres_sink(database_url), tmp_path, {"PC01": pc_sessions()["PC01"]})
    with postgres_sink(database_url).open() as sink:
        load_pc_hands(sink, "PC01")
    totals = "SELECT total_hands_played, total_sessions FROM gfx_players WHERE id = %s"
    (player_id,) = query(database_url, "SELECT id FROM gfx_players ORDER BY id LIMIT 1")[0]
    [(hands, sessions)] = query(database_url, totals, player_id)
    with psycopg.connect(database_url) as other_pc, postgres_sink(database_url).open() as sink:
        other_pc.execute("SELECT 1 FROM gfx_players WHERE id = %s FOR NO KEY UPDATE", [player_id])
        other_pc.execute(
            "INSERT INTO gfx_hands (gfx_pc_id, session_id, hand_index) VALUES ('PC02', 1, 1) RETURNING id"
        )
        other_pc.execute(
            "INSERT INTO gfx_hand_players (hand_id, player_id, seat_num) "
            "SELECT id, %s, 1 FROM gfx_hands WHERE gfx_pc_id = 'PC02'",
            [player_id],
        )
        with ThreadPoolExecutor(1) as pool:
            recounting = pool.submit(player_totals.recount, sink, [{"id": player_id}], datetime.now(UTC))
            deadline = time.monotonic() + 30
            while not waiting_for_a_lock(database_url):
                assert time.monotonic() < deadline, "the recount never waited for the player's row"
                time.sleep(0.05)
            other_pc.commit()
            assert recounting.result(timeout=60) == 1
    assert query(database_url, totals, player_id) == [(hands + 1, sessions + 1)]
    assert miscounted_players(database_url) == []


def test_a_players_row_is_updated_while_another_pc_writes_seats_of_that_player_on_the_direct_sink(
    database_url: str,
) -> None:
    player = player_row({"Name": "Shared00", "LongName": "Player Shared00"}, datetime.now(UTC))
    waits_2s = make_conninfo(database_url, options="-c lock_timeout=2000")
    impatient = PostgresSink(waits_2s, retry=RequestRetry(deadline_seconds=0))
    assert player_totals.upsert(impatient, [player]).written == 1
    with psycopg.connect(database_url) as seats_in_progress:  # the lock a seat's foreign key takes
        seats_in_progress.execute("SELECT 1 FROM gfx_players WHERE id = %s FOR KEY SHARE", [player["id"]])
        renamed = {**player, "name": "SHARED00", "updated_at": datetime.now(UTC)}
        assert player_totals.upsert(impatient, [renamed]).written == 1
    impatient.close()
    assert query(database_url, "SELECT name FROM gfx_players") == [("SHARED00",)]
