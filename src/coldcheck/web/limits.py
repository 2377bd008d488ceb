"""A limit on request bodies: nothing the set node accepts is larger than MAX_BODY bytes (the
largest real request, a scene plan or an inspection of a belt-fed gun, is a few kilobytes).
A larger body is refused with 413 problem+json before the application reads it, whether it
declares its length or arrives in chunks."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 256 * 1024


class TooLarge(Exception):
    pass


def _problem() -> bytes:
    return json.dumps(
        {
            "type": "https://coldcheck.dev/problems/too-large",
            "title": "Request too large",
            "status": 413,
            "detail": f"The request body is larger than {MAX_BODY // 1024} KiB.",
            "rule": None,
            "remedy": "Send less: no command of coldcheck needs more.",
        }
    ).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        body = _problem()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
