"""Who may send what, when: one table, action x role x room state, checked before anything else.

Seat matters too: apart from `ping`, only an admitted participant may act; someone waiting in
the lobby can only wait. Finer rules (which roles meet which legal condition, who may lift an
authority's stop) depend on the hearing's data and live in the room, after this check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from signaling import protocol as p
from signaling.errors import PermissionDenied
from signaling.protocol import Role
from signaling.states import LIVE_STATES, State


class Action(StrEnum):
    ADMIT = "admit"
    DENY = "deny"
    REMOVE = "remove"
    CONFIRM_AUTHORITY = "confirm_authority"
    OFFER = "offer"
    ANSWER = "answer"
    ICE = "ice"
    CONDITION = "condition"
    TESTIMONY_START = "testimony.start"
    TESTIMONY_PAUSE = "testimony.pause"
    TESTIMONY_RESUME = "testimony.resume"
    TESTIMONY_STOP = "testimony.stop"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    RECORDING_START = "recording.start"
    RECORDING_STOP = "recording.stop"
    END = "end"
    PING = "ping"


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role]
    states: frozenset[State]
    admitted_only: bool = True


ALL_ROLES = frozenset(Role)
JUDGE = frozenset({Role.JUDGE})
_JUDGE_OR_AUTHORITY = frozenset({Role.JUDGE, Role.AUTHORITY})
_IN_HEARING = frozenset({State.SESSION, State.TESTIMONY, State.PAUSED})

PERMISSIONS: dict[Action, Rule] = {
    Action.ADMIT: Rule(JUDGE, LIVE_STATES),
    Action.DENY: Rule(JUDGE, LIVE_STATES),
    Action.REMOVE: Rule(JUDGE, LIVE_STATES),
    Action.CONFIRM_AUTHORITY: Rule(JUDGE, LIVE_STATES),
    # The target must also be admitted and connected: the room checks that.
    Action.OFFER: Rule(ALL_ROLES, LIVE_STATES),
    Action.ANSWER: Rule(ALL_ROLES, LIVE_STATES),
    Action.ICE: Rule(ALL_ROLES, LIVE_STATES),
    # Any role may try; the condition's own `satisfied_by` then decides.
    Action.CONDITION: Rule(ALL_ROLES, _IN_HEARING),
    Action.TESTIMONY_START: Rule(JUDGE, frozenset({State.SESSION})),
    # The requested state's authority may stop the hearing on fundamental principles.
    Action.TESTIMONY_PAUSE: Rule(_JUDGE_OR_AUTHORITY, frozenset({State.TESTIMONY})),
    # In `session` only to lift an authority's stop a rebuilt room inherited (procedure.py).
    Action.TESTIMONY_RESUME: Rule(_JUDGE_OR_AUTHORITY, frozenset({State.SESSION, State.PAUSED})),
    Action.TESTIMONY_STOP: Rule(JUDGE, frozenset({State.TESTIMONY, State.PAUSED})),
    # A witness only where her consent is a condition: the procedure checks that.
    Action.CONSENT_WITHDRAWN: Rule(frozenset({Role.ACCUSED, Role.WITNESS}), _IN_HEARING),
    Action.RECORDING_START: Rule(JUDGE, _IN_HEARING),
    Action.RECORDING_STOP: Rule(JUDGE, _IN_HEARING),
    Action.END: Rule(JUDGE, LIVE_STATES),
    Action.PING: Rule(ALL_ROLES, LIVE_STATES, admitted_only=False),
}

_SIMPLE: dict[type[p.ClientMessage], Action] = {
    p.Admit: Action.ADMIT,
    p.Deny: Action.DENY,
    p.Remove: Action.REMOVE,
    p.ConfirmAuthority: Action.CONFIRM_AUTHORITY,
    p.Offer: Action.OFFER,
    p.Answer: Action.ANSWER,
    p.Ice: Action.ICE,
    p.ConditionMet: Action.CONDITION,
    p.ConsentWithdrawn: Action.CONSENT_WITHDRAWN,
    p.End: Action.END,
    p.Ping: Action.PING,
}


def action_of(message: p.ClientMessage) -> Action:
    if isinstance(message, p.Testimony):
        return Action(f"testimony.{message.action.value}")
    if isinstance(message, p.Recording):
        return Action(f"recording.{message.action.value}")
    action = _SIMPLE.get(type(message))
    if action is None:
        # hello is the connection's business, never the room's.
        raise PermissionDenied("perm.unexpected", f"{type(message).__name__} is not a room action")
    return action


def check(action: Action, role: Role, admitted: bool, state: State) -> None:
    """Raise PermissionDenied (`perm.not_admitted`, `perm.role`, `perm.state`) or return."""
    rule = PERMISSIONS[action]
    if rule.admitted_only and not admitted:
        raise PermissionDenied(
            "perm.not_admitted", f"{action.value} needs an admitted seat; wait to be admitted"
        )
    if role not in rule.roles:
        raise PermissionDenied("perm.role", f"a {role.value} may not {action.value}")
    if state not in rule.states:
        raise PermissionDenied(
            "perm.state", f"{action.value} is not possible while the room is {state.value}"
        )
