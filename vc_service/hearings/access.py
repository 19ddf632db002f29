"""Who may see and do what with a hearing. Pure.

Judges manage their own court's hearings; clerks of that court see them and handle invitations;
authorities see the hearings to be held in their state. Anything else is answered as if the
hearing did not exist, so nobody learns that another court's hearing exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vc_service.accounts.models import Role
from vc_service.accounts.service import Principal
from vc_service.errors import Forbidden, NotFound


class Action(StrEnum):
    VIEW = "view"
    MANAGE = "manage"  # create, reschedule, cancel, review, open, participants
    INVITE = "invite"  # issue, re-issue, revoke invitations; see codes and the outbox


@dataclass(frozen=True)
class Viewer:
    """A signed-in principal with the state of their court (authorities are scoped by it)."""

    principal: Principal
    court_state: str

    @property
    def role(self) -> Role:
        return self.principal.role

    def actor(self) -> dict[str, str]:
        p = self.principal
        return {"role": p.role.value, "id": p.user_id, "name": p.display_name}


def visible(viewer: Viewer, court_id: str, requested_state: str) -> bool:
    if viewer.role in (Role.JUDGE, Role.CLERK):
        return viewer.principal.court_id == court_id
    if viewer.role is Role.AUTHORITY:
        return viewer.court_state == requested_state
    return False


_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({Role.JUDGE, Role.CLERK, Role.AUTHORITY}),
    Action.MANAGE: frozenset({Role.JUDGE}),
    Action.INVITE: frozenset({Role.JUDGE, Role.CLERK}),
}


def check(
    viewer: Viewer, action: Action, hearing_id: str, court_id: str, requested_state: str
) -> None:
    """Raise NotFound if the hearing is not visible, Forbidden if the action is not allowed."""
    if not visible(viewer, court_id, requested_state):
        raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
    if viewer.role not in _ALLOWED[action]:
        raise Forbidden(
            f"a {viewer.role.value} cannot {action.value} this hearing",
            code="hearing.forbidden",
            details={"action": action.value},
        )
    # An authority sees the hearing but never manages it, even if its court is the requesting
    # one: it is the other state's hearing.
    if action is not Action.VIEW and viewer.principal.court_id != court_id:
        raise Forbidden(
            f"only the requesting court can {action.value} this hearing", code="hearing.forbidden"
        )
