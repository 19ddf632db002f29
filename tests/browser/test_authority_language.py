"""The authority's page in the authority's own language (issue 13 points 9, 10), in a real
browser: a French authority reads its list of hearings in French, the person heard's role and
the hearing's state in words, each time in the one staff format with its zone named (the
venue's, then the court's), and signs out from the page's bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ContextFactory
from tests.browser.live_service import LiveService
from tests.browser.test_home_language import sign_in
from tests.browser.test_room_state import open_a_hearing
from tests.browser.test_story import french_authority

pytestmark = pytest.mark.browser

PERSON = "Chloé Masson"
AUTHORITY = "Juge Marchal"


def test_a_french_authority_reads_its_page_in_french_and_signs_out(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    judge_context = new_context(timezone_id="Europe/Berlin")
    judge = judge_context.new_page()
    sign_in(judge_context, live_service, live_service.add_user("judge", "judge"))
    judge.goto("/home")  # the service's origin, for the requests open_a_hearing sends
    hearing_id = open_a_hearing(
        judge, live_service, PERSON, "Tribunal judiciaire de Nancy, salle 4", AUTHORITY
    )

    context = new_context(locale="fr-FR", timezone_id="Europe/Paris")
    authority = context.new_page()
    sign_in(context, live_service, french_authority(live_service))
    authority.goto("/authority")
    expect(authority.locator("html")).to_have_attribute("lang", "fr")
    expect(authority.get_by_role("heading", level=1)).to_have_text("Audiences dans votre État")
    row = authority.locator(f'#hearing-list tr[data-hearing="{hearing_id}"]')
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text(f"{PERSON} (témoin)")
    # Each time in the one staff format, named by its zone: the venue's, then the court's.
    expect(cells.nth(2)).to_have_text(re.compile(r"^\D.* \d\d:\d\d .*\(Europe/Paris\)$"))
    expect(cells.nth(3)).to_have_text(re.compile(r"^DE : \D.* \d\d:\d\d .*\(Europe/Berlin\)$"))
    expect(cells.nth(4)).to_have_text("ouverte")
    expect(row.get_by_role("link", name=re.compile(r"^Rejoindre RS-"))).to_have_attribute(
        "href", f"/hearings/{hearing_id}/live"
    )
    expect(authority.get_by_role("heading", name="Journaux scellés")).to_be_visible()

    # The bar's sign-out ends the session: the page, and this page again, go to sign in.
    authority.get_by_role("button", name="Se déconnecter").click()
    expect(authority).to_have_url(re.compile(r"/sign-in$"))
    authority.goto("/authority")
    expect(authority).to_have_url(re.compile(r"/sign-in\?next="))
