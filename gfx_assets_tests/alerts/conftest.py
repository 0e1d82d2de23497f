"""Fixtures shared by the failure-path tests: a Dagster instance that knows the PC01 partition."""

from collections.abc import Iterator

import dagster as dg
import pytest

from gfx_assets.defs.gfx_ingest.partitions import GFX_PC_PARTITIONS_NAME


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(GFX_PC_PARTITIONS_NAME, ["PC01"])
        yield instance
