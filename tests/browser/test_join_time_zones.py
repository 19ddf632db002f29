"""The hearing's start as a person abroad reads it (issue 13 point 4): the venue's local time
labelled with the venue's zone, and, when her browser's clock reads differently, her own local
time labelled with her browser's zone; never the venue's zone called hers.

Times are computed from the hearing the service scheduled (on its fixed clock, VC_CLOCK_START), in
fixed zones (the browser context's `timezone_id`), so the test passes whatever the machine's zone,
hour or date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import screenshot
from tests.browser.join_kit import own_judge, schedule
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_invitation import open_in_english

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def judge(playwright: Playwright, live_service: LiveService) -> Iterator[StaffApi]:
    """This module's own judge (join_kit.py says why)."""
    api = own_judge(playwright, live_service)
    yield api
    api.close()


def clock_pattern(moment: datetime) -> re.Pattern[str]:
    """English (Intl, `timeStyle: short`) writes 9:05 AM, with some space before AM."""
    hour = moment.hour % 12 or 12
    noon = "AM" if moment.hour < 12 else "PM"
    return re.compile(rf"\b{hour}:{moment.minute:02d}\s{noon}\b")


def test_a_witness_in_tokyo_sees_the_venue_time_and_her_own_each_labelled(
    new_context: ContextFactory, judge: StaffApi
) -> None:
    hearing = schedule(judge)  # the venue is in Strasbourg: Europe/Paris
    assert hearing["venue_timezone"] == "Europe/Paris"
    issued = judge.invite(hearing, "witness")
    start = datetime.fromisoformat(hearing["starts_at"].replace("Z", "+00:00"))

    page = new_context(timezone_id="Asia/Tokyo").new_page()
    open_in_english(page, issued)
    venue = page.locator("#hearing-when")
    mine = page.locator("#hearing-when-local")
    expect(venue).to_contain_text("at the venue (Europe/Paris)")
    expect(venue).to_contain_text(clock_pattern(start.astimezone(ZoneInfo("Europe/Paris"))))
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("where you are (Asia/Tokyo)")
    expect(mine).to_contain_text(clock_pattern(start.astimezone(ZoneInfo("Asia/Tokyo"))))
    # The zone the court wrote down for her is not called hers.
    expect(page.locator("#hearing")).not_to_contain_text("your time zone")
    screenshot(page, "join-time-zones")

    # In the venue's own zone one line says it all.
    here = new_context(timezone_id="Europe/Paris").new_page()
    open_in_english(here, issued)
    expect(here.locator("#hearing-when")).to_contain_text("at the venue (Europe/Paris)")
    expect(here.locator("#hearing-when-local")).to_be_hidden()
