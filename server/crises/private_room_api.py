"""A private crisis room from a group session: ``POST /api/sessions/{id}/private-room``.

The group's therapist takes one client out of the group into a new individual session of the same
program that they host. The client gets an admitted place there (no waiting room) and the crisis
about them is held open there: an open crisis about this client moves from the group with a ``moved``
timeline event; otherwise a new crisis is opened in the private room and the same event notes where
it came from. The client's browser gets ``moved_to_room`` with a participant token for the new room,
leaves the group itself (others see them leave; the SFU renegotiates) and joins peer-to-peer. The
therapist gets the new room's host token in the answer. The group goes on with whoever is still in it:
a co-facilitator, or (if the moving therapist was its only host and leaves it) its clients alone.
A crisis in the group about another client stays where it is."""

from __future__ import annotations

from datetime import timedelta

import structlog
from aiohttp import web

from handoff.crisis import Crisis

from server.access.links import new_link
from server.access.policy import Action
from server.app_keys import CRISES, CRISIS_MOVES, CRISIS_SERVICE, SETTINGS, SIGNALING, STORE, TOKENS
from server.crises.access import caller_of
from server.crises.schemas import MovedToRoom, PrivateRoomRequest, PrivateRoomView
from server.crises.views import crisis_view
from server.db.tables import Participant, ParticipantRole, Session, SessionKind, SessionStatus, utcnow
from server.errors import Conflict, NotFound, SessionEnded
from server.http.bodies import read_body
from server.http.responses import json_response
from server.sessions.access import session_for
from server.sessions.views import participant_view, session_view

log = structlog.get_logger(__name__)

PRIVATE_ROOM_TITLE = "Private room"
MOVE_REASON = ("Your therapist has moved you to a private room so you can talk one to one. "
               "The group goes on without you for now.")


async def _client_place(request: web.Request, session: Session, participant_id: str) -> Participant:
    try:
        place = await request.app[STORE].get_participant(participant_id)
    except NotFound:
        place = None
    if (place is None or place.session_id != session.id or place.role is not ParticipantRole.CLIENT
            or place.removed_at is not None or place.client_id is None):
        raise NotFound("participant not found")
    return place


async def _crisis_to_move(request: web.Request, session: Session, client_id: str) -> Crisis | None:
    """The group's open crisis if it is about this client; refuses if theirs is held elsewhere."""
    elsewhere = await request.app[CRISIS_MOVES].open_for_client(client_id)
    if elsewhere is not None and elsewhere.session_id != session.id:
        raise Conflict("This client's crisis is already held in another room.", code="crisis_elsewhere")
    return await request.app[CRISES].load(elsewhere.crisis_id) if elsewhere else None


async def _tell_client(request: web.Request, group: Session, private: Session, old: Participant,
                       new: Participant) -> bool:
    store, settings = request.app[STORE], request.app[SETTINGS]
    link = new_link()
    invite = await store.create_invite(participant_id=new.id, token_hash=link.token_hash, expires_at=private.ends_at)
    ttl = max(60, min(settings.participant_token_ttl, int((private.ends_at - utcnow()).total_seconds())))
    token = request.app[TOKENS].issue_participant(
        participant_id=new.id, session_id=private.id, program_id=private.program_id, role=new.role.value,
        invite_id=invite.id, ttl=ttl)
    event = MovedToRoom(session_id=private.id, from_session_id=group.id, title=private.title, participant_token=token,
                        expires_in=ttl, participant=participant_view(new), reason=MOVE_REASON)
    try:
        payload = event.model_dump(mode="json")
        return await request.app[SIGNALING].notify_member(group.id, old.id, "moved_to_room", payload)
    except Exception:
        log.exception("moved_to_room_failed", room_id=group.id)
        return False


async def _tell_group(request: web.Request, group: Session, staff_id: str, moved: Participant) -> None:
    """The group's other members hear only that their therapist stepped out (and who stays with them):
    nothing of whose crisis, or why."""
    try:
        mover = await request.app[STORE].therapist_participant(group.id, staff_id)
        await request.app[SIGNALING].host_stepped_out(group.id, mover.id, skip={moved.id})
    except Exception:
        log.exception("host_stepped_out_failed", room_id=group.id)


async def move_to_private_room(request: web.Request) -> web.Response:
    principal, group = await session_for(request, Action.CRISIS_START)
    body = await read_body(request, PrivateRoomRequest)
    if group.status is SessionStatus.ENDED:
        raise SessionEnded()
    if group.kind is not SessionKind.GROUP:
        raise Conflict("Only a group session has a private room to move a client to.", code="not_group_session")
    place = await _client_place(request, group, body.participant_id)
    moving = await _crisis_to_move(request, group, place.client_id)
    store, settings = request.app[STORE], request.app[SETTINGS]
    now = utcnow()
    private = await store.create_session(
        therapist=await store.get_staff(principal.id), kind=SessionKind.INDIVIDUAL, title=PRIVATE_ROOM_TITLE,
        starts_at=now, ends_at=max(group.ends_at, now + timedelta(seconds=settings.participant_token_ttl)))
    client = await store.add_participant(session_id=private.id, role=ParticipantRole.CLIENT,
                                         display_name=place.display_name, client_id=place.client_id)
    await store.set_admitted(client.id, True)  # straight in: the therapist brought them
    try:
        crisis = await request.app[CRISIS_SERVICE].hold_in_private_room(
            caller_of(request, principal), group_id=group.id, private_id=private.id, program_id=private.program_id,
            client_id=place.client_id, moving=moving)
    except Exception:
        await store.end_session(private.id)  # nothing holds it open: do not leave an empty room behind
        raise
    notified = await _tell_client(request, group, private, place, client)
    await _tell_group(request, group, principal.id, place)
    host = await store.therapist_participant(private.id, principal.id)
    token = request.app[TOKENS].issue_participant(
        participant_id=host.id, session_id=private.id, program_id=private.program_id, role=host.role.value,
        invite_id=None, ttl=settings.participant_token_ttl, staff_session_id=principal.staff_session_id)
    log.info("private_room_opened", room_id=group.id, private_room_id=private.id, crisis_id=crisis.crisis_id,
             crisis_moved=moving is not None, client_notified=notified)
    view = crisis_view(crisis, private.id, principal)
    return json_response(PrivateRoomView(
        session=session_view(private, await store.list_participants(private.id)), from_session_id=group.id,
        crisis=view, crisis_moved=moving is not None, participant_token=token,
        expires_in=settings.participant_token_ttl, client_notified=notified,
        host=participant_view(host),
    ), status=201)

