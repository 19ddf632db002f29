"""The home page says what the signed-in person can do next, per role, in their language, with
the next hearing's time in its zone; "Sign out" ends the session (issue 13 point 10). And the one
date-time format of the staff pages always shows the zone."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import Account, LiveService
from tests.browser.staff_api import StaffApi

pytestmark = pytest.mark.browser

# A fixed instant far from any test run's clock (a Tuesday, CET in Berlin): the home page shows
# it whatever the day the tests run.
NEXT_HEARING = datetime(2099, 3, 3, 9, 0, tzinfo=UTC)


def court_of_its_own(service: LiveService, state: str, zone: str) -> str:
    """A court no other test schedules in, so its lists hold only this test's hearings."""
    name = f"Home test court {secrets.token_hex(3)}"
    return service.cli("court", "add", name, "--state", state, "--tz", zone).strip()


def account_in(service: LiveService, court_id: str, role: str) -> Account:
    username = f"home-{role}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    service.cli(
        "user", "add", username, "--role", role, "--court", court_id,
        "--name", f"{role.title()} Home", stdin=password + "\n",
    )  # fmt: skip
    return Account(username, password, role)


class SignedIn:
    """A browser context holding `account`'s session (signed in through the API)."""

    def __init__(
        self,
        playwright: Playwright,
        service: LiveService,
        new_context: ContextFactory,
        account: Account,
        **options: object,
    ) -> None:
        self.api = StaffApi.sign_in(playwright, service, account)
        self.context: BrowserContext = new_context(
            storage_state=self.api.request.storage_state(), **options
        )


@pytest.fixture
def signed_in(
    playwright: Playwright, live_service: LiveService, new_context: ContextFactory
) -> Iterator[list[SignedIn]]:
    opened: list[SignedIn] = []
    yield opened
    for session in opened:
        session.api.close()


def open_home(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
    account: Account,
    **options: object,
) -> tuple[Page, SignedIn]:
    session = SignedIn(playwright, live_service, new_context, account, **options)
    signed_in.append(session)
    page = session.context.new_page()
    page.goto("/home")
    return page, session


# Per role: the next step's opening words, the listed item's (if any), the links.
NEXT_STEPS: dict[str, tuple[str, str, list[str]]] = {
    "judge": (
        "Schedule a hearing, or open one of your hearings",
        "You have no hearing",
        ["Hearings"],
    ),
    "clerk": (
        "Open the closed hearings to check each signed record",
        "No hearing has been closed",
        ["Closed hearings and signed records"],
    ),
    "authority": (
        "Open the hearings in your state; when the judge opens a room",
        "No hearing is scheduled in your state",
        ["Hearings in your state"],
    ),
    "admin": ("There is no page for administrators here", "", []),
}


@pytest.mark.parametrize("role", sorted(NEXT_STEPS))
def test_home_says_what_each_role_can_do_next(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
    role: str,
) -> None:
    # PL: no other browser test schedules a hearing requested from Poland.
    court = court_of_its_own(live_service, "PL", "Europe/Warsaw")
    page, _ = open_home(
        playwright, live_service, new_context, signed_in, account_in(live_service, court, role)
    )
    step, item, links = NEXT_STEPS[role]
    next_up = page.get_by_role("region", name="What you can do next")
    expect(next_up).to_contain_text(step)
    if item:
        expect(page.locator("#next-item")).to_contain_text(item)
    expect(page.get_by_role("navigation", name="Your pages").get_by_role("link")).to_have_text(
        links
    )
    expect(page.locator("#who")).to_contain_text(f"{role.title()} Home")
    screenshot(page, f"home-{role}")
    assert_accessible(page, f"home-{role}")


def test_home_shows_the_next_hearing_in_its_zone_in_german(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
) -> None:
    court = court_of_its_own(live_service, "DE", "Europe/Berlin")
    judge = account_in(live_service, court, "judge")
    page, session = open_home(
        playwright, live_service, new_context, signed_in, judge, locale="de-DE"
    )
    expect(page.locator("#next-item")).to_have_text("Sie haben noch keine Vernehmung geplant.")
    hearing = session.api.schedule()
    live_service.move_hearing(hearing["id"], NEXT_HEARING, NEXT_HEARING + timedelta(minutes=30))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angemeldet als Judge Home")
    expect(page.get_by_role("region", name="Was Sie als Nächstes tun können")).to_contain_text(
        "Planen Sie eine Vernehmung"
    )
    # In the judge's court's zone, with the zone named (German: "Di., 3. März 2099, 10:00 MEZ").
    expect(page.locator("#next-item")).to_have_text(
        re.compile(
            rf"^Ihre nächste Vernehmung: {re.escape(hearing['case_reference'])}, "
            r"Di\., 3\. März 2099, 10:00 MEZ \(Europe/Berlin\)\.$"
        )
    )
    # The language switch redoes the sentence and the date; the choice is kept on reload.
    page.get_by_label("Sprache").select_option("es")
    expect(page.locator("#next-item")).to_have_text(
        re.compile(r"^Su próxima declaración: .*mar 2099, 10:00 CET \(Europe/Berlin\)\.$")
    )
    page.reload()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def test_sign_out_from_home_ends_the_session(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
) -> None:
    court = court_of_its_own(live_service, "DE", "Europe/Berlin")
    page, _ = open_home(
        playwright, live_service, new_context, signed_in, account_in(live_service, court, "clerk"),
        locale="fr-FR",
    )  # fmt: skip
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    assert page.request.get("/api/auth/session").status == 401
    page.goto("/home")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/home$"))


def test_a_signed_in_visit_to_the_sign_in_page_offers_sign_out(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
) -> None:
    court = court_of_its_own(live_service, "DE", "Europe/Berlin")
    page, _ = open_home(
        playwright, live_service, new_context, signed_in, account_in(live_service, court, "judge")
    )
    page.goto("/sign-in")
    expect(page.locator("#signed-in")).to_contain_text("You are already signed in as Judge Home")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signed-in")).to_be_hidden()
    assert page.request.get("/api/auth/session").status == 401


def format_date_time(page: Page, *args: object) -> str:
    return str(
        page.evaluate(
            """async (args) => {
                const { formatDateTime } = await import("/static/js/staff-time.js");
                return formatDateTime(...args);
            }""",
            list(args),
        )
    )


PARIS = ["2027-03-02T09:00:00Z", "Europe/Paris"]
FORMATS = [
    ("en", PARIS, "Tue, Mar 2, 2027, 10:00 GMT+1 (Europe/Paris)"),
    (
        "en",
        [{"local": "2027-07-02T10:00+02:00", "time_zone": "Europe/Berlin"}],
        "Fri, Jul 2, 2027, 10:00 GMT+2 (Europe/Berlin)",
    ),
    ("en", ["2027-03-02T09:00:00Z", "UTC", {"seconds": True}], "Tue, Mar 2, 2027, 09:00:00 UTC"),
    (
        "en",
        ["2027-03-02T09:00:05Z", "Asia/Tokyo", {"date": False, "seconds": True}],
        "18:00:05 GMT+9 (Asia/Tokyo)",
    ),
    ("fr", PARIS, "mar. 2 mars 2027, 10:00 UTC+1 (Europe/Paris)"),
    ("de", PARIS, "Di., 2. März 2027, 10:00 MEZ (Europe/Paris)"),
    ("en", ["2027-03-02T09:00:00Z", "Not/AZone"], "Tue, Mar 2, 2027, 09:00 UTC"),
]


@pytest.mark.parametrize(("language", "args", "expected"), FORMATS)
def test_one_date_time_format_always_shows_the_zone(
    new_context: ContextFactory,
    live_service: LiveService,
    language: str,
    args: list[object],
    expected: str,
) -> None:
    page = new_context(locale=language, timezone_id="America/New_York").new_page()
    page.goto("/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The browser's own zone (New York here) never leaks into a time given with its zone.
    assert format_date_time(page, *args) == expected


def test_a_page_without_a_bar_gets_one_and_a_page_for_another_role_says_so(
    playwright: Playwright,
    live_service: LiveService,
    new_context: ContextFactory,
    signed_in: list[SignedIn],
) -> None:
    """What the judge, room, authority and clerk pages get from staff-page.js when they adopt
    it: the bar (name, language, sign-out) added to markup that has none, and the role check."""
    court = court_of_its_own(live_service, "DE", "Europe/Berlin")
    clerk = account_in(live_service, court, "clerk")
    page, _ = open_home(playwright, live_service, new_context, signed_in, clerk, locale="es-ES")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    page.evaluate(
        "document.querySelector('header.bar').remove(); document.getElementById('message').remove()"
    )
    started = page.evaluate(
        """async () => {
            const { startStaffPage } = await import("/static/js/staff-page.js");
            return await startStaffPage({ roles: ["judge"] });
        }"""
    )
    assert started is None
    expect(page.get_by_role("alert")).to_have_text(
        "Esta página no es para su función (letrado de la Administración de Justicia). "
        "Vuelva a su página de inicio para encontrar la suya."
    )
    bar = page.get_by_role("banner")
    expect(bar).to_contain_text("Clerk Home (letrado de la Administración de Justicia)")
    expect(bar.get_by_role("combobox", name="Idioma")).to_have_value("es")
    bar.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert page.request.get("/api/auth/session").status == 401
