"""The requested state's authority cosigns a sealed hearing's record with a key its browser keeps
(WebCrypto Ed25519 in IndexedDB): the key survives a reload, the review shows what is signed, the
service stores the cosignature, and the policy entry the page gives verifiers makes the
downloaded bundle verify only with that cosignature."""

from __future__ import annotations

import base64
import re
import tomllib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.cosigning import cosign, create_key
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import LiveService
from tests.browser.test_story import french_authority, prepare, schedule, sign_in
from vc_service.audit.checkpoint import SIG_TYPE_COSIGNATURE_V1, key_id, raw_public_key
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.verify import verify_bundle

pytestmark = pytest.mark.browser

PERSON = "Élodie Garnier"
AUTHORITY = "Juge Leroy"  # the name french_authority() gives
KEY_NAME = "authority.fr/strasbourg"


def end_hearing(judge: Page) -> str:
    """From the judge's hearing page: into the room, end it. Returns the hearing's id."""
    judge.get_by_role("link", name="Go to the live hearing").click()
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")
    hearing_id = re.search(r"/hearings/([0-9a-f-]+)/live", judge.url)
    assert hearing_id, judge.url
    judge.get_by_role("button", name="End hearing").click()
    judge.get_by_role("button", name="Yes, end the hearing").click()
    expect(judge.locator("#room-status")).to_have_text("The hearing has ended.")
    expect(judge.get_by_role("link", name="Signed records and minutes")).to_have_attribute(
        "href", "/clerk"
    )
    return hearing_id.group(1)


def ended_with_its_authority(
    new_context: ContextFactory, live_service: LiveService
) -> tuple[Page, Page, str, str]:
    """A judge holds a DE -> FR hearing and ends it; the French authority signs in. Returns the
    judge's and the authority's pages, the case reference and the hearing's id."""
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    reference = schedule(judge, PERSON, AUTHORITY)
    prepare(judge, PERSON)
    hearing_id = end_hearing(judge)

    authority = new_context(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(live_service), "/authority")
    return judge, authority, reference, hearing_id


def test_the_authority_cosigns_the_sealed_record_and_a_verifier_requires_it(
    new_context: ContextFactory, live_service: LiveService, tmp_path: Path
) -> None:
    judge, authority, reference, hearing_id = ended_with_its_authority(new_context, live_service)
    name = authority.get_by_label("Key name")
    name.fill("authority fr")
    authority.get_by_role("button", name="Create a key in this browser").click()
    expect(authority.locator("#key-name-error")).to_contain_text("without spaces or plus signs")
    expect(name).to_be_focused()
    key_id_shown = create_key(authority, KEY_NAME)

    # The key is the browser's: a reload (a new page of the same profile) still holds it.
    authority.reload()
    expect(authority.locator("#key-id")).to_have_text(key_id_shown)
    cosign(authority, reference, hearing_id, KEY_NAME)

    final = authority.request.get(f"/api/hearings/{hearing_id}/log/final").json()
    assert [(c["name"], c["key_id"]) for c in final["cosignatures"]] == [(KEY_NAME, key_id_shown)]

    # A verifier's policy: the court's log keys plus the entry the authority's page gives.
    entry = authority.get_by_label(re.compile("For verifiers")).input_value()
    policy_file = tmp_path / "court.toml"
    live_service.cli("keys", "trust-policy", "-o", str(policy_file))
    document = tomllib.loads(policy_file.read_text(encoding="utf-8"))
    document["cosigners"] = tomllib.loads(entry)["cosigners"]
    document["cosigner_quorum"] = 1
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(judge.request.get(f"/api/clerk/hearings/{hearing_id}/bundle").body())
    report = verify_bundle(bundle, policy_from_dict(document))
    assert report.ok, report.render()
    # The same policy with another key under the authority's name refuses the bundle.
    other = raw_public_key(Ed25519PrivateKey.generate().public_key())
    document["cosigners"][0]["public_key"] = base64.b64encode(other).decode("ascii")
    assert not verify_bundle(bundle, policy_from_dict(document)).ok

    # The clerk's verification now requires the registered cosigner, and finds it.
    checked = judge.request.get(f"/api/clerk/hearings/{hearing_id}/verification").json()
    assert checked["ok"] is True, checked


def test_the_authority_imports_a_key_it_holds_and_can_remove_it(
    new_context: ContextFactory, live_service: LiveService, tmp_path: Path
) -> None:
    authority = new_context(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(live_service), "/authority")
    not_a_key = tmp_path / "notes.pem"
    not_a_key.write_text("hello\n", encoding="utf-8")
    authority.get_by_label("Key name").fill(KEY_NAME)
    authority.get_by_label(re.compile("Or use a private key you hold")).set_input_files(not_a_key)
    expect(authority.locator("#key-name-error")).to_contain_text("not a PKCS#8 PEM private key")

    private = Ed25519PrivateKey.generate()
    pem = tmp_path / "authority.pem"
    pem.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    authority.get_by_label(re.compile("Or use a private key you hold")).set_input_files(pem)
    public = raw_public_key(private.public_key())
    expected = key_id(KEY_NAME, SIG_TYPE_COSIGNATURE_V1, public).hex()
    expect(authority.locator("#key-id")).to_have_text(expected)
    screenshot(authority, "authority-key")
    assert_accessible(authority, "authority-key")

    authority.once("dialog", lambda dialog: dialog.accept())
    authority.get_by_role("button", name="Remove the key from this browser").click()
    expect(authority.locator("#key-status")).to_have_text("No cosigning key in this browser yet.")
    authority.reload()
    expect(authority.get_by_role("button", name="Create a key in this browser")).to_be_visible()
