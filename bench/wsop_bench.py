"""WSOP+ sync benchmark, side by side in one run (see BENCHMARKS.md for results).

    .venv/bin/python bench/wsop_bench.py --rows 100000 --new-rows 10000 --repeat 3

For chip counts, into fresh migrated target databases on the embedded server under .gfx/bench:
1. full load of N rows: our sync step (`sync_table`: watermark read, source snapshot, column check,
   COPY stream into a staging table, parent check, compare-and-upsert, sync_status write) against the
   plain reference (binary COPY out of the source -> binary COPY into a temporary table -> one
   INSERT ... ON CONFLICT (id) DO UPDATE);
2. incremental: M new rows after the full load (ours also re-reads its lookback window, 600 s of
   the source's timestamps), against the reference copying exactly the rows newer than the last one;
3. memory: peak Python allocation (tracemalloc) of our full-load step, and the process's max RSS.
Each figure is the median of `--repeat` runs; ours and the reference alternate within each repeat.
"""

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import embedded_server_url, ensure_database  # noqa: E402
from gfx_assets.lib.sinks.postgres import PostgresSink  # noqa: E402
from gfx_assets.lib.wsop.sample import add_chip_counts, create_source_schema, seed_source  # noqa: E402
from gfx_assets.lib.wsop.status import Schedule  # noqa: E402
from gfx_assets.lib.wsop.sync import SyncOptions, sync_table  # noqa: E402
from gfx_assets.lib.wsop.tables import CHIP_COUNTS, EVENTS, PLAYERS  # noqa: E402

LOOKBACK_SECONDS = 600
SCHEDULE = Schedule(900, None)
# Seeded chip counts are spread 100 ms apart, ending a day ago: realistic timestamps, not one shared stamp.
_SPREAD = """
UPDATE wsop_chip_counts c
SET created_at = now() - interval '1 day' - (n.total - n.position) * interval '100 ms'
FROM (SELECT id, row_number() OVER (ORDER BY id) AS position, count(*) OVER () AS total
      FROM wsop_chip_counts) n
WHERE n.id = c.id
"""


def fresh_database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return ensure_database(server, name)


def ours(source: str, target: str, table=CHIP_COUNTS) -> float:
    """Our sync step of one table on the direct PostgreSQL path; returns seconds."""
    sink = PostgresSink(target)
    try:
        started = time.perf_counter()
        sync_table(sink, table, SyncOptions(source, LOOKBACK_SECONDS, 5000, target), SCHEDULE)
        return time.perf_counter() - started
    finally:
        sink.close()


def reference(source: str, target: str, newer_than_target: bool = False) -> float:
    """Binary COPY out -> binary COPY into a temporary table -> one INSERT ... ON CONFLICT (id)."""
    table = CHIP_COUNTS.name
    with psycopg.connect(source) as src, psycopg.connect(target) as dst:
        started = time.perf_counter()
        columns = [
            name
            for (name,) in src.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                (table,),
            )
        ]
        where = ""
        if newer_than_target:
            [(newest,)] = dst.execute(f"SELECT max(created_at) FROM {table}").fetchall()
            where = sql.SQL(" WHERE created_at > {}").format(sql.Literal(newest)).as_string(src)
        dst.execute(f"CREATE TEMP TABLE stage (LIKE {table}) ON COMMIT DROP")
        with (
            src.cursor().copy(f"COPY (SELECT * FROM {table}{where}) TO STDOUT (FORMAT BINARY)") as out,
            dst.cursor().copy("COPY stage FROM STDIN (FORMAT BINARY)") as into,
        ):
            for block in out:
                into.write(block)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "id")
        dst.execute(f"INSERT INTO {table} SELECT * FROM stage ON CONFLICT (id) DO UPDATE SET {updates}")
        dst.commit()
        return time.perf_counter() - started


def with_parents(server: str, name: str, source: str) -> str:
    """A fresh migrated target already holding the source's events and players."""
    url = fresh_database(server, name)
    migrate(url)
    for table in (EVENTS, PLAYERS):
        ours(source, url, table)
    return url


def median_pairs(repeat: int, pair: Callable[[int], tuple[float, float]]) -> tuple[float, float]:
    runs = [pair(index) for index in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--new-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = embedded_server_url(REPO / ".gfx" / "bench")
    source = fresh_database(server, "wsop_bench_source")
    with psycopg.connect(source) as conn:
        create_source_schema(conn)
        seed_source(conn, events=20, players=2000, chip_counts=args.rows)
        conn.execute(_SPREAD)
    print(f"source: {args.rows} chip counts, 2000 players, 20 events")

    def full(index: int) -> tuple[float, float]:
        a, b = with_parents(server, "wsop_bench_ours", source), with_parents(server, "wsop_bench_ref", source)
        if index % 2:
            return ours(source, a), reference(source, b)
        theirs = reference(source, b)
        return ours(source, a), theirs

    ours_full, ref_full = median_pairs(args.repeat, full)
    print(
        f"full load {args.rows}: ours {ours_full:.2f} s, reference {ref_full:.2f} s, "
        f"ratio {ours_full / ref_full:.2f}"
    )

    def incremental(index: int) -> tuple[float, float]:
        a, b = with_parents(server, "wsop_bench_ours", source), with_parents(server, "wsop_bench_ref", source)
        ours(source, a), reference(source, b)
        with psycopg.connect(source) as conn:
            add_chip_counts(conn, args.new_rows)
        result = ours(source, a), reference(source, b, newer_than_target=True)
        with psycopg.connect(source) as conn:  # back to the seeded state for the next repeat
            conn.execute("DELETE FROM wsop_chip_counts WHERE created_at > now() - interval '1 hour'")
        return result

    ours_inc, ref_inc = median_pairs(args.repeat, incremental)
    print(
        f"incremental {args.new_rows} new: ours {ours_inc:.2f} s, reference {ref_inc:.2f} s, "
        f"ratio {ours_inc / ref_inc:.2f}"
    )

    target = with_parents(server, "wsop_bench_ours", source)
    tracemalloc.start()
    ours(source, target)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"memory, full load {args.rows}: peak Python allocation {peak / 2**20:.1f} MiB, max RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
