"""How each condition is met (issue 13 point 11), who may stop testimony (a confirmed authority
only), an authority's stop that outlives its room, and the `after` conditions the end lists
(point 12): against a real Room with the legal catalogue's own condition ids."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from signaling.conditions import WAYS, example_message
from signaling.errors import SignalingError
from signaling.protocol import MetBy, Role
from signaling.services import Stage
from tests.signaling.memory import condition, hearing
from tests.signaling.roomkit import Kit

CONDITIONS = (
    condition("authority.present", Stage.DURING, Role.AUTHORITY),
    condition("identity.verified", Stage.DURING, Role.AUTHORITY),
    condition("rights.refusal_notified", Stage.DURING, Role.JUDGE, Role.AUTHORITY),
    condition("consent.person", Stage.DURING, Role.WITNESS),
    condition("minutes.drawn_up", Stage.AFTER, Role.AUTHORITY),
)


async def code_of(kit: Kit, pid: str, message: dict[str, Any]) -> tuple[str, Any]:
    before = len(kit.audit.events)
    with pytest.raises(SignalingError) as caught:
        await kit.send(pid, message)
    assert len(kit.audit.events) == before, "a refused act wrote to the log"
    return caught.value.code, caught.value.details


async def seated(info: Any = None) -> Kit:
    kit = Kit(info or hearing(conditions=CONDITIONS))
    await kit.join("judge-1")
    await kit.seat("authority-1", "witness-1")
    return kit


def cond(cid: str, method: str, **extra: Any) -> dict[str, Any]:
    return {"type": "condition", "condition": cid, "method": method, **extra}


async def test_identity_is_met_by_a_document_type_and_number_not_by_a_bare_declaration() -> None:
    kit = await seated()
    refused = [
        # The finding: identity recorded as an oral declaration.
        (cond("identity.verified", "oral_declaration"), "condition.bad_method"),
        (cond("identity.verified", "observation"), "condition.bad_method"),
        # A document without its number says nothing the minutes can use.
        (cond("identity.verified", "identity_document", document_type="passport"),
         "condition.bad_details"),
        (cond("identity.verified", "identity_document", document_type="passport",
              details="<script>"), "condition.bad_details"),
        (cond("identity.verified", "identity_document", document_type="passport",
              details="N" * 41), "condition.bad_details"),
        (cond("identity.verified", "personal_knowledge"), "condition.bad_details"),
    ]  # fmt: skip
    for message, code in refused:
        assert (await code_of(kit, "authority-1", message))[0] == code, message
    _, details = await code_of(kit, "authority-1", cond("identity.verified", "oral_declaration"))
    assert details == {"methods": ["identity_document", "personal_knowledge"]}

    await kit.send(
        "authority-1",
        cond("identity.verified", "identity_document", document_type="passport",
             details=" 19FV54321 ", note="photo matches"),
    )  # fmt: skip
    [event] = kit.audit.of_type("condition.met")
    assert event.actor == "authority-1"
    assert {k: event.fields[k] for k in ("method", "details", "document_type", "note")} == {
        "method": "identity_document",
        "details": "19FV54321",
        "document_type": "passport",
        "note": "photo matches",
    }
    staff = {c["id"]: c for c in kit.inboxes["judge-1"].last("room_state")["conditions"]}
    met = staff["identity.verified"]["met"]
    assert (met["method"], met["details"], met["document_type"]) == (
        "identity_document",
        "19FV54321",
        "passport",
    )
    # The staff's checklist offers each condition's ways, with what each asks for.
    assert [w["method"] for w in staff["identity.verified"]["ways"]] == [
        "identity_document",
        "personal_knowledge",
    ]
    assert staff["identity.verified"]["ways"][0]["details"] == "required"
    # The person heard learns that it was met, never the document's number.
    mine = {c["id"]: c for c in kit.inboxes["witness-1"].last("room_state")["conditions"]}
    assert mine["identity.verified"]["met"] == {"at": met["at"]}


async def test_rights_are_met_by_the_statement_read_and_consent_by_the_persons_own_click() -> None:
    kit = await seated()
    assert (await code_of(kit, "judge-1", cond("rights.refusal_notified", "oral_declaration")))[
        0
    ] == "condition.bad_method"
    assert (await code_of(kit, "judge-1", cond("rights.refusal_notified", "statement_read")))[
        0
    ] == "condition.bad_details"
    statement = "Art. 437 CPP read aloud in French"
    await kit.send("judge-1", cond("rights.refusal_notified", "statement_read", details=statement))
    # The witness's own click is the only way to her consent, and it carries nothing more.
    code, details = await code_of(kit, "witness-1", cond("consent.person", "oral_declaration"))
    assert (code, details) == ("condition.bad_method", {"methods": ["own_click"]})
    code, _ = await code_of(kit, "witness-1", cond("consent.person", "own_click", details="yes"))
    assert code == "condition.bad_details"
    await kit.send("witness-1", cond("consent.person", "own_click"))
    rights, consent = kit.audit.of_type("condition.met")
    assert (rights.fields["method"], rights.fields["details"]) == ("statement_read", statement)
    assert (consent.actor, consent.fields["method"], consent.fields["details"]) == (
        "witness-1",
        "own_click",
        None,
    )


def test_every_catalogue_condition_met_in_the_room_has_ways_and_a_valid_example() -> None:
    from legal_profiles.conditions import CATALOGUE
    from signaling.protocol import parse_client_message

    in_room = {cid for cid, spec in CATALOGUE.items() if spec.stage.value != "before"}
    assert set(WAYS) == in_room
    for cid in in_room:
        assert WAYS[cid], cid
        assert all(isinstance(method, MetBy) for method in WAYS[cid])
        parse_client_message(json.dumps(example_message(cid)))


async def test_an_unconfirmed_authority_can_neither_pause_nor_resume_testimony() -> None:
    """Only the requested state's authority may stop the hearing on its fundamental
    principles; an account that claimed the authority seat is not known to be it until the
    judge confirms it."""
    base = hearing(conditions=(condition("C1", Stage.DURING, Role.JUDGE),))
    people = tuple(
        replace(p, confirmed=False) if p.participant_id == "authority-1" else p
        for p in base.participants
    )
    kit = await seated(replace(base, participants=people))
    await kit.meet("judge-1", "C1")
    await kit.send("judge-1", {"type": "testimony", "action": "start"})
    pause = {"type": "testimony", "action": "pause"}
    assert (await code_of(kit, "authority-1", pause))[0] == "perm.unconfirmed"
    assert kit.room.state.value == "testimony"
    await kit.send("judge-1", pause)
    resume = {"type": "testimony", "action": "resume"}
    assert (await code_of(kit, "authority-1", resume))[0] == "perm.unconfirmed"
    await kit.send("judge-1", resume)
    await kit.send(
        "judge-1", {"type": "confirm_authority", "peer": kit.inboxes["authority-1"].peer}
    )
    await kit.send("authority-1", pause)
    paused = kit.audit.of_type("testimony.paused")[-1]
    assert (paused.actor, paused.fields["reason"]) == ("authority-1", "fundamental_principles")


async def test_an_authoritys_stop_survives_the_room_only_the_authority_lifts_it() -> None:
    """A room rebuilt after a crash (testimony was paused by the authority) starts in session
    with the stop still standing: the judge can neither start nor resume; the authority
    resumes, and testimony runs again."""
    base = hearing(conditions=(condition("C1", Stage.DURING, Role.JUDGE),))
    kit = await seated(replace(base, authority_stop=True))
    await kit.meet("judge-1", "C1")
    state = kit.inboxes["judge-1"].last("room_state")
    assert (state["testimony"], state["paused_by"]) == ("idle", "authority")
    for action in ("start", "resume"):
        message = {"type": "testimony", "action": action}
        assert (await code_of(kit, "judge-1", message))[0] == "perm.authority_stop"
    await kit.send("authority-1", {"type": "testimony", "action": "resume"})
    assert kit.room.state.value == "testimony"
    resumed = kit.audit.of_type("testimony.resumed")[-1]
    assert (resumed.actor, resumed.fields["reason"]) == ("authority-1", "fundamental_principles")
    assert kit.inboxes["judge-1"].last("room_state")["paused_by"] is None


async def test_the_end_lists_the_after_conditions_left_open_with_who_meets_them() -> None:
    kit = await seated()
    await kit.send("judge-1", {"type": "end", "reason": "heard"})
    [ended] = kit.audit.of_type("hearing.ended")
    assert ended.fields["open_after"] == [
        {"condition": "minutes.drawn_up", "satisfied_by": ["authority"]}
    ]


async def test_the_authority_meets_minutes_drawn_up_in_the_room_before_the_end() -> None:
    kit = await seated()
    minutes = cond("minutes.drawn_up", "authority_minutes")
    assert (await code_of(kit, "authority-1", minutes))[0] == "condition.bad_details"
    assert (await code_of(kit, "judge-1", minutes))[0] == "perm.condition_role"
    await kit.send("authority-1", {**minutes, "details": "PV 2026/0412"})
    await kit.send("judge-1", {"type": "end", "reason": "heard"})
    [ended] = kit.audit.of_type("hearing.ended")
    assert ended.fields["open_after"] == []


def test_a_participant_record_keeps_its_name_from_the_log() -> None:
    # A `before` condition is met by the judge's account, whose id is not a participant's.
    from signaling.conditions import Checklist
    from signaling.services import ConditionRecord

    notice = condition("notice.requested_state", Stage.BEFORE, Role.JUDGE)
    record = ConditionRecord(
        "notice.requested_state",
        "user-7",
        Role.JUDGE,
        "recorded_by_judge",
        at="2026-01-05T09:00:00.000000Z",
        name="Judge Weber",
    )
    [view] = Checklist((notice,), (record,), names=lambda pid: f"unknown {pid}").view()
    assert view["met"]["name"] == "Judge Weber"
    assert view["met"]["method"] == "recorded_by_judge"
