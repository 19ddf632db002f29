"""The participant in the room (issue 13 point 3): one status line that follows the hearing
(waiting, admitted, testimony running, paused, recording is said apart), the heading no longer a
step of joining, her own microphone and camera, the withdrawal of her consent where the hearing
rests on it, a way to leave, and the judge's picture large and hers small. The judge and the
requested state's authority speak the real protocol from pages of their own browsers; the judge's
page sends its fake camera, so the witness's page shows it.

Hearings are booked a few minutes ahead of the service's clock, which the fixtures start at a
fixed instant (VC_CLOCK_START), so the test passes whatever the hour or day it runs
(join_kit.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.join_kit import french_judge, open_lobby, own_judge, pass_the_code, schedule
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_invitation import (
    EN,
    check_devices_and_continue,
    enter_code,
    open_in_english,
    read_notices_and_continue,
)
from tests.browser.test_story import french_authority

pytestmark = pytest.mark.browser

# A staff member's side of the room in a page of their own browser: the WebSocket, their fake
# camera offered to everyone admitted (webrtc.js's PeerMesh, as the staff pages use it).
STAFF_CONNECT = """async ({hearingId, credential, media}) => {
  const { PeerMesh } = await import("/static/js/webrtc.js");
  const stream = media
    ? await navigator.mediaDevices.getUserMedia({ audio: true, video: true }) : null;
  const ws = new WebSocket(`ws://${location.host}/ws/hearings/${hearingId}`);
  const me = { ws, messages: [], errors: [] };
  window.me = me;
  const send = (msg) => { ws.send(JSON.stringify(msg)); return true; };
  const mesh = new PeerMesh({ send, onTile: () => {}, onGone: () => {} });
  mesh.setLocalStream(stream);
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    me.messages.push(msg);
    if (msg.type === "error") me.errors.push(msg);
    if (msg.type === "welcome") mesh.setIceServers(msg.ice_servers);
    else if (msg.type === "peer_joined") mesh.joined(msg);
    else if (msg.type === "peer_left") mesh.left(msg.peer);
    else if (["offer", "answer", "ice"].includes(msg.type)) mesh.received(msg);
  };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  send({ type: "hello", v: 1, session: credential });
}"""
SEND = "msg => window.me.ws.send(JSON.stringify(msg))"
WAITING = """(role) => {
  const lobby = window.me.messages.filter((m) => m.type === "lobby").pop();
  const seat = lobby && lobby.waiting.find((w) => w.role === role);
  return seat ? seat.peer : null;
}"""
# A staff member meets each open `during` condition that is `role`'s to meet, the way the room
# accepts (it names its ways when a method is refused; some want a few words of details).
# Returns the `during` conditions still open.
MEET = """async (role) => {
  const state = () => window.me.messages.filter((m) => m.type === "room_state").pop();
  const mine = state().conditions.filter(
    (c) => c.stage === "during" && !c.met && c.satisfied_by.includes(role));
  for (const condition of mine) {
    const tries = [{ method: "observation" }];
    while (tries.length) {
      const attempt = tries.shift();
      const errors = window.me.errors.length;
      window.me.ws.send(JSON.stringify({ type: "condition", condition: condition.id, ...attempt }));
      const start = Date.now();
      let outcome = null;
      while (!outcome && Date.now() - start < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        const met = state().conditions.find((c) => c.id === condition.id).met;
        if (met) outcome = "met";
        else if (window.me.errors.length > errors) outcome = window.me.errors[errors];
      }
      if (outcome === "met" || outcome === null) break;
      if (outcome.code === "condition.bad_method") {
        for (const method of outcome.details.methods) {
          tries.push({ method, details: "ID 12345" }, { method });
        }
      }
    }
  }
  return state().conditions.filter((c) => c.stage === "during" && !c.met).map((c) => c.id);
}"""


@pytest.fixture(scope="module")
def judge_api(playwright: Playwright, live_service: LiveService) -> Iterator[StaffApi]:
    """This module's own judge (join_kit.py says why)."""
    api = own_judge(playwright, live_service)
    yield api
    api.close()


def staff_in_room(
    new_context: ContextFactory, api: StaffApi, hearing_id: str, *, media: bool
) -> Page:
    grant = api.post(f"/api/hearings/{hearing_id}/join")
    page = new_context().new_page()
    page.goto("/sign-in")
    page.evaluate(
        STAFF_CONNECT,
        {"hearingId": hearing_id, "credential": grant["credential"], "media": media},
    )
    page.wait_for_function("() => window.me.messages.some((m) => m.type === 'welcome')")
    return page


def admit(judge: Page, role: str) -> str:
    peer: str = judge.wait_for_function(WAITING, arg=role).json_value()
    judge.evaluate(SEND, {"type": "admit", "peer": peer})
    return peer


def test_the_witness_knows_where_the_hearing_is_and_has_her_controls(
    new_context: ContextFactory,
    judge_api: StaffApi,
    live_service: LiveService,
    playwright: Playwright,
) -> None:
    hearing = open_lobby(judge_api, schedule(judge_api, authority=True))
    hid = hearing["id"]
    issued = judge_api.invite(hearing, "witness")
    authority_api = StaffApi.sign_in(playwright, live_service, french_authority(live_service))
    try:
        judge = staff_in_room(new_context, judge_api, hid, media=True)
        authority = staff_in_room(new_context, authority_api, hid, media=False)
    finally:
        authority_api.close()
    authority_peer = admit(judge, "authority")
    judge.evaluate(SEND, {"type": "confirm_authority", "peer": authority_peer})

    page = new_context().new_page()
    pass_the_code(page, issued)
    status = page.locator("#lobby-status")
    lobby = page.locator("#step-lobby")
    expect(status).to_have_text(EN["lobby.waiting"])
    expect(page.get_by_role("heading", name=EN["lobby.heading"])).to_be_visible()
    admit(judge, "witness")

    # Admitted: the heading is the hearing's, no longer the fourth step of joining.
    expect(status).to_have_text(EN["lobby.admitted"])
    expect(page.get_by_role("heading", level=2, name=EN["room.heading"])).to_be_visible()
    expect(page.locator("#steps")).to_be_hidden()
    # The judge's picture is large, hers small.
    judge_tile = page.locator('#tiles figure[data-role="judge"]')
    expect(judge_tile).to_have_class("tile large")
    self_tile = page.locator('#tiles figure[data-peer="self"]')
    expect(self_tile).not_to_have_class("tile large")
    page.wait_for_function(
        "() => document.querySelector('#tiles figure[data-role=judge] video').videoWidth > 0"
    )
    judge_box, self_box = judge_tile.bounding_box(), self_tile.bounding_box()
    assert judge_box and self_box and judge_box["width"] > 1.5 * self_box["width"]

    # Her own confirmations, then the authority's: testimony can start.
    for button in page.locator("#confirm-list button").all():
        button.click()
    expect(page.locator("#confirm-list button")).to_have_count(0)
    authority.evaluate(MEET, "authority")
    assert judge.evaluate(MEET, "judge") == []
    judge.evaluate(SEND, {"type": "testimony", "action": "start"})
    expect(status).to_have_text(EN["lobby.testimony"])
    expect(lobby).to_have_attribute("data-room", "running")
    # The authority stops the hearing: she reads that testimony is paused.
    authority.evaluate(SEND, {"type": "testimony", "action": "pause"})
    expect(status).to_have_text(EN["lobby.paused"])
    expect(lobby).to_have_attribute("data-room", "paused")
    # France compels witnesses: her consent is no condition here, so nothing offers to withdraw it.
    expect(page.get_by_role("region", name=EN["consent.heading"])).to_be_hidden()
    # Recording is not lawful in this hearing: nothing says it runs.
    expect(page.locator("#recording-notice")).to_be_hidden()
    screenshot(page, "join-room-paused")
    assert_accessible(page, "join-room-paused")

    # Her microphone and camera: pressed buttons, silent and dark tracks.
    microphone = page.get_by_role("button", name=EN["room.mute"])
    microphone.click()
    expect(microphone).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#controls-status")).to_have_text(EN["room.audio_off"])
    tracks = "kind => document.querySelector('#tiles figure[data-peer=self] video').srcObject"
    enabled = tracks + ".getTracks().filter((t) => t.kind === kind).every((t) => t.enabled)"
    assert page.evaluate(enabled, "audio") is False
    camera = page.get_by_role("button", name=EN["room.camera_off"])
    camera.click()
    expect(camera).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(enabled, "video") is False
    microphone.click()
    expect(microphone).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(enabled, "audio") is True

    # Leaving asks first; staying changes nothing.
    page.get_by_role("button", name=EN["room.leave"]).click()
    dialog = page.get_by_role("dialog", name=EN["room.leave_title"])
    dialog.get_by_role("button", name=EN["room.stay"]).click()
    expect(status).to_have_text(EN["lobby.paused"])
    page.get_by_role("button", name=EN["room.leave"]).click()
    dialog.get_by_role("button", name=EN["room.leave_confirm"]).click()
    expect(page.get_by_role("heading", name=EN["ended.left_heading"])).to_be_visible()
    expect(page.locator("#ended-text")).to_have_text(EN["ended.left"])
    # The protocol has no act of leaving yet: the judge sees her connection gone at once (the room
    # keeps the seat for its grace period, then records that she left).
    judge.wait_for_function("() => window.me.messages.some((m) => m.type === 'peer_reconnecting')")


def test_a_witness_whose_consent_is_a_condition_withdraws_it_and_testimony_stops(
    new_context: ContextFactory, live_service: LiveService, playwright: Playwright
) -> None:
    # Germany hears a witness by video only with her consent, which she may withdraw: a French
    # court's hearing of a witness in Germany rests on it.
    judge_api = french_judge(playwright, live_service)
    authority_api = StaffApi.sign_in(
        playwright, live_service, live_service.add_user("authority", "behoerde")
    )
    try:
        hearing = schedule(judge_api, authority=True, requested_state="DE")
        conditions = hearing["legal"]["decision"]["conditions"]
        assert "consent.person" in [c["id"] for c in conditions if c["stage"] == "during"]
        hearing = open_lobby(judge_api, hearing)
        hid = hearing["id"]
        issued = judge_api.invite(hearing, "witness")
        judge = staff_in_room(new_context, judge_api, hid, media=True)
        authority = staff_in_room(new_context, authority_api, hid, media=False)
    finally:
        authority_api.close()
        judge_api.close()
    judge.evaluate(SEND, {"type": "confirm_authority", "peer": admit(judge, "authority")})

    page = new_context().new_page()
    open_in_english(page, issued)
    check_devices_and_continue(page)
    consent = page.get_by_role("region", name=EN["consent.heading"])
    expect(consent).to_contain_text(EN["consent.before_admission"])
    read_notices_and_continue(page)
    enter_code(page, issued["code"])
    admit(judge, "witness")
    status = page.locator("#lobby-status")
    expect(status).to_have_text(EN["lobby.admitted"])
    withdraw = consent.get_by_role("button", name=EN["consent.withdraw"])
    expect(withdraw).to_be_enabled()

    # She gives her consent with her own click; the officials meet theirs; testimony starts.
    confirm = page.locator('#confirm-list li[data-condition="consent.person"] button')
    confirm.click()
    expect(confirm).to_have_count(0)
    authority.evaluate(MEET, "authority")
    assert judge.evaluate(MEET, "judge") == []
    judge.evaluate(SEND, {"type": "testimony", "action": "start"})
    expect(status).to_have_text(EN["lobby.testimony"])

    withdraw.click()
    dialog = page.get_by_role("dialog", name=EN["consent.confirm_title"])
    dialog.get_by_role("button", name=EN["consent.confirm"]).click()
    expect(page.locator("#consent-text")).to_have_text(EN["consent.withdrawn"])
    expect(withdraw).to_be_disabled()
    # The room stopped testimony and will not start it again.
    expect(status).to_have_text(EN["lobby.admitted"])
    judge.evaluate(SEND, {"type": "testimony", "action": "start"})
    judge.wait_for_function(
        "() => window.me.errors.some((e) => e.code === 'testimony.consent_withdrawn')"
    )
