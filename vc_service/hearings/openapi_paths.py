"""The operations of the HTTP API with their examples: the data of `/api/openapi.json` and of
`docs/api.md` (a data module, hence its length).

Every example is one call of a story told in `order`: sign in, schedule, invite, join, open,
cancel, sign out. `tests/hearings/test_openapi.py` replays the story against the real server and
checks each answer against its example (status, error code, and the shape of the body). Ids,
tokens and codes below are placeholders that the replay maps onto the real ones.
"""

from __future__ import annotations

from typing import Any

# Placeholders (UUID-shaped ids, tokens and codes of the story).
HEARING = "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001"
HEARING_US = "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1002"
WITNESS = "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001"
TOKEN = "Xq3Zt9vK1mB7nR2cW8yL4pD6fH0jS5aE1uG7iO3kT9w"  # noqa: S105 - a placeholder
CODE = "482913"
START = "2027-03-02T09:00:00Z"  # a Tuesday, 10:00 in Paris
START_MX = "2027-03-03T16:00:00Z"  # 10:00 in Mexico City
LATER = "2027-03-02T08:30:00Z"  # the reschedule: 09:30 in Paris
DST_GAP = "2027-03-28T02:30"  # does not exist in Paris

ROLE_LIST = "judge, authority, clerk, witness, expert, accused, victim, party, interpreter, " \
    "counsel, prosecutor"  # fmt: skip

HEARING_BODY: dict[str, Any] = {
    "requested_state": "FR",
    "venue": "Tribunal judiciaire de Strasbourg, salle 3",
    "venue_time_zone": "Europe/Paris",
    "proceeding": "criminal",
    "case_reference": "2 KLs 41/26",
    "starts_at": START,
    "duration_minutes": 90,
    "recording_requested": False,
    "person_heard": {
        "role": "witness",
        "name": "Camille Martin",
        "email": "camille@example.org",
        "language": "fr",
        "consent": "yes",
    },
    "participants": [
        {"role": "authority", "name": "Juge Leroy"},
        {"role": "interpreter", "name": "Ana Weber", "email": "ana@example.org"},
    ],
}


def ex(
    order: int,
    actor: str,
    status: int,
    *,
    name: str = "ok",
    summary: str = "",
    body: Any = None,
    params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One call of the story; the expected answer is `RESPONSES[(method, path, name)]`."""
    return {
        "name": name,
        "order": order,
        "actor": actor,
        "status": status,
        "summary": summary,
        "body": body,
        "params": params or {},
        "query": query or {},
        "headers": headers or {},
    }


H = {"hearing_id": HEARING}
P = {"hearing_id": HEARING, "participant_id": WITNESS}
TOKEN_HEADER = {"X-Invitation-Token": TOKEN}

OPERATIONS: list[dict[str, Any]] = [
    {
        "method": "get", "path": "/healthz", "tag": "service", "who": "anyone",
        "summary": "Liveness: the process answers",
        "examples": [ex(10, "anonymous", 200)],
    },
    {
        "method": "get", "path": "/readyz", "tag": "service", "who": "anyone",
        "summary": "Readiness: database reachable, migrations applied, legal profiles loaded",
        "description": "503 with the same body and `status: not_ready` when a check fails.",
        "examples": [ex(20, "anonymous", 200)],
    },
    {
        "method": "get", "path": "/api/openapi.json", "tag": "service", "who": "anyone",
        "summary": "This API description (OpenAPI 3.1); `docs/api.md` is rendered from it",
        "examples": [ex(30, "anonymous", 200)],
    },
    {
        "method": "post", "path": "/api/auth/sign-in", "tag": "sign-in", "who": "anyone",
        "summary": "Password step: answers with a ticket for the TOTP step",
        "description": (
            "`next` is `totp` for an enrolled account, or `enrol` the first time (then the answer "
            "also carries `secret`, `provisioning_uri` and `qr_svg`). Before sign-in, send the "
            "`vc_csrf` cookie's value as `X-CSRF-Token`. A wrong password, an unknown user "
            "and a locked or disabled account get the same answer in the same time (401 "
            "`auth.invalid_credentials`), so it tells nothing of the account's state; after "
            "`VC_LOGIN_MAX_FAILURES` failures even the right password gets it until the lock "
            "expires."
        ),
        "examples": [
            ex(40, "judge", 401, name="wrong_password", summary="A wrong password",
               body={"username": "judge", "password": "not the password"}),
            ex(41, "judge", 200, body={"username": "judge",
                                       "password": "correct horse battery staple"}),
        ],
    },
    {
        "method": "post", "path": "/api/auth/second-factor", "tag": "sign-in", "who": "anyone",
        "summary": "TOTP step: starts the session (cookie `vc_session`) and returns its CSRF token",
        "description": (
            "A code is accepted once (`auth.code_replayed` for a reused one, also when sent at "
            "once with several tickets). Wrong codes count towards the lock-out (429 "
            "`auth.locked`, with `Retry-After`). An enrolment ticket is void once the account "
            "has enrolled (`auth.enrolment_void`); enrolling again takes an administrator "
            "(`vc-service user reset-totp`)."
        ),
        "examples": [ex(50, "judge", 200, body={"ticket": "sign-in-ticket", "code": "123456"})],
    },
    {
        "method": "get", "path": "/api/auth/session", "tag": "sign-in", "who": "signed in",
        "summary": "Who is signed in, and the CSRF token to send on writes",
        "examples": [
            ex(60, "judge", 200),
            ex(61, "anonymous", 401, name="signed_out", summary="Nobody signed in"),
        ],
    },
    {
        "method": "put", "path": "/api/auth/preferences", "tag": "sign-in", "who": "signed in",
        "summary": "Keep the staff pages' language with your account",
        "description": (
            "`language` is one of `en`, `fr`, `de`, `es`. The session's `user.language` carries "
            "it from then on, so the staff pages open in it on any browser; `null` there means "
            "the person never chose and the browser's languages decide."
        ),
        "examples": [
            ex(62, "judge", 200, body={"language": "de"}),
            ex(63, "judge", 422, name="unknown_language", summary="A language the pages lack",
               body={"language": "pt"}),
        ],
    },
    {
        "method": "get", "path": "/api/scheduling/options", "tag": "hearings", "who": "judge",
        "summary": "What the scheduling form offers: your court, and each state's venue zones",
        "description": (
            "`court` is the judge's court: its `state` is the requesting state of every hearing "
            "the judge schedules (not a choice). `states` lists each state with a legal profile: "
            "the IANA zones its profile lists (`time_zones`) and the zone a venue there gets "
            "when none is given (`venue_timezone`). Where the zones do not keep one clock over "
            "the next two years (US, CA, AU, BR, MX, ES, PT, NZ, CN...), or the profile names "
            "none, `venue_timezone` is null and `venue_timezone_required` true: the hearing "
            "must name the venue's zone (422 `venue.time_zone_required` otherwise)."
        ),
        "examples": [ex(69, "judge", 200)],
    },
    {
        "method": "post", "path": "/api/hearings", "tag": "hearings", "who": "judge",
        "summary": "Schedule a hearing (runs the legal engine)",
        "description": (
            "The start is `starts_at` (RFC 3339 with offset) or `local_start` + `time_zone` (a "
            "wall time; one that does not exist in a DST gap is refused, one that happens twice "
            "needs `fold` 0 or 1). The length is `duration_minutes` (5 to 720) or `ends_at` / "
            "`local_end`. `venue_time_zone` is the venue's IANA zone (422 `time.unknown_zone` for "
            "a name that is none, `venue.zone_not_in_state` for a zone of another state); it "
            "defaults to the requested state's zone only where the state keeps one clock, and "
            "is required (`venue.time_zone_required`) where it spans several: see `GET "
            "/api/scheduling/options`. Views give it as `venue_timezone`. The legal "
            "engine's full decision is stored and audited: `barred` is refused (422 "
            "`hearing.barred` with the reasons), `unknown` is accepted as a draft pending legal "
            "review. Also refused: recording that is not lawful (`hearing.recording_unlawful`) "
            "or mandatory but not requested (`hearing.recording_required`), a start that leaves "
            "less than a `before` condition's notice period (`hearing.notice_too_short`), a "
            "window outside the venue's working hours without `working_hours_override` "
            "(`hearing.outside_working_hours`), a judge, person or venue already booked "
            "(409 `hearing.conflict`), a person listed twice (409 `participant.duplicate`). "
            f"Participant roles: {ROLE_LIST}; the person heard is a witness, expert, accused, "
            "victim or party. A clerk or authority may be tied to an account with `username`. "
            "In criminal proceedings the optional `offence` (organized_crime|corruption|other; "
            "absent or null: not given) tells the legal engine whether UNTOC Art 18(18) or "
            "UNCAC Art 46(18) can be the route; it is stored with the hearing and shown as "
            "`offence` (null when not given). An unknown value, or an offence in civil "
            "proceedings, is a field error (422, `details.fields.offence`)."
        ),
        "examples": [
            ex(70, "judge", 201, summary="DE court hears a witness in France",
               body={**HEARING_BODY, "offence": "organized_crime"}),
            ex(71, "judge", 409, name="double_booked", summary="The same slot again",
               body=HEARING_BODY),
            ex(72, "judge", 422, name="barred", summary="China bars direct taking of evidence",
               body={**HEARING_BODY, "requested_state": "CN", "venue": "Shanghai",
                     "venue_time_zone": "Asia/Shanghai", "proceeding": "civil",
                     "starts_at": "2027-03-02T02:00:00Z"}),
            ex(73, "judge", 422, name="dst_gap", summary="A local time that does not exist",
               body={**{k: v for k, v in HEARING_BODY.items() if k != "starts_at"},
                     "local_start": DST_GAP, "time_zone": "Europe/Paris"}),
            ex(74, "judge", 422, name="bad_fields", summary="Every field problem at once",
               body={"requested_state": "XX", "proceeding": "martial", "duration_minutes": 0,
                     "person_heard": {"role": "juror"}, "offence": "piracy"}),
            ex(75, "judge", 201, name="pending_review",
               summary="Unknown law: accepted as a draft pending legal review",
               body={**HEARING_BODY, "requested_state": "MX", "venue": "Juzgado de Distrito",
                     "venue_time_zone": "America/Mexico_City", "proceeding": "civil",
                     "starts_at": START_MX, "participants": [],
                     "person_heard": {"role": "witness", "name": "John Doe", "language": "en",
                                      "consent": "yes"}}),
            ex(76, "judge", 422, name="offence_in_civil",
               summary="An offence scope in civil proceedings",
               body={**HEARING_BODY, "proceeding": "civil", "offence": "corruption"}),
        ],
    },
    {
        "method": "get", "path": "/api/hearings", "tag": "hearings",
        "who": "judge, clerk (their court); authority (hearings in their state)",
        "summary": "List hearings with both states' local times",
        "description": (
            "`upcoming=true` (default) lists those not yet over; `state` filters by life-cycle "
            "state (draft, scheduled, open, in_session, testimony, closed, sealed, cancelled)."
        ),
        "examples": [ex(80, "judge", 200, query={"upcoming": "true"})],
    },
    {
        "method": "get", "path": "/api/hearings/{hearing_id}", "tag": "hearings",
        "who": "judge, clerk (their court); authority (hearings in their state)",
        "summary": "One hearing: times in every zone, legal decision, participants",
        "description": "Another court's hearing answers 404 `hearing.not_found`.",
        "examples": [ex(90, "authority", 200, params=H)],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/participants", "tag": "hearings",
        "who": "judge", "summary": "Add a participant",
        "examples": [
            ex(100, "judge", 201, params=H, body={
                "version": 1,
                "participant": {"role": "counsel", "name": "Maître Roux",
                                "email": "roux@example.org"}}),
        ],
    },
    {
        "method": "patch", "path": "/api/hearings/{hearing_id}", "tag": "hearings",
        "who": "judge",
        "summary": "Reschedule: change time, length, venue, consent, offence or recording",
        "description": (
            "Send the `version` you last saw: if the hearing changed meanwhile the answer is 409 "
            "`hearing.version_conflict` and nothing changes. The legal engine runs again and its "
            "decision replaces the old one; a new date clears `before` conditions recorded for "
            "the old one. Invited people get the new time with an updated calendar file. "
            "`offence` (criminal proceedings only) sets the offence scope, `null` clears it; "
            "left out, the scope stays as it is. An unknown value is a field error "
            "(`request.invalid_fields`), a scope for a civil hearing 422 `legal.bad_offence`; "
            "both name `offence` in `details.fields`."
        ),
        "examples": [
            ex(110, "judge", 200, params=H,
               body={"version": 2, "starts_at": LATER, "offence": "corruption"}),
            ex(111, "judge", 409, name="stale_version", summary="Someone else changed it first",
               params=H, body={"version": 2, "duration_minutes": 60}),
        ],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/legal-review", "tag": "hearings",
        "who": "judge", "summary": "Record the manual legal review of an `unknown` decision",
        "description": "`cleared` schedules the hearing; `refused` cancels it.",
        "examples": [
            ex(120, "judge", 200, params={"hearing_id": HEARING_US}, body={
                "version": 1, "outcome": "cleared",
                "note": "Checked with the Federal Ministry of Justice: 28 U.S.C. 1782 route."}),
        ],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/conditions/{condition_id}",
        "tag": "hearings", "who": "judge",
        "summary": "Record a `before` condition of the legal decision as met",
        "description": (
            "Conditions of stage `during` are met in the live hearing, not here "
            "(422 `condition.not_before_stage`)."
        ),
        "examples": [
            ex(130, "judge", 200,
               params={"hearing_id": HEARING, "condition_id": "request.accepted"},
               body={"version": 3, "note": "EIO recognised by the Strasbourg prosecutor."}),
        ],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/participants/{participant_id}/"
        "invitation", "tag": "invitations", "who": "judge, clerk",
        "summary": "Invite a participant: the link and the one-time code, shown once",
        "description": (
            "The link's token is stored only as its SHA-256; the code goes to the judge or clerk, "
            "who passes it on through another channel. The participant's letter (link + .ics) "
            "and the code's letter go to the outbox."
        ),
        "examples": [
            ex(140, "judge", 201, params=P),
            ex(141, "judge", 409, name="already_issued", summary="Re-issue to replace a link",
               params=P),
        ],
    },
    {
        "method": "get", "path": "/api/hearings/{hearing_id}/invitations", "tag": "invitations",
        "who": "judge, clerk",
        "summary": "Participants, their invitations and the current one-time codes",
        "examples": [ex(150, "clerk", 200, params=H)],
    },
    {
        "method": "get", "path": "/api/invite/{hearing_id}", "tag": "participants",
        "who": "the holder of an invitation link",
        "summary": "What an invitation is for: hearing, times in the person's zone, notices",
        "description": (
            "The link is `/join/{hearing_id}#{token}`; send the token in `X-Invitation-Token`. "
            "`notices` are the conditions the person is told of before joining, in plain "
            "language only: `plain` maps each language the texts exist in (at least en, fr, de, "
            "es) to the text, `citation` is the legal basis (shown collapsed), or null while it "
            "is being confirmed. The engine's legal text, params and confidence stay with staff. "
            "`hearing.venue_timezone` is the venue's IANA zone (the page shows the start there "
            "and in the browser's zone). `invitation.lobby_open` says whether the judge has opened "
            "the waiting room (a waiting page asks again until it has). "
            "Refusals: 404 `invitation.not_found`, 403 `invitation.wrong_hearing`, 410 "
            "`invitation.revoked`, `invitation.superseded`, `invitation.hearing_cancelled`, "
            "`invitation.expired`."
        ),
        "examples": [
            ex(160, "participant", 200, params=H, headers=TOKEN_HEADER),
            ex(161, "participant", 403, name="wrong_hearing",
               summary="A link used with another hearing's address",
               params={"hearing_id": HEARING_US}, headers=TOKEN_HEADER),
        ],
    },
    {
        "method": "get", "path": "/api/invite/{hearing_id}/calendar.ics", "tag": "participants",
        "who": "the holder of an invitation link",
        "summary": "The hearing as an iCalendar file in the participant's time zone",
        "description": (
            "The token comes in `X-Invitation-Token` like every invitation call; a `token` query "
            "parameter is refused on every path (400 `request.secret_in_query`), since proxies "
            "log query strings."
        ),
        "examples": [ex(170, "participant", 200, params=H, headers=TOKEN_HEADER)],
    },
    {
        "method": "post", "path": "/api/invite/{hearing_id}/join", "tag": "participants",
        "who": "the holder of an invitation link",
        "summary": "Exchange the one-time code for a join credential for the live hearing",
        "description": (
            "Valid from `VC_INVITATION_LEAD_MINUTES` before the start until the end (403 "
            "`invitation.not_yet_valid` before). A code works once (409 `invitation.code_used`); "
            "wrong codes answer 401 `invitation.wrong_code` with `attempts_left`, then 429 "
            "`invitation.rate_limited` (`retry_after_seconds`) and, after "
            "`VC_CODE_MAX_FAILURES`, 429 `invitation.locked` until the court issues a new code. "
            "The credential (valid 5 minutes, single use) goes into the WebSocket `hello` as "
            "`session`. Before the judge opens the waiting room (`lobby_open` false) it lasts "
            "until the link's window ends: the page waits until `GET /api/invite/{hearing_id}` "
            "says `invitation.lobby_open`, then connects; a `hello` before that is refused with "
            "`auth.not_open` without using the credential up, so the code is passed once."
        ),
        "examples": [
            ex(180, "participant", 401, name="wrong_code", summary="A mistyped code",
               params=H, headers=TOKEN_HEADER, body={"code": "000000"}),
            ex(181, "participant", 200, params=H, headers=TOKEN_HEADER, body={"code": CODE}),
            ex(182, "participant", 409, name="code_used", summary="The same code again",
               params=H, headers=TOKEN_HEADER, body={"code": CODE}),
        ],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/participants/{participant_id}/"
        "invitation/code", "tag": "invitations", "who": "judge, clerk",
        "summary": "A new one-time code (also lifts a lock after wrong codes)",
        "examples": [ex(190, "clerk", 200, params=P)],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/participants/{participant_id}/"
        "invitation/reissue", "tag": "invitations", "who": "judge, clerk",
        "summary": "Replace the link (the old one stops working at once) and the code",
        "examples": [ex(200, "judge", 201, params=P)],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/participants/{participant_id}/"
        "invitation/revoke", "tag": "invitations", "who": "judge, clerk",
        "summary": "Revoke the participant's link",
        "examples": [
            ex(210, "clerk", 200, params=P, body={"reason": "Sent to the wrong address."}),
        ],
    },
    {
        "method": "get", "path": "/api/hearings/{hearing_id}/participants/{participant_id}/"
        "calendar.ics", "tag": "invitations",
        "who": "judge, clerk (their court); authority (hearings in their state)",
        "summary": "A participant's calendar file, as the court sees it",
        "examples": [ex(220, "judge", 200, params=P)],
    },
    {
        "method": "get", "path": "/api/hearings/{hearing_id}/outbox", "tag": "invitations",
        "who": "judge, clerk",
        "summary": "The letters of a hearing and their delivery state",
        "description": (
            "Without `VC_SMTP_HOST` letters stay `held` here for the court to pass on; with it "
            "they are `sent` (or `failed`, with the error, and retried)."
        ),
        "examples": [ex(230, "clerk", 200, params=H)],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/open", "tag": "hearings",
        "who": "judge",
        "summary": "Open the lobby (needs the legal review and every `before` condition met)",
        "description": (
            "409 `hearing.legal_review_pending` or `hearing.conditions_unmet` (with `unmet`) "
            "otherwise."
        ),
        "examples": [
            ex(240, "judge", 409, name="conditions_unmet", summary="A condition is still open",
               params=H, body={"version": 4}),
            ex(241, "judge", 200, params=H, body={"version": 5}),
        ],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/join", "tag": "hearings",
        "who": "judge, clerk, authority who are participants",
        "summary": "Join the live hearing with one's own account (no invitation code)",
        "description": (
            "An authority of the requested state may take an authority seat the judge left "
            "without an account (`participant_id` picks one if there are several)."
        ),
        "examples": [ex(250, "authority", 200, params=H, body={})],
    },
    {
        "method": "post", "path": "/api/hearings/{hearing_id}/cancel", "tag": "hearings",
        "who": "judge", "summary": "Cancel a hearing (its invitations stop working)",
        "examples": [
            ex(260, "judge", 200, params={"hearing_id": HEARING_US},
               body={"version": 2, "reason": "The witness will appear in person."}),
        ],
    },
    {
        "method": "post", "path": "/api/auth/sign-out", "tag": "sign-in", "who": "signed in",
        "summary": "End the session",
        "examples": [ex(270, "judge", 200, body={})],
    },
]  # fmt: skip
