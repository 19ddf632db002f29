"""A live hearing whose room went away while it was running: `hearing.interrupted`.

Rooms live in memory. When the process that held one dies (`kill -9`, a power cut, a node whose
lease expired) the log simply stops: no one's departure, no end of testimony. The next room for
that hearing starts in the lobby, so without a record the log, the stored hearing state and the
minutes would read as if the hearing had run on. Before a new room opens (and once at start-up
for every live hearing this node may own), the service therefore works out from the log whether
the last room was left running, and if so appends, in one transaction with the state change:

    hearing.interrupted  {last_seq, last_event_at, resumed_at, seated, testimony,
                          hearing_state?: {from: testimony, to: in_session}}

`last_event_at` is the `ts` of the last event before the gap, `resumed_at` the service clock when
the interruption was recorded. The hearing returns to what the new room is: live, testimony not
running (`testimony -> in_session`; `open` and `in_session` stay), every participant back in the
lobby, the `during` conditions already met kept (each counts again once the person who met it
is admitted again); the judge starts testimony anew, unless the requested state's authority
had stopped it (the gateway replays that stop: only the authority resumes).

A room was left running if, since the last room boundary (`room.opened` or a previous
`hearing.interrupted`), someone still held a seat (joined or reconnected and not left, denied or
removed), or the hearing is still `testimony`. A room that emptied normally leaves neither, so
reopening it records nothing.

Only one writer records an interruption: the hearing's row is locked first (a no-op UPDATE: a
row lock on PostgreSQL, the write lock on SQLite) and the log re-read under that lock; the first
writer's event is a boundary, so every later check finds nothing to record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from vc_service.audit.events import format_ts
from vc_service.audit.models import AuditEvent
from vc_service.hearings import conflicts
from vc_service.hearings.lifecycle import Lifecycle, State
from vc_service.hearings.models import Hearing
from vc_service.hearings.opening import SYSTEM
from vc_service.hearings.service import HearingService

log = logging.getLogger(__name__)

INTERRUPTED = "hearing.interrupted"
# Hearing states in which a room may have been running.
LIVE = frozenset({State.OPEN, State.IN_SESSION, State.TESTIMONY})
_BOUNDARIES = frozenset({"room.opened", INTERRUPTED})
_SEAT_TAKEN = frozenset({"participant.joined", "participant.reconnected"})
_SEAT_LOST = frozenset({"participant.left", "participant.denied", "participant.removed"})
# `await claim(hearing_id)`: True if this node owns (or just became the owner of) the room.
ClaimRoom = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True)
class Outage:
    """What the log says about a room that was left running."""

    last_seq: int
    last_event_at: str
    seated: tuple[str, ...]  # participant ids still holding a seat when the log stopped
    testimony: str | None  # running | paused | None


def outage(events: Sequence[Mapping[str, Any]], state: State) -> Outage | None:
    """The outage the log ends with, or None if its last room ended cleanly (pure)."""
    if state not in LIVE or not events:
        return None
    seated: dict[str, None] = {}
    testimony: str | None = None
    for event in events:
        kind = event.get("type")
        actor = event.get("actor") or {}
        if kind in _BOUNDARIES:
            seated.clear()
        if kind == INTERRUPTED or kind == "testimony.stopped":
            testimony = None
        elif kind in ("testimony.started", "testimony.resumed"):
            testimony = "running"
        elif kind == "testimony.paused" or event.get("testimony_paused"):
            testimony = "paused"
        elif event.get("testimony_stopped"):
            testimony = None
        if kind in _SEAT_TAKEN:
            seated[str(actor.get("id"))] = None
        elif kind in _SEAT_LOST:
            seated.pop(str(event.get("participant") or actor.get("id")), None)
    if not seated and state is not State.TESTIMONY:
        return None
    last = events[-1]
    return Outage(int(last["seq"]), str(last["ts"]), tuple(seated), testimony)


async def record_interruption(schedule: HearingService, hearing_id: str) -> int | None:
    """Append `hearing.interrupted` (and move `testimony -> in_session`) if the hearing's last
    room was left running; return its seq, or None when there was nothing to record."""
    events = [json.loads(raw) for raw in await schedule.audit.events(hearing_id)]
    async with schedule.db.session() as s:
        stored = await s.get(Hearing, hearing_id)
        if stored is None or outage(events, State(stored.state)) is None:
            return None
    async with schedule.db.transaction() as s:
        hearing = await conflicts.lock_hearing(s, hearing_id)
        state = State(hearing.state)
        # Under the lock: what another node appended meanwhile (its interruption, say).
        newer = await s.execute(
            select(AuditEvent.data)
            .where(AuditEvent.hearing_id == hearing_id, AuditEvent.seq >= len(events))
            .order_by(AuditEvent.seq)
        )
        events += [json.loads(bytes(data)) for data in newer.scalars()]
        found = outage(events, state)
        if found is None:
            return None
        resumed = schedule.clock()
        fields: dict[str, object] = {
            "last_seq": found.last_seq,
            "last_event_at": found.last_event_at,
            "resumed_at": format_ts(resumed),
            "seated": list(found.seated),
            "testimony": found.testimony,
        }
        if state is State.TESTIMONY:
            lifecycle = Lifecycle(hearing.id, state)
            lifecycle.to(State.IN_SESSION)
            hearing.state = lifecycle.state.value
            fields["hearing_state"] = {"from": state.value, "to": hearing.state}
        # Always an UPDATE, so the hearing's version moves with the record of the gap.
        hearing.updated_at = resumed
        await s.flush()
        seq = await schedule.audit.append_in(s, hearing.id, INTERRUPTED, SYSTEM, fields)
    log.warning(
        "hearing %s: interrupted from %s to %s (recorded as seq %d)",
        hearing_id,
        found.last_event_at,
        fields["resumed_at"],
        seq,
    )
    return seq


async def live_hearings(schedule: HearingService) -> list[str]:
    async with schedule.db.session() as s:
        rows = await s.execute(
            select(Hearing.id).where(Hearing.state.in_([state.value for state in LIVE]))
        )
        return list(rows.scalars())


async def recover_on_start(
    schedule: HearingService, claim: ClaimRoom, owned: Collection[str] = ()
) -> list[str]:
    """At start-up: record the interruption of every live hearing whose room this node may
    own now (`claim` returns True) and does not already hold (`owned`); a room another live
    node holds is left alone (if that node dies, the room's rebuild records it). Returns the
    hearings for which an interruption was recorded."""
    recorded: list[str] = []
    for hearing_id in await live_hearings(schedule):
        if hearing_id in owned:
            continue
        try:
            if not await claim(hearing_id):
                continue
            if await record_interruption(schedule, hearing_id) is not None:
                recorded.append(hearing_id)
        except Exception:
            # Not fatal for the start (a database or Redis hiccup): the room's rebuild
            # records the interruption before anyone enters.
            log.exception("hearing %s: could not check for an interruption", hearing_id)
    return recorded
