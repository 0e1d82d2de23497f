"""A corpus of odd files beside good ones (truncations and byte flips of a real export, other
encodings, deep nesting, odd names and shapes): the run succeeds, nothing is left unaccounted for,
and every good file lands."""

import json
import os
import random
import time
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import (
    check_counts,
    materialization_metadata,
    nas,
    query,
    reconciliation,
    sync,
    write_registry,
)

HOUR_AGO = time.time() - 3600
REAL = "1019/PGFX_live_data_export GameID=638964779338222042.json"


def _odd_files(real: bytes) -> dict[str, bytes]:
    document = json.loads(real)
    rng = random.Random(1)
    flipped = bytearray(real)
    for offset in rng.sample(range(len(real)), 20):
        flipped[offset] = rng.randrange(256)
    return {
        "truncated-half.json": real[: len(real) // 2],
        "truncated-one-byte.json": real[:-1],
        "flipped-bytes.json": bytes(flipped),
        "utf16.json": json.dumps(document).encode("utf-16"),
        "utf8-bom.json": b"\xef\xbb\xbf" + real,
        "deep.json": b'{"ID": 7, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "string-id.json": json.dumps({**document, "ID": "638964779338222999"}).encode(),
        "no-hands.json": json.dumps({"ID": 42, "Type": "weird", "Hands": "none"}).encode(),
        "bool-id.json": b'{"ID": true}',
        "only-whitespace.json": b" \n\t ",
        "nested-nul-key.json": b'{"ID": 5, "a": {"\\u0000": 1}}',
        "lone-surrogate.json": b'{"ID": 6, "EventTitle": "\\ud800"}',
        "infinity.json": b'{"ID": 8, "x": 1e400}',
        "UPPER.JSON": json.dumps({**document, "ID": 9}).encode(),
        "spaces = and (parens).json": json.dumps({**document, "ID": 10}).encode(),
    }


@pytest.fixture
def nas_root(tmp_path: Path, table_gg: Path) -> Path:
    folder = tmp_path / "nas" / "PC01" / "1019"
    folder.mkdir(parents=True)
    real = (table_gg / REAL).read_bytes()
    for name, content in {"good.json": real, **_odd_files(real)}.items():
        (folder / name).write_bytes(content)
        os.utime(folder / name, (HOUR_AGO, HOUR_AGO))
    (folder / "a-directory.json").mkdir()
    return tmp_path / "nas"


def test_odd_files_never_fail_the_run_and_all_are_accounted_for(
    nas_root: Path, tmp_path: Path, database_url: str, gfx_sink: GfxSink
) -> None:
    registry = write_registry(tmp_path / "registry.json", {"PC01": "PC01"})
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", nas(nas_root, registry), gfx_sink)
    assert result.success
    metadata = materialization_metadata(result)
    assert metadata["files_scanned"] == 16  # the directory named *.json is not a file
    evaluation = reconciliation(result)
    assert evaluation.passed and check_counts(evaluation)["accounted"] == 16
    stored = {row[0] for row in query(database_url, "SELECT session_id FROM gfx_sessions")}
    assert {638964779338222042, 638964779338222999, 42, 9, 10} <= stored
