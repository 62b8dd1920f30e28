"""Crisis guests — support persons and responders brought into a call for a crisis. Their place lasts
as long as the crisis: closing it removes them (their tokens and links stop working, and every
socket and peer connection they hold is ended with a plain-words reason), unless the clinician keeps
a support person for the rest of the session, an audited choice. The rule itself is
``handoff.crisis.guests_leaving``; the gatekeeper also refuses a guest's token whenever no crisis
holds the session open (``crisis_closed``), so a close that stopped half-way still ends their access."""

from __future__ import annotations

from aiohttp import web

from handoff.crisis_state import Role as CrisisRole

from server.access.policy import Principal
from server.app_keys import SIGNALING, STORE
from server.audit.requests import audit
from server.db.tables import ParticipantRole
from server.sessions.store import Store

GUEST_ROLES = {ParticipantRole.SUPPORT: CrisisRole.SUPPORT_PERSON, ParticipantRole.RESPONDER: CrisisRole.RESPONDER}


def is_crisis_guest(participant) -> bool:
    """A guest whose access depends on an open crisis (not one kept for the rest of the session)."""
    return participant.role in GUEST_ROLES and participant.kept_at is None


async def guests_of(store: Store, session_id: str) -> dict[str, CrisisRole]:
    """The session's crisis guests who still have a place."""
    return {p.id: GUEST_ROLES[p.role] for p in await store.list_participants(session_id)
            if is_crisis_guest(p) and p.removed_at is None}


async def release_guests(request: web.Request, principal: Principal, session_id: str, crisis_id: str,
                         leaving: frozenset[str], kept: frozenset[str]) -> None:
    """After the close is saved: end the leaving guests' places at once, record the kept ones."""
    store, signaling = request.app[STORE], request.app[SIGNALING]
    for participant_id in sorted(kept):
        await store.keep_participant(participant_id)
        await audit(request, "crisis.keep_support_person", principal, target_type="participant",
                    target_id=participant_id, session_id=session_id)
    for participant_id in sorted(leaving):
        await store.remove_participant(participant_id)  # tokens refused, links dead
        await audit(request, "crisis.guest_released", principal, target_type="participant",
                    target_id=participant_id, session_id=session_id)
        await signaling.revoke(session_id, participant_id, "crisis_closed")
