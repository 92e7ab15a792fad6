"""Request bodies bounded before anything parses them (ASGI middleware).

JSON and form bodies may have at most ``json_limit`` bytes (1 MB by default), multipart uploads
``upload_limit`` (recordings to transcribe: ``audio_limit``). A declared ``Content-Length`` over the limit is
refused at once; a body that streams past it is cut off as soon as it does. Either way the answer is ``413``
with a one-line message.
"""

from __future__ import annotations

import json
from typing import Any

JSON_LIMIT = 1_000_000
UPLOAD_LIMIT = 50_000_000
AUDIO_LIMIT = 2_000_000_000     # recordings to transcribe (the transcriber refuses larger files too)
AUDIO_PATHS = frozenset({"/documents/audio"})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: nothing downstream sees more than the limit."""

    def __init__(self, app: Any, json_limit: int = JSON_LIMIT, upload_limit: int = UPLOAD_LIMIT,
                 audio_limit: int = AUDIO_LIMIT):
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self.audio_limit = audio_limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        multipart = headers.get("content-type", "").startswith("multipart/form-data")
        limit = (self.audio_limit if scope.get("path") in AUDIO_PATHS else self.upload_limit) if multipart \
            else self.json_limit
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        seen = 0
        started = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _refuse(send, limit)


async def _refuse(send: Any, limit: int) -> None:
    body = json.dumps({"error": f"the request is larger than this server accepts ({limit:,} bytes)"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
