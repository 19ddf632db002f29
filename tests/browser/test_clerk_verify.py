"""The clerk's verification page says what was proven and what was not (issue 13, point 14),
gives the log's public key for the offline check (point 15), and opens the minutes as the court's
document (point 13).

A hearing with no cosigner and no time-stamping authority: the page must not read "Passed:
independent time (RFC 3161)" nor count "0 cosigners, quorum 0" as passed. It leads with one plain
sentence, the numbered checks are behind a <details> the clerk opens, and the `log.pem` it
downloads verifies the bundle's checkpoint with stock openssl (VERIFY.md's step 1).

The hearing is held through the JSON API and the room's WebSocket (no browser needed for it):
scheduled, its `before` conditions met, the lobby opened, the judge joins and ends it; the
service seals it in the background.
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.sync_api import Page, expect

from signaling.protocol import PROTOCOL_VERSION
from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_story import sign_in
from tests.closing.test_clerk_keys import openssl_checks_checkpoint, verified

pytestmark = pytest.mark.browser


def hold_and_end(judge: StaffApi, live_service: LiveService) -> dict[str, Any]:
    """Schedule a hearing that opens now, meet its `before` conditions, open the lobby, and end
    it from the judge's seat over the room's WebSocket. Returns the hearing as scheduled."""
    hearing = judge.schedule()
    hid = hearing["id"]
    current = judge.get(f"/api/hearings/{hid}")
    for condition in current["legal"]["decision"]["conditions"]:
        if condition["stage"] == "before" and condition["id"] not in current["conditions_met"]:
            current = judge.post(
                f"/api/hearings/{hid}/conditions/{condition['id']}",
                version=current["version"],
                note="Done.",
            )
    judge.post(f"/api/hearings/{hid}/open", version=current["version"])
    credential = judge.post(f"/api/hearings/{hid}/join")["credential"]
    ws_url = live_service.base_url.replace("http://", "ws://") + f"/ws/hearings/{hid}"
    # Playwright's sync API runs its own loop in this thread: the WebSocket gets a thread.
    with ThreadPoolExecutor(1) as thread:
        ending = end_over_websocket(ws_url, live_service.base_url, credential)
        thread.submit(asyncio.run, ending).result()
    return hearing


async def end_over_websocket(url: str, origin: str, credential: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, origin=origin, timeout=aiohttp.ClientWSTimeout(ws_close=10)) as ws,
    ):
        await ws.send_json({"type": "hello", "v": PROTOCOL_VERSION, "session": credential})
        await until(ws, "welcome")
        await ws.send_json({"type": "end", "reason": "heard"})
        await until(ws, "closed")


async def until(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(20):
        async for message in ws:
            data: dict[str, Any] = message.json()
            if data.get("type") == "error":
                raise AssertionError(data)
            if data.get("type") == kind:
                return data
    raise AssertionError(f"the room closed before {kind!r}")


# The page's own fetch carries the clerk's session cookie.
FETCHED = """async (href) => {
  const answer = await fetch(href);
  return { policy: answer.headers.get("content-security-policy"), text: await answer.text() };
}"""
LISTED = "async () => (await (await fetch('/api/clerk/hearings')).json()).hearings"


def wait_for_sealed(clerk: Page, hearing_id: str) -> None:
    """Sealing runs in the background after the end: ask the clerk's API (with the page's
    session) until the hearing is sealed, then show the page as the clerk would find it."""
    for _ in range(240):
        listed = clerk.evaluate(LISTED)
        if any(h["id"] == hearing_id and h["sealed"] for h in listed):
            clerk.reload()
            return
        clerk.wait_for_timeout(250)
    raise AssertionError(f"hearing {hearing_id} was not sealed within 60 s")


def test_the_verification_says_what_was_not_checked_and_gives_the_log_key(
    new_context: ContextFactory, live_service: LiveService, judge_api: StaffApi, tmp_path: Path
) -> None:
    hearing = hold_and_end(judge_api, live_service)
    reference = hearing["case_reference"]
    clerk = new_context().new_page()
    sign_in(clerk, live_service.add_user("clerk", "clerk"), "/clerk")
    # sign_in's "**/clerk" also matches /sign-in?next=/clerk: wait for the clerk's own page.
    expect(clerk).to_have_url(re.compile(r"^[^?]*/clerk$"))
    wait_for_sealed(clerk, hearing["id"])
    row = clerk.locator("#hearings tbody tr", has_text=reference)
    row.get_by_role("button", name="Verify").click()

    summary = clerk.locator("#verification-summary")
    expect(summary).to_contain_text("Proven: the record of case")
    expect(summary).to_contain_text("complete, unchanged since it was sealed")
    expect(summary).to_contain_text("not proven: when it was sealed")
    expect(summary).to_contain_text("nobody outside the service countersigned it")
    assert "every check passed" not in summary.inner_text()

    # The numbered checks are there on demand, closed at first.
    details = clerk.locator("#verification-details")
    steps = clerk.locator("#verification-steps li")
    expect(steps).to_have_count(11)
    expect(steps.first).not_to_be_visible()
    clerk.get_by_text("The 11 technical checks, in order").click()
    expect(details).to_have_attribute("open", "")
    expect(steps.nth(5)).to_have_text(re.compile(r"^Not checked: independent time \(RFC 3161\)"))
    expect(steps.nth(5)).to_contain_text("no RFC 3161 timestamp")
    expect(steps.nth(4)).to_have_text(re.compile(r"^Not checked: cosignatures and quorum"))
    expect(clerk.locator('#verification-steps li[data-status="passed"]')).to_have_count(9)
    for text in ("Passed: independent time", "Passed: cosignatures"):
        expect(clerk.locator("#verification-steps")).not_to_contain_text(text)
    assert_accessible(clerk, "clerk-verification")

    # The key for the offline check: the PEM VERIFY.md asks for, and its name.
    key = clerk.locator("#verification-key")
    expect(key).to_contain_text("key name ")
    name = re.search(r"key name (\S+)\. Give it", key.inner_text())
    assert name, key.inner_text()
    with clerk.expect_download() as download:
        key.get_by_role("link", name="Download the log's public key (log.pem)").click()
    assert download.value.suggested_filename == "log.pem"
    pem = download.value.path().read_bytes()
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----\n")
    with clerk.expect_download() as from_row:
        row.get_by_role("link", name=f"Log public key (log.pem) of case {reference}").click()
    assert from_row.value.path().read_bytes() == pem

    with clerk.expect_download() as bundle_download:
        row.get_by_role("link", name="Signed bundle (zip)").click()
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(io.BytesIO(bundle_download.value.path().read_bytes())) as archive:
        archive.extractall(folder)
    (folder / "log.pem").write_bytes(pem)
    checked = openssl_checks_checkpoint(folder, name.group(1))
    assert verified(checked), checked.stdout + checked.stderr

    # The minutes read as the court's document (a German court: German), laid out by their
    # own inline style, which the route's policy lets through (and no script: the page is
    # sandboxed, so it is read here from its bytes).
    href = row.get_by_role("link", name="Minutes (HTML)").get_attribute("href")
    assert href
    served = clerk.evaluate(FETCHED, href)
    assert served["policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    minutes = clerk.context.new_page()
    minutes.set_content(served["text"])
    expect(minutes.locator("h1")).to_have_text("Protokoll der Vernehmung per Videokonferenz")
    expect(minutes.locator("p.court")).to_have_text("Browser test court")
    expect(minutes.get_by_role("rowheader", name="Ersuchte Behörde")).to_be_visible()
    expect(minutes.locator("h2").last).to_have_text(
        "8. Unterschrift der Behörde des ersuchten Staates"
    )
    collapse = minutes.locator("table.facts").evaluate("t => getComputedStyle(t).borderCollapse")
    assert collapse == "collapse"
    assert_accessible(minutes, "clerk-minutes")
