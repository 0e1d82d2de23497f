"""Helpers of the operator-view tests: materialize one view and read its table back."""

import os
import time
from pathlib import Path
from typing import Any

import dagster as dg

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.resources import GfxSink, NasResource, PcWatch

HOUR_AGO = time.time() - 3600
CORRUPT_JSON = b'{"ID": 1,, "Hands": []}'


def view(
    instance: dg.DagsterInstance, asset: dg.AssetsDefinition, nas_resource: NasResource, sink: GfxSink
) -> dict[str, Any]:
    """Materialize one operator view; its metadata values by key."""
    resources = {"nas": nas_resource, "sink": sink, "pc_watch": PcWatch()}
    result = dg.materialize([asset], instance=instance, resources=resources)
    [event] = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def records(table: dg.TableMetadataValue) -> list[dict[str, Any]]:
    return [dict(record.data) for record in table.records]


def write_file(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path


def good_file(folder: Path, seed: int) -> Path:
    session = SyntheticSession(seed)
    session.add_hand()
    path = folder / session.file_name
    write_session(path, session)
    os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path
