"""Issue 14 point 7 in the browser: the authority's page remembers the last checkpoint it
cosigned per log, checks the service's consistency proof from it before it offers to sign, and
refuses a record the operator rewrote afterwards, reporting both signed notes.

The operator's rewrite is done as an operator with the database and the service key would: a
new final checkpoint of the same length, signed with the service's own log key, and the
authority's cosignature deleted. Before the issue the page offered to cosign it."""

from __future__ import annotations

import base64
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.cosigning import cosign, create_key, wait_for_sealed_row
from tests.browser.live_service import LiveService
from tests.browser.test_cosign import ended_with_its_authority
from vc_service.audit.checkpoint import Checkpoint, Signer, parse_checkpoint_body, sign_checkpoint
from vc_service.audit.keys import PURPOSE
from vc_service.audit.tree import MerkleTree, leaf_hash
from vc_service.service_key import ServiceKey

pytestmark = pytest.mark.browser

KEY_NAME = "authority.fr/colmar"


def _database(live_service: LiveService) -> sqlite3.Connection:
    return sqlite3.connect(live_service.data_dir / "vc.sqlite3", timeout=10)


def _rewrite_final(live_service: LiveService, hearing_id: str) -> bytes:
    """What an operator with the database and the service key can do: sign another history of
    the same length with the active log key, and drop the authority's cosignature."""
    key = ServiceKey((live_service.data_dir / "secret.key").read_bytes())
    with closing(_database(live_service)) as db, db:
        name, encrypted = db.execute(
            "SELECT name, private_key_enc FROM audit_signing_keys WHERE not_after IS NULL"
        ).fetchone()
        signer = Signer(
            name,
            Ed25519PrivateKey.from_private_bytes(key.decrypt(PURPOSE, encrypted, name.encode())),
        )
        (note,) = db.execute(
            "SELECT note FROM audit_checkpoints WHERE hearing_id = ? AND final", (hearing_id,)
        ).fetchone()
        head = parse_checkpoint_body(bytes(note).split(b"\n\n")[0] + b"\n")
        forged = sign_checkpoint(Checkpoint(head.origin, head.size, bytes(32)), [signer])
        db.execute(
            "UPDATE audit_checkpoints SET note = ? WHERE hearing_id = ? AND final",
            (forged, hearing_id),
        )
        db.execute("DELETE FROM audit_cosignatures WHERE hearing_id = ?", (hearing_id,))
    return forged


def _remember(authority: Page, origin: str, size: int, root: bytes) -> None:
    """The authority's browser already holds a checkpoint of this log (as if it had cosigned
    one while the hearing ran)."""
    account = authority.request.get("/api/auth/session").json()["user"]["id"]
    head = {
        "origin": origin,
        "size": size,
        "root": base64.b64encode(root).decode("ascii"),
        "note": "",
        "cosigned": "2026-01-05T10:00:00.000Z",
    }
    authority.evaluate(
        """async ([account, head]) => {
            const keys = await import("/static/js/cosigning-key.js");
            await keys.saveHead(account, head);
        }""",
        [account, head],
    )


def test_the_authority_checks_what_it_holds_and_refuses_a_rewritten_record(
    new_context: ContextFactory, live_service: LiveService, tmp_path: Path
) -> None:
    judge, authority, reference, hearing_id = ended_with_its_authority(new_context, live_service)
    create_key(authority, KEY_NAME)
    wait_for_sealed_row(authority, reference)

    # The browser held the log's first three events: the page asks for the consistency proof
    # from there and checks it before it offers to sign.
    final = authority.request.get(f"/api/hearings/{hearing_id}/log/final").json()
    events = judge.request.get(f"/api/clerk/hearings/{hearing_id}/bundle").body()
    lines = _events(events, tmp_path)
    root3 = MerkleTree(leaf_hash(line) for line in lines[:3]).root()
    _remember(authority, final["origin"], 3, root3)
    cosign(authority, reference, hearing_id, KEY_NAME)

    # The operator rewrites the record; the page no longer shows the cosignature and offers
    # the record again, but the browser remembers what it signed.
    forged = _rewrite_final(live_service, hearing_id)
    authority.reload()
    row = authority.locator("#sealed-list tr", has_text=reference)
    expect(row).to_contain_text("Nobody yet")
    row.get_by_role("button", name=f"Review and cosign {reference}").click()
    message = authority.locator("#cosign-message")
    expect(message).to_contain_text(
        f"Not signed: the record of {reference} contradicts what you cosigned before (fork)"
    )
    expect(message).to_contain_text("Your refusal was reported to the service with both records.")
    expect(message).to_be_focused()
    expect(authority.locator("#review")).to_be_hidden()

    with closing(_database(live_service)) as db:
        reports = db.execute(
            "SELECT cosigner, reason, held_note, offered_note FROM audit_fork_reports "
            "WHERE hearing_id = ?",
            (hearing_id,),
        ).fetchall()
    assert len(reports) == 1
    cosigner, reason, held, offered = reports[0]
    assert (cosigner, reason) == (KEY_NAME, "fork")
    assert bytes(held).decode() == final["note"] and bytes(offered) == forged


def test_a_record_not_proved_to_extend_what_the_browser_holds_is_refused(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    _, authority, reference, hearing_id = ended_with_its_authority(new_context, live_service)
    create_key(authority, KEY_NAME)
    wait_for_sealed_row(authority, reference)
    final = authority.request.get(f"/api/hearings/{hearing_id}/log/final").json()
    # A first history of three events the service's proof cannot connect to this record.
    _remember(authority, final["origin"], 3, bytes(range(32)))
    authority.locator("#sealed-list tr", has_text=reference).get_by_role(
        "button", name=f"Review and cosign {reference}"
    ).click()
    message = authority.locator("#cosign-message")
    expect(message).to_contain_text("contradicts what you cosigned before (bad_proof)")
    expect(message).to_contain_text("it is not proved to extend the record of 3 events")
    # The browser held no signed note to show as evidence, so the service keeps no report.
    expect(message).to_contain_text("Your refusal could not be reported")
    expect(authority.locator("#review")).to_be_hidden()


def _events(bundle: bytes, tmp_path: Path) -> list[bytes]:
    import zipfile

    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle)
    with zipfile.ZipFile(path) as archive:
        return archive.read("events.jsonl").split(b"\n")[:-1]
