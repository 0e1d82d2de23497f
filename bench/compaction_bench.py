"""Stored bytes of a live session file grown hand by hand, with snapshot compaction vs without (issue 13).

    .venv/bin/python bench/compaction_bench.py --hands 170

A synthetic session (gfx_assets.lib.pokergfx.synthetic) is rewritten after every hand, as PokerGFX does,
and each content is synced through the real stages (stage -> land in the ledger gfx_session_snapshots,
whose trigger keeps the game's gfx_sessions row on the latest content -> load the hand tables -> compact;
gfx_assets_tests/gfx_hands/growth.py), once with GFX_SNAPSHOT_RETENTION=keep and once with compact, each
into a fresh migrated database on the embedded PostgreSQL under .gfx/bench (direct sink).
Reported per mode: the final file's size, the snapshots (ledger rows), the raw JSON kept over every
stored row, the ledger's and the game's gfx_sessions row's together (jsonb text bytes and on-disk bytes,
pg_column_size after TOAST compression), the ledger's size without its JSON, and the sync time.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import ensure_database  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession  # noqa: E402
from gfx_assets.lib.sinks.postgres import PostgresSink  # noqa: E402
from gfx_assets_tests.gfx_hands.growth import grow  # noqa: E402

SIZES = """
WITH kept AS (
    SELECT raw_json FROM gfx_session_snapshots UNION ALL SELECT raw_json FROM gfx_sessions
)
SELECT (SELECT coalesce(sum(octet_length(raw_json::text)), 0) FROM kept),
       (SELECT coalesce(sum(pg_column_size(raw_json)), 0) FROM kept),
       (SELECT count(*) FROM gfx_session_snapshots),
       (SELECT coalesce(sum(pg_column_size(l.*) - coalesce(pg_column_size(l.raw_json), 0)), 0)
        FROM gfx_session_snapshots l)
"""


def measure(server: str, mode: str, hands: int) -> dict:
    name = f"gfx_bench_compaction_{mode}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    url = ensure_database(server, name)
    migrate(url)
    sink = PostgresSink(url)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        path = grow(sink, Path(tmp) / "nas", "PC01", SyntheticSession(seed=170), hands, mode)
        seconds = time.monotonic() - started
        file_bytes = path.stat().st_size
    sink.close()
    with psycopg.connect(url) as conn:
        text_bytes, disk_bytes, rows, ledger_bytes = conn.execute(SIZES).fetchone()
    return {
        "mode": mode,
        "snapshots": rows,
        "file": file_bytes,
        "text": text_bytes,
        "disk": disk_bytes,
        "ledger": ledger_bytes,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hands", type=int, default=170)
    args = parser.parse_args()
    with embedded_server_lease(REPO / ".gfx" / "bench") as server:  # stopped afterwards if started here
        results = [measure(server, mode, args.hands) for mode in ("keep", "compact")]
    print("| retention | snapshots | file MB | raw JSON kept MB | x file | on disk MB | ledger KB | sync s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        ratio = r["text"] / r["file"]
        print(
            f"| {r['mode']} | {r['snapshots']} | {r['file'] / 1e6:.2f} | {r['text'] / 1e6:.2f} | "
            f"{ratio:.2f} | {r['disk'] / 1e6:.2f} | {r['ledger'] / 1e3:.1f} | {r['seconds']:.1f} |"
        )


if __name__ == "__main__":
    main()
