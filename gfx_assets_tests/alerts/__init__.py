"""Helpers of the failure-path tests: a local Slack-like webhook, and a run failing as the UI launches it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gfx_assets.defs.gfx_ingest.assets import gfx_sessions
from gfx_assets.resources import GfxSink, SupabaseSinkResource
from gfx_assets_tests.conftest import SERVICE_KEY
from gfx_assets_tests.postgrest_app import create_app, serve
from gfx_assets_tests.support import nas

WEBHOOK_TOKEN = "XXXXwebhooksecret0123"
WRONG_KEY = "sb_secret_wrong-key-9876543210"


@contextmanager
def webhook(status: int = 200) -> Iterator[tuple[str, list[dict]]]:
    """A local webhook answering `status`: yields its URL (secret token in the path, as Slack's)
    and the list the JSON bodies it receives are appended to."""
    received: list[dict] = []

    async def hook(request: Request) -> Response:
        received.append(await request.json())
        return Response(status_code=status)

    app = Starlette(routes=[Route("/services/{token:path}", hook, methods=["POST"])])
    with serve(app) as base_url:
        yield f"{base_url}/services/T000/B000/{WEBHOOK_TOKEN}", received


def pc_files(nas_root: Path) -> list[str]:
    """The NAS paths of PC01's exports, sorted."""
    return sorted(path.relative_to(nas_root).as_posix() for path in (nas_root / "PC01").rglob("*.json"))


@contextmanager
def refused_key(database_url: str) -> Iterator[SupabaseSinkResource]:
    """The REST sink with a wrong service key, refused for real (401) by the PostgREST-compatible test
    server: every request fails at once, for good."""
    with serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url:
        yield SupabaseSinkResource(url=base_url, service_key=WRONG_KEY)


def ui_run(
    instance: dg.DagsterInstance, nas_root: Path, files: list[str] | None, sink: GfxSink
) -> dg.DagsterRun:
    """A failed materialization as the Assets page launches it: the implicit job `__ASSET_JOB`, against a
    sink that fails it (`refused_key`)."""
    defs = dg.Definitions(assets=[gfx_sessions], resources={"sink": sink, "nas": nas(nas_root)})
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance,
        partition_key="PC01",
        run_config={"ops": {"gfx_sessions": {"config": {"files": files}}}},
        raise_on_error=False,
    )
    run = instance.get_run_by_id(result.run_id)
    assert not result.success and run.job_name == "__ASSET_JOB"
    return run
