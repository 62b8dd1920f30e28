"""The durable store on SQLite and on a real PostgreSQL server (each test runs on both)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from datetime import timedelta

import pytest

from server.db.engine import make_engine, make_sessionmaker
from server.errors import LinkInvalid, NotFound
from server.access.links import new_link
from server.db.tables import ParticipantRole, SessionKind, SessionStatus, StaffRole, utcnow
from server.db.field_keys import KeySource
from server.sessions.store import Store
from tests.conftest import TEST_FIELD_KEYS

GRACE = timedelta(minutes=15)


@pytest.fixture
async def store(database_url):
    engine = make_engine(database_url)
    yield Store(make_sessionmaker(engine, KeySource(TEST_FIELD_KEYS, Path("unused"))))
    await engine.dispose()


async def _session(store: Store, *, starts_in=timedelta(minutes=-1), kind=SessionKind.GROUP):
    program = await store.create_program("Program")
    therapist = await store.create_staff(program_id=program.id, email="T@Example.test", display_name="T",
                                         role=StaffRole.THERAPIST, password_hash="x")
    now = utcnow()
    session = await store.create_session(therapist=therapist, kind=kind, title="Group",
                                         starts_at=now + starts_in, ends_at=now + starts_in + timedelta(hours=1))
    return program, therapist, session


async def _client_with_link(store: Store, session, single_use=False):
    participant = await store.add_participant(session_id=session.id, role=ParticipantRole.CLIENT, display_name="C")
    link = new_link()
    await store.create_invite(participant_id=participant.id, token_hash=link.token_hash,
                              expires_at=session.ends_at, single_use=single_use)
    return participant, link


async def test_session_creation_adds_its_therapist_as_participant(store):
    _, therapist, session = await _session(store)
    participants = await store.list_participants(session.id)
    assert [(p.role, p.staff_id) for p in participants] == [(ParticipantRole.THERAPIST, therapist.id)]
    assert (await store.get_session(session.id)).starts_at.tzinfo is not None
    assert (await store.staff_by_email(" t@example.TEST ")).id == therapist.id


async def test_link_redeems_within_the_window_and_counts(store):
    _, _, session = await _session(store)
    participant, link = await _client_with_link(store, session)
    for _ in range(2):
        found = await store.redeem_invite(link.token_hash, now=utcnow(), grace=GRACE)
        assert found.participant.id == participant.id
    assert (await store.get_invite(found.invite.id)).redeem_count == 2


async def test_unknown_revoked_reissued_and_removed_links_all_fail_alike(store):
    _, _, session = await _session(store)
    participant, link = await _client_with_link(store, session)
    with pytest.raises(LinkInvalid):
        await store.redeem_invite(new_link().token_hash, now=utcnow(), grace=GRACE)
    newer = new_link()
    await store.create_invite(participant_id=participant.id, token_hash=newer.token_hash, expires_at=session.ends_at)
    with pytest.raises(LinkInvalid):  # the older link stopped working
        await store.redeem_invite(link.token_hash, now=utcnow(), grace=GRACE)
    await store.redeem_invite(newer.token_hash, now=utcnow(), grace=GRACE)
    await store.remove_participant(participant.id)
    with pytest.raises(LinkInvalid):
        await store.redeem_invite(newer.token_hash, now=utcnow(), grace=GRACE)


async def test_links_work_only_in_the_session_window(store):
    _, _, session = await _session(store, starts_in=timedelta(hours=2))
    _, link = await _client_with_link(store, session)
    with pytest.raises(LinkInvalid):
        await store.redeem_invite(link.token_hash, now=utcnow(), grace=GRACE)
    assert await store.redeem_invite(link.token_hash, now=session.starts_at - timedelta(minutes=5), grace=GRACE)
    with pytest.raises(LinkInvalid):
        await store.redeem_invite(link.token_hash, now=session.ends_at + timedelta(seconds=1), grace=GRACE)


async def test_ended_session_links_fail(store):
    _, _, session = await _session(store)
    _, link = await _client_with_link(store, session)
    ended = await store.end_session(session.id)
    assert ended.status is SessionStatus.ENDED and ended.ended_at is not None
    with pytest.raises(LinkInvalid):
        await store.redeem_invite(link.token_hash, now=utcnow(), grace=GRACE)


async def test_single_use_link_redeems_once_even_when_raced(store):
    _, _, session = await _session(store)
    _, link = await _client_with_link(store, session, single_use=True)
    results = await asyncio.gather(
        *(store.redeem_invite(link.token_hash, now=utcnow(), grace=GRACE) for _ in range(5)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, LinkInvalid) for r in results if isinstance(r, Exception))


async def test_sessions_are_listed_per_program_and_therapist(store):
    program, therapist, session = await _session(store)
    other_program = await store.create_program("Other")
    now = utcnow()
    listed = await store.list_sessions(program_id=program.id, therapist_id=therapist.id,
                                       since=now - timedelta(days=1), until=now + timedelta(days=1))
    assert [s.id for s in listed] == [session.id]
    assert await store.list_sessions(program_id=other_program.id, therapist_id=None,
                                     since=now - timedelta(days=1), until=now + timedelta(days=1)) == []


async def test_missing_records_raise_not_found(store):
    for getter in (store.get_session, store.get_participant, store.get_invite, store.get_staff):
        with pytest.raises(NotFound):
            await getter("00000000-0000-0000-0000-000000000000")
