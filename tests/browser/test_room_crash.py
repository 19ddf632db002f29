"""The requested state's authority stops testimony, then the service dies (SIGKILL) and comes
back: the rebuilt room still stands stopped, the judge's page offers no start, and only the
authority resumes (EIO Art 24(5)(a), EU MLA 2000 Art 10(5)(a): its stop is its own to lift).
A service of its own, since the test kills it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ContextFactory, _contexts
from tests.browser.guards import ConsoleGuard
from tests.browser.live_service import LiveService, free_port
from tests.browser.test_room_state import AUTHORITY, meet, open_a_hearing
from tests.browser.test_story import french_authority, sign_in

pytestmark = pytest.mark.browser

# Reconnection attempts while the service is down fail, and Chromium logs each one.
_DOWN = r"^WebSocket connection to '.*' failed|Failed to load resource"


@pytest.fixture
def crashable(browser: Browser, tmp_path: Path) -> Iterator[tuple[LiveService, int]]:
    port = free_port()
    with LiveService.running(tmp_path, port=port) as service:
        yield service, port


@pytest.fixture
def on_crashable(
    browser: Browser, console: ConsoleGuard, crashable: tuple[LiveService, int]
) -> Iterator[ContextFactory]:
    console.allow(_DOWN)
    yield from _contexts(browser, console, crashable[0])


def crash_and_restart(service: LiveService, port: int) -> None:
    process = service._process
    assert process is not None
    process.kill()
    process.wait(timeout=10)
    # The restarted service's clock goes on from where this one stopped, not from its start.
    service.env["VC_CLOCK_START"] = service.now().isoformat()
    service._launch(f"127.0.0.1:{port}")


def test_an_authoritys_stop_survives_a_crash_and_only_the_authority_resumes(
    on_crashable: ContextFactory, crashable: tuple[LiveService, int]
) -> None:
    service, port = crashable
    judge: Page = on_crashable(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, service.add_user("judge", "judge"), "/judge")
    judge.wait_for_url(re.compile(r"^[^?]*/judge$"))
    hearing_id = open_a_hearing(judge, service)
    judge.goto(f"/hearings/{hearing_id}/live")
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")

    authority: Page = on_crashable(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(service), "/authority")
    authority.wait_for_url(re.compile(r"^[^?]*/authority$"))
    authority.goto(f"/hearings/{hearing_id}/live")
    lobby = judge.get_by_role("region", name="Waiting room")
    lobby.get_by_role("button", name=f"Admit {AUTHORITY}").click()
    judge.get_by_role("button", name="Confirm authority").click()
    meet(authority, "identity.verified", document="national_id", details="X4RTBPFW4")
    meet(authority, "authority.present")
    meet(authority, "authority.can_intervene")
    meet(authority, "rights.refusal_notified", details="Rights to refuse read aloud in French")
    meet(judge, "interpreter.available")
    judge.get_by_role("button", name="Start testimony").click()
    authority.get_by_role("button", name="Pause for fundamental principles").click()
    expect(judge.locator("#testimony-state")).to_have_text("Testimony is paused by authority.")

    crash_and_restart(service, port)

    # Both pages come back on their own (resume tokens, after their countdowns); the rebuilt
    # room starts in its lobby (it was paused) and the authority waits there again.
    expect(judge.locator("#room-status")).to_have_text(
        "In the hearing · room lobby.", timeout=45_000
    )
    expect(authority.locator("#room-status")).to_have_text(
        "Waiting to be admitted.", timeout=45_000
    )
    admit = lobby.get_by_role("button", name=f"Admit {AUTHORITY}")
    expect(admit).to_be_visible(timeout=45_000)
    admit.click()
    stopped = "Stopped by the requested state's authority; only it can resume testimony."
    for page in (judge, authority):
        expect(page.locator("#testimony-state")).to_have_text(stopped)
    expect(judge.get_by_role("button", name="Start testimony")).to_be_hidden()
    expect(judge.get_by_role("button", name="Resume testimony")).to_be_hidden()
    authority.get_by_role("button", name="Resume testimony").click()
    for page in (judge, authority):
        expect(page.locator("#testimony-state")).to_have_text("Testimony is running.")
