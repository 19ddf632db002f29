"""The live room's other paths in real browsers: staff pages need a signed-in account; the room
is keyboard operable; the judge sees a participant whose network dropped as reconnecting and gets
their video back when they return; the judge denies someone in the lobby and that page says so."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import ConsoleGuard
from tests.browser.live_service import LiveService
from tests.browser.network_link import NetworkLink
from tests.browser.test_join_invitation import (
    EN,
    check_devices_and_continue,
    enter_code,
    open_in_english,
    read_notices_and_continue,
)
from tests.browser.test_story import (
    assert_video_playing,
    french_authority,
    prepare,
    schedule,
    sign_in,
)

pytestmark = pytest.mark.browser

PERSON = "Camille Moreau"
AUTHORITY = "Juge Bernard"


@pytest.mark.parametrize("path", ["/judge", "/authority", "/hearings/no-such-hearing/live"])
def test_staff_pages_send_a_visitor_to_sign_in(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_url(re.compile(r"/sign-in\?next=%2F|/sign-in\?next=/"))
    assert unquote(page.url.split("next=", 1)[1]) == path
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_judge_sees_a_dropped_participant_return_and_denies_another(
    new_context: ContextFactory, live_service: LiveService, console: ConsoleGuard, link: NetworkLink
) -> None:
    # Offline, the witness's reconnection attempts fail, and Chromium logs each one.
    console.allow(r"^WebSocket connection to '.*' failed")
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    reference = schedule(judge, PERSON, AUTHORITY)
    invitation = prepare(judge, PERSON)
    judge.get_by_role("link", name="Go to the live hearing").click()
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")

    # Keyboard only: the skip link comes first and leads to the content.
    judge.keyboard.press("Tab")
    expect(judge.get_by_role("link", name="Skip to content")).to_be_focused()
    judge.keyboard.press("Enter")
    expect(judge.locator("#main")).to_be_focused()

    witness_context = new_context(timezone_id="Europe/Paris", base_url=link.url)
    witness = witness_context.new_page()
    open_in_english(witness, {**invitation, "link": link.carrying(invitation["link"])})
    check_devices_and_continue(witness)
    read_notices_and_continue(witness)
    enter_code(witness, invitation["code"])
    lobby = judge.get_by_role("region", name="Waiting room")
    admit = lobby.get_by_role("button", name=f"Admit {PERSON}")
    admit.focus()
    judge.keyboard.press("Enter")
    expect(witness.locator("#lobby-status")).to_have_text(EN["lobby.admitted"])
    assert_video_playing(judge, remote_tiles=1)

    row = judge.locator('#people-list tr[data-role="witness"]')
    expect(row).to_contain_text("Connected")
    # The network goes (the link drops every byte, silently) and the browser says so.
    link.cut()
    witness_context.set_offline(True)
    # The server learns of the drop only from its WebSocket heartbeat (VC_WS_HEARTBEAT_SECONDS,
    # 10 s: noticed within 15 s): the witness's close frame never leaves her machine. The wait
    # leaves room for a loaded machine.
    expect(row).to_contain_text("Reconnecting…", timeout=45_000)
    link.restore()
    witness_context.set_offline(False)
    expect(row).to_contain_text("Connected")
    expect(witness.locator("#lobby-status")).to_have_text(EN["lobby.admitted"])
    assert_video_playing(judge, remote_tiles=1)
    assert_video_playing(witness, remote_tiles=1)

    authority = new_context(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(live_service), "/authority")
    authority.get_by_role("link", name=f"Join {reference}").click()
    expect(authority.locator("#room-status")).to_have_text("Waiting to be admitted.")
    lobby.get_by_role("button", name=f"Deny {AUTHORITY}").click()
    expect(authority.locator("#room-status")).to_have_text(
        "The judge did not admit you to this hearing."
    )


def test_with_the_shipped_profiles_the_room_refuses_to_record_de_fr_criminal(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    """The shipped profiles do not establish that recording a DE→FR criminal hearing is lawful
    (`unknown`, no source found): the judge's decision says so and the room does not offer it.
    The story where it is lawful runs on a test copy of the profiles (`test_story.py`)."""
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    schedule(judge, "Lucie Fabre", "Juge Dumas")  # checks the decision's "Recording: unknown"
    prepare(judge, "Lucie Fabre")
    judge.get_by_role("link", name="Go to the live hearing").click()
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")
    expect(judge.get_by_role("button", name="Start recording")).to_be_disabled()
    expect(judge.locator("#recording-state")).to_contain_text("not lawful")
    expect(judge.locator("#recording-state")).to_contain_text("rule: unknown")
