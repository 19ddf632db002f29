"""The authority's page: a cosigning key made in the browser, and one sealed record cosigned."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.guards import assert_accessible, screenshot


def create_key(authority: Page, name: str) -> str:
    """Make the browser's key under `name`; returns the key ID the page shows."""
    expect(authority.locator("#key-status")).to_have_text("No cosigning key in this browser yet.")
    authority.get_by_label("Key name").fill(name)
    authority.get_by_role("button", name="Create a key in this browser").click()
    expect(authority.locator("#key-status")).to_contain_text(f"your cosigning key {name}")
    shown = authority.locator("#key-id").inner_text()
    assert re.fullmatch(r"[0-9a-f]{8}", shown), shown
    return shown


def wait_for_sealed_row(page: Page, reference: str) -> None:
    # Sealing runs in the background after the end; the list shows sealed records only.
    row = page.locator("#sealed-list tr", has_text=reference)
    for _ in range(120):
        if row.count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(row).to_have_count(1)


def cosign(authority: Page, reference: str, hearing_id: str, key_name: str) -> None:
    """Review the sealed record of `reference` and cosign it with the browser's key."""
    wait_for_sealed_row(authority, reference)
    row = authority.locator("#sealed-list tr", has_text=reference)
    expect(row).to_contain_text("Nobody yet")
    row.get_by_role("button", name=f"Review and cosign {reference}").click()
    review = authority.get_by_role("region", name=f"Cosign the record of {reference}")
    expect(review).to_be_focused()
    expect(review.locator("#review-origin")).to_have_text(re.compile(f"/hearing/{hearing_id}$"))
    screenshot(authority, "authority-cosign-review")
    assert_accessible(authority, "authority-cosign-review")
    review.get_by_role("button", name="Cosign this record").click()
    expect(authority.locator("#cosign-message")).to_have_text(
        f"You cosigned the record of {reference} as {key_name}."
    )
    expect(row).to_contain_text(key_name)
    expect(row).to_contain_text(re.compile(r"Cosigned \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"))
