"""Tests of the failure alerts, and a local Slack-like webhook they post to."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gfx_assets_tests.postgrest_app import serve

WEBHOOK_TOKEN = "XXXXwebhooksecret0123"


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
