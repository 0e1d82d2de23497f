"""Fixtures shared by the failure-path tests: a Dagster instance on PostgreSQL (the storage deployments
use) that knows the PC01 partition, and a settled NAS of three PC01 sessions with its registry."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME
from gfx_assets.resources import SupabaseSinkResource
from gfx_assets_tests.alerts import refused_key
from gfx_assets_tests.support import seeded_nas, write_registry


@pytest.fixture
def instance(pg_instance: dg.DagsterInstance) -> dg.DagsterInstance:
    """On PostgreSQL, as deployed: the failure sensors read failed runs and keep their cursors there."""
    pg_instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
    return pg_instance


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = seeded_nas(tmp_path / "nas", ["PC01"], sessions_per_pc=3, hands=(1, 2))
    write_registry(root / "config" / "pc_registry.json", {"PC01": "PC01"})
    return root


@pytest.fixture
def refused_key_sink(database_url: str) -> Iterator[SupabaseSinkResource]:
    """A sink whose key the (real, PostgREST-compatible) server refuses with 401."""
    with refused_key(database_url) as sink:
        yield sink
