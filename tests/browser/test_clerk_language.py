"""The clerk's page is a staff page like the others (issue 13 points 8-10): in the clerk's
language (here French, from the browser's), the verification's sentence and its numbered checks
included; the hearing's start in the one date-time format with its zone; a language switch
redraws what was drawn from data; "Sign out" in the bar ends the session; and an error reads as
a sentence next to the button that caused it, the API's code only in a details line.

The hearing is held and ended through the API and the room's WebSocket (test_clerk_verify), in
the service's test court; the clerk (whose own zone is UTC) signs in through the API and opens
the page in a French browser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_clerk_verify import LISTED, hold_and_end, wait_for_sealed

pytestmark = pytest.mark.browser


def test_the_clerk_page_in_french_verifies_signs_out_and_explains_an_error(
    playwright: Playwright,
    new_context: ContextFactory,
    live_service: LiveService,
    judge_api: StaffApi,
) -> None:
    hearing = hold_and_end(judge_api, live_service)
    reference = hearing["case_reference"]
    clerk_api = StaffApi.sign_in(playwright, live_service, live_service.add_user("clerk", "clerk"))
    try:
        context = new_context(storage_state=clerk_api.request.storage_state(), locale="fr-FR")
    finally:
        clerk_api.close()
    page = context.new_page()
    page.goto("/clerk")
    wait_for_sealed(page, hearing["id"])

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Audiences closes et leurs dossiers signés"
    )
    expect(page).to_have_title("Audiences closes · vc-service")
    row = page.locator("#hearings tbody tr", has_text=reference)
    expect(row).to_contain_text("Scellée")
    # The start in the one format: French words, the clerk's own zone (UTC here) named.
    [listed] = [h for h in page.evaluate(LISTED) if h["id"] == hearing["id"]]
    starts = datetime.fromisoformat(listed["starts_at"]).astimezone(UTC)
    start = row.locator("td").nth(1)
    french = rf"^\S+ {starts.day} \S+ {starts.year}, {starts:%H:%M} UTC$"
    expect(start).to_have_text(re.compile(french))

    row.get_by_role("button", name="Vérifier").click()
    summary = page.locator("#verification-summary")
    expect(summary).to_have_text(
        re.compile(rf"^Prouvé : le dossier de l’affaire {re.escape(reference)} \(\d+ événements\)")
    )
    expect(summary).to_contain_text("non prouvé : la date de son scellement")
    expect(summary).to_contain_text("personne hors du service ne l’a contresigné")
    expect(
        page.get_by_role("heading", name=f"Vérification de l’affaire {reference}")
    ).to_be_visible()
    page.get_by_text("Les 11 contrôles techniques, dans l’ordre").click()
    steps = page.locator("#verification-steps li")
    expect(steps.first).to_have_text(
        re.compile(r"^Réussi : éléments de confiance tirés de la politique seulement — ")
    )
    # The verifier's technical detail after the title stays its own (English) words, marked so.
    expect(steps.first.locator('span[lang="en"]')).not_to_be_empty()
    expect(steps.nth(5)).to_have_text(
        re.compile(
            r"^Non vérifié : heure indépendante \(RFC 3161\)\. Pourquoi : le dossier ne porte"
        )
    )
    expect(steps.nth(4)).to_have_text(re.compile(r"^Non vérifié : cosignatures et quorum\. "))
    expect(page.locator("#verification-key")).to_contain_text(", nom de la clé ")
    expect(
        page.get_by_role("link", name="Télécharger la clé publique du journal (log.pem)")
    ).to_be_visible()
    assert_accessible(page, "clerk-french")

    # A switch redraws what was drawn from data, in the new language, and back.
    bar = page.get_by_role("banner")
    bar.get_by_role("combobox", name="Langue").select_option("de")
    expect(summary).to_have_text(re.compile(rf"^Nachgewiesen: Die Akte zu {re.escape(reference)}"))
    expect(steps.nth(5)).to_have_text(re.compile(r"^Nicht geprüft: unabhängige Zeit \(RFC 3161\)"))
    expect(start).to_have_text(
        re.compile(rf"^\S+, {starts.day}\. \S+ {starts.year}, {starts:%H:%M} UTC$")
    )
    expect(row.get_by_role("button", name="Aufzeichnungen zu " + reference)).to_be_visible()
    # The choice is kept with the account: the other tab below opens in it once it is saved.
    with page.expect_response(
        lambda r: r.url.endswith("/api/auth/preferences") and r.request.method == "PUT"
    ) as saved:
        page.get_by_role("banner").get_by_role("combobox", name="Sprache").select_option("fr")
    assert saved.value.ok
    expect(summary).to_have_text(re.compile(r"^Prouvé : "))

    # Sign-out from the bar, in another tab of the same browser: the session ends on the server.
    other = context.new_page()
    other.goto("/clerk")
    other.get_by_role("banner").get_by_role("button", name="Se déconnecter").click()
    expect(other).to_have_url(re.compile(r"/sign-in$"))
    assert other.request.get("/api/auth/session").status == 401

    # The first tab does not know yet: its next action is refused, and says so next to the
    # button, as a sentence in French; the code only in the details line.
    verify = row.get_by_role("button", name="Vérifier")
    verify.click()
    error = page.locator(f"#verify-{hearing['id']}-error")
    expect(error.locator(".field-error")).to_have_text(
        "Votre session a pris fin. Connectez-vous à nouveau."
    )
    expect(error.locator(".error-details")).to_have_text(re.compile(r"^Détails : auth\.required"))
    expect(verify).to_have_attribute("aria-describedby", f"verify-{hearing['id']}-error")
    expect(page.locator("#verification")).to_be_hidden()
    expect(page.locator("#message")).to_be_hidden()
    assert "sign in first" not in page.locator("main").inner_text()
