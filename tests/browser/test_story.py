"""The whole story in real browsers, end to end: a judge schedules a DE→FR criminal witness
hearing, requests a recording and sees the legal decision, invites the witness and opens the
lobby; the witness and the French authority join; the judge admits them; each meets the
conditions the law gives their role; testimony starts with real video playing in every browser;
the judge records it and the judge's and the authority's pages say so; the authority pauses for
the fundamental principles of its law and resumes; the judge ends the hearing, which stops the
recording; the clerk downloads the sealed bundle, sees it verify, and downloads a recorded file
whose SHA-256 is the one the page shows and the bundle's manifest binds.

The story runs on the `lawful_service`, whose test copy of the legal profiles makes DE→FR
criminal recording lawful: the shipped profiles do not establish it (`unknown`), and the room's
refusal there is tested in `test_room.py`."""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.cosigning import cosign, create_key
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import Account, LiveService, page_now, page_totp
from tests.browser.test_join_invitation import (
    EN,
    check_devices_and_continue,
    enter_code,
    open_in_english,
    read_notices_and_continue,
)
from tests.browser.test_sign_in import enrol_from_page, enter_password

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
PERSON, AUTHORITY = "Camille Martin", "Juge Leroy"
EBML = bytes.fromhex("1a45dfa3")  # every WebM file starts with this
REMOTE_VIDEOS = '#tiles figure:not([data-peer="self"]) video'
# What each remote tile shows now: its width, the frames decoded so far, its playback time.
FRAMES = """(selector) => [...document.querySelectorAll(selector)].map((v) => ({
  width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames, time: v.currentTime,
}))"""


# Elements that stick out of a phone's screen (none should: no sideways scrolling).
WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((e) => !e.closest(".table-wrap"))
  .map((e) => `${e.tagName}#${e.id}.${e.className}`)"""


def sign_in(page: Page, account: Account, next_path: str) -> None:
    page.goto(f"/sign-in?next={next_path}")
    enter_password(page, account)
    secret = enrol_from_page(page)
    page.get_by_label("6-digit code").fill(page_totp(page, secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def french_authority(live_service: LiveService) -> Account:
    court = live_service.cli(
        "court", "add", "Tribunal judiciaire de Strasbourg", "--state", "FR", "--tz", "Europe/Paris"
    ).strip()
    account = Account(f"autorite-{secrets.token_hex(3)}", secrets.token_urlsafe(12), "authority")
    live_service.cli(
        "user", "add", account.username, "--role", "authority", "--court", court,
        "--name", "Juge Leroy", stdin=account.password + "\n",
    )  # fmt: skip
    return account


def schedule(
    judge: Page, person: str = PERSON, authority: str = AUTHORITY, *, record: bool = False
) -> str:
    """Fill the judge's form; the legal decision follows the choices. Returns the case reference.

    `record`: the service's profiles make recording lawful, and the judge requests it. The
    service refuses to book one person twice at once: each test has its own people.
    """
    form = judge.locator("#create-form")
    expect(judge.locator("#requesting")).to_have_value("DE")
    form.get_by_label("Requested state (where the person is)").select_option("FR")
    form.get_by_label("Proceeding").select_option("criminal")
    form.get_by_label("Person heard as").select_option("witness")
    decision = judge.get_by_role("region", name="Legal decision")
    expect(decision).to_have_attribute("data-decision", "conditional")
    expect(decision).to_contain_text("Directive 2014/41/EU")
    present = decision.locator('li[data-condition="authority.present"]')
    expect(present).to_contain_text("Dir 2014/41/EU Art 24(5)(a)")
    rule = "allowed" if record else "unknown"
    expect(decision.locator("#decision-recording")).to_contain_text(f"Recording: {rule}")
    # The decision follows the role: an accused who refused consent is another case.
    form.get_by_label("Person heard as").select_option("accused")
    form.get_by_label("The person's consent").select_option("no")
    expect(decision).not_to_have_attribute("data-decision", "conditional")
    form.get_by_label("Person heard as").select_option("witness")
    form.get_by_label("The person's consent").select_option("yes")
    expect(decision).to_have_attribute("data-decision", "conditional")

    reference = f"2 KLs {secrets.randbelow(900) + 100}/26"
    start = page_now(judge, BERLIN).replace(second=0, microsecond=0) + timedelta(minutes=10)
    form.get_by_label("Name of the person heard").fill(person)
    form.get_by_label("Their language").select_option("fr")
    form.get_by_label("Authority of the requested state (name)").fill(authority)
    form.get_by_label("Case reference").fill(reference)
    form.get_by_label("Venue in the requested state").fill(
        f"Tribunal judiciaire de Strasbourg, salle {secrets.token_hex(2)}"
    )
    form.get_by_label("Start (your local time)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Duration in minutes").fill("30")
    form.get_by_label("Reason to sit outside working hours").fill("browser tests run at any hour")
    if record:
        form.get_by_label("Request a recording").check()
    screenshot(judge, "judge-create")
    assert_accessible(judge, "judge-create")
    form.get_by_role("button", name="Schedule the hearing").click()
    expect(judge.locator("#detail-title")).to_contain_text(reference)
    expect(judge.locator("#hearing-list")).to_contain_text(reference)
    # Both states' local times: Berlin and Paris share CET/CEST, so both show the wall time.
    row = judge.locator("#hearing-list tr", has_text=reference)
    expect(row).to_contain_text(f"DE: {start:%Y-%m-%d %H:%M}")
    expect(row).to_contain_text(f"FR: {start:%Y-%m-%d %H:%M}")
    return reference


def prepare(judge: Page, person: str = PERSON) -> dict[str, str]:
    """Before-the-hearing conditions, the witness's invitation, the lobby. Returns link + code."""
    detail = judge.locator("#detail")
    # DE's rule on a witness heard by video and FR's venue rule are not sourced: the judge
    # confirms both (basis.requesting_state, venue.permitted).
    before = ("request.accepted", "basis.requesting_state", "venue.permitted")
    for condition in (*before, "protection.measures_agreed"):
        item = detail.locator(f'#before-list li[data-condition="{condition}"]')
        item.get_by_role("button").click()
        expect(item).to_contain_text("Met: Judge")
    witness = detail.locator('#invitation-list li[data-role="witness"]')
    witness.get_by_role("button", name=f"Invite {person}").click()
    link = witness.get_by_label("Link").input_value()
    code = witness.get_by_label("Code").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/join/[0-9a-f-]+#[A-Za-z0-9_-]+", link)
    assert re.fullmatch(r"[0-9]{6}", code)
    qr = witness.get_by_role("img", name=f"QR code of the invitation link for {person}")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    screenshot(judge, "judge-hearing")
    assert_accessible(judge, "judge-hearing")
    judge.get_by_role("button", name="Open the lobby").click()
    expect(detail).to_have_attribute("data-state", "open")
    return {"link": link, "code": code}


def meet(
    page: Page, condition: str, document: str | None = None, details: str | None = None
) -> None:
    item = page.locator(f'#condition-list li[data-condition="{condition}"]')
    if document:
        item.get_by_label("Document type").select_option(document)
    if details:
        item.get_by_label("Details").fill(details)
    item.get_by_role("button", name=f"Confirm: {condition}").click()
    expect(item).to_have_class("met")


def assert_video_playing(page: Page, remote_tiles: int) -> None:
    expect(page.locator(REMOTE_VIDEOS)).to_have_count(remote_tiles)
    page.wait_for_function(
        "(selector) => [...document.querySelectorAll(selector)].every((v) => v.videoWidth > 0)",
        arg=REMOTE_VIDEOS,
    )
    # Every remote tile keeps decoding new frames. The wait is the driver's real second: the
    # page's own timers run on the service's installed clock (conftest).
    before: list[dict[str, Any]] = page.evaluate(FRAMES, REMOTE_VIDEOS)
    page.wait_for_timeout(1000)
    after: list[dict[str, Any]] = page.evaluate(FRAMES, REMOTE_VIDEOS)
    tiles = [
        {
            "width": a["width"],
            "frames": a["frames"] - b["frames"],
            "advanced": a["time"] - b["time"],
        }
        for b, a in zip(before, after, strict=True)
    ]
    for tile in tiles:
        assert tile["width"] > 0 and tile["frames"] > 0 and tile["advanced"] > 0, tiles


@dataclass
class Hearing:
    """The three browsers of one hearing, and what the judge's pages told us about it."""

    judge: Page
    authority: Page
    witness: Page
    reference: str
    hearing_id: str = ""


# The whole day in three browsers, with a recorder process and the sealing after the end: about
# four minutes on an idle 2-core machine, more under load, beyond the suite's 300 s default.
@pytest.mark.timeout(600)
def test_judge_witness_and_authority_hold_the_hearing_and_the_clerk_verifies_it(
    new_lawful_context: ContextFactory, lawful_service: LiveService
) -> None:
    new_context, service = new_lawful_context, lawful_service
    hearing = gather(new_context, service)
    meet_the_conditions(hearing)
    start_testimony_with_video(hearing)
    start_recording(hearing)
    check_the_room(hearing)
    authority_pauses_and_resumes(hearing)
    # The hearing ends here, while recording (the end stops it); the authority cosigns the
    # sealed record; then the clerk verifies the bundle (the cosignature now required) and the
    # recording.
    end_hearing(hearing)
    authority_cosigns(hearing)
    clerk = new_context().new_page()
    bundle = clerk_verifies(clerk, service, hearing.reference)
    clerk_downloads_a_recording(clerk, hearing.reference, bundle)


def gather(new_context: ContextFactory, service: LiveService) -> Hearing:
    """The judge schedules (with a recording) and opens the lobby; the French authority and the
    witness join from their own browsers; the judge admits both."""
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, service.add_user("judge", "judge"), "/judge")
    reference = schedule(judge, record=True)
    invitation = prepare(judge)

    # The French authority finds the hearing in its own list and joins the live room.
    authority = new_context(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(service), "/authority")
    join = authority.get_by_role("link", name=f"Join {reference}")
    expect(join).to_be_visible()
    screenshot(authority, "authority-list")
    assert_accessible(authority, "authority-list")
    join.click()
    expect(authority.locator("#room-status")).to_have_text("Waiting to be admitted.")

    judge.get_by_role("link", name="Go to the live hearing").click()
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")
    live = re.search(r"/hearings/([0-9a-f-]+)/live", judge.url)
    assert live, judge.url

    witness = new_context(timezone_id="Europe/Paris").new_page()
    open_in_english(witness, invitation)
    check_devices_and_continue(witness)
    read_notices_and_continue(witness)
    enter_code(witness, invitation["code"])
    expect(witness.locator("#lobby-status")).to_have_text(EN["lobby.waiting"])

    lobby = judge.get_by_role("region", name="Waiting room")
    for name in (AUTHORITY, PERSON):
        lobby.get_by_role("button", name=f"Admit {name}").click()
        expect(lobby.get_by_role("button", name=f"Admit {name}")).to_have_count(0)
    expect(witness.locator("#lobby-status")).to_have_text(EN["lobby.admitted"])
    # The authority claimed the seat scheduled by name only: the judge confirms who holds it
    # before it can meet a condition (issue 12, finding 10).
    confirm = judge.get_by_role("button", name="Confirm authority")
    confirm.click()
    expect(confirm).to_have_count(0)
    return Hearing(judge, authority, witness, reference, live.group(1))


def meet_the_conditions(hearing: Hearing) -> None:
    """Each role meets the conditions the legal decision gives it."""
    judge, authority, witness = hearing.judge, hearing.authority, hearing.witness
    meet(authority, "authority.present")
    meet(authority, "authority.can_intervene")
    meet(authority, "identity.verified", document="national_id", details="X4RTBPFW4")
    meet(authority, "rights.refusal_notified", details="Art. 437 CPP read aloud in French")
    meet(judge, "interpreter.available")
    # France compels a witness to testify (EJN fiche A.12): the witness has no consent to give.
    consent = witness.locator('#confirm-list li[data-condition="consent.person"]')
    expect(consent).to_have_count(0)
    identity = judge.locator('#condition-list li[data-condition="identity.verified"]')
    expect(identity).to_contain_text(f"{AUTHORITY} (authority) · Identity document checked")
    expect(identity).to_contain_text("National identity card")


def start_testimony_with_video(hearing: Hearing) -> None:
    judge = hearing.judge
    judge.get_by_role("button", name="Start testimony").click()
    expect(judge.locator("#testimony-state")).to_have_text("Testimony is running.")
    expect(hearing.authority.locator("#testimony-state")).to_have_text("Testimony is running.")
    # Real video in every browser: the two others' cameras, frames advancing.
    for page in (judge, hearing.authority, hearing.witness):
        assert_video_playing(page, remote_tiles=2)


RECORDER_START_MS = 30_000


def start_recording(hearing: Hearing) -> None:
    """The judge records; every browser connects to the recorder (a peer without a tile); every
    page says so, the witness's in its language."""
    judge = hearing.judge
    notice = hearing.witness.locator("#recording-notice")
    expect(notice).to_be_hidden()
    expect(judge.locator("#recording-state")).to_contain_text("Recording is lawful")
    judge.get_by_role("button", name="Start recording").click()
    expect(notice).to_have_text(EN["room.recording"])
    for page in (judge, hearing.authority):
        # The recorder is a process of its own that joins as a peer: seconds on a busy machine.
        expect(page.locator("#recording-state")).to_contain_text(
            "Recording is running.", timeout=RECORDER_START_MS
        )
    expect(judge.get_by_role("button", name="Stop recording")).to_be_visible()
    expect(judge.get_by_role("button", name="Start recording")).to_be_hidden()
    # The recorder is no one's tile: still two remote pictures, still playing.
    assert_video_playing(hearing.witness, remote_tiles=2)


def check_the_room(hearing: Hearing) -> None:
    judge = hearing.judge
    # The judge compares each participant's DTLS fingerprint.
    for role in ("witness", "authority"):
        row = judge.locator(f'#people-list tr[data-role="{role}"]')
        expect(row.locator("code.fingerprint").first).to_have_text(
            re.compile(r"^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$")
        )
    screenshot(judge, "room-judge")
    assert_accessible(judge, "room-judge")
    # The participant page's markup is scanned by its own tests; here only its picture is kept
    # (a scan of a third page playing video costs many seconds on a busy machine).
    screenshot(hearing.witness, "room-witness")


def authority_pauses_and_resumes(hearing: Hearing) -> None:
    """The authority stops the hearing for the fundamental principles of its law, then resumes;
    its page fits a phone's screen."""
    judge, authority = hearing.judge, hearing.authority
    authority.get_by_role("button", name="Pause for fundamental principles").click()
    expect(judge.locator("#testimony-state")).to_have_text("Testimony is paused by authority.")
    expect(judge.get_by_role("button", name="Resume testimony")).to_be_visible()
    authority.set_viewport_size({"width": 375, "height": 740})
    expect(authority.locator("#recording-state")).to_contain_text("Recording is running.")
    screenshot(authority, "room-authority-phone")
    assert_accessible(authority, "room-authority-phone")
    assert authority.evaluate(WIDE) == []
    authority.get_by_role("button", name="Resume testimony").click()
    expect(judge.locator("#testimony-state")).to_have_text("Testimony is running.")


def end_hearing(hearing: Hearing) -> None:
    judge = hearing.judge
    judge.get_by_role("button", name="End hearing").click()
    judge.get_by_role("button", name="Yes, end the hearing").click()
    expect(judge.locator("#room-status")).to_have_text("The hearing has ended.")
    expect(hearing.witness.get_by_role("heading", name=EN["ended.heading"])).to_be_visible()
    expect(hearing.authority.locator("#room-status")).to_have_text("The hearing has ended.")


def authority_cosigns(hearing: Hearing) -> None:
    """From the ended room to the authority's page, where its browser makes a key and cosigns
    the sealed record."""
    authority = hearing.authority
    authority.get_by_role("link", name="Cosign the sealed record").click()
    authority.wait_for_url("**/authority#sealed-heading")
    create_key(authority, "authority.fr/strasbourg")
    cosign(authority, hearing.reference, hearing.hearing_id, "authority.fr/strasbourg")


def clerk_verifies(clerk: Page, live_service: LiveService, reference: str) -> bytes:
    """The clerk waits for the sealed record, downloads the bundle, and sees it verify.
    Returns the bundle's bytes."""
    sign_in(clerk, live_service.add_user("clerk", "clerk"), "/clerk")
    row = clerk.locator("#hearings tbody tr", has_text=reference)
    bundle_link = row.get_by_role("link", name="Signed bundle (zip)")
    # Sealing runs in the background after the end: the page says so until it is done.
    deadline = time.monotonic() + 60
    while not bundle_link.count() and time.monotonic() < deadline:
        clerk.wait_for_timeout(250)
        clerk.reload()
    with clerk.expect_download() as download:
        bundle_link.click()
    data = download.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        names = bundle.namelist()
    assert any(name.endswith("VERIFY.md") for name in names), names
    row.get_by_role("button", name="Verify").click()
    expect(clerk.locator("#verification-summary")).to_contain_text("Proven: the record of case")
    return data


def clerk_downloads_a_recording(clerk: Page, reference: str, bundle: bytes) -> None:
    """The clerk opens the hearing's recordings from the keyboard: one file per camera and
    microphone; the witness's video downloads, and its SHA-256 is the one the page shows and
    the one the manifest in the signed bundle gives."""
    row = clerk.locator("#hearings tbody tr", has_text=reference)
    row.get_by_role("button", name=f"Recordings of case {reference}").focus()
    clerk.keyboard.press("Enter")
    section = clerk.get_by_role("region", name=f"Recordings of case {reference}")
    expect(section.get_by_role("heading", name=f"Recordings of case {reference}")).to_be_focused()
    # The end of the hearing stopped the recording, and sealing waited for it to finish.
    expect(section).to_contain_text(re.compile(r": finished, started [0-9 :-]+ UTC, stopped "))
    tracks = section.locator("tbody tr")
    expect(tracks).to_have_count(6)  # judge, authority, witness: audio and video each
    for who in (f"{PERSON} (witness)", f"{AUTHORITY} (authority)", "(judge)"):
        expect(tracks.filter(has_text=who)).to_have_count(2)
    screenshot(clerk, "clerk-recordings")
    assert_accessible(clerk, "clerk-recordings")

    video = tracks.filter(has_text=f"{PERSON} (witness)").filter(has_text="video")
    shown = video.locator("code.sha256").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", shown), shown
    with clerk.expect_download() as download:
        video.get_by_role("link", name=re.compile(r"^Download ")).click()
    data = download.value.path().read_bytes()
    assert data.startswith(EBML) and hashlib.sha256(data).hexdigest() == shown
    track = video.get_attribute("data-track")
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith("media/manifest.json")]
        manifest = json.loads(archive.read(name))
    bound = {t["track"]: t["final"]["sha256"] for t in manifest["tracks"]}
    assert bound[track] == shown, (track, bound)
