from __future__ import annotations

import pytest

from handoff.crisis_state import (
    CLINICIANS, TRANSITIONS, Action, CrisisState, Role, allowed_actions, plan_transition, roles_for,
)
from handoff.errors import CrisisClosed, IllegalTransition, RoleNotPermitted


def test_only_clinicians_close_and_only_via_close():
    into_closed = [t for t in TRANSITIONS if t.target is CrisisState.CLOSED]
    assert into_closed and all(t.action is Action.CLOSE and t.roles == CLINICIANS for t in into_closed)
    assert {t.source for t in into_closed} == {CrisisState.STABILISED, CrisisState.HELP_ARRIVED}


def test_client_may_only_start_and_support_persons_and_responders_never_transition():
    assert allowed_actions(None, Role.CLIENT) == (Action.START,)
    for state in CrisisState:
        assert allowed_actions(state, Role.CLIENT) == ()
        for role in (Role.SUPPORT_PERSON, Role.RESPONDER, Role.SYSTEM):
            assert allowed_actions(state, role) == ()
    assert roles_for(Action.START) == {Role.CLIENT, Role.THERAPIST, Role.ON_CALL_CLINICIAN}


def test_nothing_leaves_closed():
    assert not [t for t in TRANSITIONS if t.source is CrisisState.CLOSED]
    with pytest.raises(CrisisClosed):
        plan_transition(CrisisState.CLOSED, Action.REACTIVATE, Role.THERAPIST)


def test_errors_say_why():
    with pytest.raises(RoleNotPermitted):
        plan_transition(CrisisState.ACTIVE, Action.DISPATCH_HELP, Role.SUPPORT_PERSON)
    with pytest.raises(RoleNotPermitted):
        plan_transition(CrisisState.STABILISED, Action.CLOSE, Role.ADMIN)  # admin is not a clinician
    with pytest.raises(IllegalTransition) as caught:
        plan_transition(CrisisState.ACTIVE, Action.CLOSE, Role.THERAPIST)
    assert caught.value.details == {"state": "active", "action": "close", "role": "therapist"}
    assert plan_transition(CrisisState.ACTIVE, Action.DISPATCH_HELP, Role.ADMIN).target is CrisisState.HELP_ON_THE_WAY


def test_every_open_state_can_reach_closed():
    reachable = {CrisisState.ACTIVE}
    frontier = [CrisisState.ACTIVE]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS:
            if t.source is state and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    assert reachable == set(CrisisState)
