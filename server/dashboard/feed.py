"""What other features call when something a clinician's dashboard shows has changed.

``publish`` is called after the change is committed; the dashboard reads the durable record again on
(re)connect, so a push that is lost (a node dies between the commit and the push) costs a refresh, never
a record.

Who receives it is decided here, from the durable records, at the moment of the push: the program's live
staff sign-ins (``CareTeam.watchers``: a signed-out, expired or idle sign-in gets nothing from then on,
on every node) filtered by ``access.policy.sees_care_item``. Each sign-in's sockets are in the Socket.IO
room ``signin:<staff sign-in id>`` of the ``/staff`` namespace; with several nodes the Redis client
manager carries the emit to every node, so another program's alert never reaches a socket: it is never
emitted to a room of anyone outside its program."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

import socketio
import structlog

from server.access.policy import CareItem, Principal, sees_care_item
from server.dashboard.care_team import CareTeam
from server.db.tables import utcnow

if TYPE_CHECKING:
    from server.dashboard.staff_sockets import StaffSockets

log = structlog.get_logger(__name__)
NAMESPACE = "/staff"


def sign_in_room(staff_session_id: str) -> str:
    return f"signin:{staff_session_id}"


class DashboardFeed:
    def __init__(self, care_team: CareTeam | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self._team = care_team
        self._now = now
        self.sio: socketio.AsyncServer | None = None  # set once signalling is built (nothing is sent before)
        self.sockets: StaffSockets | None = None  # this node's dashboard sockets (set by the composition root)

    async def publish(self, *, program_id: str, client_id: str | None, event: str, payload: dict[str, Any],
                      addressed_to: Collection[str | None] = ()) -> None:
        """Push ``event`` (e.g. ``alert``, ``outreach_task``, ``message``) with ``payload`` (no health
        information beyond what the recipient may read) to every signed-in clinician of ``program_id`` who
        may see ``client_id`` (None: everyone in the program who may see the dashboard). ``addressed_to``:
        the item's recipient and assignee, who see it even when not on the client's care team.

        Never raises: the change is committed already, and a lost push costs only a refresh."""
        try:
            await self._publish(program_id, client_id, event, payload, addressed_to)
        except Exception:
            log.exception("dashboard_push_failed", dashboard_event=event)

    async def _publish(self, program_id: str, client_id: str | None, event: str, payload: dict[str, Any],
                       addressed_to: Collection[str | None]) -> None:
        if self.sio is None or self._team is None:
            return
        watchers = await self._team.watchers(program_id, self._now())
        if not watchers:
            return
        team = await self._team.members(client_id) if client_id is not None else frozenset()
        item = CareItem(program_id=program_id, client_id=client_id, care_team=team,
                        addressed_to=frozenset(a for a in addressed_to if a))
        sent = 0
        for watcher in watchers:
            principal = Principal(id=watcher.staff_id, role=watcher.role, program_id=program_id)
            if sees_care_item(principal, item):
                await self.sio.emit(event, payload, room=sign_in_room(watcher.staff_session_id), namespace=NAMESPACE)
                sent += 1
        log.info("dashboard_push", dashboard_event=event, sign_ins=sent)

    async def signed_out(self, staff_session_id: str) -> None:
        """A staff sign-in ended: its dashboard sockets on every node are told (the console closes them)
        and pushes stop at once (``watchers`` reads the sign-in); each node's sweep also closes any socket
        of an ended sign-in it holds (``StaffSockets.sweep``)."""
        if self.sio is None:
            return
        if self.sockets is not None:
            await self.sockets.end(staff_session_id)
        try:
            await self.sio.emit("signed_out", {"reason": "signed_out"}, room=sign_in_room(staff_session_id),
                                 namespace=NAMESPACE)
        except Exception:
            log.exception("dashboard_sign_out_notice_failed")
