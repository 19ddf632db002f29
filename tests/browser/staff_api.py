"""The court's side of a browser story, through the real JSON API: a judge signs in (password +
TOTP, enrolling on first use) and schedules hearings and invitations for the participant pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import APIRequestContext, APIResponse, Playwright

from tests.browser.live_service import Account, LiveService


class ApiRefused(AssertionError):
    def __init__(self, response: APIResponse) -> None:
        self.status = response.status
        self.body: dict[str, Any] = response.json() if response.body() else {}
        self.code = str(self.body.get("error", {}).get("code", ""))
        super().__init__(f"{response.url} -> {response.status}: {response.text()[:500]}")


# VC_INVITATION_LEAD_MINUTES of the package's service (conftest): links open this long before
# the start. A day, so that the shared judge's hearings, booked one slot after another, all have
# their links open however many tests the package runs.
INVITATION_LEAD_MINUTES = 24 * 60
SLOT_MINUTES = 5


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StaffApi:
    """One signed-in staff member's API session (cookies and the session's CSRF token)."""

    def __init__(self, request: APIRequestContext, service: LiveService) -> None:
        self.request = request
        self.service = service
        self.csrf = ""
        self.scheduled = 0

    @classmethod
    def sign_in(cls, playwright: Playwright, service: LiveService, account: Account) -> StaffApi:
        api = cls(playwright.request.new_context(base_url=service.base_url), service)
        api.request.get("/healthz")
        cookies = {c["name"]: c["value"] for c in api.request.storage_state()["cookies"]}
        api.csrf = cookies["vc_csrf"]
        step = api.post("/api/auth/sign-in", username=account.username, password=account.password)
        assert step["next"] == "enrol", "staff accounts of browser tests are fresh"
        grant = api.post(
            "/api/auth/second-factor", ticket=step["ticket"], code=service.totp(step["secret"])
        )
        api.csrf = grant["csrf_token"]
        return api

    def _check(self, response: APIResponse) -> Any:
        if not response.ok:
            raise ApiRefused(response)
        return response.json()

    def get(self, path: str) -> Any:
        return self._check(self.request.get(path))

    def post(self, path: str, **body: Any) -> Any:
        return self._check(
            self.request.post(
                path,
                data=json.dumps(body),
                headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf},
            )
        )

    def schedule(
        self, *, heard_role: str = "witness", language: str = "fr", opens_in_minutes: int = 0
    ) -> dict[str, Any]:
        """A DE→FR criminal hearing whose invitations open `opens_in_minutes` from now.

        Each call takes the next short slot with its own person and venue, so hearings of one
        judge never conflict (the service refuses double bookings of judge, person and venue).
        """
        self.scheduled += 1
        number = self.scheduled
        # Links open INVITATION_LEAD_MINUTES before the start: a start within that lead is open.
        later = INVITATION_LEAD_MINUTES + opens_in_minutes if opens_in_minutes else 0
        start = self.service.now().replace(microsecond=0) + timedelta(
            minutes=SLOT_MINUTES * number + later
        )
        hearing: dict[str, Any] = self.post(
            "/api/hearings",
            requested_state="FR",
            venue=f"Tribunal judiciaire de Strasbourg, salle {number}",
            proceeding="criminal",
            case_reference=f"BT-{start:%H%M%S}-{number}",
            starts_at=utc_text(start),
            duration_minutes=SLOT_MINUTES,
            recording_requested=False,
            person_heard={
                "role": heard_role,
                "name": f"Camille Martin {number}",
                "language": language,
                "time_zone": "Europe/Paris",
                "consent": "yes",
            },
            working_hours_override="browser tests run at any hour of the day",
        )
        return hearing

    def invite(self, hearing: dict[str, Any], role: str) -> dict[str, Any]:
        """Issue the invitation of the hearing's participant with `role`: token, link, code."""
        person = next(p for p in hearing["participants"] if p["role"] == role)
        issued: dict[str, Any] = self.post(
            f"/api/hearings/{hearing['id']}/participants/{person['id']}/invitation"
        )
        return issued

    def reissue(self, hearing: dict[str, Any], role: str) -> dict[str, Any]:
        """A new link and code for the participant; the old link stops working."""
        person = next(p for p in hearing["participants"] if p["role"] == role)
        issued: dict[str, Any] = self.post(
            f"/api/hearings/{hearing['id']}/participants/{person['id']}/invitation/reissue"
        )
        return issued

    def close(self) -> None:
        self.request.dispose()
