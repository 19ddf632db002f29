"""Withdrawing someone from a live hearing (issue 12, findings 5 and 10).

The service withdraws a person (invitation revoked, account disabled), or the judge denies or
removes them: their socket closes at once, on whichever node it is, their resume tokens are void
and every later act is refused with an `error`. An authority that claimed a seat nobody was
invited to by name meets no condition until the judge confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import aiohttp
import pytest

from signaling.errors import CLOSE_AUTH, CLOSE_EXCLUDED, AuthError, SignalingError
from signaling.services import HearingInfo, Participant
from tests.signaling.conftest import RunningServer, StartServer
from tests.signaling.memory import entitlements_of, hearing
from tests.signaling.roomkit import Kit
from tests.signaling.test_backplane import BackplaneFactory, enter, make_backplane, two_nodes
from tests.signaling.wsclient import WsClient

__all__ = ["make_backplane"]  # the two-node fixture, shared with test_backplane

CONDITION = {"type": "condition", "condition": "C-AUTHORITY-ID", "method": "observation"}


async def refused(kit: Kit, pid: str, message: Mapping[str, object]) -> str:
    with pytest.raises(SignalingError) as caught:
        await kit.send(pid, message)
    return caught.value.code


# --- one room ----------------------------------------------------------------------------------


async def test_a_disabled_authority_is_closed_at_once_and_its_act_and_resume_refused() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1")
    authority = kit.inboxes["authority-1"]
    kit.entitlements.withdraw("h-1", "authority-1", "account_disabled")
    assert await kit.room.exclude("authority-1", "account_disabled") is True

    assert authority.closed == (CLOSE_EXCLUDED, "revoked")
    assert authority.last("closed")["reason"] == "revoked"
    assert kit.inboxes["judge-1"].last("peer_left") == {
        "type": "peer_left",
        "peer": authority.peer,
        "reason": "revoked",
    }
    removed = kit.audit.events[-1]
    assert (removed.type, removed.actor) == ("participant.removed", "system")
    assert removed.fields["reason"] == "revoked"
    assert removed.fields["cause"] == "account_disabled"
    assert removed.fields["participant"] == "authority-1"
    # The act it tries next (the one that was recorded in the outside test) is refused.
    assert await refused(kit, "authority-1", CONDITION) == "room.not_seated"
    assert kit.audit.of_type("condition.met") == []
    with pytest.raises(AuthError) as caught:
        await kit.resume(authority.resume)
    assert caught.value.code == "auth.revoked"


async def test_an_act_before_the_notice_arrives_is_refused_and_takes_the_seat() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1")
    authority = kit.inboxes["authority-1"]
    # Disabled in the database; the backplane's notice has not arrived (or was lost).
    kit.entitlements.withdraw("h-1", "authority-1", "account_disabled")
    await kit.send("authority-1", {**CONDITION, "id": "m1"})
    error = authority.last("error")
    assert (error["code"], error["ref"]) == ("auth.revoked", "m1")
    assert authority.closed == (CLOSE_EXCLUDED, "revoked")
    assert kit.audit.of_type("condition.met") == []
    assert kit.audit.types()[-1] == "participant.removed"


async def test_a_revoked_witness_relays_nothing_more_and_cannot_resume() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("witness-1")
    witness = kit.inboxes["witness-1"]
    judge = kit.inboxes["judge-1"].peer
    await kit.send("witness-1", {"type": "ice", "to": judge, "candidate": ""})
    kit.entitlements.withdraw("h-1", "witness-1", "invitation_revoked")
    await kit.room.exclude("witness-1", "invitation_revoked")
    assert witness.closed == (CLOSE_EXCLUDED, "revoked")
    ice = {"type": "ice", "to": judge, "candidate": ""}
    assert await refused(kit, "witness-1", ice) == "room.not_seated"
    with pytest.raises(AuthError) as caught:
        await kit.resume(witness.resume)
    assert caught.value.code == "auth.revoked"


async def test_a_withdrawal_the_database_knows_voids_a_resume_in_a_new_room() -> None:
    old = Kit()
    await old.join("judge-1")
    await old.seat("witness-1")
    token = old.inboxes["witness-1"].resume
    # The room moved (another node, a restart): no seat, only the token and the database.
    new = Kit()
    new.entitlements.withdraw("h-1", "witness-1", "invitation_revoked")
    with pytest.raises(AuthError) as caught:
        await new.resume(token)
    assert caught.value.code == "auth.revoked"


async def test_the_judges_denial_and_removal_void_tokens_in_a_rebuilt_room() -> None:
    old = Kit()
    await old.join("judge-1")
    await old.seat("witness-1")
    token = old.inboxes["witness-1"].resume
    await old.send("judge-1", {"type": "remove", "peer": old.inboxes["witness-1"].peer})
    assert old.inboxes["witness-1"].closed == (CLOSE_EXCLUDED, "removed")
    # vc_service rebuilds `excluded` from the log (participant.removed, no fresh join since).
    new = Kit(replace(hearing(), excluded=frozenset({"witness-1"})))
    with pytest.raises(AuthError) as caught:
        await new.resume(token)
    assert caught.value.code == "auth.revoked"
    # Fresh credentials (a new one-time code from the court) lead to the lobby again.
    again = await new.join("witness-1")
    assert again.last("welcome")["seat"] == "lobby"


# --- finding 10: an authority that claimed an unnamed seat ----------------------------------


def claimed_seat() -> HearingInfo:
    base = hearing()
    people = tuple(
        replace(p, confirmed=False) if p.participant_id == "authority-1" else p
        for p in base.participants
    )
    return replace(base, participants=people)


async def test_an_unconfirmed_authority_cannot_meet_authority_present_until_confirmed() -> None:
    kit = Kit(claimed_seat())
    await kit.join("judge-1")
    await kit.seat("authority-1")
    authority = kit.inboxes["authority-1"]
    seen = {p["peer"]: p["confirmed"] for p in authority.last("room_state")["participants"]}
    assert seen[authority.peer] is False
    assert await refused(kit, "authority-1", CONDITION) == "perm.unconfirmed"
    assert kit.audit.of_type("condition.met") == []

    # Only the judge confirms, and only an authority's seat.
    confirm = {"type": "confirm_authority", "peer": authority.peer}
    assert await refused(kit, "authority-1", confirm) == "perm.role"
    await kit.seat("witness-1")
    other = {"type": "confirm_authority", "peer": kit.inboxes["witness-1"].peer}
    assert await refused(kit, "judge-1", other) == "peer.not_authority"
    await kit.send("judge-1", confirm)
    confirmed = kit.audit.of_type("participant.confirmed")[-1]
    assert (confirmed.actor, confirmed.fields["participant"]) == ("judge-1", "authority-1")
    seen = {p["peer"]: p["confirmed"] for p in authority.last("room_state")["participants"]}
    assert seen[authority.peer] is True
    assert await refused(kit, "judge-1", confirm) == "peer.already_confirmed"

    await kit.send("authority-1", CONDITION)
    assert [e.fields["condition"] for e in kit.audit.of_type("condition.met")] == ["C-AUTHORITY-ID"]


async def test_an_authority_invited_by_name_needs_no_confirmation() -> None:
    kit = Kit()
    assert all(p.confirmed for p in kit.info.participants)
    await kit.join("judge-1")
    await kit.seat("authority-1")
    await kit.send("authority-1", CONDITION)
    assert kit.audit.types()[-1] == "condition.met"


def test_participants_are_confirmed_unless_the_directory_says_otherwise() -> None:
    assert Participant("a", hearing().participants[0].role, "A").confirmed is True


# --- two nodes: in-process bus and real Redis ---------------------------------------------------


async def seated(
    a: RunningServer, b: RunningServer, session: aiohttp.ClientSession, *pids: str
) -> tuple[WsClient, dict[str, WsClient]]:
    """The judge on node A (the room's owner), everyone else on node B, admitted."""
    judge = await enter(a, session, "judge-1")
    others = {}
    for pid in pids:
        client = await enter(b, session, pid)
        await judge.send({"type": "admit", "peer": client.seen[0]["peer"]})
        await client.next("peer_joined")
        others[pid] = client
    return judge, others


async def resume_refused(server: RunningServer, session: aiohttp.ClientSession, token: str) -> None:
    again = await WsClient.connect(session, server.url())
    await again.send({"type": "hello", "v": 1, "resume": token})
    assert (await again.next("error"))["code"] == "auth.revoked"
    assert await again.wait_closed() == CLOSE_AUTH


async def test_withdrawn_people_are_closed_on_every_node(
    start_server: StartServer, make_backplane: BackplaneFactory, session: aiohttp.ClientSession
) -> None:
    a, b = await two_nodes(start_server, make_backplane)
    judge, people = await seated(a, b, session, "authority-1", "witness-1")
    authority, witness = people["authority-1"], people["witness-1"]
    withdrawn = entitlements_of(a.services)

    # Disabled: the notice starts on node B, which does not own the room, and crosses over.
    withdrawn.withdraw("h-1", "authority-1", "account_disabled")
    await b.node.exclude("h-1", "authority-1", "account_disabled")
    assert await authority.wait_closed() == CLOSE_EXCLUDED
    assert (await authority.next("closed"))["reason"] == "revoked"
    assert (await judge.next("peer_left"))["reason"] == "revoked"
    await resume_refused(b, session, authority.seen[0]["resume"])
    await resume_refused(a, session, authority.seen[0]["resume"])

    # Revoked, and the notice lost: the witness's next act is refused, its seat taken.
    withdrawn.withdraw("h-1", "witness-1", "invitation_revoked")
    await witness.send({"type": "condition", "condition": "C-RIGHTS", "method": "observation"})
    assert (await witness.next("error"))["code"] == "auth.revoked"
    assert await witness.wait_closed() == CLOSE_EXCLUDED
    await resume_refused(b, session, witness.seen[0]["resume"])
    removed = a.audit.of_type("participant.removed")
    assert [(e.actor, e.fields["participant"], e.fields["cause"]) for e in removed] == [
        ("system", "authority-1", "account_disabled"),
        ("system", "witness-1", "invitation_revoked"),
    ]
    assert a.audit.of_type("condition.met") == []


async def test_a_lost_notice_is_made_good_by_the_owners_tick(
    start_server: StartServer, make_backplane: BackplaneFactory, session: aiohttp.ClientSession
) -> None:
    a, b = await two_nodes(start_server, make_backplane)
    _judge, people = await seated(a, b, session, "witness-1")
    # A command-line disable on a node without Redis sends no notice at all.
    entitlements_of(a.services).withdraw("h-1", "witness-1", "invitation_revoked")
    await a.node.tick()
    assert await people["witness-1"].wait_closed() == CLOSE_EXCLUDED


@pytest.mark.redis
async def test_the_command_line_tells_the_owner_over_redis(
    start_server: StartServer,
    redis_url: str,
    redis_prefix: str,
    session: aiohttp.ClientSession,
) -> None:
    from signaling.backplane import RedisBackplane, exclude_over_redis

    def plane(node: str) -> RedisBackplane:
        return RedisBackplane(redis_url, node_id=node, prefix=redis_prefix, lease_seconds=1.5)

    a, b = await two_nodes(start_server, plane)
    _judge, people = await seated(a, b, session, "witness-1")
    entitlements_of(a.services).withdraw("h-1", "witness-1", "invitation_revoked")
    # What `vc-service user disable` does after its commit: a process that is no node.
    told = await exclude_over_redis(
        redis_url, "h-1", "witness-1", "invitation_revoked", prefix=redis_prefix
    )
    assert told is True
    assert await people["witness-1"].wait_closed() == CLOSE_EXCLUDED
    assert not await exclude_over_redis(
        redis_url, "h-none", "witness-1", "invitation_revoked", prefix=redis_prefix
    )
