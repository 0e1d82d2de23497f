"""Smoke run of bench/sensor_bench.py (2 PCs x 50 files) so the benchmark cannot rot: it builds its tree,
marks it synced, times every case and sees the one new file requested alone. Timings are printed by
the benchmark, never asserted here."""

from pathlib import Path

from gfx_assets_tests.bench import load_bench
from gfx_assets_tests.support import query


def test_the_sensor_bench_measures_every_case_and_requests_the_new_file_alone(
    tmp_path: Path, database_url: str
) -> None:
    bench = load_bench("sensor_bench")
    results = bench.run(tmp_path / "nas", database_url, pcs=2, files=50, folders=2, repeat=1)
    assert results["files"] == 100
    assert query(database_url, "SELECT count(*) FROM gfx_file_manifest WHERE status = 'synced'") == [(100,)]
    timed = [
        "scandir+stat walk",
        "cold tick",
        "steady tick",
        "live-day tick",
        "full-rescan tick",
        "new-file tick",
    ]
    assert all(results[case] > 0 for case in timed)
    assert results["new-file requested"] == results["new-file expected"]
    assert len(results["new-file requested"]) == 1
    assert "| steady tick |" in bench.report(results, repeat=1)
