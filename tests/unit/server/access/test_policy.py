"""The access policy, table-driven: every action × every role × own/other program and session."""

from __future__ import annotations

import pytest

from server.errors import Forbidden, NotFound
from server.access.policy import ALLOWED, Action, Principal, Role, SessionScope, authorize, is_allowed

SCOPE = SessionScope(session_id="s1", program_id="prog", therapist_id="t1")


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_only_listed_roles_may_act_and_only_in_their_program(action, role):
    own = Principal(id="t1", role=role, program_id="prog")
    other = Principal(id="t1", role=role, program_id="elsewhere")
    assert is_allowed(own, action, SCOPE) == (role in ALLOWED[action])
    assert is_allowed(other, action, SCOPE) is False
    with pytest.raises(NotFound):  # another program's session does not exist for you
        authorize(other, action, SCOPE)


@pytest.mark.parametrize("action", [Action.SESSION_READ, Action.SESSION_MANAGE, Action.SESSION_HOST])
def test_a_therapist_manages_only_sessions_they_lead(action):
    colleague = Principal(id="t2", role=Role.THERAPIST, program_id="prog")
    with pytest.raises(Forbidden):
        authorize(colleague, action, SCOPE)


def test_a_participant_acts_only_in_their_own_session():
    member = Principal(id="p1", role=Role.CLIENT, program_id="prog", session_id="s1")
    assert is_allowed(member, Action.ROOM_SIGNAL, SCOPE)
    assert not is_allowed(member, Action.ROOM_SIGNAL, SessionScope("s2", "prog", "t1"))
    assert not is_allowed(member, Action.ROOM_MODERATE, SCOPE)


def test_support_persons_and_responders_never_manage_sessions():
    for role in (Role.SUPPORT, Role.RESPONDER, Role.CLIENT):
        for action in (Action.SESSION_CREATE, Action.SESSION_MANAGE, Action.ROOM_MODERATE):
            assert not is_allowed(Principal(id="x", role=role, program_id="prog"), action, SCOPE)


def test_messages_are_for_the_care_team_and_admins_of_the_program():
    from server.access.policy import ClientScope
    from server.errors import NotCareTeam, NotFound

    team = ClientScope("c1", "prog", care_team=frozenset({"t1"}))
    own = Principal("t1", Role.THERAPIST, "prog")
    colleague = Principal("t2", Role.THERAPIST, "prog")
    admin = Principal("a1", Role.ADMIN, "prog")
    stranger = Principal("a2", Role.ADMIN, "other")
    for action in (Action.MESSAGE_READ, Action.MESSAGE_SEND):
        assert is_allowed(own, action, team) and is_allowed(admin, action, team)
        assert not is_allowed(colleague, action, team)
        assert not is_allowed(own, action, ClientScope("c1", "prog"))  # the care team not looked up: no
        with pytest.raises(NotCareTeam):
            authorize(colleague, action, team)
        with pytest.raises(NotFound):
            authorize(stranger, action, team)
    client = Principal("c1", Role.CLIENT, "prog", client_id="c1")
    assert is_allowed(client, Action.MESSAGE_OWN, team) and not is_allowed(client, Action.MESSAGE_READ, team)
