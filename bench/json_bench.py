"""JSON decoding of the exports (issue 20), every decoder on the same documents in one run.

    .venv/bin/python bench/json_bench.py              # 60 files of the full corpus + the real fixtures
    options: --files 60 --rounds 5 --corpus full

Contenders, each decoding every document once per round, in rotating order (medians of the rounds):
- `json.loads`: the standard library, plain;
- strict `json.loads`: what staging used before issue 20 (`json_text._strict_loads`: non-finite numbers
  refused through `parse_constant` / `parse_float` callbacks), now the fallback for what msgspec refuses;
- `fast_json.loads`: msgspec first (`gfx_assets/lib/common/fast_json.py`), what `parse_session` and the
  hand load's read-back use now.
Each set is decoded twice: as the files hold it, and in jsonb's text form (what PostgreSQL sends back
when the hand load reads an export: `json.dumps`' default separators are jsonb's).
"""

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sync_bench import BENCH_HOME, corpus  # noqa: E402

from gfx_assets.lib.common import fast_json  # noqa: E402
from gfx_assets.lib.common.paths import SHARED_FIXTURES  # noqa: E402
from gfx_assets.lib.pokergfx.json_text import _strict_loads  # noqa: E402

DECODERS: dict[str, Callable[[str], object]] = {
    "json.loads": json.loads,
    "strict json.loads (before)": _strict_loads,
    "fast_json.loads (msgspec)": fast_json.loads,
}


def documents(corpus_name: str, files: int, bench_home: Path) -> dict[str, list[str]]:
    nas, _ = corpus(corpus_name, bench_home)
    synthetic = sorted(nas.rglob("*.json"))[:files]
    real = sorted((SHARED_FIXTURES / "table-GG").rglob("*.json"))
    assert real, f"real PokerGFX exports missing: {SHARED_FIXTURES}"
    sets = {
        f"{len(synthetic)} files of the {corpus_name} corpus": [p.read_bytes().decode() for p in synthetic],
        f"{len(real)} real exports": [p.read_bytes().decode("utf-8-sig") for p in real],
    }
    as_jsonb = {
        f"{name}, jsonb text": [json.dumps(json.loads(t)) for t in texts] for name, texts in sets.items()
    }
    return sets | as_jsonb


def measure(docs: list[str], rounds: int) -> dict[str, float]:
    seconds: dict[str, list[float]] = {name: [] for name in DECODERS}
    names = list(DECODERS)
    for round_number in range(rounds):
        for name in names[round_number % len(names) :] + names[: round_number % len(names)]:
            started = time.perf_counter()
            for text in docs:
                DECODERS[name](text)
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in seconds.items()}


def run(corpus_name: str, files: int, rounds: int, bench_home: Path = BENCH_HOME) -> str:
    """The table: every decoder on every set of documents, medians of `rounds`."""
    lines = [
        "| documents | MB | decoder | median s | MB/s | × json.loads |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, docs in documents(corpus_name, files, bench_home).items():
        megabytes = sum(len(text.encode()) for text in docs) / 1e6
        medians = measure(docs, rounds)
        for name, seconds in medians.items():
            speed, ratio = megabytes / seconds, seconds / medians["json.loads"]
            lines.append(
                f"| {label} | {megabytes:.1f} | {name} | {seconds:.3f} | {speed:.0f} | {ratio:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="full", help="a corpus of bench/sync_bench.py")
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(run(args.corpus, args.files, args.rounds))


if __name__ == "__main__":
    main()
