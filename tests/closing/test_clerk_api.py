"""The clerk API over the real app: who may read what, the bundle download verifies with the
Python verifier and with the bundle's own shell script, the verification and minutes views."""

from __future__ import annotations

import asyncio
import subprocess
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.closing.story import closed_hearing
from tests.hearings.kit import Court
from tests.helpers import StaffSession, make_user, sign_in
from vc_service.accounts.models import Role
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.keys import policy_text, trust_policy_document
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.verify import verify_bundle
from vc_service.closing.sealing import close_and_seal
from vc_service.http.app import create_app


def verify_sh(folder: Path, key_name: str, origin: str) -> subprocess.CompletedProcess[str]:
    # The policy (it pins the verifier), the key and the hearing asked about: the clerk's own.
    return subprocess.run(
        ["sh", "scripts/verify.sh", "-p", "policy.toml", "-k", "log.pem", "-n", key_name,
         "-o", origin, "."],
        cwd=folder, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


Client = TestClient[web.Request, web.Application]


async def staff_of(
    desk: Court, app: web.Application, clients: list[Client]
) -> dict[str, StaffSession]:
    """Signed in: the hearing court's clerk and judge, another court's clerk, an authority of
    the requested state. Each client is added to `clients` for the caller to close."""
    people = {
        "clerk": (Role.CLERK, desk.judge.principal.court_id),
        "judge": (Role.JUDGE, desk.judge.principal.court_id),
        "other_clerk": (Role.CLERK, desk.other_judge.principal.court_id),
        "authority": (Role.AUTHORITY, desk.authority_fr.principal.court_id),
    }
    signed: dict[str, StaffSession] = {}
    for username, (role, court_id) in people.items():
        await make_user(desk.services, username, role, court_id=court_id)
        client: Client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        signed[username] = await sign_in(client, username)
    return signed


@pytest.fixture
async def desk_of(lite: Court) -> AsyncIterator[dict[str, StaffSession]]:
    """Signed-in staff of `staff_of` on the `lite` court."""
    clients: list[Client] = []
    yield await staff_of(lite, create_app(lite.services), clients)
    for client in clients:
        await client.close()


async def test_clerk_lists_downloads_and_verifies(
    lite: Court, desk_of: dict[str, StaffSession], tmp_path: Path
) -> None:
    services = lite.services
    closed = await closed_hearing(lite)
    hid = closed.record.id
    clerk, judge = desk_of["clerk"].client, desk_of["judge"].client
    listed = await (await clerk.get("/api/clerk/hearings")).json()
    assert [(h["id"], h["state"], h["sealed"]) for h in listed["hearings"]] == [
        (hid, "closed", False)
    ]
    early = await clerk.get(f"/api/clerk/hearings/{hid}/bundle")
    assert early.status == 409 and (await early.json())["error"]["code"] == "hearing.not_sealed"
    sealed = await judge.post(f"/api/hearings/{hid}/seal", headers=desk_of["judge"].headers())
    body = await sealed.json()
    assert sealed.status == 200, body
    assert body["done"] == ["minutes", "closed", "sealed", "state"]
    again = await clerk.post(f"/api/hearings/{hid}/seal", headers=desk_of["clerk"].headers())
    assert (await again.json())["done"] == []

    response = await clerk.get(f"/api/clerk/hearings/{hid}/bundle")
    assert response.status == 200 and response.content_type == "application/zip"
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(await response.read())
    keys = await services.audit.keys.all()
    prefix = f"{services.settings.audit_origin_domain}/hearing/"
    report = verify_bundle(bundle, policy_from_dict(trust_policy_document(keys, prefix)))
    assert report.ok, report.render()
    # The shipped shell route, with the clerk's key received out of band.
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    active = await services.audit.keys.active()
    (folder / "log.pem").write_bytes(public_key_pem(active.public_key))
    (folder / "policy.toml").write_text(policy_text(trust_policy_document(keys, prefix), "toml"))
    shell = await asyncio.to_thread(verify_sh, folder, active.name, prefix + hid)
    assert shell.returncode == 0 and "VERIFIED" in shell.stdout, shell.stdout + shell.stderr
    # Tampered minutes are caught by the same script.
    (folder / "minutes.html").write_text("<p>other minutes</p>", encoding="utf-8")
    tampered = await asyncio.to_thread(verify_sh, folder, active.name, prefix + hid)
    assert tampered.returncode != 0

    checked = await (await judge.get(f"/api/clerk/hearings/{hid}/verification")).json()
    assert checked["ok"] is True and len(checked["steps"]) == 11
    assert all(step["passed"] for step in checked["steps"])
    page = await clerk.get(f"/api/clerk/hearings/{hid}/minutes.html")
    assert page.content_type == "text/html" and "Camille Martin" in await page.text()
    assert "sandbox" in page.headers["Content-Security-Policy"]
    pdf = await clerk.get(f"/api/clerk/hearings/{hid}/minutes.pdf")
    assert pdf.content_type == "application/pdf" and (await pdf.read()).startswith(b"%PDF-")
    listed = await (await clerk.get("/api/clerk/hearings")).json()
    assert [(h["state"], h["sealed"]) for h in listed["hearings"]] == [("sealed", True)]


async def test_only_the_court_reads_its_record(
    lite: Court, desk_of: dict[str, StaffSession]
) -> None:
    closed = await closed_hearing(lite)
    hid = closed.record.id
    await close_and_seal(lite.services, hid)
    other, authority = desk_of["other_clerk"], desk_of["authority"]
    assert (await (await other.client.get("/api/clerk/hearings")).json())["hearings"] == []
    for suffix in ("bundle", "verification", "minutes.html", "minutes.pdf"):
        refused = await other.client.get(f"/api/clerk/hearings/{hid}/{suffix}")
        assert refused.status == 404, suffix
        assert (await refused.json())["error"]["code"] == "hearing.not_found"
        wrong = await authority.client.get(f"/api/clerk/hearings/{hid}/{suffix}")
        assert wrong.status == 403 and (await wrong.json())["error"]["code"] == "auth.wrong_role"
    seal = await other.client.post(f"/api/hearings/{hid}/seal", headers=other.headers())
    assert seal.status == 404
    listing = await authority.client.get("/api/clerk/hearings")
    assert listing.status == 403
