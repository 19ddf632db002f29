"""Issue 14 point 7: the cosigner keeps the last checkpoint it signed per log, asks for a
consistency proof from it, and refuses a fork, rollback or unproved extension; the refusal is
reported to the service, which keeps both signed notes as evidence (SQLite and PostgreSQL).
Before the issue nothing remembered what was signed, no route gave a proof from a held
checkpoint, and no refusal could be recorded."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient as Client
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.closing.story import closed_hearing
from tests.closing.test_clerk_api import staff_of
from tests.hearings.conftest import desk, lite, login
from tests.hearings.kit import Court
from tests.helpers import StaffSession
from vc_service.audit.checkpoint import (
    Checkpoint,
    Cosigner,
    Signer,
    open_checkpoint,
    sign_checkpoint,
)
from vc_service.audit.tree import verify_consistency
from vc_service.audit.witness import CosignerMemory, ForkRefused, check_extension
from vc_service.closing.sealing import close_and_seal
from vc_service.http.app import create_app
from vc_service.services import Services

__all__ = ["desk", "lite", "login"]
NAME = "authority.fr/juge-leroy"


@pytest.fixture
async def staff(desk: Court) -> AsyncIterator[dict[str, StaffSession]]:
    clients: list[Client] = []
    yield await staff_of(desk, create_app(desk.services), clients)
    for client in clients:
        await client.close()


async def _sealed(court: Court) -> tuple[str, bytes]:
    hid = (await closed_hearing(court)).record.id
    await close_and_seal(court.services, hid)
    size = await court.services.audit.signer.final_size(hid)
    assert size is not None
    note = await court.services.audit.signer.note(hid, size)
    assert note is not None
    return hid, note


async def _forged(services: Services, hid: str, size: int) -> bytes:
    """What an operator holding the log key can sign: another history of the same size."""
    signer: Signer = await services.audit.keys.signer()
    head = Checkpoint(services.audit.origin(hid), size, bytes(32))
    return sign_checkpoint(head, [signer])


async def _report(who: StaffSession, hid: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await who.client.post(
        f"/api/hearings/{hid}/log/forks", json=body, headers=who.headers()
    )
    return response.status, await response.json()


async def test_the_cosigner_checks_a_proof_from_what_it_holds_and_refuses_a_fork(
    desk: Court, staff: dict[str, StaffSession]
) -> None:
    services = desk.services
    authority = staff["authority"]
    hid, final_note = await _sealed(desk)
    keys = [info.trusted() for info in await services.audit.keys.all()]
    final = open_checkpoint(final_note, keys)[0]

    # During the hearing the authority saw (and cosigned) the checkpoint of the first 3 events.
    held_note = await services.audit.signer.checkpoint(hid, 3)
    assert held_note is not None
    memory = CosignerMemory(Cosigner(NAME, Ed25519PrivateKey.generate()), keys)
    memory.cosign(held_note, 1_800_000_000)

    answer = await (await authority.client.get(f"/api/hearings/{hid}/log/final?known=3")).json()
    assert answer["known"] == 3 and answer["size"] == final.size
    proof = [base64.b64decode(node) for node in answer["consistency"]]
    verify_consistency(3, final.size, await services.audit.root(hid, 3), final.root, proof)
    memory.cosign(final_note, 1_800_000_100, proof)
    assert memory.held(final.origin) == final

    # The operator later offers another history of the same length: refused, nothing signed.
    forged = await _forged(services, hid, final.size)
    with pytest.raises(ForkRefused) as refused:
        memory.cosign(forged, 1_800_000_200)
    assert refused.value.reason == "fork"
    assert memory.heads[final.origin] == final_note
    # ... or a shorter one, or a longer one it cannot prove.
    with pytest.raises(ForkRefused) as refused:
        memory.cosign(held_note, 1_800_000_300)
    assert refused.value.reason == "rollback"

    # The refusal is reported, checked and kept as evidence, exactly as received.
    body = {"cosigner": NAME, "held": final_note.decode(), "offered": forged.decode()}
    status, made = await _report(authority, hid, body)
    assert status == 201 and made["reason"] == "fork", made
    (report,) = await services.audit.signer.fork_reports(hid)
    assert (report.id, report.cosigner, report.reason) == (made["id"], NAME, "fork")
    assert (bytes(report.held_note), bytes(report.offered_note)) == (final_note, forged)
    status, made = await _report(
        authority, hid, {**body, "held": final_note.decode(), "offered": held_note.decode()}
    )
    assert status == 201 and made["reason"] == "rollback"


async def test_a_fork_report_must_hold_our_conflicting_checkpoints(
    desk: Court, staff: dict[str, StaffSession]
) -> None:
    services = desk.services
    authority = staff["authority"]
    hid, final_note = await _sealed(desk)
    held_note = await services.audit.signer.checkpoint(hid, 3)
    assert held_note is not None
    # A consistent extension is no fork.
    body = {"cosigner": NAME, "held": held_note.decode(), "offered": final_note.decode()}
    status, answer = await _report(authority, hid, body)
    assert (status, answer["error"]["code"]) == (422, "audit.fork.not_a_fork")
    # A note the service never signed is no evidence against it.
    stranger = Signer(
        final_note.decode().split("\n— ")[1].split(" ")[0], Ed25519PrivateKey.generate()
    )
    size = int(final_note.split(b"\n")[1])
    made_up = sign_checkpoint(Checkpoint(services.audit.origin(hid), size, bytes(32)), [stranger])
    status, answer = await _report(authority, hid, {**body, "offered": made_up.decode()})
    assert (status, answer["error"]["code"]) == (422, "audit.fork.evidence")
    # Another hearing's checkpoint is no evidence about this one.
    _, other_note = await _sealed(desk)
    status, answer = await _report(authority, hid, {**body, "offered": other_note.decode()})
    assert (status, answer["error"]["code"]) == (422, "audit.fork.evidence")
    assert await services.audit.signer.fork_reports(hid) == []
    # Only the authority reports; a size beyond the log has no proof.
    status, answer = await _report(staff["clerk"], hid, body)
    assert status == 403
    beyond = await authority.client.get(f"/api/hearings/{hid}/log/final?known={size + 1}")
    assert (beyond.status, (await beyond.json())["error"]["code"]) == (422, "audit.proof.size")
    bad = await authority.client.get(f"/api/hearings/{hid}/log/final?known=x")
    assert bad.status == 422


def test_check_extension_needs_a_proof_for_a_longer_log() -> None:
    origin = "audit.court.example/hearing/0b5e2a8c-3f41-4d7e-9c2a-6f1e8d3b4a57"
    held = Checkpoint(origin, 3, bytes(32))
    with pytest.raises(ForkRefused) as refused:
        check_extension(held, Checkpoint(origin, 5, bytes(32)), [])
    assert refused.value.reason == "bad_proof"
    check_extension(held, held, [])
    with pytest.raises(ValueError, match="different logs"):
        check_extension(held, Checkpoint(origin + "0", 3, bytes(32)), [])
