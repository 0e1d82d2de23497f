"""Smoke runs of issue 11's latency benchmarks (bench/latency_bench.py, bench/empty_sync_bench.py), so
they cannot rot: each runs to completion on the smallest input and prints its table. They time nothing
here; their figures live in BENCHMARKS.md."""

import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.lib.common.postgres import stop_embedded_server
from gfx_assets_tests.e2e.devserver import _without_gfx_settings

SECONDS = r"\d+\.\d\d"


def _bench(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=_without_gfx_settings(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def home() -> Iterator[Path]:
    """The bench's GFX_HOME under the project's .gfx/, as the embedded-server tests keep theirs."""
    folder = PROJECT_ROOT / ".gfx" / "server-tests" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    yield folder
    stop_embedded_server(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_the_latency_bench_breaks_one_file_down_by_segment() -> None:
    output = _bench("bench/latency_bench.py", "--samples", "1")
    assert re.search(rf"\| file -> row visible \(total\) \| {SECONDS} \| {SECONDS} \| {SECONDS} \|", output)
    assert re.search(rf"\| wait for the sensor tick \| -?{SECONDS} \|", output)
    assert re.search(rf"run worker floor .*: {SECONDS} s; .*: {SECONDS} s", output)
    assert "gfx_nas_sensor minimum_interval_seconds" in output and "Dagster 1." in output


def test_the_empty_sync_bench_times_both_cases_beside_its_references(home: Path) -> None:
    output = _bench("bench/empty_sync_bench.py", "--repeat", "1", "--home", str(home))
    for case in ("sync, no files", "sync, nothing new"):
        assert re.search(rf"\| {case} \| {SECONDS} \| {SECONDS} \| 0 \|", output), output
    assert re.search(rf"\| gfx-assets --help \| {SECONDS} \|", output)
    assert "nothing new, no run started" in output
