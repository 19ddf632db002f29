"""`vc-service demo-hearing`: one complete synthetic hearing through the service's own code.

The real app listens on 127.0.0.1 (a free port); accounts, scheduling with the legal decision,
invitations, the `before` conditions and the lobby go through the real services; three real
aiortc peers (judge, authority, witness) join over the WebSocket with a staff credential or the
invitation token and code, are admitted, negotiate DTLS-SRTP on loopback only and receive each
other's frames; the authority meets its conditions, testimony starts and stops, the judge ends
the hearing, the room's end seals it, the bundle is exported and verified offline.

The French authority is also the record's cosigner (issue 14 point 7): it keeps the checkpoint it
saw while the hearing ran, checks the consistency proof from it to the final checkpoint, and
cosigns that; the trust policy then requires its cosignature (quorum 1, the default for a
hearing whose decision names the requested state's authority).

The hearing is scheduled on a working day ahead (as a real one would be); the hearing's clock is
moved to just before its start so that the links are valid now. The log's own times are real.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signaling.client import MediaParticipant
from signaling.conditions import example_message
from vc_service import clock, migrate
from vc_service.accounts.models import Role
from vc_service.accounts.service import Principal
from vc_service.audit.checkpoint import Cosigner, parse_signed_note
from vc_service.audit.keys import policy_text
from vc_service.audit.policy import load_policy
from vc_service.audit.verify import verify_bundle
from vc_service.audit.witness import CosignerMemory
from vc_service.closing.sealing import wait_background
from vc_service.config import load_settings
from vc_service.db import utcnow
from vc_service.hearings import forms
from vc_service.hearings.access import Viewer
from vc_service.hearings.lifecycle import State
from vc_service.http.app import create_app
from vc_service.services import Services

Say = Callable[[str], None]
KINDS = ("audio", "video")


def _say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _loopback_media() -> None:
    """aioice gathers every address of the machine and skips 127.0.0.1: keep media on
    loopback (the demo never leaves the machine; no STUN or TURN either)."""
    import aioice.ice

    def loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"]

    aioice.ice.get_host_addresses = loopback


def _working_day(days: int = 14, hour: int = 10) -> datetime:
    tz = ZoneInfo("Europe/Paris")
    day = (clock.utcnow().astimezone(tz) + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)


def _draft(starts_at: datetime) -> dict[str, Any]:
    return {
        "requested_state": "FR",
        "venue": "Tribunal judiciaire de Strasbourg, salle 3",
        "venue_time_zone": "Europe/Paris",
        "proceeding": "criminal",
        "case_reference": "DEMO 1/26",
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_minutes": 60,
        "recording_requested": False,
        "person_heard": {
            "role": "witness",
            "name": "Camille Martin",
            "email": "camille@example.org",
            "language": "fr",
            "consent": "yes",
        },
        "participants": [{"role": "authority", "name": "Juge Leroy"}],
    }


async def _staff(
    services: Services, court_id: str, username: str, name: str, role: Role, tz: str
) -> Viewer:
    user = await services.accounts.create_user(
        court_id=court_id,
        username=username,
        display_name=name,
        role=role,
        password=secrets.token_urlsafe(18),
        time_zone=tz,
    )
    principal = Principal(user.id, user.username, user.display_name, role, court_id, tz, "", "")
    return await services.hearings.schedule.viewer(principal)


def _confirmed(judge: MediaParticipant, peer: str) -> Callable[[], bool]:
    def check() -> bool:
        state = judge.last("room_state") or {}
        return any(p["peer"] == peer and p.get("confirmed") for p in state.get("participants", []))

    return check


def _frames_from(person: MediaParticipant, others: list[MediaParticipant]) -> Callable[[], bool]:
    peers = [other.peer for other in others]
    return lambda: all(person.frames.get((p, kind), 0) > 0 for p in peers for kind in KINDS)


def _met(person: MediaParticipant, condition_id: str) -> Callable[[], bool]:
    def met() -> bool:
        state = person.last("room_state") or {}
        return any(c["id"] == condition_id and c["met"] for c in state.get("conditions", []))

    return met


async def _conduct(
    person: MediaParticipant, message: dict[str, Any], done: Callable[[], bool]
) -> None:
    """Send one procedural message and wait until the room shows it took effect; a refusal
    from the room stops the demo with the room's own error."""
    errors = len([m for m in person.received if m["type"] == "error"])
    await person.send(message)

    def settled() -> bool:
        return done() or len([m for m in person.received if m["type"] == "error"]) > errors

    await person.wait_for(settled)
    if not done():
        refusal = [m for m in person.received if m["type"] == "error"][-1]
        raise RuntimeError(f"the room refused {message}: {refusal['code']} {refusal['message']}")


async def run_demo(data_dir: Path, say: Say = _say) -> int:
    """The whole story; returns the exit code (0: the sealed bundle verified)."""
    started = time.monotonic()
    _loopback_media()
    settings = load_settings(environ={"VC_DATA_DIR": str(data_dir), "VC_LOG_LEVEL": "warning"})
    services = Services.build(settings)
    runner: web.AppRunner | None = None
    people: list[MediaParticipant] = []
    try:
        await migrate.upgrade(services.db)
        runner = web.AppRunner(create_app(services))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        say(f"service listening on http://{host}:{port}/ (data in {data_dir})")

        accounts = services.accounts
        berlin = await accounts.create_court("Landgericht Demo", "DE", "Europe/Berlin")
        paris = await accounts.create_court("Tribunal judiciaire Demo", "FR", "Europe/Paris")
        suffix = secrets.token_hex(3)
        judge = await _staff(
            services, berlin.id, f"demo_judge_{suffix}", "Richterin Demo", Role.JUDGE,
            "Europe/Berlin",
        )  # fmt: skip
        authority = await _staff(
            services, paris.id, f"demo_autorite_{suffix}", "Juge Leroy", Role.AUTHORITY,
            "Europe/Paris",
        )  # fmt: skip
        say("courts and accounts: a German judge, a French authority")

        schedule = services.hearings.schedule
        starts = _working_day()
        record = await schedule.create(judge, forms.parse_draft(_draft(starts)))
        hid = record.id
        decision = record.hearing.legal_decision
        say(
            f"scheduled hearing {hid}: DE -> FR criminal witness hearing, "
            f"{starts:%Y-%m-%d %H:%M} UTC"
        )
        say(f"legal decision: {decision['decision']}")
        for condition in decision.get("conditions", []):
            say(f"  condition {condition['id']} ({condition['stage']}, by "
                f"{'/'.join(condition['satisfied_by'])}): {condition['citation']}")  # fmt: skip

        # The hearing's clock: just before the start, so links and codes are valid now.
        offset = starts - timedelta(minutes=10) - utcnow()
        schedule.clock = lambda: utcnow() + offset
        ids = {p.role: p.id for p in record.participants}
        issued = await services.hearings.invitations.issue(judge, hid, ids["witness"])
        say(f"invitation issued to the witness (link /join/{hid}#…, one-time code {issued.code})")

        version = record.hearing.version
        for condition in decision.get("conditions", []):
            if condition["stage"] == "before":
                done = await schedule.record_condition(
                    judge, hid, version, condition["id"], "Recorded by the demo."
                )
                version = done.hearing.version
                say(f"before-condition met: {condition['id']}")
        await schedule.open(judge, hid, version)
        say("lobby open")

        url = f"ws://{host}:{port}/ws/hearings/{hid}"
        async with aiohttp.ClientSession() as session:
            judge_peer, authority_peer, witness_peer = (
                MediaParticipant(session, url) for _ in range(3)
            )
            people = [judge_peer, authority_peer, witness_peer]
            grant = await services.hearings.join_with_account(judge.principal, hid)
            await judge_peer.join(session=grant.credential)
            grant = await services.hearings.join_with_account(authority.principal, hid)
            await authority_peer.join(session=grant.credential)
            await witness_peer.join(token=issued.token, code=issued.code)
            say("judge, authority and witness joined over the WebSocket (aiortc peers)")

            def waiting() -> list[str]:
                lobby = judge_peer.last("lobby")
                return [w["peer"] for w in lobby["waiting"]] if lobby else []

            await judge_peer.wait_for(lambda: len(waiting()) == 2)
            lobby = judge_peer.last("lobby") or {}
            unconfirmed = [w["peer"] for w in lobby["waiting"] if not w.get("confirmed", True)]
            for peer in waiting():
                await judge_peer.send({"type": "admit", "peer": peer})
            say("the judge admitted the authority and the witness from the lobby")
            # The authority claimed a seat that names no account: the judge confirms who it is
            # before it may meet a condition (participant.confirmed).
            for peer in unconfirmed:
                await judge_peer.send({"type": "confirm_authority", "peer": peer})
                await judge_peer.wait_for(_confirmed(judge_peer, peer))
                say("the judge confirmed the authority")
            for person in people:
                others = [other for other in people if other is not person]
                await person.wait_for(_frames_from(person, others), within=30)
            say("media negotiated on 127.0.0.1: everyone receives everyone's audio and video")

            info = await services.hearings.room_info(hid)
            assert info is not None
            for condition in info.conditions:
                if condition["stage"] != "during":
                    continue
                by = condition["satisfied_by"]
                role = next(r for r in ("authority", "judge", "witness", "interpreter") if r in by)
                who = {"authority": authority_peer, "judge": judge_peer}.get(role, witness_peer)
                message = dict(example_message(condition["id"]))
                await _conduct(who, message, _met(who, condition["id"]))
                say(f"during-condition met in the room by the {role}: {condition['id']}")

            def testimony(value: str) -> Callable[[], bool]:
                return lambda: (witness_peer.last("room_state") or {}).get("testimony") == value

            await judge_peer.send({"type": "testimony", "action": "start"})
            await witness_peer.wait_for(testimony("running"))
            say("testimony started")
            await judge_peer.send({"type": "testimony", "action": "stop"})
            await witness_peer.wait_for(lambda: not testimony("running")())
            say("testimony stopped")
            # What the authority sees of the record while the hearing runs, and keeps.
            seen = await services.audit.checkpoint(hid)
            assert seen is not None
            keys = [info.trusted() for info in await services.audit.keys.all()]
            witness = CosignerMemory(
                Cosigner("authority.fr/demo", Ed25519PrivateKey.generate()), keys
            )
            witness.cosign(seen, int(time.time()))
            held = witness.held(services.audit.origin(hid))
            assert held is not None
            say(f"the authority cosigned the checkpoint of {held.size} events it saw")
            await judge_peer.send({"type": "end", "reason": "heard"})
            await witness_peer.wait_for(lambda: witness_peer.last("closed") is not None)
            say("the judge ended the hearing")
            for person in people:
                await person.close()
            people = []

        await wait_background()
        info = await services.hearings.room_info(hid)
        if info is None or info.state != State.SEALED:
            say(f"FAILED: the hearing is {info.state if info else 'gone'}, not sealed")
            return 1
        events = [json.loads(raw) for raw in await services.audit.events(hid)]
        say(f"sealed: {len(events)} events, minutes bound at seq "
            f"{[e['seq'] for e in events if e['type'] == 'minutes.generated']}")  # fmt: skip

        # The authority cosigns the final checkpoint only as an extension of what it saw.
        size = await services.audit.signer.final_size(hid)
        final = await services.audit.signer.note(hid, size or 0)
        assert size is not None and final is not None
        proof = await services.audit.signer.consistency(hid, held.size)
        cosigned = parse_signed_note(witness.cosign(final, int(time.time()), proof))
        line = cosigned.signatures[-1].line()
        await services.audit.add_cosignature(hid, line, witness.cosigner.public_key)
        say(f"the authority checked the proof from {held.size} to {size} events and cosigned")

        bundle = data_dir / f"hearing-{hid}.zip"
        await services.audit.export(hid, bundle)
        prefix = f"{settings.audit_origin_domain}/hearing/"
        doc = await services.audit.keys.hearing_policy(hid, decision, prefix)
        say(f"trust policy requires {doc['cosigner_quorum']} cosignature(s): the authority's")
        policy_path = data_dir / "trust-policy.toml"
        await asyncio.to_thread(policy_path.write_text, policy_text(doc, "toml"), "utf-8")
        say(f"bundle: {bundle}")
        say(f"trust policy: {policy_path}")
        say(f"verify it yourself: vc-service log verify {bundle} --trust {policy_path} \\")
        say(f"    --hearing {hid}")
        report = await asyncio.to_thread(
            verify_bundle,
            bundle,
            load_policy(policy_path),
            expected_origin=prefix + hid,
            known=[seen],  # what the authority held must be a prefix of the bundle's log
        )
        print(report.render(), flush=True)
        elapsed = time.monotonic() - started
        if not report.ok:
            say(f"FAILED: the bundle did not verify ({elapsed:.1f} s)")
            return 1
        say(f"verified: the sealed bundle of hearing {hid} passed every check ({elapsed:.1f} s)")
        return 0
    finally:
        for person in people:
            await person.close()
        if runner is not None:
            await runner.cleanup()
        await services.close()
