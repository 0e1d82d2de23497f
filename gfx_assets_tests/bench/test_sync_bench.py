"""Smoke run of bench/sync_bench.py on its tiny corpus (2 PCs x 6 files), one round, without Sling and
dlt, so the benchmark cannot rot: every contender runs into its own fresh database and the table holds
a row for each. Timings are printed by the benchmark, never asserted here."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "sync_bench.py"


def _sync_bench():
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("sync_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sync_bench_runs_every_contender_into_its_own_database(tmp_path: Path, server_url: str) -> None:
    outcome = _sync_bench().run("tiny", server_url, repeat=1, external=False, bench_home=tmp_path)
    assert outcome["files"] == 12
    contenders = {"gfx-assets sync", "gfx_sessions step", "binary COPY", "execute_values"}
    assert set(outcome["results"]) == contenders
    assert all(len(runs) == 1 and runs[0]["seconds"] > 0 for runs in outcome["results"].values())
    assert outcome["results"]["gfx-assets sync"][0]["peak_rss_mb"] > 0
    for name in outcome["results"]:
        assert f"| {name} |" in outcome["table"]
