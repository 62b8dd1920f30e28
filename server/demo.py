"""Demo data for a development database: a program, a therapist and an individual session with a
client; and, on a database that has them, a fresh sign-in and client link (``steadyline demo --new-link``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from server.access.links import new_link
from server.access.passwords import hash_password
from server.db.tables import ParticipantRole, SessionKind, Staff, StaffRole, utcnow
from server.sessions.store import Store

DEMO_EMAIL = "therapist@demo.steadyline.invalid"
DEMO_CLIENT = "Demo Client"
DEMO_SESSION_HOURS = 8


@dataclass(frozen=True)
class DemoDetails:
    email: str
    password: str
    console_url: str
    client_join_url: str

    def __repr__(self) -> str:
        return f"DemoDetails(email={self.email!r}, password=***)"


async def create_demo(store: Store, public_url: str, timezone: str = "UTC") -> DemoDetails | None:
    """Create the demo once; returns None when the database already has a program."""
    if await store.first_program() is not None:
        return None
    program = await store.create_program("Demo Recovery Program", timezone)
    password = secrets.token_urlsafe(12)
    therapist = await store.create_staff(
        program_id=program.id, email=DEMO_EMAIL, display_name="Demo Therapist",
        role=StaffRole.THERAPIST, password_hash=hash_password(password),
    )
    return await _session_with_link(store, therapist, password, public_url)


async def renew_demo(store: Store, public_url: str) -> DemoDetails | None:
    """A new password for the demo therapist and a new session starting now with a new client link
    (earlier links stay as they were); None when the database has no demo therapist."""
    therapist = await store.staff_by_email(DEMO_EMAIL)
    if therapist is None:
        return None
    password = secrets.token_urlsafe(12)
    await store.set_password_hash(therapist.id, hash_password(password))
    return await _session_with_link(store, therapist, password, public_url)


async def _session_with_link(store: Store, therapist: Staff, password: str, public_url: str) -> DemoDetails:
    now = utcnow()
    session = await store.create_session(
        therapist=therapist, kind=SessionKind.INDIVIDUAL, title="Demo individual session",
        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=DEMO_SESSION_HOURS),
    )
    client = await store.create_client(program_id=therapist.program_id, display_name=DEMO_CLIENT)
    participant = await store.add_participant(
        session_id=session.id, role=ParticipantRole.CLIENT, display_name=client.display_name, client_id=client.id
    )
    link = new_link()
    await store.create_invite(participant_id=participant.id, token_hash=link.token_hash, expires_at=session.ends_at)
    return DemoDetails(email=DEMO_EMAIL, password=password, console_url=f"{public_url}/console",
                       client_join_url=link.url(public_url))
