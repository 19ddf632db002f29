"""The aiohttp WebSocket endpoint of the live hearing: `/ws/hearings/{hearing_id}`.

Per connection: Origin check before the upgrade; a first message that must be a hello within
`hello_timeout_seconds`; frames over 64 KiB close with 1009 (aiohttp's reader enforces the limit);
more than `rate_per_second` (burst `rate_burst`) closes with an `error` then 1008; anything
malformed gets an `error` and the socket stays open. A client that goes silent without a close
frame (its network is gone) is dropped by the heartbeat within `detection_seconds`, and its seat
then waits `grace_seconds` for a resume. No credential is ever logged: hello objects
keep theirs out of repr, and only error codes are logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from signaling.config import SignalingConfig
from signaling.connection import RateLimiter, WebSocketConnection
from signaling.errors import (
    CLOSE_GOING_AWAY,
    CLOSE_HELLO,
    CLOSE_INTERNAL,
    CLOSE_POLICY,
    AuthError,
    ProtocolError,
    SignalingError,
)
from signaling.node import Attachment, Credential, SignalingNode, internal_error, refuse
from signaling.protocol import MAX_MESSAGE_BYTES, PROTOCOL_VERSION, Hello, parse_client_message
from signaling.services import AuthRequest, Services

log = logging.getLogger(__name__)

HEARING_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
DEFAULT_PATH = "/ws/hearings/{hearing_id}"


def _http_error(kind: type[web.HTTPException], code: str, message: str) -> web.HTTPException:
    return kind(
        text=f'{{"error": {{"code": "{code}", "message": "{message}", "details": {{}}}}}}',
        content_type="application/json",
    )


class SignalingHandler:
    """The request handler (`handle`), plus start/stop for the app's signals."""

    def __init__(
        self,
        services: Services,
        config: SignalingConfig,
        node: SignalingNode | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.services = services
        self.node = node if node is not None else SignalingNode(services, config, clock=clock)
        self._origins = {origin.rstrip("/").lower() for origin in config.allowed_origins}
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self._started = False
        self._start_lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._start_lock:
            if not self._started:
                await self.node.start()
                self._started = True

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=CLOSE_GOING_AWAY, message=b"server shutdown")
        if self._started:
            self._started = False
            await self.node.stop()

    async def on_startup(self, _app: web.Application) -> None:
        await self.start()

    async def on_shutdown(self, _app: web.Application) -> None:
        await self.stop()

    def _origin_allowed(self, origin: str | None) -> bool:
        if origin is None:
            return self.config.allow_missing_origin
        return origin.rstrip("/").lower() in self._origins

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler: `app.router.add_get(DEFAULT_PATH, handler.handle)`."""
        hearing_id = request.match_info.get("hearing_id", "")
        if HEARING_ID.fullmatch(hearing_id) is None:
            raise _http_error(web.HTTPNotFound, "hearing.not_found", "no such hearing")
        if not self._origin_allowed(request.headers.get("Origin")):
            log.warning("websocket refused: origin not allowed (hearing %s)", hearing_id)
            raise _http_error(web.HTTPForbidden, "origin.forbidden", "origin not allowed")
        # No permessage-deflate: one compression context would mix a participant's resume token
        # with SDP another participant controls (a CRIME-style length oracle), and it costs CPU.
        ws = web.WebSocketResponse(
            max_msg_size=MAX_MESSAGE_BYTES, heartbeat=self.config.heartbeat_seconds, compress=False
        )
        if not ws.can_prepare(request).ok:
            raise _http_error(web.HTTPBadRequest, "request.not_websocket", "use a WebSocket")
        await self.start()
        await ws.prepare(request)
        self._sockets.add(ws)
        conn = WebSocketConnection(ws, self.config.send_queue_limit, request.remote or "")
        limiter = RateLimiter(self.config.rate_per_second, self.config.rate_burst, time.monotonic())
        attachment: Attachment | None = None
        try:
            attachment = await self._hello(ws, conn, limiter, hearing_id, request)
            if attachment is not None:
                await self._serve(ws, conn, limiter, attachment)
        finally:
            if attachment is not None:
                await asyncio.shield(attachment.detach())
            await conn.flushed()
            if not ws.closed:
                await ws.close()
        return ws

    async def _hello(
        self,
        ws: web.WebSocketResponse,
        conn: WebSocketConnection,
        limiter: RateLimiter,
        hearing_id: str,
        request: web.Request,
    ) -> Attachment | None:
        try:
            try:
                msg = await ws.receive(timeout=self.config.hello_timeout_seconds)
            except TimeoutError:
                raise ProtocolError(
                    "protocol.hello_timeout", "no hello in time", close_code=CLOSE_HELLO
                ) from None
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return None
            limiter.allow(time.monotonic())
            hello = self._parse_hello(msg.data if msg.type is WSMsgType.TEXT else None)
            credential: Credential
            if hello.resume is not None:
                credential = hello.resume
            else:
                auth = AuthRequest(
                    hearing_id,
                    token=hello.token,
                    code=hello.code,
                    session=hello.session,
                    cookies=dict(request.cookies),
                    remote=request.remote,
                )
                identity = await self.services.authenticator.authenticate(auth)
                if identity.hearing_id != hearing_id:
                    raise AuthError("auth.wrong_hearing", "this invitation is for another hearing")
                credential = identity
            attachment = await self.node.attach(hearing_id, conn, credential)
            log.info("connection %s joined hearing %s", conn.conn_id, hearing_id)
            return attachment
        except SignalingError as exc:
            if exc.close_code is None:
                exc.close_code = CLOSE_HELLO
            log.info("connection %s refused at hello: %s", conn.conn_id, exc.code)
            refuse(conn, exc)
            return None
        except Exception:
            # A service behind us failed (database, Redis): the client may retry.
            log.exception("connection %s: joining hearing %s failed", conn.conn_id, hearing_id)
            conn.send(internal_error())
            conn.close(CLOSE_INTERNAL, "internal")
            return None

    @staticmethod
    def _parse_hello(data: Any) -> Hello:
        if not isinstance(data, str):
            raise ProtocolError(
                "protocol.hello_required", "send hello first", close_code=CLOSE_HELLO
            )
        message = parse_client_message(data)
        if not isinstance(message, Hello):
            raise ProtocolError(
                "protocol.hello_required", "send hello first", close_code=CLOSE_HELLO
            )
        if message.version != PROTOCOL_VERSION:
            raise ProtocolError(
                "protocol.version",
                f"this server speaks protocol version {PROTOCOL_VERSION}",
                details={"supported": [PROTOCOL_VERSION]},
                close_code=CLOSE_HELLO,
            )
        return message

    async def _serve(
        self,
        ws: web.WebSocketResponse,
        conn: WebSocketConnection,
        limiter: RateLimiter,
        attachment: Attachment,
    ) -> None:
        async for msg in ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                break  # ERROR: aiohttp has already closed (1009 for an oversize frame)
            if not limiter.allow(time.monotonic()):
                log.warning("connection %s: over the message rate, closing", conn.conn_id)
                refuse(
                    conn,
                    ProtocolError("rate.exceeded", "too many messages", close_code=CLOSE_POLICY),
                )
                break
            ref = None
            try:
                if msg.type is WSMsgType.BINARY:
                    raise ProtocolError("protocol.not_text", "messages are JSON text frames")
                message = parse_client_message(msg.data)
                ref = message.ref
                if isinstance(message, Hello):
                    raise ProtocolError("protocol.duplicate_hello", "hello was already accepted")
                await attachment.deliver(msg.data, message)
            except SignalingError as exc:
                refuse(conn, exc, ref)
                if exc.close_code is not None:
                    break
            except Exception:
                log.exception("connection %s: a message failed", conn.conn_id)
                conn.send(internal_error(ref))
            if conn.closing:
                break


def make_ws_handler(
    services: Services, config: SignalingConfig, clock: Callable[[], float] = time.time
) -> SignalingHandler:
    """Mount `handler.handle` at `/ws/hearings/{hearing_id}` and append `handler.on_startup` and
    `handler.on_shutdown` to the app's signals; or call `setup`, which does all three. `clock`
    dates resume tokens, TURN credentials and the room's acts (POSIX seconds)."""
    return SignalingHandler(services, config, clock=clock)


def setup(
    app: web.Application,
    services: Services,
    config: SignalingConfig,
    *,
    path: str = DEFAULT_PATH,
    clock: Callable[[], float] = time.time,
) -> SignalingHandler:
    handler = make_ws_handler(services, config, clock)
    app.router.add_get(path, handler.handle)
    app.on_startup.append(handler.on_startup)
    app.on_shutdown.append(handler.on_shutdown)
    return handler
