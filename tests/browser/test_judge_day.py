"""The judge's hearing day on the judge's page (issue 13 points 4 to 8): the requesting state is the
court's, shown and not offered; a venue's time zone is asked where the state spans several, and the
hearing's times are labelled with their zones (the venue's, the court's, the judge's own when it
differs); a lost link is replaced by "Send a new link" and a code is never shown again after its
first display; the decision panel never keeps a previous answer; the list and the detail say the
same state; refusals are sentences next to the field or button, the code in a details line; the
list shows the offence scope. Instants come from the service's fixed clock (VC_CLOCK_START), which
the pages share (`page_now`)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import Account, LiveService, page_now
from tests.browser.test_story import sign_in

pytestmark = pytest.mark.browser

TOKYO = ZoneInfo("Asia/Tokyo")
PARIS = ZoneInfo("Europe/Paris")
CANARY = ZoneInfo("Atlantic/Canary")


def sign_in_judge(judge: Page, account: Account) -> None:
    """`test_story.sign_in`, then wait for the judge's page itself: its `**/judge` also matches
    the sign-in page's own address (`/sign-in?next=/judge`), so it can return too early."""
    sign_in(judge, account, "/judge")
    judge.wait_for_url(re.compile(r"/judge$"))
    expect(judge.locator("#requesting")).to_have_value(re.compile(r"^[A-Z]{2}$"))


def venue_wall_time(judge: Page, zone: ZoneInfo, days: int, hour: int = 10) -> datetime:
    """`hour`:00 at the venue on the first weekday `days` after the page's (the service's) today."""
    day = (page_now(judge, zone) + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def judge_of(live_service: LiveService, state: str, zone: str) -> Account:
    """A judge of a new court of `state`."""
    court = live_service.cli(
        "court", "add", f"Court {secrets.token_hex(2)}", "--state", state, "--tz", zone
    ).strip()
    account = Account(f"judge-{secrets.token_hex(3)}", secrets.token_urlsafe(12), "judge")
    live_service.cli(
        "user", "add", account.username, "--role", "judge", "--court", court,
        "--name", f"Judge {account.username}", stdin=account.password + "\n",
    )  # fmt: skip
    return account


# A call of the JSON API from the page itself, with its session and CSRF token.
FETCH = """async ([method, path, body, headers]) => {
  const session = await (await fetch("/api/auth/session")).json();
  const init = { method, headers: { ...headers, "X-CSRF-Token": session.csrf_token || "" } };
  if (body !== null) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  return { status: response.status, body: await response.json() };
}"""


def call(judge: Page, method: str, path: str, body: Any = None, **headers: str) -> Any:
    answer: dict[str, Any] = judge.evaluate(FETCH, [method, path, body, headers])
    return answer


def api(judge: Page, method: str, path: str, body: Any = None) -> Any:
    answer = call(judge, method, path, body)
    assert answer["status"] < 300, answer
    return answer["body"]


def schedule_fr(judge: Page, person: str, days: int = 7) -> dict[str, Any]:
    """A DE -> FR criminal (organised crime) hearing of a consenting witness, 10:00 in Paris."""
    start = venue_wall_time(judge, PARIS, days)
    hearing: dict[str, Any] = api(
        judge,
        "POST",
        "/api/hearings",
        {
            "requested_state": "FR",
            "venue": f"Tribunal judiciaire de Strasbourg, salle {secrets.token_hex(2)}",
            "proceeding": "criminal",
            "offence": "organized_crime",
            "case_reference": f"JD-{secrets.token_hex(3)}",
            "starts_at": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_minutes": 30,
            "recording_requested": False,
            "person_heard": {"role": "witness", "name": person, "language": "fr", "consent": "yes"},
            "working_hours_override": "the venue sits late for this hearing",
        },
    )
    return hearing


def open_detail(judge: Page, hearing: dict[str, Any]) -> None:
    judge.goto("/judge")
    judge.locator("#hearing-list").get_by_role("button", name=hearing["case_reference"]).click()
    expect(judge.locator("#detail")).to_have_attribute("data-hearing", hearing["id"])


def is_check(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/legal/check")


def test_the_court_state_is_shown_and_the_venue_zone_asked_and_labelled(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    # An Austrian court's judge working from Tokyo: three zones, each named where a time is shown.
    judge = new_context(timezone_id="Asia/Tokyo").new_page()
    sign_in_judge(judge, judge_of(live_service, "AT", "Europe/Vienna"))
    form = judge.locator("#create-form")
    requesting = form.get_by_label("Your court's state")
    expect(requesting).to_have_value("AT")
    expect(requesting).not_to_be_editable()
    expect(judge.locator("select#requesting")).to_have_count(0)
    requested = form.get_by_label("Requested state (where the person is)")
    # The court's own state is not offered: a hearing there is not this service's case.
    expect(requested.locator('option[value="AT"]')).to_have_count(0)
    with judge.expect_request(is_check) as asked:
        requested.select_option("ES")
    body = asked.value.post_data_json
    assert body is not None
    assert body["requesting"] == "AT"

    # Spain spans two clocks (the Canaries): the venue's zone is asked, not guessed.
    zone = form.get_by_label("Venue's time zone")
    expect(zone).to_have_value("")
    expect(judge.locator("#venue-zone-hint")).to_contain_text("several time zones")
    start = venue_wall_time(judge, CANARY, 28)
    form.get_by_label("Name of the person heard").fill(f"Lucía Pérez {secrets.token_hex(2)}")
    form.get_by_label("Their language").select_option("es")
    reference = f"AT-{secrets.token_hex(3)}"
    form.get_by_label("Case reference").fill(reference)
    form.get_by_label("Venue in the requested state").fill("Juzgado n.º 2, Las Palmas")
    starts = form.get_by_label("Start (your local time)")
    expect(starts).to_have_accessible_description(re.compile("^Your time zone: Asia/Tokyo"))
    starts.fill(start.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Offence", exact=True).select_option("corruption")
    form.get_by_label("Reason to sit outside working hours").fill("the venue sits late for us")
    form.get_by_role("button", name="Schedule the hearing").click()
    # Not filled in: said next to the zone, which gets the focus; nothing was sent.
    expect(zone).to_be_focused()
    expect(judge.locator("#venue-zone-error")).to_have_text("Choose “Venue's time zone”.")

    zone.select_option("Atlantic/Canary")
    expect(judge.locator("#starts-hint")).to_have_text(
        f"Venue time, Atlantic/Canary: {start:%Y-%m-%d %H:%M} {start.tzname()}"
    )
    screenshot(judge, "judge-venue-zone")
    assert_accessible(judge, "judge-venue-zone")
    form.get_by_role("button", name="Schedule the hearing").click()
    expect(judge.locator("#detail-title")).to_contain_text(reference)
    times = judge.locator("#detail-times")
    expect(times).to_contain_text(
        f"Venue time, Atlantic/Canary: {start:%Y-%m-%d %H:%M} {start.tzname()}"
    )
    vienna = start.astimezone(ZoneInfo("Europe/Vienna"))
    expect(times).to_contain_text(
        f"your court's time, Europe/Vienna: {vienna:%Y-%m-%d %H:%M} {vienna.tzname()}"
    )
    tokyo = start.astimezone(TOKYO)
    # Chromium names Tokyo's offset "GMT+9" where Python says "JST".
    expect(judge.locator("#detail-own-time")).to_have_text(
        f"Your time, Asia/Tokyo: {tokyo:%Y-%m-%d %H:%M} GMT+9"
    )
    # The list line: the venue's time in its zone, and the offence scope.
    row = judge.locator("#hearing-list tr", has_text=reference)
    expect(row).to_contain_text(f"ES: {start:%Y-%m-%d %H:%M} {start.tzname()} (Atlantic/Canary)")
    expect(row).to_contain_text("corruption (UNCAC)")


def test_a_lost_link_is_replaced_and_a_code_is_shown_only_once(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in_judge(judge, live_service.add_user("judge", "judge"))
    person = f"Camille Martin {secrets.token_hex(2)}"
    hearing = schedule_fr(judge, person)
    open_detail(judge, hearing)
    witness = judge.locator('#invitation-list li[data-role="witness"]')
    witness.get_by_role("button", name=f"Invite {person}").click()
    old_link = witness.get_by_label("Link").input_value()
    old_code = witness.get_by_label("Code").input_value()

    # After a reload the code is gone for good; the page offers a new link instead.
    open_detail(judge, hearing)
    expect(witness).to_contain_text("Invitation active")
    expect(witness).not_to_contain_text(old_code)
    expect(witness.get_by_label("Code")).to_have_count(0)
    again = witness.get_by_role("button", name=f"Send a new link to {person}")
    assert_accessible(judge, "judge-invitation-active")
    again.click()
    new_link = witness.get_by_label("Link").input_value()
    new_code = witness.get_by_label("Code").input_value()
    assert new_link != old_link and re.fullmatch(r"[0-9]{6}", new_code)
    expect(judge.locator("#message")).to_contain_text("the old link and code no longer work")

    # The old link is void; the service recorded the replacement.
    old_token = old_link.split("#", 1)[1]
    answer = call(judge, "GET", f"/api/invite/{hearing['id']}", **{"X-Invitation-Token": old_token})
    assert answer["status"] in (401, 403, 410), answer
    assert answer["body"]["error"]["code"] == "invitation.superseded"
    open_detail(judge, hearing)
    expect(witness).not_to_contain_text(new_code)


def test_the_decision_never_keeps_an_old_answer(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in_judge(judge, live_service.add_user("judge", "judge"))
    form = judge.locator("#create-form")
    decision = judge.get_by_role("region", name="Legal decision", exact=True)
    form.get_by_label("Requested state (where the person is)").select_option("MX")
    form.get_by_label("Proceeding").select_option("civil")
    expect(decision).to_have_attribute("data-decision", "unknown")
    expect(decision.locator('[data-part="outcome"]')).to_contain_text("saved as a draft")
    expect(decision.locator('[data-part="reasons"] li').first).to_be_visible()

    # A date the service cannot read (a five-digit year): no decision, and nothing of the old.
    with judge.expect_response(lambda r: is_check(r.request)) as answered:
        form.locator("#starts").fill("20271-03-02T10:00")
        form.locator("#starts").dispatch_event("change")
    assert answered.value.status == 422
    expect(decision).to_have_attribute("data-decision", "error")
    expect(decision.locator('[data-part="verdict"]')).to_have_text(
        "No decision: Enter a complete date with a four-digit year."
    )
    expect(decision.locator('[data-part="outcome"]')).to_be_hidden()
    expect(decision.locator('[data-part="reasons"] li')).to_have_count(0)
    expect(decision.locator('[data-part="conditions"] li')).to_have_count(0)

    # Another pair: only its own answer shows, the draft warning is gone.
    form.locator("#starts").fill("")
    form.get_by_label("Requested state (where the person is)").select_option("FR")
    form.get_by_label("Proceeding").select_option("criminal")
    expect(decision).to_have_attribute("data-decision", "conditional")
    expect(decision.locator('[data-part="outcome"]')).to_be_hidden()
    expect(decision.locator('li[data-condition="authority.present"]')).to_have_count(1)


def test_refusals_are_sentences_next_to_what_caused_them(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in_judge(judge, live_service.add_user("judge", "judge"))
    hearing = schedule_fr(judge, f"Jeanne Roux {secrets.token_hex(2)}")
    open_detail(judge, hearing)

    # Opening the lobby before the conditions: said at the button, with the code apart.
    judge.get_by_role("button", name="Open the lobby").click()
    slot = judge.locator("#open-lobby-error")
    expect(slot.locator(".field-error")).to_have_text(
        "Record the conditions to meet before the hearing first (listed above), then open the "
        "lobby."
    )
    expect(slot.locator(".error-details")).to_contain_text("Details: hearing.conditions_unmet")
    expect(judge.locator("#message")).to_be_hidden()

    # A start in the past on the scheduling form: a sentence at the start field, no log line.
    form = judge.locator("#create-form")
    form.get_by_label("Name of the person heard").fill(f"Paul Noir {secrets.token_hex(2)}")
    form.get_by_label("Case reference").fill(f"PAST-{secrets.token_hex(2)}")
    form.get_by_label("Venue in the requested state").fill("Tribunal de Lille")
    past = page_now(judge, ZoneInfo("Europe/Berlin")) - timedelta(days=1)
    starts = form.get_by_label("Start (your local time)")
    starts.fill(past.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Schedule the hearing").click()
    start_error = judge.locator("#starts-error")
    expect(start_error.locator(".field-error")).to_have_text(
        "Choose a start that is still ahead: this one has already passed."
    )
    expect(start_error.locator(".error-details")).to_contain_text("time.in_past")
    expect(form).not_to_contain_text("[time.in_past]")
    expect(starts).to_be_focused()
    assert_accessible(judge, "judge-refusals")


def test_the_list_shows_the_offence_and_the_state_the_detail_shows(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in_judge(judge, live_service.add_user("judge", "judge"))
    hearing = schedule_fr(judge, f"Jules Blanc {secrets.token_hex(2)}")
    open_detail(judge, hearing)
    row = judge.locator(f'#hearing-list tr[data-hearing="{hearing["id"]}"]')

    # Each condition met, then the lobby: the detail and the list say the same state.
    before = judge.locator("#before-list")
    while before.get_by_role("button").count():
        item = before.locator("li", has=judge.get_by_role("button")).first
        condition = item.get_attribute("data-condition")
        item.get_by_role("button").click()
        expect(before.locator(f'li[data-condition="{condition}"]')).to_contain_text("Met:")
    judge.get_by_role("button", name="Open the lobby").click()
    expect(judge.locator("#detail")).to_have_attribute("data-state", "open")
    expect(judge.locator("#detail-title")).to_contain_text("· open")
    expect(row.locator("td").last).to_have_text("conditional")
    expect(row).to_contain_text("open")
    expect(row).not_to_contain_text("scheduled")
    # The offence scope of a criminal hearing is in its line.
    expect(row).to_contain_text("organised crime (UNTOC)")
