"""Does a live rewrite stay incremental? What the hand load of the k-th content of a growing session file
writes (only the new hand, it should be), and what it costs as the session grows (issue 20 asks it flat).

    .venv/bin/python bench/live_growth_bench.py --hands 173 --repeat 1

A synthetic session (gfx_assets.lib.pokergfx.synthetic, seed 170) is rewritten after every hand, as
PokerGFX does, and each content is synced through the real stages (stage -> land in the ledger -> load the
hand tables with `load_pc_hands` -> compact, retention compact; gfx_assets_tests/gfx_hands/growth.py's
`grow`), into a fresh migrated database on the embedded PostgreSQL under .gfx/bench (direct sink).
Recorded for every k: the time of the k-th content's hand load alone and the hands, seats and events it
wrote (its HandLoad), and, apart, the k-th content's landing time (staging parses and hashes the whole
file, so that one grows with k and is not the claim), beside the file's size. Reported by ranges of k:
medians (over the k of the range, of each k's median over the `--repeat` growths), the last range's median
over the first's, and the least-squares slope of the hand-load time over k.
"""

import argparse
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
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
from gfx_assets_tests.gfx_hands.growth import Step, export_path, grow  # noqa: E402

SEED = 170
PC = "PC01"
DATABASE = "gfx_bench_live_growth"
RANGE_ENDS = (10, 50, 100, 150)  # ranges of k: 1-10, 11-50, 51-100, 101-150, 151-hands


@dataclass(frozen=True)
class Sample:
    """The sync of the k-th content: file size, landing and hand-load times, rows the hand load wrote."""

    k: int
    file_kb: float
    land_ms: float
    load_ms: float
    hands: int
    hand_players: int
    events: int
    deleted_hands: int


def grow_once(database_url: str, hands: int, seed: int = SEED) -> list[Sample]:
    """Grow a session to `hands` hands in the migrated database of `database_url`, one sample per hand."""
    samples: list[Sample] = []
    session = SyntheticSession(seed=seed)
    nas_root = Path(tempfile.mkdtemp(prefix="live-growth-"))
    path = export_path(nas_root, PC, session)

    def record(step: Step) -> None:
        load = step.load
        samples.append(
            Sample(
                k=len(samples) + 1,
                file_kb=path.stat().st_size / 1000,
                land_ms=step.land_seconds * 1000,
                load_ms=step.load_seconds * 1000,
                hands=load.hands,
                hand_players=load.hand_players,
                events=load.events,
                deleted_hands=load.deleted_hands,
            )
        )

    sink = PostgresSink(database_url)
    try:
        grow(sink, nas_root, PC, session, hands, "compact", record)
    finally:
        sink.close()
        shutil.rmtree(nas_root, ignore_errors=True)
    return samples


def measure(server_url: str, hands: int, repeat: int) -> list[list[Sample]]:
    """`repeat` growths, each into a fresh migrated database (dropped and re-created) on the server."""
    runs = []
    for _ in range(repeat):
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        url = ensure_database(server_url, DATABASE)
        migrate(url)
        runs.append(grow_once(url, hands))
    return runs


def per_k_medians(runs: list[list[Sample]]) -> list[Sample]:
    """For each k, the median of every field over the runs."""
    by_k = zip(*runs, strict=True)
    return [
        Sample(
            k=samples[0].k,
            file_kb=statistics.median(s.file_kb for s in samples),
            land_ms=statistics.median(s.land_ms for s in samples),
            load_ms=statistics.median(s.load_ms for s in samples),
            hands=round(statistics.median(s.hands for s in samples)),
            hand_players=round(statistics.median(s.hand_players for s in samples)),
            events=round(statistics.median(s.events for s in samples)),
            deleted_hands=round(statistics.median(s.deleted_hands for s in samples)),
        )
        for samples in by_k
    ]


def ranges(hands: int) -> list[tuple[int, int]]:
    """The ranges of k (first, last) that `hands` hands reach."""
    starts = [1, *(end + 1 for end in RANGE_ENDS)]
    ends = [*RANGE_ENDS, hands]
    return [(first, min(last, hands)) for first, last in zip(starts, ends, strict=True) if first <= hands]


def slope(samples: list[Sample], field: str) -> float:
    """The least-squares slope of `field` over k (0 with fewer than two samples)."""
    if len(samples) < 2:
        return 0.0
    return statistics.linear_regression([s.k for s in samples], [getattr(s, field) for s in samples]).slope


def report(runs: list[list[Sample]]) -> str:
    medians = per_k_medians(runs)
    lines = [
        "| k | hand load ms (median) | hands written | seats written | events written "
        "| hands deleted | landing ms (median) | file KB (median) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_range = []
    for first, last in ranges(len(medians)):
        chosen = medians[first - 1 : last]
        row = {
            field: statistics.median(getattr(s, field) for s in chosen)
            for field in ("load_ms", "hands", "hand_players", "events", "deleted_hands", "land_ms", "file_kb")
        }
        by_range.append(row)
        lines.append(
            f"| {first}–{last} | {row['load_ms']:.1f} | {row['hands']:g} | {row['hand_players']:g} "
            f"| {row['events']:g} | {row['deleted_hands']:g} | {row['land_ms']:.1f} | {row['file_kb']:.0f} |"
        )
    first, last = by_range[0], by_range[-1]
    lines += [
        "",
        f"last range / first range: hand load {last['load_ms'] / first['load_ms']:.2f}x, "
        f"landing {last['land_ms'] / first['land_ms']:.2f}x",
        f"least-squares slope over k: hand load {slope(medians, 'load_ms'):+.4f} ms per hand, "
        f"landing {slope(medians, 'land_ms'):+.4f} ms per hand",
        f"hands written per load: max {max(s.hands for s in medians[1:]) if len(medians) > 1 else '-'} "
        f"after the first; total {sum(s.hands for s in medians)} for {len(medians)} hands",
    ]
    return "\n".join(lines)


def postgres_version(server_url: str) -> str:
    with psycopg.connect(server_url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hands", type=int, default=173, help="hands the session grows to")
    parser.add_argument("--repeat", type=int, default=1, help="growths (medians over them per k)")
    args = parser.parse_args()
    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    load_before = load_average()
    with embedded_server_lease(REPO / ".gfx" / "bench") as server:  # stopped afterwards if started here
        runs = measure(server, args.hands, args.repeat)
        postgres = postgres_version(server)
    print(f"session seed {SEED} grown to {args.hands} hands; {args.repeat} growth(s), medians per k")
    print(report(runs))
    print(
        f"\n{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {postgres}; load average (1/5/15 min) before: {load_before} / after: {load_average()}"
    )


if __name__ == "__main__":
    main()
