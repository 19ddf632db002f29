"""The staff pages' language is the signed-in person's own choice (issue 13 point 9): made with
the switch, it is kept with their account and follows them to any browser, whoever else used
it in between; before sign-in, and for someone who never chose, the browser's last choice, then
the browser's languages."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.live_service import Account, LiveService

pytestmark = pytest.mark.browser


# Each account's TOTP secret (from its enrolment) and the last time step whose code it used.
SECRETS: dict[str, str] = {}
LAST_STEP: dict[str, int] = {}


def sign_in(context: BrowserContext, service: LiveService, account: Account) -> None:
    """Sign in within `context` (its cookies), as the sign-in page does, enrolling on first use."""
    request = context.request
    request.get("/healthz")
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "vc_csrf")
    headers = {"X-CSRF-Token": csrf}
    step = request.post(
        "/api/auth/sign-in",
        data={"username": account.username, "password": account.password},
        headers=headers,
    ).json()
    if step["next"] == "enrol":
        SECRETS[account.username] = step["secret"]
    secret = SECRETS[account.username]
    # A code is accepted once per time step: a second sign-in waits for the next step. Steps are
    # counted on the service's clock (VC_CLOCK_START), as an authenticator app set to it would;
    # the service accepts a step either side, so an estimate a few seconds off still matches.
    while int(service.now().timestamp()) // 30 <= LAST_STEP.get(account.username, -1):
        time.sleep(0.25)
    current = int(service.now().timestamp()) // 30
    LAST_STEP[account.username] = current
    code = pyotp.TOTP(secret).at(current * 30)
    response = request.post(
        "/api/auth/second-factor", data={"ticket": step["ticket"], "code": code}, headers=headers
    )
    assert response.ok, response.text()


def sign_out(page: Page, label: str) -> None:
    page.get_by_role("button", name=label).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_each_person_keeps_their_own_language_on_a_shared_browser(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    anna = live_service.add_user("judge", prefix="anna")
    ben = live_service.add_user("clerk", prefix="ben")
    context = new_context(locale="fr-FR")
    page = context.new_page()

    sign_in(context, live_service, anna)
    page.goto("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Connecté en tant que"))
    page.get_by_label("Langue").select_option("de")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Angemeldet als"))
    sign_out(page, "Abmelden")
    # Nobody is signed in: the browser's last choice.
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")

    sign_in(context, live_service, ben)
    page.goto("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Angemeldet als"))
    page.get_by_label("Sprache").select_option("es")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    sign_out(page, "Cerrar sesión")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")

    # Anna's own choice wins over the browser's last one.
    sign_in(context, live_service, anna)
    page.goto("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Angemeldet als"))
    expect(page.get_by_label("Sprache")).to_have_value("de")


def test_the_language_follows_the_person_to_another_browser(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    carla = live_service.add_user("authority", prefix="carla")
    office = new_context(locale="fr-FR")
    page = office.new_page()
    sign_in(office, live_service, carla)
    page.goto("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Connecté en tant que"))
    # Saved with the account: the page asks the service to keep it.
    with page.expect_response("**/api/auth/preferences") as saved:
        page.get_by_label("Langue").select_option("de")
    assert saved.value.ok
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Angemeldet als"))
    courtroom = new_context(locale="en-GB")
    other = courtroom.new_page()
    other.goto("/sign-in")
    expect(other.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(courtroom, live_service, carla)
    other.goto("/home")
    expect(other.get_by_role("heading", level=1)).to_have_text(re.compile("^Angemeldet als"))
    expect(other.get_by_label("Sprache")).to_have_value("de")


def test_the_landing_page_reads_in_the_browsers_language_and_leads_to_sign_in(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    page = new_context(locale="es-ES").new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text("Declaraciones transfronterizas de testigos")).to_be_visible()
    page.get_by_role("link", name="Iniciar sesión").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(page).to_have_title("Iniciar sesión · vc-service")
