"""Smoke runs of the benchmarks under bench/, which is no package: `load_bench` imports one by name."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH_FOLDER = Path(__file__).resolve().parents[2] / "bench"


def load_bench(name: str) -> ModuleType:
    """bench/<name>.py as a module; bench/ goes on sys.path, where the benchmarks import each other."""
    if str(BENCH_FOLDER) not in sys.path:
        sys.path.insert(0, str(BENCH_FOLDER))
    spec = importlib.util.spec_from_file_location(name, BENCH_FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
