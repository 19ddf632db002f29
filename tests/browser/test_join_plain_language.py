"""A French witness reads her rights in French plain language: on the join page and in the room,
only the profiles' plain-language texts, each with its legal basis collapsed; never the engine's
English legal text, a profile field name or "[U]" (issue 11 point 5, issue 13 point 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from legal_profiles.plain import PLAIN_DIR, checked_texts, public_citation
from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.join_kit import judge_admits
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_invitation import FR
from tests.browser.test_join_lobby import open_hearing

pytestmark = pytest.mark.browser

INTERNAL = ("[U]", "profile field", "no source found")


def internal_text_in(text: str, decision: dict[str, Any]) -> list[str]:
    """Whatever a participant must never read: markers of unsourced facts, the engine's legal
    texts (English, for staff) and the ids of its reason rules."""
    found = [marker for marker in INTERNAL if marker in text]
    found += [c["text"] for c in decision["conditions"] if c["text"] in text]
    found += [r["rule"] for r in decision["reasons"] if r["rule"] in text]
    return found


def test_a_french_witness_reads_only_french_plain_language_with_the_legal_basis_collapsed(
    new_context: ContextFactory, judge_api: StaffApi
) -> None:
    hearing = open_hearing(judge_api)  # DE -> FR criminal, the witness speaks French
    decision = hearing["legal"]["decision"]
    during = [c for c in decision["conditions"] if c["stage"] == "during"]
    assert during, "the test needs notices to read"
    plain = checked_texts(PLAIN_DIR)
    issued = judge_api.invite(hearing, "witness")
    page = new_context().new_page()
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda data: frames.append(str(data))),
    )

    page.goto(issued["link"])
    expect(page.get_by_role("heading", level=1)).to_have_text(FR["page.title"])
    page.get_by_role("button", name=FR["devices.start"]).click()
    page.get_by_role("button", name=FR["actions.continue"]).click()
    expect(page.get_by_role("heading", name=FR["notices.heading"])).to_be_focused()

    notices = page.locator("#notice-list article")
    expect(notices).to_have_count(len(during))
    for condition in during:
        notice = page.locator(f'#notice-list article[data-notice="{condition["id"]}"]')
        french = plain.condition(condition["id"], condition["params"], "fr")
        assert french
        expect(notice.locator("p[lang=fr]")).to_have_text(french)
        # The legal basis is there, collapsed: a closed <details> whose citation is hidden.
        basis = notice.locator("details")
        expect(basis).not_to_have_attribute("open", "")
        expect(basis.locator("summary")).to_have_text(FR["notices.basis"])
        cited = basis.locator("p")
        expect(cited).to_be_hidden()
        citation = public_citation(condition["citation"])
        expect(cited).to_have_text(citation or FR["notices.basis_pending"])
    # No note about a missing translation: every text exists in French.
    expect(page.locator("#notice-list .translation-note")).to_have_count(0)
    shown = page.locator("main").inner_text()
    assert internal_text_in(shown, decision) == []
    english = [plain.condition(c["id"], c["params"], "en") for c in during]
    assert [text for text in english if text and text in shown] == []
    screenshot(page, "join-notices-plain-fr")
    assert_accessible(page, "join-notices-plain-fr")

    # Opening the legal basis shows the citation, still without any profile internals.
    first = notices.first.locator("details")
    first.locator("summary").click()
    expect(first.locator("p")).to_be_visible()

    page.get_by_label(FR["notices.ack"]).check()
    page.get_by_role("button", name=FR["actions.continue"]).click()
    page.get_by_label(FR["code.label"]).fill(issued["code"])
    page.get_by_role("button", name=FR["code.submit"]).click()
    expect(page.locator("#lobby-status")).to_have_text(FR["lobby.waiting"])

    judge_admits(new_context, judge_api, hearing["id"])
    expect(page.locator("#lobby-status")).to_have_text(FR["lobby.admitted"])
    page.wait_for_function("() => !document.getElementById('room-media').hidden")
    # The server sent the witness the conditions in plain language only.
    states = [
        m for m in (json.loads(f) for f in frames if f.startswith("{"))
        if m.get("type") == "room_state" and m.get("seat") == "admitted"
    ]  # fmt: skip
    assert states, "the room never told the witness its state"
    for state in states:
        assert internal_text_in(json.dumps(state, ensure_ascii=False), decision) == []
        assert [c["id"] for c in state["conditions"]] == [c["id"] for c in during]
        for condition in state["conditions"]:
            assert "text" not in condition
            assert condition["plain"]["fr"] == plain.condition(
                condition["id"],
                next(c["params"] for c in during if c["id"] == condition["id"]),
                "fr",
            )
    assert internal_text_in(page.locator("main").inner_text(), decision) == []


def test_a_notice_without_a_french_text_is_shown_in_english_with_a_note(
    new_context: ContextFactory, judge_api: StaffApi
) -> None:
    """Until a text exists in the page's language, the English one with a note in that language
    (the server gives every language it has; here the page drops French to stand for a language
    the profiles do not have yet)."""
    hearing = open_hearing(judge_api)
    issued = judge_api.invite(hearing, "witness")
    page = new_context().new_page()

    def without_french(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        for notice in body["notices"]:
            notice["plain"].pop("fr", None)
        route.fulfill(response=response, json=body)

    page.route(f"**/api/invite/{hearing['id']}", without_french)
    page.goto(issued["link"])
    page.get_by_role("button", name=FR["devices.start"]).click()
    page.get_by_role("button", name=FR["actions.continue"]).click()
    notice = page.locator("#notice-list article").first
    expect(notice.locator("p[lang=en]")).to_be_visible()
    expect(notice.locator(".translation-note")).to_have_text(
        FR["notices.not_translated"].replace("{language}", "français")
    )
