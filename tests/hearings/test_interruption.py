"""A crash during testimony leaves its trace: `hearing.interrupted` on restart (issue 12 finding 6).

The service runs in its own process (this module, run as `python -m
tests.hearings.test_interruption serve ...`: the real app on 127.0.0.1 with an injected clock);
real WebSocket participants drive the hearing into testimony; the process is killed with SIGKILL
and the app is started again in this process on the same data directory and database.
"""

from __future__ import annotations

import asyncio
import html
import re
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from signaling.conditions import example_message
from tests.conftest import make_settings
from tests.hearings.kit import Court
from tests.hearings.test_gateway import gateway, open_hearing
from tests.hearings.test_invitations import at, during, invite
from tests.signaling.wsclient import WsClient
from vc_service import migrate
from vc_service.audit.events import format_ts
from vc_service.audit.keys import trust_policy_document
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.verify import verify_bundle
from vc_service.closing.minutes import build_minutes
from vc_service.closing.minutes_text import catalog, parse_ts
from vc_service.closing.sealing import wait_background
from vc_service.hearings.interruption import (
    INTERRUPTED,
    outage,
    record_interruption,
    recover_on_start,
)
from vc_service.hearings.lifecycle import State
from vc_service.http.app import create_app
from vc_service.services import Services

ROOT = Path(__file__).resolve().parents[2]


# -- the service process -------------------------------------------------------------------------


async def _serve(data_dir: str, database_url: str, now: str) -> None:
    services = Services.build(make_settings(Path(data_dir), database_url))
    moment = datetime.fromisoformat(now)
    services.hearings.schedule.clock = lambda: moment
    runner = web.AppRunner(create_app(services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print("READY", runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def _spawn(services: Services, now: datetime) -> tuple[asyncio.subprocess.Process, int]:
    settings = services.settings
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.hearings.test_interruption", "serve",
        str(settings.data_dir), settings.database_url, now.isoformat(),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    async with asyncio.timeout(60):
        line = (await proc.stdout.readline()).decode()
    assert line.startswith("READY "), line
    return proc, int(line.split()[1])


async def _hello(http: aiohttp.ClientSession, url: str, **fields: str) -> WsClient:
    client = await WsClient.connect(http, url)
    await client.send({"type": "hello", "v": 1, **fields})
    await client.next("welcome", within=10)
    return client


async def _until(client: WsClient, kind: str, test: Any, within: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            message = await client.next(kind, within=within)
            if test(message):
                return message


def _condition_message(condition: dict[str, Any]) -> dict[str, Any]:
    return dict(example_message(condition["id"]))


async def _into_testimony(
    court: Court, hid: str, url: str, session: aiohttp.ClientSession, token: str, code: str
) -> list[WsClient]:
    """Judge, authority and witness join, are admitted, meet every `during` condition; the
    judge starts testimony."""
    hearings = court.hearings
    judge_grant = await hearings.join_with_account(court.judge.principal, hid)
    authority_grant = await hearings.join_with_account(court.authority_fr.principal, hid)
    judge = await _hello(session, url, session=judge_grant.credential)
    authority = await _hello(session, url, session=authority_grant.credential)
    witness = await _hello(session, url, token=token, code=code)
    lobby = await _until(judge, "lobby", lambda m: len(m["waiting"]) == 2)
    for waiting in lobby["waiting"]:
        await judge.send({"type": "admit", "peer": waiting["peer"]})
    await _until(witness, "room_state", lambda m: m.get("seat") == "admitted")
    # An authority who took an unnamed seat meets conditions once the judge confirms it.
    state = await _until(judge, "room_state", lambda m: len(m["participants"]) == 3)
    for person in state["participants"]:
        if person.get("confirmed") is False:
            await judge.send({"type": "confirm_authority", "peer": person["peer"]})
    by_role = {"authority": authority, "judge": judge, "witness": witness}
    info = await hearings.room_info(hid)
    assert info is not None
    for condition in info.conditions:
        if condition["stage"] != "during":
            continue
        role = next(r for r in ("authority", "judge", "witness") if r in condition["satisfied_by"])
        await by_role[role].send(_condition_message(condition))
        await _until(judge, "room_state", lambda m, c=condition["id"]: _met(m, c))
    await judge.send({"type": "testimony", "action": "start"})
    await _until(witness, "room_state", lambda m: m.get("testimony") == "running")
    return [judge, authority, witness]


def _met(state: dict[str, Any], condition_id: str) -> bool:
    return any(c["id"] == condition_id and c.get("met") for c in state.get("conditions", []))


async def _stored_state(court: Court, hid: str) -> str:
    info = await court.hearings.room_info(hid)
    assert info is not None
    return info.state


async def _verified(services: Services, bundle: Path) -> None:
    prefix = f"{services.settings.audit_origin_domain}/hearing/"
    policy = policy_from_dict(trust_policy_document(await services.audit.keys.all(), prefix))
    report = verify_bundle(bundle, policy)
    assert report.ok, report.render()


# -- the crash ------------------------------------------------------------------------------------


async def test_a_crash_during_testimony_is_recorded_on_restart(
    desk: Court, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    services = desk.services
    record = await open_hearing(desk)
    hid = record.id
    now = during(record)
    at(desk, now)
    issued = await invite(desk, record)
    proc, port = await _spawn(services, now)
    try:
        url = f"ws://127.0.0.1:{port}/ws/hearings/{hid}"
        people = await _into_testimony(desk, hid, url, session, issued.token, issued.code)
        assert await _stored_state(desk, hid) == "testimony"
        before = await desk.events(hid)
        proc.send_signal(signal.SIGKILL)  # no goodbye of any kind
        assert await proc.wait() == -signal.SIGKILL
        for person in people:
            await person.wait_closed(within=10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert await desk.events(hid) == before  # nothing acknowledged was lost

    # The restart: the app on the same data directory and database, its clock 7 minutes on.
    resumed = now + timedelta(minutes=7)
    at(desk, resumed)
    async with TestClient(TestServer(create_app(services), host="127.0.0.1")) as client:
        events = await desk.events(hid)
        gap = events[-1]
        assert len(events) == len(before) + 1 and gap["type"] == INTERRUPTED
        assert gap["last_event_at"] == before[-1]["ts"]
        assert gap["last_seq"] == before[-1]["seq"]
        assert gap["resumed_at"] == format_ts(resumed)
        assert gap["testimony"] == "running"
        assert sorted(gap["seated"]) == sorted(p.id for p in record.participants[:3])
        assert gap["hearing_state"] == {"from": "testimony", "to": "in_session"}
        assert gap["actor"]["role"] == "system"
        # The stored state and the room agree: live, testimony not running, everyone but the
        # judge in the lobby; the conditions met before the crash are kept.
        assert await _stored_state(desk, hid) == State.IN_SESSION.value
        url = str(client.make_url(f"/ws/hearings/{hid}")).replace("http", "ws", 1)
        grant = await desk.hearings.join_with_account(desk.judge.principal, hid)
        judge = await _hello(session, url, session=grant.credential)
        room = await judge.next("room_state")
        assert (room["state"], room["testimony"]) == ("lobby", "idle")
        during_ids = [c["id"] for c in room["conditions"] if c["stage"] == "during"]
        assert during_ids and all(_met(room, cid) for cid in during_ids)
        opened = await desk.events(hid)
        assert [e["type"] for e in opened[len(before) :]] == [
            INTERRUPTED, "room.opened", "participant.joined",
        ]  # fmt: skip
        assert await _stored_state(desk, hid) == State.IN_SESSION.value
        await judge.send({"type": "end", "reason": "heard"})
        await judge.wait_closed(within=10)
        await wait_background()
    assert await _stored_state(desk, hid) == State.SEALED.value

    # The minutes show the gap; the verifier accepts the log that holds it.
    # They are in the court's language (the test court is German), times at the venue.
    minutes = (services.settings.data_dir / "minutes" / hid / "minutes.html").read_text()
    text = catalog("de")
    venue = ZoneInfo(record.venue_timezone)

    def at_venue(ts: object) -> str:
        """The time to the second at the venue, with its date where the day is not the
        hearing's."""
        moment = parse_ts(ts)
        assert moment is not None
        return rf"(\d{{4}}-\d\d-\d\d )?{moment.astimezone(venue):%H:%M:%S %Z}"

    pattern = re.escape(html.escape(text["line.service_gap"], quote=False))
    pattern = pattern.replace(re.escape("{start}"), at_venue(before[-1]["ts"]))
    pattern = pattern.replace(re.escape("{end}"), at_venue(format_ts(resumed)))
    assert re.search(pattern, minutes), pattern
    lost = text["line.testimony_lost"].format(state=text["testimony.running"])
    assert html.escape(lost, quote=False) in minutes
    assert html.escape(text["line.back_in_lobby"], quote=False) in minutes
    bundle = tmp_path / "bundle.zip"
    await services.audit.export(hid, bundle)
    await _verified(services, bundle)


# -- several nodes, one record --------------------------------------------------------------------


async def test_two_nodes_restarting_at_once_record_one_interruption(
    desk: Court, tmp_path: Path
) -> None:
    services = desk.services
    record = await open_hearing(desk)
    hid = record.id
    doors = gateway(desk)
    judge, witness = record.participants[0].id, record.participants[1].id
    await doors.append(hid, "room.opened", "system", {"recording_rule": "prohibited"})
    await doors.append(hid, "participant.joined", judge, {"role": "judge", "seat": "admitted"})
    await doors.append(hid, "participant.joined", witness, {"role": "witness", "seat": "lobby"})
    await doors.append(hid, "participant.admitted", judge, {"participant": witness})
    await doors.append(hid, "testimony.started", judge, {"reason": "judge"})
    # A second node: its own container (engine, connections, audit store) on the same database.
    other = Services.build(
        make_settings(services.settings.data_dir, services.settings.database_url)
    )
    await migrate.upgrade(other.db)
    moment = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    services.hearings.schedule.clock = other.hearings.schedule.clock = lambda: moment
    try:
        nodes = [services, other] * 4
        seqs = await asyncio.gather(
            *(record_interruption(node.hearings.schedule, hid) for node in nodes)
        )
        # And two start-up scans at once, each node claiming every room it can.
        scans = await asyncio.gather(
            *(recover_on_start(node.hearings.schedule, _always) for node in (services, other))
        )
    finally:
        await other.close()
    assert len([seq for seq in seqs if seq is not None]) == 1
    assert scans == [[], []]
    types = await desk.event_types(hid)
    assert types.count(INTERRUPTED) == 1
    assert await _stored_state(desk, hid) == State.IN_SESSION.value


async def _always(_hearing_id: str) -> bool:
    return True


async def test_start_up_leaves_a_room_another_live_node_holds(desk: Court) -> None:
    record = await open_hearing(desk)
    hid = record.id
    doors = gateway(desk)
    judge = record.participants[0].id
    await doors.append(hid, "room.opened", "system", {"recording_rule": "prohibited"})
    await doors.append(hid, "participant.joined", judge, {"role": "judge", "seat": "admitted"})

    async def held_elsewhere(_hearing_id: str) -> bool:
        return False

    assert await recover_on_start(desk.hearings.schedule, held_elsewhere) == []
    assert INTERRUPTED not in await desk.event_types(hid)
    assert await recover_on_start(desk.hearings.schedule, _always) == [hid]
    assert (await desk.event_types(hid))[-1] == INTERRUPTED


# -- which logs end with an outage ----------------------------------------------------------------


def _event(seq: int, kind: str, who: str = "j", **fields: Any) -> dict[str, Any]:
    ts = f"2031-05-06T07:{seq:02d}:00.000000Z"
    return {"seq": seq, "ts": ts, "type": kind, "actor": {"role": "x", "id": who}, **fields}


def test_only_a_room_left_running_is_an_outage() -> None:
    opened = [_event(0, "room.opened", "vc-service"), _event(1, "participant.joined", "j")]
    assert outage(opened, State.OPEN) == outage(opened, State.IN_SESSION)
    found = outage(opened, State.IN_SESSION)
    assert found is not None and found.seated == ("j",) and found.testimony is None
    assert found.last_event_at == "2031-05-06T07:01:00.000000Z" and found.last_seq == 1
    left = [*opened, _event(2, "participant.left", "vc-service", participant="j")]
    assert outage(left, State.IN_SESSION) is None  # the room emptied: a normal reopening
    assert outage(opened, State.CLOSED) is None and outage(opened, State.SCHEDULED) is None
    # Testimony paused, then everybody gone: the hearing still says testimony.
    paused = [*opened, _event(2, "testimony.started"), _event(3, "testimony.paused")]
    emptied = [*paused, _event(4, "participant.left", "vc-service", participant="j")]
    found = outage(emptied, State.TESTIMONY)
    assert found is not None and found.seated == () and found.testimony == "paused"
    # Recorded once: the interruption is a boundary.
    recorded = [*emptied, _event(5, INTERRUPTED, "vc-service")]
    assert outage(recorded, State.IN_SESSION) is None
    # A later room opened and crashed again is a second outage.
    again = [*recorded, _event(6, "room.opened"), _event(7, "participant.reconnected", "w")]
    second = outage(again, State.IN_SESSION)
    assert second is not None and second.seated == ("w",) and second.last_seq == 7


def test_the_minutes_show_the_gap() -> None:
    created = {
        "seq": 0, "ts": "2031-05-06T07:00:00.000000Z", "type": "hearing.created",
        "log": "vc.localhost/hearing/h", "actor": {"role": "judge", "id": "j"},
        "venue_time_zone": "Europe/Paris", "participants": [{"id": "w", "name": "Camille"}],
    }  # fmt: skip
    gap = _event(
        1, INTERRUPTED, "vc-service", last_seq=0, last_event_at=created["ts"],
        resumed_at="2031-05-06T07:09:30.000000Z", seated=["w"], testimony="running",
        hearing_state={"from": "testimony", "to": "in_session"},
    )  # fmt: skip
    minutes = build_minutes([created, gap])
    sections = {section.title: section.lines for section in minutes.sections}
    (interruption,) = sections["Interruptions"]
    assert interruption.startswith(
        "09:00:00 CEST to 09:09:30 CEST: the service stopped while the room was running"
    )
    assert "Present at the time: Camille" in interruption
    assert "Testimony was under way and did not continue." in interruption
    assert "On the restart everyone went back to the waiting room." in interruption
    assert any(
        "The service had stopped; the room reopened" in line
        for line in sections["Course of the hearing"]
    )


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    asyncio.run(_serve(*sys.argv[2:5]))
