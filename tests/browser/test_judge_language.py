"""The judge's page is a staff page like the others (issue 13 points 8-10): a German court's judge
works in German (here from the browser's language): the form's labels, the legal decision's own
words, the list and the detail; a refusal reads as a German sentence next to the field it is
about, the API's code only in the details line; a field left empty is said next to it in German
too; "Abmelden" in the bar ends the session. The engine's condition and reason texts stay in the
service's legal language (they are not the page's words). Instants come from the service's fixed
clock, which the page shares (`page_now`)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible
from tests.browser.live_service import LiveService, page_now
from tests.browser.staff_api import StaffApi
from tests.browser.test_judge_day import api, venue_wall_time

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
PARIS = ZoneInfo("Europe/Paris")


def test_a_german_judge_schedules_in_german_and_signs_out(
    playwright: Playwright, new_context: ContextFactory, live_service: LiveService
) -> None:
    account = live_service.add_user("judge", "richterin")  # a court in DE (Europe/Berlin)
    staff = StaffApi.sign_in(playwright, live_service, account)
    try:
        context = new_context(
            storage_state=staff.request.storage_state(), locale="de-DE", timezone_id="Europe/Berlin"
        )
    finally:
        staff.close()
    judge = context.new_page()
    judge.goto("/judge")

    # The page in German: title, headings, the form's labels and options.
    expect(judge.get_by_role("heading", level=1)).to_have_text("Anhörungen")
    expect(judge).to_have_title("Anhörungen · vc-service")
    form = judge.locator("#create-form")
    expect(form.get_by_label("Staat Ihres Gerichts")).to_have_value("DE")
    expect(judge.locator("#requesting-hint")).to_contain_text("der ersuchende Staat jeder Anhörung")
    requested = form.get_by_label("Ersuchter Staat (wo sich die Person befindet)")
    expect(requested).to_have_value("FR")
    expect(judge.locator("#venue-zone-hint")).to_have_text(
        "FR hat eine einzige Uhrzeit: Europe/Paris."
    )
    expect(form.get_by_label("Verfahren")).to_have_value("criminal")
    expect(form.get_by_label("Verfahren").locator("option:checked")).to_have_text("Strafsache")
    expect(form.get_by_role("button", name="Anhörung anberaumen")).to_be_visible()

    # The legal decision's own words in German; the regime's name is the service's.
    decision = judge.get_by_role("region", name="Rechtliche Entscheidung", exact=True)
    form.get_by_label("Straftat", exact=True).select_option("organized_crime")
    expect(decision.locator('[data-part="verdict"]')).to_have_text(
        re.compile(r"^Entscheidung: .+\. Straftat: organisierte Kriminalität \(UNTOC\)\.$")
    )
    expect(decision.locator('[data-part="recording"]')).to_have_text(re.compile(r"^Aufzeichnung: "))

    # A field left empty: said next to it, in German, before anything is sent.
    form.get_by_role("button", name="Anhörung anberaumen").click()
    name = form.get_by_label("Name der angehörten Person")
    expect(name).to_be_focused()
    expect(judge.locator("#person-name-error")).to_have_text(
        "Füllen Sie „Name der angehörten Person“ aus."
    )

    # The service's refusal: a German sentence at the start field, the code in the details line.
    name.fill(f"Camille Martin {secrets.token_hex(2)}")
    form.get_by_label("Aktenzeichen").fill(f"VERG-{secrets.token_hex(2)}")
    form.get_by_label("Vernehmungsort im ersuchten Staat").fill("Tribunal judiciaire de Lille")
    past = page_now(judge, BERLIN) - timedelta(days=1)
    starts = form.get_by_label("Beginn (Ihre Ortszeit)")
    starts.fill(past.strftime("%Y-%m-%dT%H:%M"))
    with judge.expect_response(
        lambda r: r.url.endswith("/api/hearings") and r.request.method == "POST"
    ) as refused:
        form.get_by_role("button", name="Anhörung anberaumen").click()
    assert refused.value.status == 422, refused.value.text()
    error = judge.locator("#starts-error")
    expect(error.locator(".field-error")).to_have_text(
        "Wählen Sie einen Beginn, der noch bevorsteht: Dieser ist bereits vorbei."
    )
    expect(error.locator(".error-details")).to_have_text(re.compile(r"^Details: time\.in_past"))
    expect(starts).to_be_focused()
    expect(starts).to_have_attribute("aria-invalid", "true")
    assert "starts_at" not in form.inner_text()
    assert_accessible(judge, "judge-german")

    # The list and the detail in German (a hearing scheduled through the API).
    start = venue_wall_time(judge, PARIS, 7)
    reference = f"DE-FR-{secrets.token_hex(3)}"
    hearing = api(
        judge,
        "POST",
        "/api/hearings",
        {
            "requested_state": "FR",
            "venue": f"Tribunal judiciaire de Strasbourg, salle {secrets.token_hex(2)}",
            "proceeding": "criminal",
            "offence": "corruption",
            "case_reference": reference,
            "starts_at": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_minutes": 30,
            "recording_requested": False,
            "person_heard": {
                "role": "witness", "name": "Camille Martin", "language": "fr", "consent": "yes",
            },
            "working_hours_override": "the venue sits late for this hearing",
        },
    )  # fmt: skip
    judge.reload()
    row = judge.locator(f'#hearing-list tr[data-hearing="{hearing["id"]}"]')
    expect(row).to_contain_text("Camille Martin (Zeuge/Zeugin)")
    expect(row).to_contain_text("Korruption (UNCAC)")
    expect(row).to_contain_text("anberaumt")
    row.get_by_role("button", name=reference).click()
    expect(judge.locator("#detail-title")).to_have_text(f"Anhörung {reference} · anberaumt")
    expect(judge.locator("#detail-offence")).to_have_text("Straftat: Korruption (UNCAC)")
    expect(judge.locator("#detail-times")).to_contain_text(
        f"Ortszeit, Europe/Paris: {start:%Y-%m-%d %H:%M}"
    )
    expect(judge.get_by_role("button", name="Camille Martin einladen")).to_be_visible()
    # Opening the lobby before the conditions: a German sentence at the button.
    judge.get_by_role("button", name="Warteraum öffnen").click()
    expect(judge.locator("#open-lobby-error .field-error")).to_have_text(
        re.compile(r"^Halten Sie zuerst die vor der Anhörung zu erfüllenden Bedingungen fest")
    )
    expect(judge.locator("#open-lobby-error .error-details")).to_have_text(
        re.compile(r"^Details: hearing\.conditions_unmet")
    )

    # A switch redraws what was drawn from data too (the list's cells), and is kept with the
    # account: the next page opens in it.
    with judge.expect_response(
        lambda r: r.url.endswith("/api/auth/preferences") and r.request.method == "PUT"
    ) as saved:
        judge.get_by_role("banner").get_by_role("combobox", name="Sprache").select_option("fr")
    assert saved.value.ok
    expect(judge.get_by_role("heading", level=1)).to_have_text("Audiences")
    expect(row).to_contain_text("Camille Martin (témoin)")
    expect(row).to_contain_text("fixée")
    expect(judge.locator("#detail-title")).to_have_text(f"Audience {reference} · fixée")
    judge.reload()
    expect(judge.get_by_role("heading", level=1)).to_have_text("Audiences")
    with judge.expect_response(
        lambda r: r.url.endswith("/api/auth/preferences") and r.request.method == "PUT"
    ) as saved:
        judge.get_by_role("banner").get_by_role("combobox", name="Langue").select_option("de")
    assert saved.value.ok
    expect(judge.get_by_role("heading", level=1)).to_have_text("Anhörungen")

    # Sign out from the bar: the session ends on the server, and the sign-in page opens.
    judge.get_by_role("banner").get_by_role("button", name="Abmelden").click()
    expect(judge).to_have_url(re.compile(r"/sign-in$"))
    assert judge.request.get("/api/auth/session").status == 401
