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
Each figure is the median of `--repeat` rounds; the contestants' order rotates from round to round.

Unless `--no-external`, Sling and dlt (bench/external_tools.py: each in its own venv under
.gfx/bench/venvs, installed on first use) copy the same chip counts in the same rounds, each into a
database of its own, merged on `id` and incremental on `created_at`; their figures are the wall time of
the tool's process (start-up included) and its peak RSS. dlt runs twice: with its default row reader
(SQLAlchemy) and with its pyarrow backend. For the incremental case each tool keeps one target, fully
loaded once before the rounds.
"""

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.common.migrations import migrate  # noqa: E402
from gfx_assets.lib.common.postgres import ensure_database  # noqa: E402
from gfx_assets.lib.sinks.postgres import PostgresSink  # noqa: E402
from gfx_assets.lib.wsop.sample import add_chip_counts, create_source_schema, seed_source  # noqa: E402
from gfx_assets.lib.wsop.status import Schedule  # noqa: E402
from gfx_assets.lib.wsop.sync import SyncOptions, sync_table  # noqa: E402
from gfx_assets.lib.wsop.tables import CHIP_COUNTS, EVENTS, PLAYERS  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from external_tools import ToolRun, count_rows, dlt_copy_tables, sling_copy_tables, tool_versions  # noqa: E402

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


# External contestants: the schema each tool writes to in a database of its own, and its load.
EXTERNAL: dict[str, tuple[str, Callable[[str, str], ToolRun]]] = {
    "Sling": ("sling", sling_copy_tables),
    "dlt": ("dlt_wsop", dlt_copy_tables),
    "dlt pyarrow": ("dlt_wsop", partial(dlt_copy_tables, backend="pyarrow")),
}
Result = float | ToolRun


def tool_database(tool: str) -> str:
    return f"wsop_bench_{tool.replace(' ', '_').lower()}"


def check_landed(tool: str, url: str, rows: int) -> None:
    """A tool's timing counts only if all the rows arrived."""
    landed = count_rows(url, EXTERNAL[tool][0], "wsop_chip_counts")
    if landed != rows:
        raise SystemExit(f"{tool} left {landed} chip counts in its target, not {rows}")


def in_rotation(index: int, contestants: dict[str, Callable[[], Result]]) -> dict[str, Result]:
    """Every contestant once, the first of the last round going last: none always runs first."""
    names = list(contestants)
    shift = index % len(names)
    return {name: contestants[name]() for name in names[shift:] + names[:shift]}


def medians(repeat: int, round_: Callable[[int], dict[str, Result]]) -> dict[str, Result]:
    """Per contestant, the median over `repeat` rounds (of seconds, and a tool's peak RSS and start-up)."""
    rounds = [round_(index) for index in range(repeat)]
    return {name: median_of([r[name] for r in rounds]) for name in rounds[0]}


def median_of(results: list[Result]) -> Result:
    if not isinstance(results[0], ToolRun):
        return statistics.median(results)
    startups = [r.startup_seconds for r in results if r.startup_seconds is not None]
    return ToolRun(
        results[0].tool,
        statistics.median(r.seconds for r in results),
        statistics.median(r.peak_rss_mb for r in results),
        statistics.median(startups) if startups else None,
    )


def print_case(case: str, results: dict[str, Result]) -> None:
    ours_s, ref_s = results["ours"], results["reference"]
    print(f"{case}: ours {ours_s:.2f} s, reference {ref_s:.2f} s, ratio {ours_s / ref_s:.2f}")
    tools = {name: run for name, run in results.items() if isinstance(run, ToolRun)}
    if tools:
        shown = [
            f"{name} {run.seconds:.2f} s ("
            + (f"start-up {run.startup_seconds:.1f} s, " if run.startup_seconds is not None else "")
            + f"peak RSS {run.peak_rss_mb:.0f} MiB)"
            for name, run in tools.items()
        ]
        ratios = ", ".join(f"ours / {name} {ours_s / run.seconds:.2f}" for name, run in tools.items())
        print(f"{case}, same rounds: {', '.join(shown)}; {ratios}")


def full_round(server: str, source: str, tools: list[str], rows: int) -> Callable[[int], dict[str, Result]]:
    def round_(index: int) -> dict[str, Result]:
        contestants = {
            "ours": lambda: ours(source, with_parents(server, "wsop_bench_ours", source)),
            "reference": lambda: reference(source, with_parents(server, "wsop_bench_ref", source)),
        }
        targets = {tool: fresh_database(server, tool_database(tool)) for tool in tools}
        for tool in tools:
            contestants[tool] = partial(EXTERNAL[tool][1], source, targets[tool])
        results = in_rotation(index, contestants)
        for tool in tools:
            check_landed(tool, targets[tool], rows)
        return results

    return round_


def incremental_round(
    server: str, source: str, tools: list[str], rows: int, new_rows: int
) -> Callable[[int], dict[str, Result]]:
    """Ours and the reference start from fresh full loads each round; each tool keeps one target, fully
    loaded once (untimed), and the new rows are deleted from the source and the tools' targets after
    each round, so every round copies the same rows."""
    targets = {tool: fresh_database(server, tool_database(tool)) for tool in tools}
    for tool in tools:
        EXTERNAL[tool][1](source, targets[tool])

    def round_(index: int) -> dict[str, Result]:
        a, b = with_parents(server, "wsop_bench_ours", source), with_parents(server, "wsop_bench_ref", source)
        ours(source, a), reference(source, b)
        with psycopg.connect(source) as conn:
            add_chip_counts(conn, new_rows)
        contestants = {
            "ours": partial(ours, source, a),
            "reference": partial(reference, source, b, newer_than_target=True),
        }
        for tool in tools:
            contestants[tool] = partial(EXTERNAL[tool][1], source, targets[tool])
        results = in_rotation(index, contestants)
        for tool in tools:
            check_landed(tool, targets[tool], rows + new_rows)
        # back to the seeded state for the next round
        for url, schema in [(source, "public")] + [(targets[tool], EXTERNAL[tool][0]) for tool in tools]:
            with psycopg.connect(url) as conn:
                conn.execute(
                    f"DELETE FROM {schema}.wsop_chip_counts WHERE created_at > now() - interval '1 hour'"
                )
        return results

    return round_


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--new-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-external", action="store_true", help="skip Sling and dlt")
    args = parser.parse_args()
    tools = [] if args.no_external else list(EXTERNAL)
    if tools:
        versions = tool_versions()  # installs the tools' venvs on first use, before anything is timed
        print(f"tools: Sling {versions['sling']}, dlt {versions['dlt']} (pyarrow {versions['pyarrow']})")
    with embedded_server_lease(REPO / ".gfx" / "bench") as server:  # stopped after, if started here
        source = fresh_database(server, "wsop_bench_source")
        with psycopg.connect(source) as conn:
            create_source_schema(conn)
            seed_source(conn, events=20, players=2000, chip_counts=args.rows)
            conn.execute(_SPREAD)
        print(f"source: {args.rows} chip counts, 2000 players, 20 events")

        print_case(
            f"full load {args.rows}", medians(args.repeat, full_round(server, source, tools, args.rows))
        )
        incremental = incremental_round(server, source, tools, args.rows, args.new_rows)
        print_case(f"incremental {args.new_rows} new", medians(args.repeat, incremental))

        target = with_parents(server, "wsop_bench_ours", source)
        tracemalloc.start()
        ours(source, target)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"memory, full load {args.rows}: peak Python allocation {peak / 2**20:.1f} MiB, "
            f"max RSS {rss:.0f} MiB"
        )


if __name__ == "__main__":
    main()
