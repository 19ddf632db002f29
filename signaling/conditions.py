"""The legal decision's conditions as a checklist the room keeps. Pure: no I/O, no clock.

A condition is met by one participant whose role is in its `satisfied_by`; a `during` condition
only counts while that participant still holds an admitted seat, so that "the requested-state
authority is present" cannot be met once and then walk out of the room.

Each met condition carries when it was met (`at`, RFC 3339 UTC in the audit log's own format):
the room's clock when it recorded it, or the `ts` of its `condition.met` event when a room is
rebuilt from the log. The time is given to this module, never read here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
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


def utc_time(seconds: float) -> str:
    """A POSIX time as RFC 3339 UTC with microseconds and `Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime(_TS_FORMAT)


@dataclass(frozen=True, slots=True)
class Met:
    condition_id: str
    participant_id: str
    name: str
    role: Role
    method: MetBy
    document_type: DocumentType | None
    note: str | None
    at: str | None  # RFC 3339 UTC; None only for a restored record that carried no time

    def view(self) -> dict[str, Any]:
        return {
            "participant": self.participant_id,
            "name": self.name,
            "role": self.role.value,
            "method": self.method.value,
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
                    names(record.participant_id),
                    record.role,
                    record.method,
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
                "met": self._met[cid].view() if cid in self._met else None,
            }
            for cid, condition in self._conditions.items()
        ]
