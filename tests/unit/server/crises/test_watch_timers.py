"""The crisis watch's timers on a FakeClock, with fakes for its store, crises, escalation and the live
state: each lost-contact step and the on-call page happen when due and not before, a return cancels
what is pending, a crisis closed meanwhile stops them, and ``close()`` ends them all."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from handoff.crisis_state import CrisisState
from server.crises.watch import CrisisWatch
from tests.conftest import make_settings
from tests.support.fake_clock import FakeClock

SESSION, CRISIS, CLIENT, CLINICIAN = "s1", "c1", "client-1", "staff-1"
TIMING = dict(reconnect_window=5, lost_contact_notify_support_after=30, lost_contact_prompt_emergency_after=90,
              on_call_grace=60)


class Fakes:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.crisis = SimpleNamespace(crisis_id=CRISIS, client_id=CLIENT, responsible_clinician_id=CLINICIAN,
                                      state=CrisisState.ACTIVE, is_open=True)
        self.connected: set[str] = set()  # participant ids connected in the live state
        self.steps: list[tuple[str, float]] = []  # (what the escalation did, at which elapsed time)
        self.participants = {"p-client": SimpleNamespace(client_id=CLIENT, staff_id=None),
                             "p-host": SimpleNamespace(client_id=None, staff_id=CLINICIAN)}
        self.signaling = SimpleNamespace(live=SimpleNamespace(members=self._members))

    # the store and the crises
    async def get_participant(self, participant_id):
        return self.participants[participant_id]

    async def open_in_session(self, session_id):
        return SimpleNamespace(crisis_id=CRISIS) if self.crisis.is_open else None

    async def load(self, crisis_id):
        return self.crisis

    # the escalation
    async def record(self, crisis_id, session_id, change):
        return self.crisis

    async def notify_support_persons(self, crisis, session_id, since):
        self.steps.append(("notify_support", self.clock.elapsed))

    async def prompt_emergency_call(self, crisis, session_id, since):
        self.steps.append(("prompt_emergency", self.clock.elapsed))

    async def page_on_call(self, crisis, session_id, staff_id, since):
        self.steps.append(("page_on_call", self.clock.elapsed))

    async def _members(self, session_id):
        roles = {"p-client": "client", "p-host": "therapist"}
        return [SimpleNamespace(participant_id=p, role=roles[p], connected=True) for p in self.connected]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fakes(clock) -> Fakes:
    return Fakes(clock)


@pytest.fixture
async def watch(fakes, clock):
    escalation = SimpleNamespace(record=fakes.record, notify_support_persons=fakes.notify_support_persons,
                                 prompt_emergency_call=fakes.prompt_emergency_call, page_on_call=fakes.page_on_call,
                                 signaling=fakes.signaling)
    watch = CrisisWatch(make_settings("sqlite+aiosqlite:///x.db", **TIMING), fakes, fakes, escalation,
                        now=clock.now, sleep=clock.sleep)
    yield watch
    await watch.close()


async def test_the_lost_contact_steps_come_each_at_its_time(watch, fakes, clock):
    await watch.presence(SESSION, "p-client", "client", "dropped")
    assert await clock.sleeping(1) == [30]
    await clock.advance(29.9)
    assert fakes.steps == []  # not before it is due
    await clock.advance(0.1)
    assert fakes.steps == [("notify_support", 30)]
    assert clock.pending == [90]
    await clock.advance(59.9)
    assert fakes.steps == [("notify_support", 30)]
    await clock.advance(0.1)
    assert fakes.steps == [("notify_support", 30), ("prompt_emergency", 90)]
    await clock.settle()
    assert not watch.pending(SESSION, "p-client") and clock.pending == []


async def test_the_steps_run_from_when_the_client_was_last_seen(watch, fakes, clock):
    await clock.advance(1000)
    await watch.presence(SESSION, "p-client", "client", "dropped")
    assert await clock.sleeping(1) == [1030]
    await clock.advance(90)
    assert fakes.steps == [("notify_support", 1030), ("prompt_emergency", 1090)]


async def test_a_return_cancels_the_pending_steps(watch, fakes, clock):
    await watch.presence(SESSION, "p-client", "client", "dropped")
    await clock.sleeping(1)
    await clock.advance(20)
    fakes.connected.add("p-client")
    await watch.presence(SESSION, "p-client", "client", "returned")
    assert not watch.pending(SESSION, "p-client") and clock.pending == []
    await clock.advance(100)
    assert fakes.steps == []


async def test_a_crisis_closed_meanwhile_stops_the_steps(watch, fakes, clock):
    await watch.presence(SESSION, "p-client", "client", "dropped")
    await clock.sleeping(1)
    fakes.crisis.state, fakes.crisis.is_open = CrisisState.CLOSED, False
    await clock.advance(100)
    assert fakes.steps == [] and not watch.pending(SESSION, "p-client")


async def test_the_on_call_clinician_is_paged_after_the_grace(watch, fakes, clock):
    await watch.presence(SESSION, "p-host", "therapist", "dropped")
    assert await clock.sleeping(1) == [60]
    await clock.advance(59.9)
    assert fakes.steps == []
    await clock.advance(0.1)
    assert fakes.steps == [("page_on_call", 60)]


async def test_a_clinician_back_within_the_grace_pages_nobody(watch, fakes, clock):
    await watch.presence(SESSION, "p-host", "therapist", "left")
    await clock.sleeping(1)
    await clock.advance(30)
    fakes.connected.add("p-host")
    await watch.presence(SESSION, "p-host", "therapist", "joined")
    assert clock.pending == []
    await clock.advance(timedelta(minutes=5).total_seconds())
    assert fakes.steps == []


async def test_a_clinician_connected_when_the_grace_ends_pages_nobody(watch, fakes, clock):
    await watch.presence(SESSION, "p-host", "therapist", "dropped")
    await clock.sleeping(1)
    fakes.connected.add("p-host")  # back, though their return was not seen (another node, say)
    await clock.advance(60)
    assert fakes.steps == [] and not watch.pending(SESSION, "p-host")


async def test_close_ends_every_timer(watch, fakes, clock):
    await watch.presence(SESSION, "p-client", "client", "dropped")
    await watch.presence(SESSION, "p-host", "therapist", "dropped")
    assert await clock.sleeping(2) == [30, 60]
    await watch.close()
    assert clock.pending == []
    await clock.advance(100)
    assert fakes.steps == []
