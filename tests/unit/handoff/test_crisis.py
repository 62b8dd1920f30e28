from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from handoff.consent import ConsentLedger, DisclosureCategory, Party, Scope, check, emergency_override
from handoff.crisis import (
    Actor, CrisisStore, EventKind, SYSTEM_ACTOR, append, apply_transition, open_crisis, record_assignment,
    record_disclosure, record_escalation, record_presence, start, transition,
)
from handoff.crisis_state import Action, CrisisState, Role
from handoff.errors import (
    CrisisAlreadyExists, CrisisClosed, CrisisNotFound, IllegalTransition, RoleNotPermitted, VersionConflict,
)

from .fakes import T0, InMemoryCrisisStore

CLIENT = Actor(actor_id="client_1", role=Role.CLIENT)
THERAPIST = Actor(actor_id="therapist_1", role=Role.THERAPIST)
ON_CALL = Actor(actor_id="oncall_1", role=Role.ON_CALL_CLINICIAN)
SISTER = Actor(actor_id="contact_1", role=Role.SUPPORT_PERSON)
REASON = "Client said she took pills twenty minutes ago and has stopped answering on video."


async def opened(store, clock, recorder=None):
    return await open_crisis(store, "crisis_1", client_id="client_1", program_id="prog_1", actor=CLIENT,
                             clock=clock, on_event=recorder)


def test_store_fake_satisfies_the_port():
    assert isinstance(InMemoryCrisisStore(), CrisisStore)


async def test_client_starts_and_clinician_walks_it_to_closed(store, clock, recorder):
    crisis = await opened(store, clock, recorder)
    assert crisis.state is CrisisState.ACTIVE and crisis.version == 1 and crisis.opened_by == CLIENT
    steps = [(Action.DISPATCH_HELP, THERAPIST), (Action.HELP_ARRIVED, THERAPIST),
             (Action.STABILISE, THERAPIST), (Action.CLOSE, THERAPIST)]
    for action, actor in steps:
        clock.advance(minutes=5)
        crisis = await apply_transition(store, "crisis_1", action, actor, expected_version=crisis.version,
                                        clock=clock, on_event=recorder)
    assert crisis.state is CrisisState.CLOSED and crisis.version == 5
    assert crisis.closed_at == T0 + timedelta(minutes=20) and crisis.closed_by == "therapist_1"
    assert [e.to_state for e in recorder.events] == [
        CrisisState.ACTIVE, CrisisState.HELP_ON_THE_WAY, CrisisState.HELP_ARRIVED, CrisisState.STABILISED,
        CrisisState.CLOSED,
    ]
    assert [e.seq for e in recorder.events] == [1, 2, 3, 4, 5]
    last = recorder.events[-1]
    assert (last.actor_id, last.actor_role, last.action, last.from_state) == (
        "therapist_1", Role.THERAPIST, Action.CLOSE, CrisisState.STABILISED)
    assert store.crises["crisis_1"] == crisis


async def test_stale_version_is_a_conflict_and_nothing_is_saved(store, clock, recorder):
    crisis = await opened(store, clock)
    await apply_transition(store, "crisis_1", Action.DISPATCH_HELP, THERAPIST, expected_version=1, clock=clock)
    with pytest.raises(VersionConflict) as caught:
        await apply_transition(store, "crisis_1", Action.STABILISE, ON_CALL, expected_version=crisis.version,
                               clock=clock, on_event=recorder)
    assert caught.value.code == "crisis_version_conflict"
    assert caught.value.details["current"] == 2
    assert store.crises["crisis_1"].state is CrisisState.HELP_ON_THE_WAY and not recorder.events


async def test_lost_race_inside_the_store_is_a_conflict(store, clock):
    await opened(store, clock)

    class RacingStore(InMemoryCrisisStore):
        async def save_if_version(self, crisis, expected_version):
            return False

    racing = RacingStore()
    racing.crises = dict(store.crises)
    with pytest.raises(VersionConflict):
        await apply_transition(racing, "crisis_1", Action.STABILISE, THERAPIST, expected_version=1, clock=clock)


async def test_open_twice_and_missing_crisis(store, clock):
    await opened(store, clock)
    with pytest.raises(CrisisAlreadyExists):
        await opened(store, clock)
    with pytest.raises(CrisisNotFound):
        await apply_transition(store, "nope", Action.STABILISE, THERAPIST, expected_version=1, clock=clock)


async def test_client_cannot_open_for_someone_else(store, clock):
    with pytest.raises(RoleNotPermitted):
        await open_crisis(store, "c2", client_id="client_9", program_id="p", actor=CLIENT, clock=clock)
    with pytest.raises(RoleNotPermitted):
        await open_crisis(store, "c2", client_id="client_1", program_id="p", actor=SISTER, clock=clock)


async def test_illegal_and_forbidden_steps_raise_named_errors(store, clock):
    await opened(store, clock)
    with pytest.raises(IllegalTransition):
        await apply_transition(store, "crisis_1", Action.CLOSE, THERAPIST, expected_version=1, clock=clock)
    with pytest.raises(RoleNotPermitted):
        await apply_transition(store, "crisis_1", Action.STABILISE, CLIENT, expected_version=1, clock=clock)
    with pytest.raises(RoleNotPermitted):
        await apply_transition(store, "crisis_1", Action.DISPATCH_HELP, SISTER, expected_version=1, clock=clock)
    assert store.crises["crisis_1"].version == 1


async def test_disconnects_never_end_a_crisis(store, clock, recorder):
    crisis = await opened(store, clock)
    for who in (CLIENT, THERAPIST, CLIENT):
        clock.advance(seconds=30)
        crisis = await append(store, "crisis_1", partial(record_presence, participant=who, joined=False),
                              expected_version=crisis.version, clock=clock, on_event=recorder)
    assert crisis.state is CrisisState.ACTIVE and crisis.is_open
    assert [e.kind for e in recorder.events] == [EventKind.LEFT] * 3
    assert recorder.events[0].participant_role is Role.CLIENT


async def test_disclosures_record_categories_and_basis_never_content(store, clock):
    crisis = await opened(store, clock)
    ledger = ConsentLedger(client_id="client_1").grant(
        Party.emergency_services(), Scope.SHARE_LOCATION_AND_SITUATION, starts_at=T0 - timedelta(days=9),
        recorded_by="therapist_1", grant_id="g1")
    basis = check(ledger, Party.emergency_services(), Scope.SHARE_LOCATION_AND_SITUATION, clock())
    cats = frozenset({DisclosureCategory.LOCATION, DisclosureCategory.SITUATION})
    crisis = await append(store, "crisis_1", partial(record_disclosure, actor=THERAPIST,
                          recipient=Party.emergency_services(), categories=cats, basis=basis),
                          expected_version=1, clock=clock)
    event = crisis.timeline[-1]
    assert event.kind is EventKind.DISCLOSURE and event.categories == cats
    assert (event.basis_kind, event.basis_ref) == ("consent", "g1")
    assert set(event.model_dump(exclude_none=True)) <= {
        "crisis_id", "seq", "at", "kind", "actor_id", "actor_role", "recipient", "categories", "basis_kind",
        "basis_ref"}


def test_disclosure_must_be_covered_by_the_basis_and_made_by_staff():
    crisis, _ = start("c1", client_id="client_1", program_id="p", actor=CLIENT, at=T0)
    override = emergency_override("therapist_1", REASON, T0, client_id="client_1", crisis_id="c1",
                                  clinical_lead_id="lead").basis
    with pytest.raises(RoleNotPermitted):  # lethal means not in the override's categories
        record_disclosure(crisis, THERAPIST, recipient=Party.emergency_services(),
                          categories=frozenset({DisclosureCategory.LETHAL_MEANS}), basis=override, at=T0,
                          expected_version=1)
    with pytest.raises(RoleNotPermitted):
        record_disclosure(crisis, SISTER, recipient=Party.emergency_services(),
                          categories=frozenset({DisclosureCategory.LOCATION}), basis=override, at=T0,
                          expected_version=1)
    crisis, event = record_disclosure(crisis, THERAPIST, recipient=Party.emergency_services(),
                                      categories=frozenset({DisclosureCategory.LOCATION}), basis=override,
                                      at=T0, expected_version=1)
    assert event.basis_kind == "override" and event.basis_ref == override.override_id


def test_assignment_escalation_and_closed_crises_accept_nothing():
    crisis, _ = start("c1", client_id="client_1", program_id="p", actor=THERAPIST, at=T0)
    assert crisis.responsible_clinician_id == "therapist_1"
    crisis, _ = record_assignment(crisis, "oncall_1", SYSTEM_ACTOR, at=T0, expected_version=1)
    assert crisis.responsible_clinician_id == "oncall_1"
    crisis, event = record_escalation(crisis, "notify_support_person", SYSTEM_ACTOR, at=T0, expected_version=2)
    assert event.step == "notify_support_person"
    with pytest.raises(RoleNotPermitted):
        record_escalation(crisis, "x", CLIENT, at=T0, expected_version=3)
    crisis, _ = transition(crisis, Action.STABILISE, ON_CALL, T0, expected_version=3)
    crisis, _ = transition(crisis, Action.CLOSE, ON_CALL, T0, expected_version=4)
    with pytest.raises(CrisisClosed):
        record_presence(crisis, CLIENT, joined=True, at=T0, expected_version=5)
    with pytest.raises(CrisisClosed):
        transition(crisis, Action.REACTIVATE, THERAPIST, T0, expected_version=5)
    assert crisis.events_after(3)[0].seq == 4


async def test_a_failing_broadcast_does_not_undo_the_saved_change(store, clock, caplog):
    async def broken(event, crisis):
        raise RuntimeError("socket layer down")

    crisis = await open_crisis(store, "crisis_1", client_id="client_1", program_id="p", actor=CLIENT,
                               clock=clock, on_event=broken)
    assert store.crises["crisis_1"] == crisis
    assert "on_event failed" in caplog.text
