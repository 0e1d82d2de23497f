"""Smoke run of bench/sync_bench.py on its tiny corpus (2 PCs x 6 files), one round, without Sling and
dlt, with the REST contender (`--rest`), so the benchmark cannot rot: every contender runs into its own
fresh database, the table holds a row for each, the REST / direct line and Dagster's floor, the all-rows
reference holds as many rows as the whole command wrote, and so does the whole command through the REST
sink. Timings are printed by the benchmark, never asserted here."""

from pathlib import Path

from gfx_assets.lib.common.postgres import with_database
from gfx_assets_tests.bench import load_bench
from gfx_assets_tests.support import query

THROUGH_REST = (  # the tables the whole command through the REST sink must fill as the direct one does
    *("gfx_sessions", "gfx_session_snapshots", "gfx_hands", "gfx_hand_players", "gfx_events", "gfx_players"),
)
WRITTEN = (  # every table the whole command writes and the all-rows reference COPYs
    *("gfx_session_snapshots", "gfx_sessions", "gfx_file_manifest", "gfx_players", "gfx_hands"),
    *("gfx_hand_players", "gfx_events"),
)


def test_the_sync_bench_runs_every_contender_into_its_own_database(tmp_path: Path, server_url: str) -> None:
    bench = load_bench("sync_bench")
    outcome = bench.run("tiny", server_url, repeat=1, external=False, bench_home=tmp_path, rest=True)
    assert outcome["files"] == 12
    contenders = {
        "gfx-assets sync",
        "gfx_sessions step",
        "binary COPY",
        "binary COPY, all rows",
        "execute_values",
        "gfx-assets sync (REST)",
    }
    assert set(outcome["results"]) == contenders
    assert all(len(runs) == 1 and runs[0]["seconds"] > 0 for runs in outcome["results"].values())
    assert outcome["results"]["gfx-assets sync"][0]["peak_rss_mb"] > 0
    assert outcome["results"]["gfx-assets sync (REST)"][0]["peak_rss_mb"] > 0
    assert outcome["results"]["gfx-assets sync (REST)"][0]["requests"] > 0
    for name in outcome["results"]:
        assert f"| {name} |" in outcome["table"]
    assert "\nREST / direct: " in outcome["table"]
    assert 0 < outcome["floor"]["peak_rss_mb"] <= outcome["floor"]["tree_peak_rss_mb"]
    assert "\nDagster's floor (the whole command on the tiny corpus): process " in outcome["table"]
    # the all-rows reference holds as many rows in every table as the whole command wrote
    written = _counts(with_database(server_url, bench.database_name("gfx-assets sync")))
    assert written == _counts(with_database(server_url, bench.database_name("binary COPY, all rows")))
    assert all(written.values())
    # the whole command through the REST sink writes as many rows as the direct one
    through_rest = _counts(
        with_database(server_url, bench.database_name("gfx-assets sync (REST)")), THROUGH_REST
    )
    assert through_rest == {table: written[table] for table in THROUGH_REST}


def _counts(database_url: str, tables: tuple[str, ...] = WRITTEN) -> dict[str, int]:
    return {table: query(database_url, f"SELECT count(*) FROM {table}")[0][0] for table in tables}
