"""Smoke run of bench/json_bench.py on sync_bench's tiny corpus, one round, so the benchmark cannot rot:
every decoder is measured on every set of documents (the corpus's files, the real exports, and both in
jsonb's text form). Timings are printed by the benchmark, never asserted here."""

from pathlib import Path

from gfx_assets.lib.common.paths import SHARED_FIXTURES
from gfx_assets_tests.bench import load_bench

DECODERS = ("json.loads", "strict json.loads (before)", "fast_json.loads (msgspec)")


def test_the_json_bench_measures_every_decoder_on_every_set_of_documents(tmp_path: Path) -> None:
    table = load_bench("json_bench").run("tiny", files=4, rounds=1, bench_home=tmp_path)
    rows = table.splitlines()[2:]
    real = len(list(SHARED_FIXTURES.glob("table-GG/**/*.json")))
    sets = ["4 files of the tiny corpus", f"{real} real exports"]
    labels = [*sets, *(f"{name}, jsonb text" for name in sets)]
    assert [(row.split(" | ")[0][2:], row.split(" | ")[2]) for row in rows] == [
        (label, decoder) for label in labels for decoder in DECODERS
    ]
