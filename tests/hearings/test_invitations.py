"""Invitations and one-time codes: hashed tokens, the validity window, single-use codes, lock-out,
revocation and re-issue, join credentials, account joins, and what the outbox holds."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from signaling.conditions import example_message
from signaling.errors import CLOSE_EXCLUDED
from tests.hearings.kit import Court, iso, slot
from tests.signaling.wsclient import WsClient
from vc_service.errors import (
    Conflict,
    Forbidden,
    InvalidStateError,
    Locked,
    NotFound,
    ServiceError,
    Unauthenticated,
    ValidationFailed,
)
from vc_service.hearings import credentials
from vc_service.hearings.credentials import JoinRefused
from vc_service.hearings.gateway import RoomGateway
from vc_service.hearings.invitations import Issued
from vc_service.hearings.joining import LinkGone
from vc_service.hearings.models import Invitation, OutboxMessage, Participant
from vc_service.hearings.views import HearingRecord
from vc_service.http.app import create_app
from vc_service.http.live import LIVE


def at(court: Court, moment: datetime) -> None:
    court.hearings.schedule.clock = lambda: moment


def during(record: HearingRecord) -> datetime:
    """Half an hour before the start: inside the default 60-minute lead."""
    return record.hearing.starts_at - timedelta(minutes=30)


async def invite(court: Court, record: HearingRecord, index: int = 1) -> Issued:
    person = record.participants[index]
    return await court.hearings.invitations.issue(court.judge.viewer, record.id, person.id)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_the_token_is_shown_once_and_stored_only_as_its_hash(desk: Court) -> None:
    record = await desk.create()
    issued = await invite(desk, record)
    assert len(issued.token) >= 43 and issued.link.endswith(f"/join/{record.id}#{issued.token}")
    assert issued.code.isdigit() and len(issued.code) == 6
    async with desk.services.db.session() as s:
        row = await s.scalar(select(Invitation).where(Invitation.id == issued.invitation_id))
        messages = (await s.scalars(select(OutboxMessage))).all()
    assert row is not None
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    stored = b"".join(
        [row.code_secret_enc, *(m.body_enc for m in messages)]
        + [m.attachment_enc or b"" for m in messages]
    )
    assert issued.token.encode() not in stored and issued.code.encode() not in stored
    # The letters: the link to the witness, the code to the judge, never together.
    letters = await desk.hearings.outbox.messages(record.id)
    by_kind = {m["kind"]: m for m in letters}
    assert by_kind["invitation"]["recipient"] == "camille@example.org"
    assert issued.link in by_kind["invitation"]["body"]
    assert issued.code not in by_kind["invitation"]["body"]
    assert by_kind["code"]["recipient"] == "judge_berlin@court.example"
    assert issued.code in by_kind["code"]["body"] and issued.token not in by_kind["code"]["body"]
    assert {m["status"] for m in letters} == {"held"}  # no mail server configured
    events = await desk.events(record.id)
    assert events[-1]["type"] == "invitation.issued"
    assert events[-1]["participant_id"] == record.participants[1].id
    assert issued.token not in str(events) and issued.code not in str(events)


async def test_a_code_works_once_and_so_does_the_credential(desk: Court) -> None:
    record = await open_hearing(desk)
    issued = await invite(desk, record)
    at(desk, during(record))
    joining = desk.hearings.joining
    grant = await joining.join(record.id, issued.token, issued.code)
    with pytest.raises(Conflict) as replay:
        await joining.join(record.id, issued.token, issued.code)
    assert replay.value.code == "invitation.code_used"
    identity = await desk.hearings.verify_join(record.id, grant.credential)
    assert (identity.participant_id, identity.role) == (record.participants[1].id, "witness")
    assert identity.via == f"invitation:{issued.invitation_id}"
    with pytest.raises(JoinRefused) as again:
        await desk.hearings.verify_join(record.id, grant.credential)
    assert again.value.code == "auth.replayed"
    [overview] = [
        item
        for item in await desk.hearings.invitations.overview(desk.clerk.viewer, record.id)
        if item["invitation"]
    ]
    next_code = overview["invitation"]["code"]
    assert next_code != issued.code and overview["invitation"]["codes_used"] == 1
    second = await joining.join(record.id, issued.token, next_code)
    assert second.credential != grant.credential
    types = await desk.event_types(record.id)
    assert types.count("invitation.code_accepted") == 2
    assert types.count("invitation.code_failed") == 1  # the replay


async def test_an_early_code_waits_for_the_opening_and_is_not_used_up(desk: Court) -> None:
    """Issue 13 point 1: in the link's window but before the judge opens the waiting room."""
    record = await desk.create()
    issued = await invite(desk, record)
    at(desk, during(record))
    hearings = desk.hearings
    # A hello with token and code cannot wait: refused before the code is looked at.
    with pytest.raises(JoinRefused) as direct:
        await hearings.authenticate_invitation(record.id, issued.token, issued.code)
    assert direct.value.code == "auth.not_open"
    grant = await hearings.joining.join(record.id, issued.token, issued.code)
    assert not grant.lobby_open and grant.to_dict()["lobby_open"] is False
    assert grant.expires_at == record.hearing.ends_at  # not five minutes: she waits
    with pytest.raises(JoinRefused) as early:
        await hearings.verify_join(record.id, grant.credential)
    assert early.value.code == "auth.not_open"
    version = record.hearing.version
    for condition in record.hearing.legal_decision["conditions"]:
        if condition["stage"] == "before":
            version = (
                await hearings.schedule.record_condition(
                    desk.judge.viewer, record.id, version, condition["id"], "done"
                )
            ).version
    await hearings.schedule.open(desk.judge.viewer, record.id, version)
    identity = await hearings.verify_join(record.id, grant.credential)
    assert identity.participant_id == issued.participant_id
    with pytest.raises(JoinRefused) as again:
        await hearings.verify_join(record.id, grant.credential)
    assert again.value.code == "auth.replayed"
    accepted = [e for e in await desk.events(record.id) if e["type"] == "invitation.code_accepted"]
    assert [(e["code_number"], e["lobby_open"]) for e in accepted] == [(0, False)]


async def test_two_people_racing_with_one_code_only_one_gets_in(desk: Court) -> None:
    record = await desk.create()
    issued = await invite(desk, record)
    at(desk, during(record))
    joining = desk.hearings.joining
    results = await asyncio.gather(
        joining.join(record.id, issued.token, issued.code),
        joining.join(record.id, issued.token, issued.code),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results


async def test_wrong_codes_slow_down_then_lock_until_a_new_code(desk: Court) -> None:
    record = await desk.create()
    issued = await invite(desk, record)
    now = during(record)
    at(desk, now)
    joining = desk.hearings.joining
    bad = wrong(issued.code)
    with pytest.raises(Unauthenticated) as first:
        await joining.join(record.id, issued.token, bad)
    assert (first.value.code, first.value.details["attempts_left"]) == ("invitation.wrong_code", 2)
    with pytest.raises(Unauthenticated) as second:
        await joining.join(record.id, issued.token, bad)
    assert second.value.details["attempts_left"] == 1
    with pytest.raises(Locked) as slow:
        await joining.join(record.id, issued.token, bad)
    assert slow.value.code == "invitation.rate_limited"
    assert slow.value.details["retry_after_seconds"] == 2
    at(desk, now + timedelta(seconds=2))
    with pytest.raises(Locked) as locked:
        await joining.join(record.id, issued.token, bad)
    assert locked.value.code == "invitation.locked"
    with pytest.raises(Locked):  # even the right code
        await joining.join(record.id, issued.token, issued.code)
    failures = [e for e in await desk.events(record.id) if e["type"] == "invitation.code_failed"]
    assert [(e["failures"], e["locked"]) for e in failures] == [(1, False), (2, False), (3, True)]
    assert failures[0]["actor"]["role"] == "witness"
    code = await desk.hearings.invitations.reset_code(
        desk.clerk.viewer, record.id, record.participants[1].id
    )
    assert (await joining.join(record.id, issued.token, code)).role == "witness"
    assert (await desk.event_types(record.id))[-2:] == [
        "invitation.code_reset",
        "invitation.code_accepted",
    ]


async def test_the_link_works_only_inside_its_window(lite: Court) -> None:
    record = await lite.create()
    issued = await invite(lite, record)
    joining = lite.hearings.joining
    at(lite, record.hearing.starts_at - timedelta(minutes=61))
    info = await joining.lookup(record.id, issued.token)
    assert info["invitation"]["open_now"] is False
    with pytest.raises(Forbidden) as early:
        await joining.join(record.id, issued.token, issued.code)
    assert early.value.code == "invitation.not_yet_valid"
    assert early.value.details["valid_from"] == info["invitation"]["valid_from"]
    at(lite, record.hearing.ends_at)
    for attempt in (
        joining.lookup(record.id, issued.token),
        joining.join(record.id, issued.token, issued.code),
    ):
        with pytest.raises(LinkGone) as late:
            await attempt
        assert (late.value.code, late.value.status) == ("invitation.expired", 410)


async def test_revoked_replaced_foreign_and_unknown_links(lite: Court) -> None:
    first = await lite.create()
    other = await lite.create(
        starts_at=iso(slot(days=60)), venue="Elsewhere",
        person_heard={"role": "expert", "name": "Dr. Roux", "language": "fr", "consent": "yes"},
        participants=[],
    )  # fmt: skip
    invitations, joining = lite.hearings.invitations, lite.hearings.joining
    old = await invite(lite, first)
    with pytest.raises(Conflict) as twice:
        await invite(lite, first)
    assert twice.value.code == "invitation.already_issued"
    new = await invitations.issue(
        lite.judge.viewer, first.id, first.participants[1].id, reissue=True
    )
    at(lite, during(first))
    cases: list[tuple[str, str, type[ServiceError], str]] = [
        (first.id, old.token, LinkGone, "invitation.superseded"),
        (other.id, new.token, Forbidden, "invitation.wrong_hearing"),
        (first.id, credentials.new_token(), NotFound, "invitation.not_found"),
    ]
    for hearing_id, token, kind, code in cases:
        with pytest.raises(kind) as caught:
            await joining.join(hearing_id, token, new.code)
        assert caught.value.code == code
    assert (await joining.lookup(first.id, new.token))["participant"]["role"] == "witness"
    await invitations.revoke(lite.clerk.viewer, first.id, first.participants[1].id, "wrong person")
    with pytest.raises(LinkGone) as revoked:
        await joining.lookup(first.id, new.token)
    assert revoked.value.code == "invitation.revoked"
    with pytest.raises(NotFound):
        await invitations.revoke(lite.clerk.viewer, first.id, first.participants[1].id, "again")
    types = await lite.event_types(first.id)
    assert types.count("invitation.issued") == 2 and types.count("invitation.revoked") == 2


async def test_who_may_be_invited_and_when(lite: Court) -> None:
    invitations = lite.hearings.invitations
    record = await lite.create()
    judge_seat = record.participants[0]
    with pytest.raises(ValidationFailed) as judge:
        await invitations.issue(lite.judge.viewer, record.id, judge_seat.id)
    assert judge.value.code == "invitation.judge_has_account"
    with pytest.raises(NotFound):
        await invitations.issue(lite.judge.viewer, record.id, "no-such-participant")
    for outsider in (lite.other_judge, lite.authority_fr):
        with pytest.raises((NotFound, Forbidden)):
            await invitations.issue(outsider.viewer, record.id, record.participants[1].id)
    pending = await lite.create(
        requested_state="MX", venue="Mexico City", venue_time_zone="America/Mexico_City",
        proceeding="civil", starts_at=iso(slot("America/Mexico_City", days=70)), participants=[],
        person_heard={"role": "witness", "name": "J. Doe", "language": "en", "consent": "yes"},
    )  # fmt: skip
    with pytest.raises(InvalidStateError) as draft:
        await invitations.issue(lite.judge.viewer, pending.id, pending.participants[1].id)
    assert draft.value.details["state"] == "draft"


async def test_cancelling_ends_every_link_and_tells_the_invited(lite: Court) -> None:
    record = await lite.create()
    issued = await invite(lite, record)
    await lite.hearings.schedule.cancel(lite.judge.viewer, record.id, 1, "Case withdrawn.")
    with pytest.raises(LinkGone) as gone:
        await lite.hearings.joining.lookup(record.id, issued.token)
    assert gone.value.code == "invitation.revoked"
    letters = await lite.hearings.outbox.messages(record.id)
    notice = next(m for m in letters if m["kind"] == "cancelled")
    assert notice["recipient"] == "camille@example.org" and "cancelled" in notice["body"]
    async with lite.services.db.session() as s:
        row = await s.get(OutboxMessage, notice["id"])
        assert row is not None
        ics = lite.hearings.outbox.letter(row).attachment or b""
    assert b"STATUS:CANCELLED" in ics and b"METHOD:CANCEL" in ics
    assert (await lite.event_types(record.id))[-2:] == ["hearing.cancelled", "invitation.revoked"]


async def test_join_credentials_are_bound_short_lived_and_unforgeable(lite: Court) -> None:
    # Open: a credential bought before the waiting room opens lasts until the hearing's end.
    first = await open_hearing(lite)
    other = await lite.create(
        starts_at=iso(slot(days=60)), venue="Elsewhere", participants=[],
        person_heard={"role": "expert", "name": "Dr. Roux", "language": "fr", "consent": "yes"},
    )  # fmt: skip
    issued = await invite(lite, first)
    at(lite, during(first))
    hearings = lite.hearings
    grant = await hearings.joining.join(first.id, issued.token, issued.code)
    prefix, body, mac = grant.credential.split(".")
    forged = f"{prefix}.{body}.{mac[:-2]}AA"
    cases = [
        (other.id, grant.credential, "auth.wrong_hearing"),
        (first.id, forged, "auth.bad_credential"),
        (first.id, "vcj1.e30.AAAA", "auth.bad_credential"),
        (first.id, "not a credential", "auth.bad_credential"),
    ]
    for hearing_id, credential, code in cases:
        with pytest.raises(JoinRefused) as caught:
            await hearings.verify_join(hearing_id, credential)
        assert caught.value.code == code
    at(lite, during(first) + timedelta(seconds=301))
    with pytest.raises(JoinRefused) as expired:
        await hearings.verify_join(first.id, grant.credential)
    assert expired.value.code == "auth.expired"
    # A credential dies with its invitation.
    at(lite, during(first))
    fresh = await hearings.joining.join(first.id, issued.token, (await codes(lite, first))[0])
    await hearings.invitations.revoke(lite.judge.viewer, first.id, fresh.participant_id, "oops")
    with pytest.raises(JoinRefused) as revoked:
        await hearings.verify_join(first.id, fresh.credential)
    assert revoked.value.code == "auth.revoked"


async def codes(court: Court, record: HearingRecord) -> list[str]:
    overview = await court.hearings.invitations.overview(court.judge.viewer, record.id)
    return [
        i["invitation"]["code"] for i in overview if i["invitation"] and i["invitation"]["code"]
    ]


async def test_staff_and_authorities_join_with_their_accounts(lite: Court) -> None:
    record = await lite.create()
    hearings = lite.hearings
    judge = await hearings.join_with_account(lite.judge.principal, record.id)
    assert (await hearings.verify_join(record.id, judge.credential)).role == "judge"
    authority = await hearings.join_with_account(lite.authority_fr.principal, record.id)
    identity = await hearings.verify_join(record.id, authority.credential)
    assert (identity.role, identity.participant_id) == ("authority", record.participants[2].id)
    assert identity.via == f"account:{lite.authority_fr.principal.user_id}"
    events = await lite.events(record.id)
    assert events[-1]["type"] == "participant.account_bound"
    async with lite.services.db.session() as s:
        seat = await s.get(Participant, record.participants[2].id)
        assert seat is not None and seat.user_id == lite.authority_fr.principal.user_id
    with pytest.raises(NotFound):
        await hearings.join_with_account(lite.authority_ch.principal, record.id)
    with pytest.raises(Forbidden) as clerk:
        await hearings.join_with_account(lite.clerk.principal, record.id)
    assert clerk.value.code == "join.not_a_participant"
    await hearings.schedule.cancel(lite.judge.viewer, record.id, 1, "Withdrawn.")
    with pytest.raises(Conflict) as closed:
        await hearings.join_with_account(lite.judge.principal, record.id)
    assert closed.value.code == "join.not_joinable"


async def test_what_the_link_shows_the_participant(lite: Court) -> None:
    record = await lite.create()
    issued = await invite(lite, record, index=3)  # the interpreter, in Paris by default
    info = await lite.hearings.joining.lookup(record.id, issued.token)
    assert info["participant"] == {
        "id": record.participants[3].id, "role": "interpreter", "name": "Ana Weber",
        "language": "", "time_zone": "Europe/Paris", "heard": False,
    }  # fmt: skip
    assert info["hearing"]["starts"]["time_zone"] == "Europe/Paris"
    assert info["hearing"]["court"] == "Landgericht Berlin"
    during_ids = [
        c["id"] for c in record.hearing.legal_decision["conditions"] if c["stage"] == "during"
    ]
    assert [n["id"] for n in info["notices"]] == during_ids
    # In plain language in every language the texts exist in, never the engine's legal text.
    for notice in info["notices"]:
        assert set(notice) == {"id", "plain", "citation"}
        assert {"en", "fr", "de", "es"} <= set(notice["plain"])
        assert notice["citation"] is None or "[U]" not in notice["citation"]
    ics = await lite.hearings.joining.calendar(record.id, issued.token)
    assert b"TZID=Europe/Paris" in ics and issued.link.encode() in ics.replace(b"\r\n ", b"")


# -- issue 12, findings 5 and 10: withdrawals and claimed authority seats reach the live room ----


async def test_revoking_and_re_issuing_and_disabling_say_who_is_withdrawn(desk: Court) -> None:
    from vc_service.hearings import withdrawal

    record = await desk.create()
    witness, authority = record.participants[1].id, record.participants[2].id
    hearings = desk.hearings
    told: list[tuple[str, str, str]] = []

    async def notice(hearing_id: str, participant_id: str, cause: str) -> None:
        told.append((hearing_id, participant_id, cause))

    hearings.invitations.withdrawals.append(notice)
    doors = RoomGateway(hearings, desk.services.accounts)
    await invite(desk, record)
    await hearings.join_with_account(desk.authority_fr.principal, record.id)
    assert await doors.revoked(record.id, [witness, authority]) == {}

    await hearings.invitations.revoke(desk.judge.viewer, record.id, witness, "not summoned")
    assert told == [(record.id, witness, "invitation_revoked")]
    assert await doors.revoked(record.id, [witness]) == {witness: "invitation_revoked"}
    events = await desk.event_types(record.id)
    assert events[-1] == "invitation.revoked"  # committed before anyone is told
    await invite(desk, record)  # a new link lets the witness in again
    assert await doors.revoked(record.id, [witness, authority]) == {}

    await desk.services.accounts.set_disabled(desk.authority_fr.username, True)
    assert await doors.revoked(record.id, [witness, authority]) == {authority: "account_disabled"}
    assert await withdrawal.live_seats(desk.services.db, desk.authority_fr.principal.user_id) == []
    opened = await open_hearing(desk, starts_at=iso(slot(days=40)))
    await hearings.join_with_account(desk.judge.principal, opened.id)
    assert await withdrawal.live_seats(desk.services.db, desk.judge.principal.user_id) == [
        (opened.id, opened.participants[0].id)
    ]


async def open_hearing(court: Court, **overrides: Any) -> HearingRecord:
    record = await court.create(**overrides)
    version = 1
    for condition in record.hearing.legal_decision["conditions"]:
        if condition["stage"] == "before":
            version = (
                await court.hearings.schedule.record_condition(
                    court.judge.viewer, record.id, version, condition["id"], "done"
                )
            ).version
    return await court.hearings.schedule.open(court.judge.viewer, record.id, version)


async def test_the_live_room_closes_withdrawn_people_and_waits_for_the_judges_confirmation(
    desk: Court,
) -> None:
    """End to end on the real app and database: an authority that claimed the unnamed authority
    seat meets `authority.present` only after the judge's confirmation; disabling its account
    closes its socket and voids its resume token; revoking the witness's invitation likewise."""
    record = await open_hearing(desk)
    hid = record.id
    hearings = desk.hearings
    at(desk, during(record))
    issued = await invite(desk, record)
    app = create_app(desk.services)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        url = f"ws://127.0.0.1:{server.port}/ws/hearings/{hid}"

        async def enter(credential: str) -> WsClient:
            client = await WsClient.connect(session, url)
            await client.send({"type": "hello", "v": 1, "session": credential})
            await client.next("welcome")
            return client

        async def resume_refused(token: str) -> None:
            again = await WsClient.connect(session, url)
            await again.send({"type": "hello", "v": 1, "resume": token})
            assert (await again.next("error"))["code"] == "auth.revoked"

        judge = await enter(
            (await hearings.join_with_account(desk.judge.principal, hid)).credential
        )
        grant = await hearings.join_with_account(desk.authority_fr.principal, hid)
        authority = await enter(grant.credential)
        witness = await enter(
            (await hearings.joining.join(hid, issued.token, issued.code)).credential
        )
        for client in (authority, witness):
            await judge.send({"type": "admit", "peer": client.seen[0]["peer"]})
            await client.next("peer_joined")
        present = example_message("authority.present")
        await authority.send(present)
        assert (await authority.next("error"))["code"] == "perm.unconfirmed"
        await judge.send({"type": "confirm_authority", "peer": authority.seen[0]["peer"]})
        await authority.send(present)
        # Conditions met before the hearing show as met from the start: wait for this one.
        while not any(
            c["id"] == "authority.present" and c["met"]
            for c in (await authority.next("room_state")).get("conditions", [])
        ):
            pass
        assert "participant.confirmed" in await desk.event_types(hid)

        # Disabled on the command line of a node without Redis: the owner's tick sweeps.
        await desk.services.accounts.set_disabled(desk.authority_fr.username, True)
        await authority.send(example_message("identity.verified"))
        assert (await authority.next("error"))["code"] == "auth.revoked"
        assert await authority.wait_closed() == CLOSE_EXCLUDED
        await resume_refused(authority.seen[0]["resume"])

        # Revoked through the API in this process: closed at once, over the backplane.
        await hearings.invitations.revoke(desk.judge.viewer, hid, issued.participant_id, "no")
        assert await witness.wait_closed() == CLOSE_EXCLUDED
        await resume_refused(witness.seen[0]["resume"])
        await app[LIVE].node.tick()
        assert not judge.pending("error")

    events = await desk.events(hid)
    removed = [(e["participant"], e["cause"]) for e in events if e["type"] == "participant.removed"]
    assert removed == [
        (grant.participant_id, "account_disabled"),
        (issued.participant_id, "invitation_revoked"),
    ]
    by_authority = [
        e["condition"]
        for e in events
        if e["type"] == "condition.met" and e["actor"]["id"] == grant.participant_id
    ]
    assert by_authority == ["authority.present"]


async def test_a_rebuilt_room_learns_confirmations_and_exclusions_from_the_log(desk: Court) -> None:
    record = await open_hearing(desk)
    judge, witness, authority = (p.id for p in record.participants[:3])
    doors = RoomGateway(desk.hearings, desk.services.accounts)
    await desk.hearings.join_with_account(desk.authority_fr.principal, record.id)

    async def seats() -> tuple[bool, frozenset[str]]:
        info = await doors.load(record.id)
        assert info is not None
        seat = info.participant(authority)
        assert seat is not None
        return seat.confirmed, info.excluded

    assert await seats() == (False, frozenset())
    removed = {"peer": "p-1", "participant": witness, "role": "witness", "reason": "removed"}
    await doors.append(record.id, "participant.removed", judge, removed)
    confirmed = {"peer": "p-2", "participant": authority, "role": "authority"}
    await doors.append(record.id, "participant.confirmed", judge, confirmed)
    assert await seats() == (True, frozenset({witness}))
    joined = {"role": "witness", "peer": "p-1", "seat": "lobby", "via": "hello", "address": ""}
    await doors.append(record.id, "participant.joined", witness, joined)
    assert await seats() == (True, frozenset())
