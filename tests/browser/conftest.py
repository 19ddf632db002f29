"""Browser tests: the real service in a subprocess, Debian's Chromium driven by Playwright.

One service and one browser per test package (they take seconds to start); each test gets its
own browser context (cookies, permissions, storage), so tests never see each other's state.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.guards import ConsoleGuard
from tests.browser.live_service import LiveService, free_port
from tests.browser.network_link import NetworkLink, network_link
from tests.browser.staff_api import INVITATION_LEAD_MINUTES, StaffApi
from tests.conftest import need_real_part
from tests.hearings.kit import patched_profiles

CHROMIUM = Path(os.environ.get("VC_TEST_CHROMIUM", "/usr/bin/chromium"))
# The flags that make WebRTC work on loopback with fake devices (see research/baselines.md).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
]
# Without the fake-UI flag Chromium asks the user about the camera; headless nobody answers,
# so getUserMedia is refused: a person clicking "Block".
FLAGS_WITHOUT_MEDIA_UI = [f for f in CHROMIUM_FLAGS if f != "--use-fake-ui-for-media-stream"]
ACTION_TIMEOUT_MS = 10_000
LOGIN_MAX_FAILURES = 3

ContextFactory = Callable[..., BrowserContext]


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        need_real_part(
            f"Chromium at {CHROMIUM}", "not installed; run scripts/install-browser.sh as root"
        )
    # One driver for the package: the sync API allows only one at a time.
    with sync_playwright() as driver:
        yield driver


def _launch(playwright: Playwright, flags: list[str]) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=flags, headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    yield from _launch(playwright, CHROMIUM_FLAGS)


@pytest.fixture(scope="package")
def browser_asking_for_media(playwright: Playwright) -> Iterator[Browser]:
    """A browser that leaves camera/microphone to each context's `permissions`."""
    yield from _launch(playwright, FLAGS_WITHOUT_MEDIA_UI)


@pytest.fixture(scope="package")
def link() -> Iterator[NetworkLink]:
    """A network between a participant's browser and `live_service` that a test can cut
    (`link.cut()`, `link.restore()`); pages reach the service over it from `link.url`."""
    with network_link() as relay:
        yield relay


@pytest.fixture(scope="package")
def live_service(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, link: NetworkLink
) -> Iterator[LiveService]:
    # Depends on `browser` so that a missing Chromium skips before the service starts.
    port = free_port()
    with LiveService.running(
        tmp_path_factory.mktemp("live-service"),
        port=port,
        # Few failures before a lock-out keep the lock-out story short.
        VC_LOGIN_MAX_FAILURES=str(LOGIN_MAX_FAILURES),
        VC_INVITATION_LEAD_MINUTES=str(INVITATION_LEAD_MINUTES),
        # Pages served over the cuttable link have its origin.
        VC_ALLOWED_ORIGINS=f"http://127.0.0.1:{port},{link.url}",
    ) as service:
        link.forward_to(port)
        yield service


@pytest.fixture(scope="package")
def lawful_service(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A second service whose legal profiles are a test copy making DE -> FR criminal recording
    lawful (`patched_profiles`: invented facts, never shipped), its recorder on 127.0.0.1.
    Started only by the tests that ask for it."""
    work = tmp_path_factory.mktemp("lawful-service")
    with LiveService.running(
        work,
        (sys.executable, "-m", "tests.browser.loopback_serve"),
        VC_LEGAL_PROFILES_DIR=str(patched_profiles(work / "profiles")),
    ) as service:
        yield service


@pytest.fixture
def new_lawful_context(
    browser: Browser, console: ConsoleGuard, lawful_service: LiveService
) -> Iterator[ContextFactory]:
    """`new_context` on the lawful-recording service."""
    yield from _contexts(browser, console, lawful_service)


@pytest.fixture(scope="package")
def judge_api(playwright: Playwright, live_service: LiveService) -> Iterator[StaffApi]:
    """A judge of the test court, signed in to the JSON API, who schedules and invites."""
    api = StaffApi.sign_in(playwright, live_service, live_service.add_user("judge", "judge"))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def console() -> ConsoleGuard:
    return ConsoleGuard()


def _contexts(
    browser: Browser, console: ConsoleGuard, live_service: LiveService
) -> Iterator[ContextFactory]:
    opened: list[BrowserContext] = []

    def new_context(**options: Any) -> BrowserContext:
        options.setdefault("base_url", live_service.base_url)
        context = browser.new_context(**options)
        # The pages' clock is the service's (VC_CLOCK_START), running from there.
        context.clock.install(time=live_service.now())
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        console.watch(context)
        opened.append(context)
        return context

    yield new_context
    for context in opened:
        context.close()
    console.check()


@pytest.fixture
def new_context(
    browser: Browser, console: ConsoleGuard, live_service: LiveService
) -> Iterator[ContextFactory]:
    """Open browser contexts (each a fresh profile); all are closed and checked at the end."""
    yield from _contexts(browser, console, live_service)


@pytest.fixture
def new_context_asking_for_media(
    browser_asking_for_media: Browser, console: ConsoleGuard, live_service: LiveService
) -> Iterator[ContextFactory]:
    """Contexts whose camera and microphone are refused unless `permissions` grants them."""
    yield from _contexts(browser_asking_for_media, console, live_service)


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    return new_context().new_page()
