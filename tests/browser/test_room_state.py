"""The live room shows one state, rendered from it (issue 13 points 7, 11, 12), in real
browsers: conditions met before the hearing read as met; a refused "start testimony" goes once
testimony runs; the authority records how it met each condition (the document's type and
number, the statement read); the `after` condition is asked of the authority and listed when
the judge ends; after the end no one reads as connected."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.live_service import LiveService
from tests.browser.staff_api import utc_text
from tests.browser.test_story import french_authority, meet, sign_in

pytestmark = pytest.mark.browser

PERSON = "Inès Garnier"
AUTHORITY = "Juge Rolland"


# The pages' own API module, so that a request goes as the judge's pages send theirs.
_CALL = """async ([path, body]) => {
  const { api, setCsrfToken } = await import("/static/js/api.js");
  setCsrfToken((await api("GET", "/api/auth/session")).csrf_token);
  try {
    return { status: 200, body: await api("POST", path, body) };
  } catch (error) {
    return { status: error.status, body: { code: error.code, message: error.message } };
  }
}"""


def post(page: Page, path: str, **body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate(_CALL, [path, body])
    assert answer["status"] in (200, 201), answer
    return dict(answer["body"])


def open_a_hearing(
    judge: Page,
    service: LiveService,
    person: str = PERSON,
    venue: str = "Tribunal judiciaire de Colmar, salle R",
    authority: str = AUTHORITY,
) -> str:
    """Through the judge's signed-in browser session: a DE→FR criminal hearing starting within
    the invitation lead of the service's clock, its `before` conditions met, its lobby open.
    Returns its id. (The judge's form and its before-conditions list have their own tests.)
    Another test's hearing at the same time names other people and venue (no double booking)."""
    start = service.now().replace(microsecond=0) + timedelta(minutes=7)
    hearing = post(
        judge,
        "/api/hearings",
        requested_state="FR",
        venue=venue,
        proceeding="criminal",
        case_reference=f"RS-{start:%H%M%S}",
        starts_at=utc_text(start),
        duration_minutes=30,
        recording_requested=False,
        person_heard={
            "role": "witness",
            "name": person,
            "language": "fr",
            "time_zone": "Europe/Paris",
            "consent": "yes",
        },
        # An authority seat scheduled by name only: the authority's account claims it.
        participants=[{"role": "authority", "name": authority}],
        working_hours_override="browser tests run at any hour of the day",
    )
    path = f"/api/hearings/{hearing['id']}"
    for condition in hearing["legal"]["decision"]["conditions"]:
        if condition["stage"] == "before":
            hearing = post(
                judge,
                f"{path}/conditions/{condition['id']}",
                version=hearing["version"],
                note="done",
            )
    post(judge, f"{path}/open", version=hearing["version"])
    return str(hearing["id"])


def conditions(page: Page, stage: str) -> list[str]:
    found: list[str] = page.locator(f'#condition-list li[data-stage="{stage}"]').evaluate_all(
        "items => items.map((item) => item.dataset.condition)"
    )
    return found


def test_the_room_renders_one_state_from_the_before_conditions_to_the_end(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge = new_context(timezone_id="Europe/Berlin").new_page()
    sign_in(judge, live_service.add_user("judge", "judge"), "/judge")
    judge.wait_for_url(re.compile(r"^[^?]*/judge$"))  # signed in, not the sign-in page's ?next
    hearing_id = open_a_hearing(judge, live_service)
    judge.goto(f"/hearings/{hearing_id}/live")
    expect(judge.locator("#room-status")).to_contain_text("In the hearing")

    # Every condition met before the lobby opened reads as met, by the judge, before the hearing.
    before = conditions(judge, "before")
    assert before, "the hearing has conditions met before it"
    for cid in before:
        item = judge.locator(f'#condition-list li[data-condition="{cid}"]')
        expect(item).to_have_class("met")
        expect(item).to_contain_text("Recorded by the judge before the hearing")

    # A refusal is shown while it is true, and goes once the room moves on.
    judge.get_by_role("button", name="Start testimony").click()
    message = judge.locator("#message")
    expect(message).to_contain_text("(perm.state)")

    authority = new_context(timezone_id="Europe/Paris").new_page()
    sign_in(authority, french_authority(live_service), "/authority")
    authority.wait_for_url(re.compile(r"^[^?]*/authority$"))
    authority.goto(f"/hearings/{hearing_id}/live")
    expect(authority.locator("#room-status")).to_have_text("Waiting to be admitted.")
    lobby = judge.get_by_role("region", name="Waiting room")
    lobby.get_by_role("button", name=f"Admit {AUTHORITY}").click()
    expect(judge.locator("#room-status")).to_have_text("In the hearing · room session.")
    expect(message).to_be_hidden()
    # Until the judge confirms who holds the seat, its holder is not the authority.
    expect(authority.locator("#testimony-state")).to_contain_text(
        "The judge has not confirmed you as the authority yet"
    )
    judge.get_by_role("button", name="Confirm authority").click()
    expect(authority.locator("#testimony-state")).to_have_text("Not running.")
    expect(judge.get_by_role("button", name="Confirm authority")).to_have_count(0)

    # The authority says how it met each condition; a document needs its number.
    identity = authority.locator('#condition-list li[data-condition="identity.verified"]')
    expect(identity.get_by_label("How was it met?")).to_have_value("identity_document")
    identity.get_by_label("Document type").select_option("passport")
    identity.get_by_role("button", name="Confirm: identity.verified").click()
    # The browser refuses the empty number (required): nothing was sent.
    expect(identity).to_have_class("unmet")
    assert identity.get_by_label("Details").evaluate("input => !input.validity.valid")
    meet(authority, "identity.verified", document="passport", details="19FV54321")
    meet(authority, "authority.present")
    meet(authority, "authority.can_intervene")
    statement = "Rights to refuse read aloud in French"
    meet(authority, "rights.refusal_notified", details=statement)
    shown = judge.locator('#condition-list li[data-condition="identity.verified"]')
    expect(shown).to_contain_text(
        "(authority) · Identity document checked (Passport no. 19FV54321)"
    )
    rights = judge.locator('#condition-list li[data-condition="rights.refusal_notified"]')
    expect(rights).to_contain_text(f"Statement read out ({statement})")
    judge.get_by_role("button", name="Start testimony").click()
    expect(message).to_contain_text("interpreter.available (testimony.conditions_unmet)")
    meet(judge, "interpreter.available")
    expect(message).to_be_hidden()
    judge.get_by_role("button", name="Start testimony").click()
    expect(judge.locator("#testimony-state")).to_have_text("Testimony is running.")
    expect(message).to_be_hidden()

    # The `after` condition is asked of the role that meets it, and listed when the judge ends.
    assert conditions(judge, "after") == ["minutes.drawn_up"]
    ask = authority.locator("#after-ask")
    expect(ask).to_contain_text(
        "Before the judge ends the hearing, please confirm: minutes.drawn_up"
    )
    expect(judge.locator("#after-ask")).to_be_hidden()
    judge.get_by_role("button", name="End hearing").click()
    dialog = judge.locator("#end-dialog")
    expect(dialog.locator("#end-open-after")).to_contain_text(
        "Still open: minutes.drawn_up (met by the requested state's authority)"
    )
    dialog.get_by_role("button", name="No, go back").click()
    meet(authority, "minutes.drawn_up", details="PV 2026/0412")
    expect(ask).to_be_hidden()
    judge.get_by_role("button", name="End hearing").click()
    expect(dialog.locator("#end-open-after")).to_be_hidden()
    dialog.get_by_role("button", name="Yes, end the hearing").click()

    # After the end: nobody reads as connected, nothing can be met or started.
    for page in (judge, authority):
        expect(page.locator("#room-status")).to_have_text("The hearing has ended.")
        expect(page.locator("#testimony-state")).to_have_text("The hearing has ended.")
        cells = page.locator("#people-list td:nth-child(2)")
        expect(cells.first).to_have_text("Hearing ended")
        assert not [t for t in cells.all_inner_texts() if t != "Hearing ended"]
        expect(page.locator("#people-list")).not_to_contain_text(re.compile("Connected"))
        expect(page.locator("#condition-list form")).to_have_count(0)
        expect(page.locator("#message")).to_be_hidden()
