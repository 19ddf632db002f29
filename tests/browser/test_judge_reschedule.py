"""The judge reschedules a hearing from its detail: the form opens with the hearing's values, the
legal decision follows the changed choices before anything is saved, only the changed fields are
sent, and afterwards the list and the detail show the new time in both states' local times. A
reschedule from a form filled before someone else's change is refused with a way to reload."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import ContextFactory, _contexts
from tests.browser.guards import ConsoleGuard, assert_accessible, screenshot
from tests.browser.live_service import LiveService, page_now
from tests.browser.staff_api import StaffApi
from tests.browser.test_story import WIDE, schedule, sign_in
from tests.hearings.kit import copy_profiles

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
PHONE: ViewportSize = {"width": 375, "height": 740}


def consent_unknown_profiles(target: Path) -> Path:
    """The shipped profiles with one fact made unknown for this test (never shipped): whether
    France requires a witness's consent. France compels witnesses (EJN fiche A.12), so on the
    shipped data a refusal changes nothing; here it turns the decision to `unknown`."""
    return copy_profiles(
        target,
        FR=lambda text: re.sub(
            r"^witness_consent_required = .*$",
            'witness_consent_required = "unknown"',
            text,
            count=1,
            flags=re.MULTILINE,
        ),
    )


@pytest.fixture(scope="module")
def consent_service(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    work = tmp_path_factory.mktemp("consent-service")
    profiles = consent_unknown_profiles(work / "profiles")
    with LiveService.running(work, VC_LEGAL_PROFILES_DIR=str(profiles)) as service:
        yield service


@pytest.fixture
def new_consent_context(
    browser: Browser, console: ConsoleGuard, consent_service: LiveService
) -> Iterator[ContextFactory]:
    yield from _contexts(browser, console, consent_service)


def day_after(page: Page, days: int, hour: int, minute: int) -> datetime:
    """A wall time in Berlin `days` after the page's today (the page's clock is the service's,
    which starts at a fixed instant: see conftest). Berlin and Paris share their clocks."""
    moment = page_now(page, BERLIN) + timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


def patch(api: StaffApi, path: str, **body: Any) -> dict[str, Any]:
    """Someone else's change, through the JSON API (StaffApi has no PATCH of its own)."""
    response = api.request.patch(
        path,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRF-Token": api.csrf},
    )
    assert response.ok, response.text()
    changed: dict[str, Any] = response.json()
    return changed


def open_reschedule(judge: Page) -> None:
    """By keyboard: the detail's Reschedule button opens the form and moves focus into it."""
    judge.get_by_role("button", name="Reschedule", exact=True).focus()
    judge.keyboard.press("Enter")
    expect(judge.locator("#reschedule-title")).to_be_focused()


def test_judge_reschedules_and_sees_the_new_decision_before_saving(
    new_consent_context: ContextFactory, consent_service: LiveService
) -> None:
    judge = new_consent_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, consent_service.add_user("judge", "judge"), "/judge")
    token = secrets.token_hex(2)
    reference = schedule(judge, person=f"Lena Vogel {token}", authority=f"Juge Petit {token}")
    detail = judge.locator("#detail")
    expect(detail).to_have_attribute("data-state", "scheduled")

    open_reschedule(judge)
    form = judge.locator("#reschedule-form")
    # Prefilled with the hearing as it is; what cannot change is shown, not offered.
    expect(form.get_by_label("The person's consent")).to_have_value("yes")
    expect(form.get_by_label("Duration in minutes")).to_have_value("30")
    expect(form.get_by_label("Venue in the requested state")).to_have_value(
        re.compile(r"^Tribunal judiciaire de Strasbourg, salle [0-9a-f]{4}$")
    )
    row = judge.locator("#hearing-list tr", has_text=reference)
    old_start = form.get_by_label("Start (your local time)").input_value()
    expect(row).to_contain_text(f"DE: {old_start.replace('T', ' ')}")
    expect(judge.locator("#rs-fixed")).to_contain_text("DE (your court) hears a person in FR")
    decision = judge.get_by_role("region", name="Legal decision with these changes")
    expect(decision).to_have_attribute("data-decision", "conditional")
    expect(decision.locator('li[data-condition="consent.person"]')).to_have_count(1)

    override = form.get_by_label("Reason to sit outside working hours").input_value()
    # A new day and time, and the witness now refuses consent: the decision follows at once.
    new_start = day_after(judge, 1, 11, 15)
    form.get_by_label("Start (your local time)").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    expect(judge.locator("#rs-starts-hint")).to_contain_text(
        f"venue time, Europe/Paris: {new_start:%Y-%m-%d %H:%M}"
    )
    form.get_by_label("The person's consent").select_option("no")
    expect(decision).to_have_attribute("data-decision", "unknown")
    expect(decision).to_contain_text("once saved, the hearing is a draft")
    expect(decision).to_contain_text("manual legal review")
    expect(decision.locator('li[data-condition="consent.person"]')).to_have_count(0)
    # Nothing is saved yet.
    expect(detail).to_have_attribute("data-state", "scheduled")
    screenshot(judge, "judge-reschedule")
    assert_accessible(judge, "judge-reschedule")

    judge.set_viewport_size(PHONE)
    screenshot(judge, "judge-reschedule-phone")
    assert judge.evaluate(WIDE) == []
    width = judge.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the judge's page is {width} px wide on a 375 px screen"

    with judge.expect_request(lambda r: r.method == "PATCH") as sent:
        form.get_by_role("button", name="Save the new schedule").focus()
        judge.keyboard.press("Enter")
    body: dict[str, Any] = sent.value.post_data_json or {}
    # Only what changed and the version the form was filled from; an override's reason, if the
    # hearing had one (it sat outside working hours), is sent again: the service drops an
    # override when the time moves.
    changed = {"version", "starts_at", "consent"} | (
        {"working_hours_override"} if override else set()
    )
    assert set(body) == changed, body
    assert body["consent"] == "no"

    expect(judge.locator("#message")).to_contain_text("back in draft")
    expect(detail).to_have_attribute("data-state", "draft")
    expect(judge.locator("#reschedule")).to_be_hidden()
    wall = f"{new_start:%Y-%m-%d %H:%M}"
    expect(judge.locator("#detail-times")).to_contain_text(f"Venue time, Europe/Paris: {wall}")
    expect(judge.locator("#detail-times")).to_contain_text(
        f"your court's time, Europe/Berlin: {wall}"
    )
    expect(row).to_contain_text(f"DE: {wall}")
    expect(row).to_contain_text(f"FR: {wall}")
    expect(row).to_contain_text("pending_review")


def test_a_reschedule_from_a_stale_form_is_refused_and_can_be_reloaded(
    new_context: ContextFactory, live_service: LiveService, judge_api: StaffApi
) -> None:
    hearing = judge_api.schedule(heard_role="accused")
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    # A second judge of the same court manages the same hearings.
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    judge.get_by_role("button", name=hearing["case_reference"]).click()
    open_reschedule(judge)
    form = judge.locator("#reschedule-form")
    start = form.get_by_label("Start (your local time)")

    # An accused who refuses consent bars the hearing (Dir 2014/41/EU Art 24(2)(a)): the form
    # says so before saving, and the service refuses it.
    consent = form.get_by_label("The person's consent")
    consent.select_option("no")
    decision = judge.get_by_role("region", name="Legal decision with these changes")
    expect(decision).to_have_attribute("data-decision", "barred")
    expect(decision).to_contain_text("saving them will be refused")
    expect(decision).to_contain_text("Art 24(2)(a)")
    form.get_by_role("button", name="Save the new schedule").click()
    # Said at the button that was pressed, in a sentence; the code only in the details line.
    refusal = judge.locator("#rs-save-error")
    expect(refusal.locator(".field-error")).to_contain_text("The law bars this hearing as chosen")
    expect(refusal.locator(".error-details")).to_contain_text("hearing.barred")
    consent.select_option("yes")
    expect(decision).to_have_attribute("data-decision", "conditional")

    # A field the service refuses is explained next to that field.
    start.fill(day_after(judge, -1, 10, 0).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Save the new schedule").click()
    expect(judge.locator("#rs-starts-error")).to_contain_text("Choose a start that is still ahead")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(start).to_be_focused()

    # Meanwhile someone else shortens the hearing.
    patch(
        judge_api, f"/api/hearings/{hearing['id']}", version=hearing["version"], duration_minutes=10
    )
    new_start = day_after(judge, 2, 9, 30)
    start.fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    with judge.expect_response(lambda r: r.request.method == "PATCH") as refused:
        form.get_by_role("button", name="Save the new schedule").click()
    assert refused.value.status == 409, refused.value.text()
    message = judge.locator("#rs-save-error")
    expect(message).to_contain_text("Someone else changed this hearing")
    reload = message.get_by_role("button", name="Reload the hearing")
    expect(reload).to_be_focused()
    expect(judge.locator("#rs-starts-error")).to_have_text("")

    # Reloading shows the other change; the judge's own change then goes through.
    reload.click()
    expect(form.get_by_label("Duration in minutes")).to_have_value("10")
    start.fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Save the new schedule").click()
    expect(judge.locator("#message")).to_contain_text(
        f"your court's time, Europe/Berlin: {new_start:%Y-%m-%d %H:%M}"
    )
    row = judge.locator("#hearing-list tr", has_text=hearing["case_reference"])
    expect(row).to_contain_text(f"FR: {new_start:%Y-%m-%d %H:%M}")
    expect(judge.locator("#detail")).to_have_attribute("data-state", "scheduled")
