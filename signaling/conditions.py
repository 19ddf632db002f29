"""The legal decision's conditions as a checklist the room keeps. Pure: no I/O, no clock.

A condition is met by one participant whose role is in its `satisfied_by`; a `during` condition
only counts while that participant still holds an admitted seat, so that "the requested-state
authority is present" cannot be met once and then walk out of the room.

Each condition is met in one of the ways the law's text allows for it (`WAYS`: a method, and the
details that method puts on the record), chosen by the person who meets it.

Each met condition carries when it was met (`at`, RFC 3339 UTC in the audit log's own format):
the room's clock when it recorded it, or the `ts` of its `condition.met` event when a room is
rebuilt from the log. The time is given to this module, never read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from signaling.errors import PermissionDenied, RoomError
from signaling.protocol import DocumentType, MetBy, Role
from signaling.services import Condition, ConditionRecord, Stage

# The court's side of the room, who read the legal decision as the engine states it; everyone
# else (the person heard, interpreter, counsel, ...) reads the plain-language texts.
STAFF_ROLES = frozenset({Role.JUDGE, Role.CLERK, Role.AUTHORITY})

# The audit log's time format (vc_service.audit.events.TS_FORMAT), so that a time the room shows
# and the `ts` of the event it wrote read alike.
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Details(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Way:
    """One way to meet a condition: its method, whether `details` are required, allowed or
    refused, and what they say (`asks`, shown next to the field and in docs/signaling.md)."""

    method: MetBy
    details: Details
    asks: str = ""


def _ways(*ways: Way) -> dict[MetBy, Way]:
    return {way.method: way for way in ways}


_STATEMENT = (
    Way(MetBy.STATEMENT_READ, Details.REQUIRED, "the statement read: its source and language"),
    Way(MetBy.WRITTEN_NOTICE, Details.REQUIRED, "the notice handed over and its acknowledgement"),
)
# The identity of the person heard goes into the requested authority's minutes (EIO Art 24(6),
# EU MLA 2000 Art 10(6)); the document's type and number are what identify it there. Nothing
# else from the document (birth date, address, picture) is asked, so nothing else is stored.
_DOCUMENT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}")

# condition id (legal_profiles.conditions.CATALOGUE) -> the ways to meet it.
WAYS: Mapping[str, Mapping[MetBy, Way]] = {
    "authority.present": _ways(
        Way(MetBy.IN_ATTENDANCE, Details.OPTIONAL, "the official's function and office"),
    ),
    "authority.can_intervene": _ways(
        Way(MetBy.STOP_CONTROL, Details.OPTIONAL, "anything to add about the stop control"),
    ),
    "identity.verified": _ways(
        Way(MetBy.IDENTITY_DOCUMENT, Details.REQUIRED, "the document's number"),
        Way(MetBy.PERSONAL_KNOWLEDGE, Details.REQUIRED, "how the official knows the person"),
    ),
    "advisory.voluntary": _ways(*_STATEMENT),
    "advisory.legal_representation": _ways(*_STATEMENT),
    "rights.refusal_notified": _ways(*_STATEMENT),
    "rights.accused_procedural": _ways(*_STATEMENT),
    "recording.parties_informed": _ways(*_STATEMENT),
    # The person's own act in their own browser: nobody else can choose it for them.
    "consent.person": _ways(Way(MetBy.OWN_CLICK, Details.NONE)),
    "interpreter.available": _ways(
        Way(MetBy.INTERPRETER_PRESENT, Details.OPTIONAL, "the languages interpreted"),
        Way(MetBy.NOT_NEEDED, Details.REQUIRED, "why no interpreter is needed"),
    ),
    "oath.competent_person": _ways(
        Way(MetBy.OATH_ADMINISTERED, Details.REQUIRED, "who administered it, under which law"),
        Way(MetBy.NO_OATH, Details.OPTIONAL, "why no oath was taken"),
    ),
    "counsel.private_channel": _ways(
        Way(MetBy.PRIVATE_CHANNEL, Details.OPTIONAL, "how the private channel is provided"),
    ),
    "minutes.drawn_up": _ways(
        Way(MetBy.AUTHORITY_MINUTES, Details.REQUIRED, "the reference of the authority's minutes"),
        Way(MetBy.SERVICE_MINUTES, Details.OPTIONAL, "anything to add to the sealed minutes"),
    ),
}
# A condition outside the catalogue (a test's, or one added to the engine before this table).
GENERIC_WAYS: Mapping[MetBy, Way] = _ways(
    Way(MetBy.IDENTITY_DOCUMENT, Details.REQUIRED, "the document's number"),
    Way(MetBy.ORAL_DECLARATION, Details.OPTIONAL, "what was declared"),
    Way(MetBy.WRITTEN_DECLARATION, Details.OPTIONAL, "the declaration"),
    Way(MetBy.OBSERVATION, Details.OPTIONAL, "what was observed"),
    Way(MetBy.OTHER, Details.REQUIRED, "how it was met"),
)


def ways_of(condition_id: str) -> Mapping[MetBy, Way]:
    return WAYS.get(condition_id, GENERIC_WAYS)


def check_way(condition_id: str, method: MetBy, details: str | None) -> None:
    """Raise `condition.bad_method` or `condition.bad_details` unless `method` is a way to meet
    this condition and `details` is what it needs."""
    ways = ways_of(condition_id)
    way = ways.get(method)
    if way is None:
        allowed = sorted(ways)
        raise RoomError(
            "condition.bad_method",
            f"condition {condition_id} is met by: {', '.join(allowed)}; not by {method.value}",
            details={"methods": allowed},
        )
    if way.details is Details.REQUIRED and details is None:
        raise RoomError(
            "condition.bad_details",
            f"method {method.value} needs details: {way.asks}",
            details={"method": method.value, "details": way.details.value},
        )
    if way.details is Details.NONE and details is not None:
        raise RoomError(
            "condition.bad_details",
            f"method {method.value} takes no details",
            details={"method": method.value, "details": way.details.value},
        )
    if method is MetBy.IDENTITY_DOCUMENT and not _DOCUMENT_NUMBER.fullmatch(details or ""):
        raise RoomError(
            "condition.bad_details",
            "a document number is 1 to 40 letters, digits, spaces, dots, slashes or hyphens",
            details={"method": method.value, "details": way.details.value},
        )


def ways_view(condition_id: str) -> list[dict[str, str]]:
    return [
        {"method": way.method.value, "details": way.details.value, "asks": way.asks}
        for way in ways_of(condition_id).values()
    ]


def example_message(condition_id: str) -> dict[str, str]:
    """A valid `condition` message meeting this condition in its first way, with made-up
    details where the way needs them: what the demo hearing and tests send."""
    way = next(iter(ways_of(condition_id).values()))
    message = {"type": "condition", "condition": condition_id, "method": way.method.value}
    if way.method is MetBy.IDENTITY_DOCUMENT:
        message.update(document_type="national_id", details="X4RTBPFW4")
    elif way.details is Details.REQUIRED:
        message["details"] = f"example: {way.asks}"
    return message


def utc_time(seconds: float) -> str:
    """A POSIX time as RFC 3339 UTC with microseconds and `Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime(_TS_FORMAT)


@dataclass(frozen=True, slots=True)
class Met:
    condition_id: str
    participant_id: str
    name: str
    role: Role
    # A MetBy value; a record restored from the log may carry a method of its time (a
    # `before` condition's `recorded_by_judge`, an older log's `oral_declaration`).
    method: str
    details: str | None
    document_type: DocumentType | None
    note: str | None
    at: str | None  # RFC 3339 UTC; None only for a restored record that carried no time

    def view(self) -> dict[str, Any]:
        return {
            "participant": self.participant_id,
            "name": self.name,
            "role": self.role.value,
            "method": self.method,
            "details": self.details,
            "document_type": self.document_type.value if self.document_type else None,
            "note": self.note,
            "at": self.at,
        }


class Checklist:
    def __init__(
        self,
        conditions: Iterable[Condition],
        restored: Iterable[ConditionRecord] = (),
        names: Callable[[str], str] = str,
    ) -> None:
        self._conditions = {condition.id: condition for condition in conditions}
        self._met: dict[str, Met] = {}
        for record in restored:
            if record.condition_id in self._conditions:
                self._met[record.condition_id] = Met(
                    record.condition_id,
                    record.participant_id,
                    record.name or names(record.participant_id),
                    record.role,
                    record.method,
                    record.details,
                    record.document_type,
                    record.note,
                    record.at,
                )

    def condition_for(self, condition_id: str, role: Role) -> Condition:
        """The condition this role may now record as met, or raise naming why not."""
        condition = self._conditions.get(condition_id)
        if condition is None:
            raise RoomError("condition.unknown", f"this hearing has no condition {condition_id!r}")
        if role not in condition.satisfied_by:
            allowed = ", ".join(sorted(r.value for r in condition.satisfied_by)) or "nobody"
            raise PermissionDenied(
                "perm.condition_role",
                f"condition {condition_id} can be met by: {allowed}; not by a {role.value}",
            )
        if condition.stage is Stage.BEFORE:
            raise RoomError(
                "condition.stage",
                f"condition {condition_id} must be met before the hearing, not in the room",
            )
        if condition_id in self._met:
            raise RoomError("condition.already_met", f"condition {condition_id} is already met")
        return condition

    def open_after(self) -> list[dict[str, Any]]:
        """The `after` conditions not met yet, each with the roles that meet it: what the end
        of the hearing lists, and what the record keeps if they are left open."""
        return [
            {
                "condition": cid,
                "satisfied_by": sorted(role.value for role in condition.satisfied_by),
            }
            for cid, condition in self._conditions.items()
            if condition.stage is Stage.AFTER and cid not in self._met
        ]

    def record(self, met: Met) -> None:
        self._met[met.condition_id] = met

    def lapsable(self, predicate: Callable[[Met], bool]) -> list[str]:
        """Ids of the met `during` conditions whose record matches."""
        return [
            cid
            for cid, met in self._met.items()
            if self._conditions[cid].stage is Stage.DURING and predicate(met)
        ]

    def lapse(self, predicate: Callable[[Met], bool]) -> list[str]:
        """Forget the `during` conditions whose record matches; return their ids."""
        gone = self.lapsable(predicate)
        for cid in gone:
            del self._met[cid]
        return gone

    def unmet_during(self, present: Collection[str]) -> list[str]:
        """Ids of `during` conditions not met by a participant in `present` (admitted seats)."""
        return [
            cid
            for cid, condition in self._conditions.items()
            if condition.stage is Stage.DURING
            and (cid not in self._met or self._met[cid].participant_id not in present)
        ]

    def participant_view(self) -> list[dict[str, Any]]:
        """What a participant who is not the court's staff may see: the `during` conditions in
        plain language, with their public citation and whether (and when) each was met; never
        the legal text, nor who met a condition and their note."""
        return [
            {
                "id": condition.id,
                "stage": condition.stage.value,
                "satisfied_by": sorted(role.value for role in condition.satisfied_by),
                "plain": dict(condition.plain),
                "citation": condition.public_citation,
                "met": {"at": self._met[cid].at} if cid in self._met else None,
            }
            for cid, condition in self._conditions.items()
            if condition.stage is Stage.DURING
        ]

    def view(self) -> list[dict[str, Any]]:
        """The staff's checklist: every condition with the engine's text and citation."""
        return [
            {
                "id": condition.id,
                "text": condition.text,
                "citation": condition.citation,
                "stage": condition.stage.value,
                "satisfied_by": sorted(role.value for role in condition.satisfied_by),
                "ways": ways_view(cid),
                "met": self._met[cid].view() if cid in self._met else None,
            }
            for cid, condition in self._conditions.items()
        ]
