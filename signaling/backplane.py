"""Room traffic and presence between signaling nodes.

Each hearing's room lives on exactly one node, its owner, which holds a lease on it. A client
connected to another node is represented on the owner by a proxy connection: the client's node
forwards its messages to the owner, and the owner sends the client's messages back to that node.
So the room's decisions stay single-threaded and audited once, whichever node a participant uses.

Two implementations of one interface:
- `InProcessBackplane` (default): nodes in one process share a `LocalBus`.
- `RedisBackplane`: one pub/sub channel per node, the owner lease and node liveness as keys with
  expiry, presence snapshots in a hash. Messages to one node go out in order over one connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

log = logging.getLogger(__name__)

Envelope = dict[str, Any]
Handler = Callable[[Envelope], None]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def new_node_id() -> str:
    return "n-" + secrets.token_hex(6)


def exclusion(hearing_id: str, participant_id: str, cause: str) -> Envelope:
    """To a room's owner: the service withdrew this participant (see SignalingNode.exclude)."""
    return {"k": "exclude", "h": hearing_id, "p": participant_id, "r": cause}


async def exclude_over_redis(
    url: str, hearing_id: str, participant_id: str, cause: str, *, prefix: str = "vc:sig"
) -> bool:
    """For a process that is not a node (the command line): tell the room's owner, if one holds
    the room, to withdraw this participant now. Returns whether an owner was told."""
    plane = RedisBackplane(url, prefix=prefix)
    try:
        return await plane.send_to_owner(hearing_id, exclusion(hearing_id, participant_id, cause))
    finally:
        await plane.close()


class Backplane(Protocol):
    node_id: str

    async def start(self, handler: Handler) -> None:
        """Begin delivering envelopes addressed to this node to `handler` (called in order)."""
        ...

    async def stop(self) -> None: ...

    async def claim(self, hearing_id: str) -> str:
        """Become the room's owner if nobody is; return the owner's node id either way."""
        ...

    async def renew(self, hearing_ids: Collection[str]) -> set[str]:
        """Extend this node's leases and its liveness; return the rooms it still owns."""
        ...

    async def release(self, hearing_id: str) -> None: ...

    async def owner(self, hearing_id: str) -> str | None: ...

    async def alive(self, node_ids: Collection[str]) -> set[str]: ...

    def publish(self, node_id: str, envelope: Envelope) -> None:
        """Send to a node; never blocks; envelopes to one node arrive in publish order."""
        ...

    async def set_presence(
        self, hearing_id: str, peers: Mapping[str, Mapping[str, Any]]
    ) -> None: ...

    async def presence(self, hearing_id: str) -> dict[str, dict[str, Any]]: ...


class LocalBus:
    """What nodes in one process share: their handlers, room owners and presence."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.owners: dict[str, str] = {}
        self.presence: dict[str, dict[str, dict[str, Any]]] = {}


class InProcessBackplane:
    def __init__(self, node_id: str = "", bus: LocalBus | None = None) -> None:
        self.node_id = node_id or new_node_id()
        self._bus = bus or LocalBus()

    async def start(self, handler: Handler) -> None:
        self._bus.handlers[self.node_id] = handler

    async def stop(self) -> None:
        self._bus.handlers.pop(self.node_id, None)
        for hearing_id, owner in list(self._bus.owners.items()):
            if owner == self.node_id:
                del self._bus.owners[hearing_id]

    async def claim(self, hearing_id: str) -> str:
        return self._bus.owners.setdefault(hearing_id, self.node_id)

    async def renew(self, hearing_ids: Collection[str]) -> set[str]:
        return {h for h in hearing_ids if self._bus.owners.get(h) == self.node_id}

    async def release(self, hearing_id: str) -> None:
        if self._bus.owners.get(hearing_id) == self.node_id:
            del self._bus.owners[hearing_id]
            self._bus.presence.pop(hearing_id, None)

    async def owner(self, hearing_id: str) -> str | None:
        return self._bus.owners.get(hearing_id)

    async def alive(self, node_ids: Collection[str]) -> set[str]:
        return {n for n in node_ids if n in self._bus.handlers}

    def publish(self, node_id: str, envelope: Envelope) -> None:
        handler = self._bus.handlers.get(node_id)
        if handler is not None:
            # call_soon keeps publish order and never runs the receiver inside the sender.
            asyncio.get_running_loop().call_soon(handler, envelope)

    async def set_presence(self, hearing_id: str, peers: Mapping[str, Mapping[str, Any]]) -> None:
        self._bus.presence[hearing_id] = {k: dict(v) for k, v in peers.items()}

    async def presence(self, hearing_id: str) -> dict[str, dict[str, Any]]:
        return dict(self._bus.presence.get(hearing_id, {}))


# Extend the lease only if we still hold it: a node that lost its lease (paused too long) must
# not take the room back from its new owner.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[2])
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisBackplane:
    def __init__(
        self, url: str, *, node_id: str = "", prefix: str = "vc:sig", lease_seconds: float = 15.0
    ) -> None:
        import redis.asyncio as aioredis

        self.node_id = node_id or new_node_id()
        self._redis = aioredis.from_url(url)
        self._prefix = prefix
        self._lease_ms = int(lease_seconds * 1000)
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)

    def _channel(self, node_id: str) -> str:
        return f"{self._prefix}:node:{node_id}"

    def _owner_key(self, hearing_id: str) -> str:
        return f"{self._prefix}:room:{hearing_id}:owner"

    def _presence_key(self, hearing_id: str) -> str:
        return f"{self._prefix}:room:{hearing_id}:presence"

    def _alive_key(self, node_id: str) -> str:
        return f"{self._prefix}:alive:{node_id}"

    async def start(self, handler: Handler) -> None:
        await self._redis.ping()  # fail at start-up, not at the first hearing
        await self._redis.set(self._alive_key(self.node_id), "1", px=self._lease_ms)
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._channel(self.node_id))
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._read(pubsub, handler)),
            loop.create_task(self._write()),
        ]

    async def _read(self, pubsub: Any, handler: Handler) -> None:
        try:
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                try:
                    handler(json.loads(message["data"]))
                except Exception:
                    log.exception("backplane: dropping an envelope that could not be handled")
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _write(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < 512:
                batch.append(self._outbox.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
            except Exception:
                # Pub/sub is at most once; the nodes' liveness checks turn a lost link into a
                # reconnect, and nothing audited depends on an envelope arriving.
                log.exception("backplane: publish failed, %d envelopes lost", len(batch))

    async def send_to_owner(self, hearing_id: str, envelope: Envelope) -> bool:
        """Publish at once, without starting a node (no subscription, no liveness key)."""
        owner = await self.owner(hearing_id)
        if owner is None:
            return False
        await self._redis.publish(self._channel(owner), json.dumps(envelope))
        return True

    async def close(self) -> None:
        await self._redis.aclose()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self._redis.delete(self._alive_key(self.node_id))
        await self._redis.aclose()

    async def claim(self, hearing_id: str) -> str:
        key = self._owner_key(hearing_id)
        for _ in range(3):
            if await self._redis.set(key, self.node_id, nx=True, px=self._lease_ms):
                return self.node_id
            owner = await self._redis.get(key)
            if owner is not None:
                return _text(owner)
        raise ConnectionError(f"could not settle the owner of room {hearing_id}")

    async def renew(self, hearing_ids: Collection[str]) -> set[str]:
        ids = list(hearing_ids)
        await self._redis.set(self._alive_key(self.node_id), "1", px=self._lease_ms)
        kept: set[str] = set()
        for hearing_id in ids:
            args: list[str | int] = [self.node_id, self._lease_ms]
            if await self._renew(keys=[self._owner_key(hearing_id)], args=args):
                kept.add(hearing_id)
                await self._redis.pexpire(self._presence_key(hearing_id), self._lease_ms)
        return kept

    async def release(self, hearing_id: str) -> None:
        keys = [self._owner_key(hearing_id), self._presence_key(hearing_id)]
        await self._release(keys=keys, args=[self.node_id])

    async def owner(self, hearing_id: str) -> str | None:
        owner = await self._redis.get(self._owner_key(hearing_id))
        return None if owner is None else _text(owner)

    async def alive(self, node_ids: Collection[str]) -> set[str]:
        ids = list(node_ids)
        if not ids:
            return set()
        flags = await self._redis.mget([self._alive_key(n) for n in ids])
        return {n for n, flag in zip(ids, flags, strict=True) if flag is not None}

    def publish(self, node_id: str, envelope: Envelope) -> None:
        self._outbox.put_nowait((self._channel(node_id), json.dumps(envelope)))

    async def set_presence(self, hearing_id: str, peers: Mapping[str, Mapping[str, Any]]) -> None:
        key = self._presence_key(hearing_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if peers:
                pipe.hset(key, mapping={k: json.dumps(v) for k, v in peers.items()})
                pipe.pexpire(key, self._lease_ms)
            await pipe.execute()

    async def presence(self, hearing_id: str) -> dict[str, dict[str, Any]]:
        raw = await self._redis.hgetall(self._presence_key(hearing_id))
        return {_text(k): json.loads(v) for k, v in raw.items()}
