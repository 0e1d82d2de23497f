"""Smoke run of bench/json_bench.py on sync_bench's tiny corpus, one round, so the benchmark cannot rot:
every decoder is measured on every set of documents (the corpus's files, the real exports, and both in
jsonb's text form). Timings are printed by the benchmark, never asserted here."""

import importlib.util
import sys
from pathlib import Path

from gfx_assets.lib.common.paths import SHARED_FIXTURES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "json_bench.py"
DECODERS = ("json.loads", "strict json.loads (before)", "fast_json.loads (msgspec)")


def _json_bench():
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("json_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_json_bench_measures_every_decoder_on_every_set_of_documents(tmp_path: Path) -> None:
    table = _json_bench().run("tiny", files=4, rounds=1, bench_home=tmp_path)
    rows = table.splitlines()[2:]
    real = len(list(SHARED_FIXTURES.glob("table-GG/**/*.json")))
    sets = ["4 files of the tiny corpus", f"{real} real exports"]
    labels = [*sets, *(f"{name}, jsonb text" for name in sets)]
    assert [(row.split(" | ")[0][2:], row.split(" | ")[2]) for row in rows] == [
        (label, decoder) for label in labels for decoder in DECODERS
    ]
