"""Hearings: scheduling across time zones, the life cycle, invitations and one-time codes.

- `lifecycle`: the one state machine of a hearing (pure).
- `scheduling`: zones, DST, windows, working hours, notice periods (pure).
- `legal`, `planning`: the legal engine's decision and one scheduling decision (pure).
- `models`: hearings, participants, invitations, outbox rows.
- `service`: HearingService (create, reschedule, cancel, review, conditions, open, advance).
- `invitations`, `joining`, `credentials`: links, one-time codes, join credentials.
- `calendar`, `letters`, `outbox`: .ics files and the pluggable sender.
- `registry`: `Hearings`, the `services.hearings` container; `gateway`: signaling's doors.
- `routes`, `invite_routes`, `openapi`: the HTTP API and its OpenAPI document.
"""
