"""Telling a session about its crisis: the ``crisis`` socket event (one new timeline event, ordered by
``seq``) to the whole room or only its clinicians. Usable from a request handler and from timers."""

from __future__ import annotations

import structlog

from handoff.crisis import Crisis
from signaling import Signaling

from server.crises.schemas import CrisisNotice


from aiohttp import web


from server.app_keys import SIGNALING

log = structlog.get_logger(__name__)


async def announce_to(signaling: Signaling | None, crisis: Crisis, session_id: str, *, room: bool = True) -> None:
    """The change is already saved: a failed delivery is logged, and clients catch up from the
    timeline by ``seq``."""
    if signaling is None:
        return
    notice = CrisisNotice(crisis_id=crisis.crisis_id, session_id=session_id, state=crisis.state.value,
                          version=crisis.version, event=crisis.timeline[-1]).model_dump(mode="json")
    try:
        if room:
            await signaling.notify_room(session_id, "crisis", notice)
        else:
            await signaling.notify_hosts(session_id, "crisis", notice)
    except Exception:
        log.exception("crisis_broadcast_failed", crisis_id=crisis.crisis_id, seq=crisis.version)


async def announce(request: web.Request, crisis: Crisis, session_id: str, *, room: bool = True) -> None:
    """Tell the room (or only its therapists) about the crisis's latest event (see ``announce_to``,
    which timers use without a request)."""
    await announce_to(request.app[SIGNALING], crisis, session_id, room=room)
