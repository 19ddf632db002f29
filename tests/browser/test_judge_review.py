"""The judge records the legal review of a hearing whose legal decision is `unknown`.

With the shipped profiles a German court hearing a witness in Mexico in a civil case is `unknown`
(Mexico's Art 33 declaration excludes Chapter II commissioners, and whether a foreign court may
hear a person there without a treaty is not established): the service keeps such a hearing as a
draft and refuses invitations until a judge records what they checked. The detail shows what is not
known with its citations, offers no invitation, and takes a note; clearing schedules the hearing,
refusing (confirmed in a dialog of the page) cancels it; the recorded review is shown afterwards.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, Route, ViewportSize, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import SCREENSHOTS, assert_accessible, screenshot
from tests.browser.live_service import Account, LiveService
from tests.browser.staff_api import StaffApi, utc_text
from tests.browser.test_judge_reschedule import patch
from tests.browser.test_story import WIDE, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 375, "height": 740}
CASE = {"requesting": "DE", "requested": "MX", "proceeding": "civil", "role": "witness"}
NOTE = "Checked with the Federal Office of Justice (Bonn) and the Mexican central authority."
SHORT = "checked"


def schedule_unknown(api: StaffApi, person: str) -> dict[str, Any]:
    """A DE court hears a witness in Mexico (civil), two days ahead in a slot of its own (two
    hours apart: a test may lengthen its hearing, and one judge cannot sit twice at once)."""
    api.scheduled += 1
    start = api.service.now().replace(second=0, microsecond=0) + timedelta(
        days=2, hours=2 * api.scheduled
    )
    hearing: dict[str, Any] = api.post(
        "/api/hearings",
        requested_state="MX",
        venue=f"Juzgado de Distrito, sala {api.scheduled}",
        venue_time_zone="America/Mexico_City",
        proceeding="civil",
        case_reference=f"BR-{secrets.token_hex(3)}",
        starts_at=utc_text(start),
        duration_minutes=30,
        recording_requested=False,
        person_heard={"role": "witness", "name": person, "language": "en", "consent": "yes"},
        working_hours_override="browser tests run at any hour of the day",
    )
    assert hearing["state"] == "draft", hearing["state"]
    assert hearing["legal"]["status"] == "pending_review", hearing["legal"]
    return hearing


def open_hearing(judge: Page, hearing: dict[str, Any]) -> None:
    judge.get_by_role("button", name=hearing["case_reference"]).click()
    expect(judge.locator("#detail")).to_have_attribute("data-hearing", hearing["id"])


def press(judge: Page, name: str) -> None:
    """Keyboard only: focus the button and press Enter."""
    judge.get_by_role("button", name=name, exact=True).focus()
    judge.keyboard.press("Enter")


def judge_page(new_context: ContextFactory, live_service: LiveService) -> tuple[Page, Account]:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    # A second judge of the same court (the API's judge scheduled the hearings) reviews them.
    account = live_service.add_user("judge", "judge")
    sign_in(judge, account, "/judge")
    return judge, account


def test_the_judge_clears_an_unknown_hearing_which_is_then_scheduled(
    new_context: ContextFactory, live_service: LiveService, judge_api: StaffApi
) -> None:
    # The shipped profiles do not establish this case: the engine says `unknown`.
    decision = judge_api.post("/api/legal/check", **CASE, consent="yes")
    assert decision["decision"] == "unknown", decision["decision"]
    person = f"John Doe {secrets.token_hex(2)}"
    hearing = schedule_unknown(judge_api, person)
    judge, account = judge_page(new_context, live_service)
    open_hearing(judge, hearing)
    detail = judge.locator("#detail")
    expect(detail).to_have_attribute("data-state", "draft")

    # What is not known and why, each with its citation, as the scheduling form shows it.
    review = judge.get_by_role("region", name="Legal review")
    expect(review).to_be_visible()
    expect(review).to_contain_text("is not known for MX")
    expect(review).to_contain_text("profile field incoming.unilateral.civil: no source found [U]")
    expect(review).to_contain_text("Decision: unknown under No treaty route: Mexico law")
    # No invitation is offered while it is a draft, and the page says why.
    invitations = detail.locator("#invitation-list")
    expect(invitations.locator('li[data-role="witness"]')).to_contain_text("Not invited yet.")
    expect(invitations.get_by_role("button")).to_have_count(0)
    expect(detail.locator("#invitations-closed")).to_have_text(
        "Invitations can be issued once the hearing is scheduled."
        " Record the legal review above first."
    )
    expect(judge.get_by_role("button", name="Open the lobby")).to_be_hidden()

    note = review.get_by_label("Your review note")
    expect(note).to_have_accessible_description(re.compile("What you checked and with whom"))
    screenshot(judge, "judge-review")
    review.screenshot(path=str(SCREENSHOTS / "judge-review-section.png"), animations="disabled")
    assert_accessible(judge, "judge-review")

    # A note too short to say anything is refused next to the note, before anything is sent.
    sent: list[str] = []
    judge.on("request", lambda r: sent.append(r.url) if "/legal-review" in r.url else None)
    note.fill(SHORT)
    press(judge, "Clear the hearing (schedule it)")
    error = judge.locator("#review-note-error")
    expect(error).to_contain_text("at least 10 characters")
    expect(error).to_contain_text("what you checked and with whom")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_be_focused()
    assert sent == []

    # Should a short note reach the service all the same, its 422 shows next to the note too.
    def shorten(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        route.continue_(post_data=json.dumps({**body, "note": SHORT}))

    judge.route("**/legal-review", shorten)
    note.fill(NOTE)
    press(judge, "Clear the hearing (schedule it)")
    expect(error).to_contain_text("must be 10 to 2000 characters")
    expect(note).to_be_focused()
    judge.unroute("**/legal-review", shorten)
    expect(detail).to_have_attribute("data-state", "draft")

    # Meanwhile someone else lengthens the hearing: the review is refused, with a way to reload
    # that keeps the note.
    # A longer hearing is a new window: its working-hours override is given again.
    changed = patch(
        judge_api,
        f"/api/hearings/{hearing['id']}",
        version=hearing["version"],
        duration_minutes=45,
        working_hours_override="browser tests run at any hour of the day",
    )
    press(judge, "Clear the hearing (schedule it)")
    message = judge.locator("#review-message")
    expect(message).to_contain_text("changed by someone else")
    reload = message.get_by_role("button", name="Reload the hearing")
    expect(reload).to_be_focused()
    judge.keyboard.press("Enter")
    expect(judge.locator("#detail-times")).to_contain_text("45 minutes")
    expect(message).to_be_hidden()
    expect(note).to_have_value(NOTE)

    with judge.expect_request(lambda r: "/legal-review" in r.url) as request:
        press(judge, "Clear the hearing (schedule it)")
    body: dict[str, Any] = request.value.post_data_json or {}
    assert body == {"version": changed["version"], "outcome": "cleared", "note": NOTE}, body

    # Scheduled: the list and the detail say so, the review is on record, invitations open.
    expect(judge.locator("#message")).to_contain_text("cleared and scheduled")
    expect(detail).to_have_attribute("data-state", "scheduled")
    expect(judge.locator("#review-title")).to_be_focused()
    expect(review.locator("#review-form")).to_be_hidden()
    record = review.locator("#review-record")
    expect(record).to_contain_text("Cleared: the hearing was scheduled")
    expect(record).to_contain_text(NOTE)
    expect(record).to_contain_text(f"Judge {account.username} (judge)")
    row = judge.locator("#hearing-list tr", has_text=hearing["case_reference"])
    expect(row).to_contain_text("scheduled")
    expect(row).to_contain_text("reviewed")
    expect(detail.locator("#invitations-closed")).to_be_hidden()
    expect(judge.get_by_role("button", name="Open the lobby")).to_be_visible()
    witness = invitations.locator('li[data-role="witness"]')
    witness.get_by_role("button", name=f"Invite {person}").click()
    expect(witness.get_by_label("Code")).to_have_value(re.compile(r"^[0-9]{6}$"))
    screenshot(judge, "judge-review-cleared")
    assert_accessible(judge, "judge-review-cleared")


def test_the_judge_refuses_an_unknown_hearing_after_confirming_and_it_is_cancelled(
    new_context: ContextFactory, live_service: LiveService, judge_api: StaffApi
) -> None:
    hearing = schedule_unknown(judge_api, f"Jane Roe {secrets.token_hex(2)}")
    judge, _ = judge_page(new_context, live_service)
    open_hearing(judge, hearing)
    detail = judge.locator("#detail")
    review = judge.get_by_role("region", name="Legal review")
    review.get_by_label("Your review note").fill(
        "Asked the Mexican central authority: no permission for a foreign court to hear her."
    )

    # On a phone the review fits the screen: no sideways scrolling.
    judge.set_viewport_size(PHONE)
    review.scroll_into_view_if_needed()
    screenshot(judge, "judge-review-phone")
    assert judge.evaluate(WIDE) == []
    width = judge.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the judge's page is {width} px wide on a 375 px screen"

    # Refusing cancels the hearing, so the page asks first; Escape keeps the draft.
    press(judge, "Refuse (cancel the hearing)")
    dialog = judge.get_by_role("dialog", name="Refuse and cancel this hearing?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Asked the Mexican central authority")
    expect(dialog.get_by_role("button", name="No, keep it as a draft")).to_be_focused()
    assert_accessible(judge, "judge-review-refuse-dialog")
    judge.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(judge.get_by_role("button", name="Refuse (cancel the hearing)")).to_be_focused()
    expect(detail).to_have_attribute("data-state", "draft")

    press(judge, "Refuse (cancel the hearing)")
    with judge.expect_request(lambda r: "/legal-review" in r.url) as request:
        dialog.get_by_role("button", name="Yes, refuse and cancel the hearing").click()
    assert (request.value.post_data_json or {})["outcome"] == "refused"

    expect(judge.locator("#message")).to_contain_text("refused and cancelled")
    expect(detail).to_have_attribute("data-state", "cancelled")
    record = review.locator("#review-record")
    expect(record).to_contain_text("Refused: the hearing was cancelled")
    expect(record).to_contain_text("Asked the Mexican central authority")
    expect(detail.locator("#invitations-closed")).to_have_text(
        "No invitations can be issued: the hearing is cancelled."
    )
    expect(detail.locator("#invitation-list").get_by_role("button")).to_have_count(0)
    expect(judge.get_by_role("button", name="Reschedule")).to_be_hidden()
    row = judge.locator("#hearing-list tr", has_text=hearing["case_reference"])
    expect(row).to_contain_text("cancelled")
    assert judge.evaluate(WIDE) == []
