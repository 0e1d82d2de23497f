"""Helpers of the sensor tests: one tick of `gfx_nas_sensor` on real resources, and what it requested."""

import os
import time
from pathlib import Path

import dagster as dg

from gfx_assets.defs.gfx_ingest.sensors import gfx_nas_sensor
from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, write_session
from gfx_assets.resources import GfxSink
from gfx_assets_tests.support import nas

MINUTE_AGO = time.time() - 60


def tick(
    instance: dg.DagsterInstance,
    nas_root: Path,
    gfx_sink: GfxSink,
    cursor: str | None = None,
    **nas_options,
) -> dg.SensorResult:
    resources = {"nas": nas(nas_root, **nas_options), "sink": gfx_sink}
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return gfx_nas_sensor(context)


def requests_by_pc(result: dg.SensorResult) -> dict[str, dg.RunRequest]:
    return {request.partition_key: request for request in result.run_requests or []}


def requested_files(request: dg.RunRequest) -> list[str] | None:
    return request.run_config["ops"]["gfx_sessions"]["config"].get("files")


def new_session(folder: Path, seed: int, mtime: float = MINUTE_AGO) -> Path:
    session = SyntheticSession(seed)
    session.add_hand()
    path = folder / session.file_name
    write_session(path, session)
    os.utime(path, (mtime, mtime))
    return path
