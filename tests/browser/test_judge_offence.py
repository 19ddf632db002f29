"""The offence scope on the judge's page: an "Offence" select shown for criminal proceedings only,
passed to the live legal decision, saved with the hearing, shown in its detail, and shown and
changed in the reschedule form. A civil hearing offers no offence anywhere."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import LiveService, page_now
from tests.browser.staff_api import StaffApi
from tests.browser.test_story import sign_in

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")


def start_in(page: Page, days: int) -> datetime:
    """10:00 in Berlin `days` after the page's today (the page's clock is the service's, which
    starts at a fixed instant: see conftest)."""
    moment = page_now(page, BERLIN) + timedelta(days=days)
    return moment.replace(hour=10, minute=0, second=0, microsecond=0)


def is_check(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/legal/check")


def sent(request: Request) -> dict[str, Any]:
    body: dict[str, Any] = request.post_data_json or {}
    return body


def test_judge_schedules_an_organised_crime_hearing_and_changes_its_offence(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge: Page = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    form = judge.locator("#create-form")
    offence = form.get_by_label("Offence", exact=True)
    decision = judge.get_by_role("region", name="Legal decision", exact=True)
    expect(judge.locator("#requesting")).to_have_value("DE")
    form.get_by_label("Requested state (where the person is)").select_option("FR")
    form.get_by_label("Proceeding").select_option("criminal")
    expect(offence).to_be_visible()
    expect(offence).to_have_value("")

    # The live decision is asked with the scope, and says which scope it answered.
    with judge.expect_request(is_check) as asked:
        offence.select_option(label="Organised crime (UNTOC)")
    assert sent(asked.value)["offence"] == "organized_crime"
    expect(decision.locator('[data-part="verdict"]')).to_contain_text(
        "Offence: organised crime (UNTOC)"
    )

    # Civil proceedings have no offence scope: the select goes, and so does the scope.
    with judge.expect_request(is_check) as asked:
        form.get_by_label("Proceeding").select_option("civil")
    assert "offence" not in sent(asked.value)
    expect(offence).to_be_hidden()
    expect(decision.locator('[data-part="verdict"]')).not_to_contain_text("Offence:")
    form.get_by_label("Proceeding").select_option("criminal")
    expect(offence).to_be_visible()
    expect(offence).to_have_value("")
    offence.select_option(label="Organised crime (UNTOC)")
    expect(decision.locator('[data-part="verdict"]')).to_contain_text(
        "Offence: organised crime (UNTOC)"
    )
    screenshot(judge, "judge-offence")
    assert_accessible(judge, "judge-offence")

    token = secrets.token_hex(2)
    reference = f"4 KLs {secrets.randbelow(900) + 100}/26"
    start = start_in(judge, 30)
    form.get_by_label("Name of the person heard").fill(f"Mara Keller {token}")
    form.get_by_label("Their language").select_option("fr")
    form.get_by_label("Authority of the requested state (name)").fill(f"Juge Morel {token}")
    form.get_by_label("Case reference").fill(reference)
    form.get_by_label("Venue in the requested state").fill(
        f"Tribunal judiciaire de Colmar, salle {token}"
    )
    form.get_by_label("Start (your local time)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Duration in minutes").fill("45")
    form.get_by_label("Reason to sit outside working hours").fill("browser tests run on any day")
    with judge.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/api/hearings")
    ) as answered:
        form.get_by_role("button", name="Schedule the hearing").click()
    assert sent(answered.value.request)["offence"] == "organized_crime"
    saved: dict[str, Any] = answered.value.json()
    assert answered.value.status == 201, saved
    assert saved["offence"] == "organized_crime"
    assert saved["legal"]["decision"]["offence"] == "organized_crime"
    expect(judge.locator("#detail-title")).to_contain_text(reference)
    expect(judge.locator("#detail-offence")).to_have_text("Offence: organised crime (UNTOC)")

    # The reschedule form shows the scope; a new one is judged live and sent alone.
    judge.get_by_role("button", name="Reschedule", exact=True).click()
    rs_form = judge.locator("#reschedule-form")
    rs_offence = rs_form.get_by_label("Offence", exact=True)
    expect(rs_offence).to_have_value("organized_crime")
    rs_decision = judge.get_by_role("region", name="Legal decision with these changes")
    expect(rs_decision.locator('[data-part="verdict"]')).to_contain_text(
        "Offence: organised crime (UNTOC)"
    )
    with judge.expect_request(is_check) as asked:
        rs_offence.select_option(label="Corruption (UNCAC)")
    assert sent(asked.value)["offence"] == "corruption"
    expect(rs_decision.locator('[data-part="verdict"]')).to_contain_text(
        "Offence: corruption (UNCAC)"
    )
    with judge.expect_request(lambda r: r.method == "PATCH") as patched:
        rs_form.get_by_role("button", name="Save the new schedule").click()
    assert sent(patched.value) == {"version": saved["version"], "offence": "corruption"}
    expect(judge.locator("#detail-offence")).to_have_text("Offence: corruption (UNCAC)")

    # Back to "not specified": sent as null, which clears the scope.
    judge.get_by_role("button", name="Reschedule", exact=True).click()
    expect(rs_offence).to_have_value("corruption")
    rs_offence.select_option(label="Not specified")
    with judge.expect_request(lambda r: r.method == "PATCH") as patched:
        rs_form.get_by_role("button", name="Save the new schedule").click()
    assert sent(patched.value)["offence"] is None
    expect(judge.locator("#detail-offence")).to_have_text("Offence: not specified")


def test_a_civil_hearing_offers_no_offence(
    new_context: ContextFactory, live_service: LiveService, judge_api: StaffApi
) -> None:
    start = live_service.now().replace(microsecond=0) + timedelta(days=40)
    civil: dict[str, Any] = judge_api.post(
        "/api/hearings",
        requested_state="FR",
        venue=f"Tribunal judiciaire de Mulhouse, salle {secrets.token_hex(2)}",
        proceeding="civil",
        case_reference=f"7 O {secrets.randbelow(900) + 100}/26",
        starts_at=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        duration_minutes=30,
        recording_requested=False,
        person_heard={
            "role": "witness",
            "name": f"Luc Bernard {secrets.token_hex(2)}",
            "language": "fr",
            "consent": "yes",
        },
        working_hours_override="browser tests run on any day",
    )
    assert civil["offence"] is None
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    judge.get_by_role("button", name=civil["case_reference"]).click()
    expect(judge.locator("#detail")).to_have_attribute("data-hearing", civil["id"])
    expect(judge.locator("#detail-offence")).to_be_hidden()
    judge.get_by_role("button", name="Reschedule", exact=True).click()
    expect(judge.locator("#reschedule-title")).to_be_focused()
    expect(judge.locator("#rs-offence")).to_be_hidden()
