"""What every browser test checks besides its own story: no console or page errors, no serious
accessibility violations (axe-core), and a screenshot of each main page kept as an artifact."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

from tests.browser.live_service import REPO

ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_RESULTS = ARTIFACTS / "axe"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Chromium logs every HTTP error response as a console error. A 4xx answer from the JSON API is
# part of the conversation (wrong password, expired link) and the page shows it; a 5xx, or any
# failure to load a page, script, style or translation file, is a bug.
_EXPECTED_API_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d\b"
)

_axe = Axe()


@dataclass
class ConsoleGuard:
    """Collects console errors and uncaught page errors from every page of a test."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("page", lambda page: page.on("pageerror", self._on_page_error))

    def allow(self, pattern: str) -> None:
        """Accept console errors matching `pattern` (a test that provokes one on purpose)."""
        self.allowed.append(re.compile(pattern))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if _EXPECTED_API_REFUSAL.match(message.text) and "/api/" in url:
            return
        if any(pattern.search(message.text) for pattern in self.allowed):
            return
        self.errors.append(f"console error at {url}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught page error: {error.name}: {error.message}")

    def check(self) -> None:
        assert not self.errors, "the browser reported errors:\n" + "\n".join(self.errors)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A page with live video redraws all the time; on a busy machine a capture takes a while.
    page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=30_000)
    return path


def assert_accessible(page: Page, name: str) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    results = _axe.run(page)
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    violations: list[dict[str, object]] = results.response["violations"]
    (AXE_RESULTS / f"{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"{name}: axe found blocking violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])  # type: ignore[attr-defined]
        for v in blocking
    )
