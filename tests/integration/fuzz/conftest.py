"""Fixtures of the fuzz tests: the real app (``world``) with generous socket rate limits, and a cast
of actors (staff of two programs, a client, tokens of every kind) made straight in the store, so
that no test pays for argon2 more than once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from server.db.tables import ParticipantRole, SessionKind, StaffRole, utcnow
from tests.conftest import make_settings
from tests.support.world import PASSWORD, PASSWORD_HASH, Therapist


@pytest.fixture
def settings(sqlite_url):
    """The fuzzers send hundreds of events per connection: keep the socket rate limit out of the way.
    X-Forwarded-For is trusted so that REST fuzzing can come from many addresses (the sign-in and
    redemption limits are per address) — and so that the header itself gets fuzzed."""
    return make_settings(sqlite_url, message_rate=10_000, message_burst=10_000, trust_forwarded_for=True)


@dataclass
class Actors:
    world: object
    therapist: object  # the Staff rows
    admin: object
    stranger: object  # a therapist of another program
    stranger_session_id: str
    client_id: str
    tokens: dict[str, str]

    async def fresh_session(self, kind: SessionKind = SessionKind.GROUP) -> tuple[str, str]:
        """A new live session of ``therapist`` with one client; returns (session id, client participant id)."""
        store = self.world.store
        now = utcnow()
        session = await store.create_session(therapist=self.therapist, kind=kind, title="Fuzz session",
                                             starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
        participant = await store.add_participant(session_id=session.id, role=ParticipantRole.CLIENT,
                                                  display_name="Fuzz client", client_id=self.client_id)
        return session.id, participant.id


async def _login(world, staff) -> str:
    status, body = await world.request("POST", "/api/auth/login", json={"email": staff.email, "password": PASSWORD})
    assert status == 200, body
    return body["access_token"]


async def _staff(world, program_id: str, role: StaffRole, n: int):
    return await world.store.create_staff(program_id=program_id, email=f"fuzz-{role.value}-{n}@example.test",
                                          display_name=f"Fuzz {role.value} {n}", role=role,
                                          password_hash=PASSWORD_HASH)


@pytest.fixture
async def actors(world) -> Actors:
    store = world.store
    program = await store.create_program("Fuzz program")
    other = await store.create_program("Other program")
    therapist = await _staff(world, program.id, StaffRole.THERAPIST, 1)
    admin = await _staff(world, program.id, StaffRole.ADMIN, 2)
    stranger = await _staff(world, other.id, StaffRole.THERAPIST, 3)
    client = await store.create_client(program_id=program.id, display_name="Fuzz client")
    now = utcnow()
    foreign = await store.create_session(therapist=stranger, kind=SessionKind.GROUP, title="Not yours",
                                         starts_at=now, ends_at=now + timedelta(hours=1))

    cast = Actors(world=world, therapist=therapist, admin=admin, stranger=stranger,
                  stranger_session_id=foreign.id, client_id=client.id, tokens={})
    therapist_token = await _login(world, therapist)
    session = await world.session(Therapist(therapist.id, program.id, therapist.email, therapist_token))
    status, link = await world.request("POST", f"/api/sessions/{session['id']}/participants", therapist_token,
                                       json={"display_name": "Fuzz client"})
    assert status == 201, link
    cast.tokens = {
        "therapist": therapist_token,
        "admin": await _login(world, admin),
        "participant": (await world.redeem(link["join_url"]))["participant_token"],
    }
    cast.tokens["tampered"] = therapist_token[:-6] + ("AAAAAA" if not therapist_token.endswith("AAAAAA") else "BBBBBB")
    return cast
