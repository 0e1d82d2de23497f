"""Supabase's gateway in front of the PostgREST look-alike of postgrest_app.py: the faults a test injects,
the service key, the body limit, and the log of every request; and PostgREST's error body."""

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass
class Faults:
    """What the server does wrong; tests change it while the server runs."""

    # The next requests answer these instead: (status, headers) with a JSON error, or (status, headers, body).
    status_for_next: list[tuple] = field(default_factory=list)
    # Every Nth request (counted over all requests, after status_for_next) answers this: (N, status, headers).
    status_every: tuple[int, int, dict[str, str]] | None = None
    max_body_bytes: int | None = None  # a bigger request body answers 413
    drop_connections: int = 0  # the next N requests lose their connection mid-response
    delay_seconds: float = 0.0  # before every answer


@dataclass(frozen=True)
class SeenRequest:
    """One request as the server saw it; of the credentials only which headers came, never their values."""

    method: str
    path: str
    query: str
    status: int | None  # None: the connection was dropped
    auth_headers: tuple[str, ...]
    body_bytes: int
    arrived: float  # time.monotonic() when the request came in


class DroppedConnection(Exception):
    """Raised after a response started, so that uvicorn closes the connection under the client."""


class Gateway:
    """Supabase's gateway in front of PostgREST: faults, the key, the body limit, and the request log."""

    def __init__(self, app: Any, *, service_key: str, faults: Faults, log: list[SeenRequest]) -> None:
        self.app, self.key, self.faults, self.log = app, service_key, faults, log
        self.counted = 0  # requests seen, for Faults.status_every

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the server's start and stop (lifespan)
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        arrived = time.monotonic()
        statuses: list[int] = []

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        try:
            await self._answer(request, receive, send, sending)
        finally:
            auth = tuple(name for name in ("apikey", "authorization") if name in request.headers)
            length = int(request.headers.get("content-length") or 0)
            status = next(iter(statuses), None)
            seen = SeenRequest(
                scope["method"], scope["path"], request.url.query, status, auth, length, arrived
            )
            self.log.append(seen)

    async def _answer(self, request: Request, receive: Receive, send: Send, sending: Send) -> None:
        await asyncio.sleep(self.faults.delay_seconds)
        if self.faults.drop_connections > 0:
            self.faults.drop_connections -= 1
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
            )
            raise DroppedConnection("the fault injection dropped this connection")
        refusal = await self._refusal(request)
        if refusal is None:
            await self.app(request.scope, receive, sending)
        else:
            await refusal(request.scope, receive, sending)

    async def _refusal(self, request: Request) -> Response | None:
        self.counted += 1
        if self.faults.status_for_next:
            status, headers, *body = self.faults.status_for_next.pop(0)
            if body:
                return Response(body[0], status, {"content-type": "text/html", **headers})
            return error(status, "", f"injected fault {status}", headers=headers)
        every = self.faults.status_every
        if every is not None and self.counted % every[0] == 0:
            return error(every[1], "", f"injected fault {every[1]} (every {every[0]}th)", headers=every[2])
        if not self._authorized(request):
            return error(401, "PGRST301", "Invalid API key or JWT")
        limit = self.faults.max_body_bytes
        if limit is not None and int(request.headers.get("content-length") or 0) > limit:
            await request.body()  # a gateway reads what it refuses; the client then sees the 413
            return JSONResponse({"message": "Request Entity Too Large"}, 413)
        return None

    def _authorized(self, request: Request) -> bool:
        bearer = request.headers.get("authorization")
        if request.headers.get("apikey") != self.key:
            return False
        return bearer is None or (bearer == f"Bearer {self.key}" and _JWT.fullmatch(self.key) is not None)


def error(
    status: int,
    code: str,
    message: str,
    details: str | None = None,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error as PostgREST words it: {code, message, details, hint}."""
    body = {"code": code, "message": message, "details": details, "hint": hint}
    return JSONResponse(body, status, headers)
