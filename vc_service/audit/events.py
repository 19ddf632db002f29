"""The event contract of the audit log: what `append` accepts, checked before anything is
queued, so a bad event fails in its caller's task with a typed error and never in a shared
group-commit transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from vc_service.audit import AuditError
from vc_service.audit.canonical import canonical_bytes

ENVELOPE = frozenset({"v", "log", "seq", "ts", "type", "actor"})
ACTOR_KEYS = frozenset({"role", "id", "name"})
CLOSING_EVENT = "hearing.closed"
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# Hearing ids are lowercase UUIDs (`db.new_id()`); the trust policy expects exactly that after
# its origin prefix, so a log the verifier would refuse is never started.
_HEARING_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ROLE = re.compile(r"[a-z][a-z_]{0,31}")


class EventError(AuditError):
    """An event given to `append` is outside the contract (envelope, actor, type)."""

    code = "audit.event.invalid"


class LogSealed(AuditError):
    """The log has taken its `hearing.closed` event (or was sealed): it accepts no more."""

    status = 409
    code = "audit.log.sealed"


TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_ts(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds and `Z`, the one time format of the log."""
    return moment.strftime(TS_FORMAT)


def parse_ts(value: object) -> datetime:
    return datetime.strptime(str(value), TS_FORMAT).replace(tzinfo=UTC)


def check_hearing_id(hearing_id: str) -> None:
    if type(hearing_id) is not str or not _HEARING_ID.fullmatch(hearing_id):
        raise EventError(
            "audit.event.hearing_id", f"hearing id {hearing_id!r} is not a lowercase UUID"
        )


def check_event(event_type: str, actor: dict[str, str], fields: dict[str, object]) -> None:
    """Raise `EventError` / `CanonicalError` unless the event fits the contract."""
    if type(event_type) is not str or not _EVENT_TYPE.fullmatch(event_type) or len(event_type) > 64:
        raise EventError(
            "audit.event.type", f"event type {event_type!r} must be dotted lowercase, e.g. a.b"
        )
    if type(actor) is not dict:
        raise EventError("audit.event.actor", "actor must be a dict")
    extra = sorted(set(actor) - ACTOR_KEYS, key=str)
    if extra:
        raise EventError(
            "audit.event.actor", f"actor has unknown keys {extra}; allowed: role, id, name"
        )
    for key in ("role", "id"):
        if type(actor.get(key)) is not str or not actor[key]:
            raise EventError("audit.event.actor", f"actor.{key} must be a non-empty string")
    if not _ROLE.fullmatch(actor["role"]):
        raise EventError("audit.event.actor", f"actor.role {actor['role']!r} is not a role name")
    if "name" in actor and type(actor["name"]) is not str:
        raise EventError("audit.event.actor", "actor.name must be a string")
    if type(fields) is not dict:
        raise EventError("audit.event.fields", "fields must be a dict")
    clash = sorted(ENVELOPE.intersection(fields))
    if clash:
        raise EventError(
            "audit.event.reserved_field",
            f"field name(s) {clash} collide with the event envelope",
            {"fields": clash},
        )
    # Checks keys (ASCII strings), floats, integer range, types and depth of the fields.
    canonical_bytes(fields)
    canonical_bytes(actor)
