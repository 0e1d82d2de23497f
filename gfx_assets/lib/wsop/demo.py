"""The demo WSOP+ source of `gfx-assets dev`: a `wsop_source` database on the embedded server, and a
simulator that keeps changing it (new chip counts, players seen again, stacks moved) so the schedule has
work."""

import logging
import threading

import psycopg

from gfx_assets.lib.common.postgres import ensure_database
from gfx_assets.lib.wsop.sample import (
    add_chip_counts,
    add_event_players,
    add_event_players_table,
    create_source_schema,
    seed_source,
    use_production_payouts,
)

DEMO_SOURCE_DB = "wsop_source"
DEMO_ENTRANTS = 100
log = logging.getLogger(__name__)


def ensure_sample_source(server_url: str) -> str:
    """Create and seed `wsop_source` on the server unless it holds the WSOP+ tables; return its URL. An
    older demo source gets production's payout shape, and wsop_event_players with entries if it lacks it."""
    url = ensure_database(server_url, DEMO_SOURCE_DB)
    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('gfx_assets wsop demo source'))")
        if _missing(conn, "wsop_events"):
            create_source_schema(conn)
            seed_source(conn, events=12, players=600, chip_counts=5000, entrants=DEMO_ENTRANTS)
        else:
            use_production_payouts(conn)
            if _missing(conn, "wsop_event_players"):
                add_event_players_table(conn)
                add_event_players(conn, DEMO_ENTRANTS)
    return url


def _missing(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()[0] is None


class WsopSimulator(threading.Thread):
    """Every `interval` seconds: a round of chip counts, a few players seen again and a few entries'
    stacks moved (their updated_at moves by the source trigger), as the WSOP+ floor staff's tools would."""

    def __init__(self, source_url: str, interval: float = 5.0, chip_counts_per_round: int = 50) -> None:
        super().__init__(name="wsop-source-simulator", daemon=True)
        self._url = source_url
        self._interval = interval
        self._per_round = chip_counts_per_round
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.play_round()
            except psycopg.Error as error:  # the embedded server restarting: try again next round
                log.warning("wsop simulator: %s", str(error).strip().splitlines()[0] if str(error) else error)

    def play_round(self) -> None:
        with psycopg.connect(self._url) as conn:
            add_chip_counts(conn, self._per_round)
            conn.execute(
                """UPDATE wsop_players SET last_seen_at = now(), wsop_cashes = wsop_cashes + 1
                   WHERE id IN (SELECT id FROM wsop_players ORDER BY random() LIMIT 3)"""
            )
            conn.execute(
                """UPDATE wsop_event_players SET current_chips = current_chips + 1000,
                       peak_chips = greatest(peak_chips, current_chips + 1000)
                   WHERE id IN (SELECT id FROM wsop_event_players WHERE status = 'active'
                                ORDER BY random() LIMIT 5)"""
            )

    def stop(self) -> None:
        self._stop.set()
