"""One signaling server node: the rooms it owns, and its clients attached to rooms elsewhere.

A hello is authenticated on the node the client reached; then the room's owner is settled
through the backplane. If it is this node, the connection joins the room directly; otherwise
the join, every later message and the disconnection are forwarded to the owner, which answers
through a proxy connection (see backplane.py). A periodic tick renews leases, drops idle rooms,
notices dead nodes and moved rooms, and shares presence.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from signaling import credentials
from signaling.backplane import (
    Backplane,
    Envelope,
    InProcessBackplane,
    RedisBackplane,
    exclusion,
)
from signaling.config import SignalingConfig
from signaling.connection import WebSocketConnection
from signaling.credentials import ResumeTokens
from signaling.errors import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL,
    CLOSE_NOT_JOINABLE,
    CLOSE_RESTART,
    CLOSE_TRY_AGAIN,
    RoomError,
    SignalingError,
)
from signaling.protocol import ClientMessage, Role, ServerMessage, encode, error_message
from signaling.protocol import parse_client_message as parse
from signaling.room import Room, RoomSettings
from signaling.seat import Connection
from signaling.services import Identity, Services
from signaling.states import State

log = logging.getLogger(__name__)

# What a hello proved: an identity (invitation or session) or a resume token for the owner.
Credential = Identity | str


def refuse(conn: Connection, error: SignalingError, ref: str | None = None) -> None:
    """Tell the client why, and close if the error says so."""
    conn.send(error_message(error.code, error.message, ref=ref, details=error.details))
    if error.close_code is not None:
        conn.close(error.close_code, error.code)


def internal_error(ref: str | None = None) -> ServerMessage:
    return error_message("internal", "the server could not process this message", ref=ref)


class Attachment(Protocol):
    async def deliver(self, raw: str, message: ClientMessage) -> None: ...

    async def detach(self) -> None: ...


class ProxyConnection:
    """On the owner: a client connected to another node. Work for it runs one item at a time,
    in arrival order, on a task that exists only while there is work."""

    def __init__(
        self, conn_id: str, node: str, hearing_id: str, backplane: Backplane, remote: str = ""
    ) -> None:
        self.conn_id = conn_id
        self.remote = remote
        self.node = node
        self.hearing_id = hearing_id
        self.room: Room | None = None
        self._backplane = backplane
        self._work: deque[Callable[[], Awaitable[None]]] = deque()
        self._task: asyncio.Task[None] | None = None

    def send(self, message: ServerMessage) -> None:
        self._backplane.publish(self.node, {"k": "out", "c": self.conn_id, "t": encode(message)})

    def close(self, code: int, reason: str) -> None:
        self._backplane.publish(
            self.node, {"k": "close", "c": self.conn_id, "code": code, "r": reason}
        )

    def run(self, work: Callable[[], Awaitable[None]]) -> None:
        self._work.append(work)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._work:
                await self._work.popleft()()
        finally:
            self._task = None


@dataclass
class Link:
    """On the client's node: a local connection whose room lives on another node."""

    conn: WebSocketConnection
    hearing_id: str
    owner: str
    joined: asyncio.Future[Envelope] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class LocalAttachment:
    def __init__(self, node: SignalingNode, room: Room, conn: Connection) -> None:
        self._node, self._room, self._conn = node, room, conn

    async def deliver(self, raw: str, message: ClientMessage) -> None:
        await self._room.handle(self._conn, message)

    async def detach(self) -> None:
        await self._room.disconnected(self._conn)
        await self._node.drop_if_idle(self._room)


class RemoteAttachment:
    def __init__(self, node: SignalingNode, link: Link) -> None:
        self._node, self._link = node, link

    async def deliver(self, raw: str, message: ClientMessage) -> None:
        envelope = {"k": "msg", "c": self._link.conn.conn_id, "t": raw}
        self._node.backplane.publish(self._link.owner, envelope)

    async def detach(self) -> None:
        self._node.forget_link(self._link)


def _make_backplane(config: SignalingConfig) -> Backplane:
    if config.redis_url:
        return RedisBackplane(
            config.redis_url,
            node_id=config.node_id,
            prefix=config.redis_prefix,
            lease_seconds=config.owner_lease_seconds,
        )
    return InProcessBackplane(config.node_id)


class SignalingNode:
    def __init__(
        self,
        services: Services,
        config: SignalingConfig,
        backplane: Backplane | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.services = services
        self.config = config
        self.backplane = backplane if backplane is not None else _make_backplane(config)
        self.node_id = self.backplane.node_id
        self.tokens = ResumeTokens(config.resume_secret, config.resume_ttl_seconds)
        self._clock = clock
        self._settings = RoomSettings(self.tokens, config.grace_seconds, self._ice, clock)
        self.rooms: dict[str, Room] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._ended: set[str] = set()
        self._proxies: dict[str, ProxyConnection] = {}
        self._links: dict[str, Link] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[bool]] = set()

    def _ice(self, participant_id: str) -> list[dict[str, Any]]:
        c = self.config
        return credentials.ice_servers(
            c.ice_servers, c.turn_secret, participant_id, c.turn_ttl_seconds, self._clock()
        )

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        await self.backplane.start(self._on_envelope)
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for hearing_id, room in list(self.rooms.items()):
            await room.shutdown(CLOSE_GOING_AWAY)
            with contextlib.suppress(Exception):
                await self.backplane.release(hearing_id)
        self.rooms.clear()
        for link in list(self._links.values()):
            link.conn.close(CLOSE_GOING_AWAY, "server going away")
        await self.backplane.stop()

    # --- joining --------------------------------------------------------------------------

    async def attach(
        self, hearing_id: str, conn: WebSocketConnection, credential: Credential
    ) -> Attachment:
        owner = await self.backplane.claim(hearing_id)
        if owner == self.node_id:
            room = await self._room(hearing_id)
            await self._seat(room, conn, credential)
            return LocalAttachment(self, room, conn)
        return await self._attach_remote(owner, hearing_id, conn, credential)

    async def _room(self, hearing_id: str) -> Room:
        if hearing_id in self._ended:
            raise RoomError("room.closed", "this hearing has ended", close_code=CLOSE_NOT_JOINABLE)
        lock = self._locks.setdefault(hearing_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(hearing_id)
            if room is not None:
                return room
            try:
                info = await self.services.directory.load(hearing_id)
                if info is None:
                    raise RoomError(
                        "hearing.not_found", "no such hearing", close_code=CLOSE_NOT_JOINABLE
                    )
                if not info.joinable:
                    raise RoomError(
                        "hearing.not_open",
                        f"the hearing is {info.state}; it cannot be joined now",
                        close_code=CLOSE_NOT_JOINABLE,
                    )
                room = Room(
                    info,
                    self.services.audit,
                    self._settings,
                    self.services.recorder,
                    self.services.entitlements,
                )
                await room.open()
            except BaseException:
                await self.backplane.release(hearing_id)
                self._locks.pop(hearing_id, None)
                raise
            self.rooms[hearing_id] = room
            return room

    async def _seat(self, room: Room, conn: Connection, credential: Credential) -> None:
        if isinstance(credential, Identity):
            await room.join(conn, credential)
        else:
            claim = self.tokens.verify(credential, room.hearing_id, self._clock())
            await room.resume(conn, claim)

    async def _attach_remote(
        self, owner: str, hearing_id: str, conn: WebSocketConnection, credential: Credential
    ) -> Attachment:
        link = Link(conn, hearing_id, owner)
        self._links[conn.conn_id] = link
        envelope: Envelope = {
            "k": "join",
            "h": hearing_id,
            "c": conn.conn_id,
            "n": self.node_id,
            "a": conn.remote,
        }
        if isinstance(credential, Identity):
            envelope["id"] = [
                credential.hearing_id,
                credential.participant_id,
                credential.role.value,
                credential.display_name,
                credential.confirmed,
            ]
        else:
            envelope["resume"] = credential
        self.backplane.publish(owner, envelope)
        try:
            answer = await asyncio.wait_for(link.joined, self.config.join_timeout_seconds)
        except TimeoutError:
            self.forget_link(link)
            raise RoomError(
                "room.unavailable",
                "the server holding this room does not answer; try again",
                close_code=CLOSE_TRY_AGAIN,
            ) from None
        if not answer.get("ok"):
            self.forget_link(link)
            code, message, close = answer["error"]
            raise SignalingError(code, message, close_code=close)
        return RemoteAttachment(self, link)

    def forget_link(self, link: Link) -> None:
        if self._links.get(link.conn.conn_id) is link:
            del self._links[link.conn.conn_id]
            self.backplane.publish(link.owner, {"k": "gone", "c": link.conn.conn_id})

    async def drop_if_idle(self, room: Room) -> None:
        if self.rooms.get(room.hearing_id) is room and room.idle:
            del self.rooms[room.hearing_id]
            room.let_go()
            self._locks.pop(room.hearing_id, None)
            if room.state is State.CLOSED:
                self._ended.add(room.hearing_id)
            await self.backplane.release(room.hearing_id)
            log.info("room %s: idle, released", room.hearing_id)

    # --- withdrawing someone ------------------------------------------------------------------

    async def exclude(self, hearing_id: str, participant_id: str, cause: str) -> None:
        """The service withdrew this person from the hearing (their invitation was revoked,
        their account disabled; already audited and committed): the room's owner, this node or
        another one over the backplane, takes their seat and closes their socket at once. A room
        open nowhere has nobody to close; its next opening asks the service on every resume."""
        room = self.rooms.get(hearing_id)
        if room is not None:
            await room.exclude(participant_id, cause)
            return
        owner = await self.backplane.owner(hearing_id)
        if owner is not None and owner != self.node_id:
            self.backplane.publish(owner, exclusion(hearing_id, participant_id, cause))

    def _exclude_here(self, envelope: Envelope) -> None:
        room = self.rooms.get(str(envelope["h"]))
        if room is None:
            return
        task = asyncio.get_running_loop().create_task(
            room.exclude(str(envelope["p"]), str(envelope["r"]))
        )
        self._tasks.add(task)
        task.add_done_callback(self._excluded)

    def _excluded(self, task: asyncio.Task[bool]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The tick's sweep asks the service again and retries.
            log.error("exclusion failed: %s", type(task.exception()).__name__)

    # --- the backplane's envelopes ------------------------------------------------------------

    def _on_envelope(self, envelope: Envelope) -> None:
        kind, conn_id = envelope.get("k"), str(envelope.get("c"))
        if kind == "exclude":
            self._exclude_here(envelope)
        elif kind == "join":
            proxy = ProxyConnection(
                conn_id,
                str(envelope["n"]),
                str(envelope["h"]),
                self.backplane,
                str(envelope.get("a") or ""),
            )
            self._proxies[conn_id] = proxy
            proxy.run(lambda: self._proxy_join(proxy, envelope))
        elif kind in ("msg", "gone"):
            known = self._proxies.get(conn_id)
            if known is None:
                return
            if kind == "msg":
                known.run(functools.partial(self._proxy_message, known, str(envelope["t"])))
            else:
                known.run(functools.partial(self._proxy_gone, known))
        elif (link := self._links.get(conn_id)) is not None:
            if kind == "out":
                link.conn.send_text(str(envelope["t"]))
            elif kind == "close":
                link.conn.close(int(envelope["code"]), str(envelope["r"]))
            elif kind == "joined" and not link.joined.done():
                link.joined.set_result(envelope)

    async def _proxy_join(self, proxy: ProxyConnection, envelope: Envelope) -> None:
        credential: Credential
        answer: Envelope = {"k": "joined", "c": proxy.conn_id, "ok": True}
        try:
            if "id" in envelope:
                hearing, participant, role, name, *rest = envelope["id"]
                confirmed = bool(rest[0]) if rest else True
                credential = Identity(hearing, participant, Role(role), name, confirmed)
            else:
                credential = str(envelope["resume"])
            if await self.backplane.claim(proxy.hearing_id) != self.node_id:
                raise RoomError("room.moved", "the room moved", close_code=CLOSE_RESTART)
            room = await self._room(proxy.hearing_id)
            await self._seat(room, proxy, credential)
            proxy.room = room
        except SignalingError as exc:
            answer = {**answer, "ok": False, "error": [exc.code, exc.message, exc.close_code]}
        except Exception:
            log.exception("remote join failed")
            answer = {**answer, "ok": False, "error": ["internal", "join failed", CLOSE_INTERNAL]}
        if not answer["ok"]:
            self._proxies.pop(proxy.conn_id, None)
        self.backplane.publish(proxy.node, answer)

    async def _proxy_message(self, proxy: ProxyConnection, raw: str) -> None:
        if proxy.room is None:
            return
        ref = None
        try:
            message = parse(raw)
            ref = message.ref
            await proxy.room.handle(proxy, message)
        except SignalingError as exc:
            refuse(proxy, exc, ref)
        except Exception:
            log.exception("room %s: message from a remote client failed", proxy.hearing_id)
            proxy.send(internal_error(ref))

    async def _proxy_gone(self, proxy: ProxyConnection) -> None:
        self._proxies.pop(proxy.conn_id, None)
        if proxy.room is not None:
            await proxy.room.disconnected(proxy)
            await self.drop_if_idle(proxy.room)

    # --- the tick -------------------------------------------------------------------------

    async def _tick_forever(self) -> None:
        interval = max(0.2, self.config.owner_lease_seconds / 3)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.tick()
            except Exception:
                log.exception("signaling node %s: tick failed", self.node_id)

    async def tick(self) -> None:
        owned = await self.backplane.renew(list(self.rooms))
        for hearing_id in set(self.rooms) - owned:
            log.warning("room %s: lease lost; participants will reconnect", hearing_id)
            await self.rooms.pop(hearing_id).shutdown(CLOSE_RESTART)
        proxies = list(self._proxies.values())
        alive = await self.backplane.alive({p.node for p in proxies})
        for proxy in proxies:
            if proxy.node not in alive:
                proxy.run(functools.partial(self._proxy_gone, proxy))
        owners: dict[str, str | None] = {}
        for link in list(self._links.values()):
            if link.hearing_id not in owners:
                owners[link.hearing_id] = await self.backplane.owner(link.hearing_id)
            if owners[link.hearing_id] != link.owner:
                link.conn.close(CLOSE_RESTART, "the room moved; reconnect")
        for room in list(self.rooms.values()):
            try:
                await room.sweep()
            except Exception:
                log.exception("room %s: checking who was withdrawn failed", room.hearing_id)
            await self.drop_if_idle(room)
        for hearing_id, room in self.rooms.items():
            await self.backplane.set_presence(hearing_id, room.presence())

    async def presence(self, hearing_id: str) -> dict[str, dict[str, Any]]:
        room = self.rooms.get(hearing_id)
        return room.presence() if room is not None else await self.backplane.presence(hearing_id)
