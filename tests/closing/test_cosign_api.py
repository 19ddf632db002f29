"""The requested state's authority cosigns a sealed hearing's final checkpoint through the API
with a key it holds: the line is verified with that key before the key is registered, every
refusal leaves nothing behind, and the clerk's verification then requires the cosignature."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.closing.story import closed_hearing
from tests.closing.test_clerk_api import desk_of
from tests.hearings.kit import Court
from tests.helpers import StaffSession
from vc_service.audit.checkpoint import (
    SIG_TYPE_COSIGNATURE_V1,
    Cosigner,
    TrustedKey,
)
from vc_service.audit.keys import trust_policy_document
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.verify import verify_bundle
from vc_service.closing.sealing import close_and_seal

__all__ = ["desk_of"]
NAME = "authority.fr/juge-leroy"


def cosigner(name: str = NAME) -> Cosigner:
    return Cosigner(name, Ed25519PrivateKey.generate())


def offer(signer: Cosigner, body: str, when: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if when is None else when
    return {
        "line": signer.cosign(body.encode("utf-8"), stamp).line(),
        "public_key": base64.b64encode(signer.public_key).decode("ascii"),
    }


async def post(who: StaffSession, hid: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await who.client.post(
        f"/api/hearings/{hid}/log/cosignatures", json=body, headers=who.headers()
    )
    return response.status, await response.json()


async def test_the_authority_cosigns_and_the_clerk_sees_it_verify(
    lite: Court, desk_of: dict[str, StaffSession], tmp_path: Path
) -> None:
    services = lite.services
    hid = (await closed_hearing(lite)).record.id
    authority = desk_of["authority"]
    early = await authority.client.get(f"/api/hearings/{hid}/log/final")
    assert early.status == 409 and (await early.json())["error"]["code"] == "hearing.not_sealed"
    status, refused = await post(authority, hid, offer(cosigner(), "x\n"))
    assert (status, refused["error"]["code"]) == (409, "audit.log.not_sealed")
    await close_and_seal(services, hid)

    final = await (await authority.client.get(f"/api/hearings/{hid}/log/final")).json()
    assert final["origin"] == services.audit.origin(hid)
    assert final["size"] == await services.audit.size(hid)
    assert final["body"] == (f"{final['origin']}\n{final['size']}\n{final['root_hash']}\n")
    assert final["note"].startswith(final["body"] + "\n— ") and final["cosignatures"] == []

    signer = cosigner()
    status, made = await post(authority, hid, offer(signer, final["body"]))
    assert status == 201, made
    assert made["name"] == NAME and made["key_id"] == signer.key_id.hex()
    assert made["size"] == final["size"]
    after = await (await desk_of["clerk"].client.get(f"/api/hearings/{hid}/log/final")).json()
    assert [c["name"] for c in after["cosignatures"]] == [NAME]
    assert after["note"].count("\n— ") == 2
    # Cosigning again with the same key replaces the line; the hearing keeps one cosigner.
    status, _ = await post(authority, hid, offer(signer, final["body"]))
    assert status == 201
    assert [k.name for k in await services.audit.keys.cosigners(hid)] == [NAME]

    # The clerk's verification now requires the authority's cosignature, and it is there.
    checked = await (
        await desk_of["clerk"].client.get(f"/api/clerk/hearings/{hid}/verification")
    ).json()
    assert checked["ok"] is True, checked
    step = next(s for s in checked["steps"] if s["title"] == "cosignatures and quorum")
    assert step["passed"] and NAME in step["detail"], step
    # And a verifier that trusts the authority's key out of band accepts the bundle.
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(
        await (await desk_of["clerk"].client.get(f"/api/clerk/hearings/{hid}/bundle")).read()
    )
    trusted = TrustedKey(NAME, signer.public_key, SIG_TYPE_COSIGNATURE_V1)
    prefix = f"{services.settings.audit_origin_domain}/hearing/"
    document = trust_policy_document(
        await services.audit.keys.all(), prefix, cosigners=[trusted], quorum=1
    )
    report = verify_bundle(bundle, policy_from_dict(document))
    assert report.ok, report.render()


async def test_refused_cosignatures_leave_nothing_behind(
    lite: Court, desk_of: dict[str, StaffSession]
) -> None:
    services = lite.services
    hid = (await closed_hearing(lite)).record.id
    await close_and_seal(services, hid)
    authority = desk_of["authority"]
    body = (await (await authority.client.get(f"/api/hearings/{hid}/log/final")).json())["body"]
    signer, stranger = cosigner(), cosigner()

    def mixed() -> dict[str, str]:
        # Signed by one key, presented with another's public half.
        return {**offer(signer, body), "public_key": offer(stranger, body)["public_key"]}

    cases: list[tuple[dict[str, Any], int, str]] = [
        (mixed(), 422, "audit.cosignature.unknown_cosigner"),
        (offer(signer, "other.example/hearing/x\n1\n" + "A" * 43 + "=\n"), 422,
         "audit.checkpoint.bad_cosignature"),
        (offer(signer, body, when=int(time.time()) + 3600), 422, "audit.cosignature.future"),
        ({**offer(signer, body), "line": "not a signature line"}, 422, "audit.checkpoint.format"),
        ({"line": offer(signer, body)["line"], "public_key": "***"}, 422,
         "request.invalid_fields"),
        ({"public_key": offer(signer, body)["public_key"]}, 422, "request.invalid_fields"),
        ({**offer(signer, body), "line": offer(signer, body)["line"] * 2}, 422,
         "audit.cosignature.format"),
    ]  # fmt: skip
    for request, status, code in cases:
        got, answer = await post(authority, hid, request)
        assert (got, answer["error"]["code"]) == (status, code), (request, answer)
    assert await services.audit.keys.cosigners(hid) == []

    status, _ = await post(authority, hid, offer(signer, body))
    assert status == 201
    # The name is taken: another key cannot cosign under it.
    impostor = Cosigner(NAME, Ed25519PrivateKey.generate())
    status, answer = await post(authority, hid, offer(impostor, body))
    assert (status, answer["error"]["code"]) == (409, "audit.cosigner.exists")

    # Only the requested state's authority cosigns; another court does not see the hearing.
    status, answer = await post(desk_of["clerk"], hid, offer(cosigner("clerk.de/x"), body))
    assert (status, answer["error"]["code"]) == (403, "auth.wrong_role")
    hidden = await desk_of["other_clerk"].client.get(f"/api/hearings/{hid}/log/final")
    assert hidden.status == 404
