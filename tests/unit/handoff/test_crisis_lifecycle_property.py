"""Property test: whatever anyone does, in any order, the crisis lifecycle stays legal.

Random sequences of every action by every role (including stale versions, presence changes and
disconnects) are run through the real ``apply_transition`` against an in-memory store. After
each step: the state is one of the enum's, each recorded state change is a row of the
transition table taken by a role that row allows, the version counts the events, and a closed
crisis was closed by exactly one explicit CLOSE from a clinician and never changes again.
"""

from __future__ import annotations

import asyncio
from functools import partial

from hypothesis import HealthCheck, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from handoff.crisis import Actor, EventKind, append, apply_transition, open_crisis, record_presence
from handoff.crisis_state import CLINICIANS, TRANSITIONS, Action, CrisisState, Role, allowed_actions
from handoff.errors import (
    CrisisAlreadyExists, CrisisClosed, CrisisNotFound, IllegalTransition, RoleNotPermitted, VersionConflict,
)

from .fakes import T0, FakeClock, InMemoryCrisisStore

CID = "crisis_prop"
ACTORS = [
    Actor(actor_id="client_1", role=Role.CLIENT),
    Actor(actor_id="client_2", role=Role.CLIENT),  # someone else's client
    Actor(actor_id="therapist_1", role=Role.THERAPIST),
    Actor(actor_id="oncall_1", role=Role.ON_CALL_CLINICIAN),
    Actor(actor_id="admin_1", role=Role.ADMIN),
    Actor(actor_id="contact_1", role=Role.SUPPORT_PERSON),
    Actor(actor_id="responder_1", role=Role.RESPONDER),
    Actor(actor_id="steadyline", role=Role.SYSTEM),
]
ALLOWED = {(t.source, t.action, role): t.target for t in TRANSITIONS for role in t.roles}
STAFF_ROLES = {Role.THERAPIST, Role.ON_CALL_CLINICIAN, Role.ADMIN}
CLOSERS = {Role.THERAPIST, Role.ON_CALL_CLINICIAN}
NEVER_TRANSITION = {Role.SUPPORT_PERSON, Role.RESPONDER, Role.SYSTEM}
REFUSALS = (IllegalTransition, RoleNotPermitted, CrisisClosed, CrisisAlreadyExists, VersionConflict, CrisisNotFound)


class CrisisLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryCrisisStore()
        self.clock = FakeClock(T0)

    @property
    def crisis(self):
        return self.store.crises.get(CID)

    def run(self, coroutine):
        return asyncio.run(coroutine)

    @rule(actor=st.sampled_from(ACTORS))
    def ask_for_help(self, actor: Actor) -> None:
        before = self.crisis
        try:
            self.run(open_crisis(self.store, CID, client_id="client_1", program_id="p", actor=actor, clock=self.clock))
        except REFUSALS:
            assert self.crisis == before
            may_open = (None, Action.START, actor.role) in ALLOWED and (
                actor.role is not Role.CLIENT or actor.actor_id == "client_1")
            assert before is not None or not may_open
        else:
            assert before is None and (None, Action.START, actor.role) in ALLOWED
            assert actor.role is not Role.CLIENT or actor.actor_id == "client_1"
            assert self.crisis.state is CrisisState.ACTIVE

    @rule(actor=st.sampled_from(ACTORS), action=st.sampled_from(Action), stale=st.sampled_from([False] * 4 + [True]))
    def act(self, actor: Actor, action: Action, stale: bool) -> None:
        before = self.crisis
        expected = (before.version if before else 1) - (1 if stale else 0)
        try:
            after = self.run(apply_transition(self.store, CID, action, actor, expected_version=expected, clock=self.clock))
        except REFUSALS:
            assert self.crisis == before, "a refused step must change nothing"
            if before is not None and not stale:
                assert ALLOWED.get((before.state, action, actor.role)) is None
        else:
            assert before is not None and not stale
            assert after.state is ALLOWED[(before.state, action, actor.role)]
            assert after.version == before.version + 1

    @rule(data=st.data())
    def staff_take_an_offered_step(self, data) -> None:
        """Steer towards the deeper states: a staff member takes a step the UI would offer."""
        before = self.crisis
        if before is None:
            return
        actor = data.draw(st.sampled_from([a for a in ACTORS if a.role in STAFF_ROLES]))
        offered = allowed_actions(before.state, actor.role)
        if not offered:
            return
        action = data.draw(st.sampled_from(offered))
        after = self.run(apply_transition(self.store, CID, action, actor, expected_version=before.version, clock=self.clock))
        assert after.state is ALLOWED[(before.state, action, actor.role)]

    @rule(actor=st.sampled_from(ACTORS), joined=st.booleans())
    def connection_changes(self, actor: Actor, joined: bool) -> None:
        before = self.crisis
        if before is None:
            return
        try:
            after = self.run(append(self.store, CID, partial(record_presence, participant=actor, joined=joined),
                                    expected_version=before.version, clock=self.clock))
        except CrisisClosed:
            assert before.state is CrisisState.CLOSED and self.crisis == before
        else:
            assert after.state is before.state, "joining or dropping never changes the state"

    @rule(seconds=st.integers(min_value=1, max_value=3600))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @invariant()
    def lifecycle_is_legal(self) -> None:
        crisis = self.crisis
        if crisis is None:
            return
        note_event(f"reached {crisis.state.value}")
        assert crisis.state in set(CrisisState)
        assert crisis.version == len(crisis.timeline)
        state = None
        changes = [e for e in crisis.timeline if e.kind is EventKind.STATE_CHANGED]
        for event in changes:
            assert event.from_state is state
            assert ALLOWED.get((state, event.action, event.actor_role)) is event.to_state
            state = event.to_state
        assert state is crisis.state
        closes = [e for e in changes if e.to_state is CrisisState.CLOSED]
        for event in changes:  # the policy, stated independently of the table
            assert event.actor_role not in NEVER_TRANSITION
            assert event.actor_role is not Role.CLIENT or event.action is Action.START
        if crisis.state is CrisisState.CLOSED:
            assert len(closes) == 1
            close = closes[0]
            assert close.action is Action.CLOSE and close.actor_role in CLOSERS
            assert CLOSERS == CLINICIANS
            assert crisis.closed_at == close.at and crisis.closed_by == close.actor_id
            assert close is crisis.timeline[-1], "nothing is recorded after closing"
        else:
            assert not closes and crisis.closed_at is None


CrisisLifecycle.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
TestCrisisLifecycle = CrisisLifecycle.TestCase
