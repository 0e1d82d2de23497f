"""JSON decoding of the exports (issue 20), every decoder on the same documents in one run.

    .venv/bin/python bench/json_bench.py              # 60 files of the full corpus + the real fixtures
    options: --files 60 --rounds 5

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

from sync_bench import corpus  # noqa: E402

from gfx_assets.lib.common import fast_json  # noqa: E402
from gfx_assets.lib.common.paths import SHARED_FIXTURES  # noqa: E402
from gfx_assets.lib.pokergfx.json_text import _strict_loads  # noqa: E402

DECODERS: dict[str, Callable[[str], object]] = {
    "json.loads": json.loads,
    "strict json.loads (before)": _strict_loads,
    "fast_json.loads (msgspec)": fast_json.loads,
}


def documents(files: int) -> dict[str, list[str]]:
    nas, _ = corpus("full")
    synthetic = sorted(nas.rglob("*.json"))[:files]
    real = sorted((SHARED_FIXTURES / "table-GG").rglob("*.json"))
    assert real, f"real PokerGFX exports missing: {SHARED_FIXTURES}"
    sets = {
        f"{len(synthetic)} files of the full corpus": [p.read_bytes().decode() for p in synthetic],
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| documents | MB | decoder | median s | MB/s | × json.loads |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, docs in documents(args.files).items():
        megabytes = sum(len(text.encode()) for text in docs) / 1e6
        medians = measure(docs, args.rounds)
        for name, seconds in medians.items():
            speed, ratio = megabytes / seconds, seconds / medians["json.loads"]
            print(f"| {label} | {megabytes:.1f} | {name} | {seconds:.3f} | {speed:.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
