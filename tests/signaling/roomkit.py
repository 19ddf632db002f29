"""Driving a real Room directly (no sockets): an inbox per participant, and short-hands."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import Any

from signaling import protocol as p
from signaling.credentials import ResumeTokens
from signaling.room import Room, RoomSettings
from signaling.services import HearingInfo
from tests.signaling.memory import MemoryAudit, MemoryEntitlements, hearing, identity

_ids = itertools.count(1)


class Inbox:
    """The client end of a connection: keeps what the room sent and how it was closed."""

    def __init__(self) -> None:
        self.conn_id = f"conn-{next(_ids)}"
        self.remote = "192.0.2.10"  # TEST-NET-1: a documentation address, never dialled
        self.messages: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    def send(self, message: p.ServerMessage) -> None:
        if self.closed is None:
            self.messages.append(message)

    def close(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def last(self, kind: str) -> dict[str, Any]:
        found = self.of_type(kind)
        assert found, f"no {kind} message among {[m['type'] for m in self.messages]}"
        return found[-1]

    @property
    def peer(self) -> str:
        return str(self.last("welcome")["peer"])

    @property
    def resume(self) -> str:
        return str(self.last("welcome")["resume"])


class Kit:
    def __init__(self, info: HearingInfo | None = None, *, grace: float = 60.0) -> None:
        self.info = info or hearing()
        self.audit = MemoryAudit()
        self.tokens = ResumeTokens(b"k" * 32, 3600)
        self.entitlements = MemoryEntitlements()
        self.room = Room(
            self.info,
            self.audit,
            RoomSettings(self.tokens, grace_seconds=grace),
            entitlements=self.entitlements,
        )
        self.inboxes: dict[str, Inbox] = {}

    async def join(self, participant_id: str) -> Inbox:
        inbox = Inbox()
        await self.room.join(inbox, identity(self.info, participant_id))
        self.inboxes[participant_id] = inbox
        return inbox

    async def send(self, participant_id: str, message: Mapping[str, Any]) -> None:
        parsed = p.parse_client_message(p.encode(dict(message)))
        await self.room.handle(self.inboxes[participant_id], parsed)

    async def admit(self, participant_id: str, by: str = "judge-1") -> None:
        await self.send(by, {"type": "admit", "peer": self.inboxes[participant_id].peer})

    async def seat(self, *participant_ids: str) -> None:
        """Join and admit each participant (the judge-1 must already be in)."""
        for pid in participant_ids:
            await self.join(pid)
            if not pid.startswith("judge"):
                await self.admit(pid)

    async def meet(self, participant_id: str, condition_id: str) -> None:
        await self.send(
            participant_id,
            {"type": "condition", "condition": condition_id, "method": "observation"},
        )

    async def resume(self, token: str) -> Inbox:
        inbox = Inbox()
        claim = self.tokens.verify(token, self.info.hearing_id, now=time.time())
        await self.room.resume(inbox, claim)
        return inbox
