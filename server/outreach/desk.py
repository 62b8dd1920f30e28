"""Who sees which outreach task (``access.policy.sees_care_item``: admins all of the program; a therapist
those of the clients whose care team they are on — the task's session lead included — and those assigned
to them), and every task pushed to the live dashboard as it is made, assigned or resolved."""

from __future__ import annotations

from server.access.policy import CareItem, Principal, Role, sees_care_item
from server.dashboard.care_team import CareTeam
from server.dashboard.feed import DashboardFeed
from server.db.outreach_tables import OutreachTaskRecord
from server.errors import NotFound
from server.outreach.store import OutreachStore
from server.outreach.views import OutreachPush, OutreachTaskView, task_view

TASK_EVENT = "outreach_task"


class OutreachDesk:
    def __init__(self, store: OutreachStore, team: CareTeam, feed: DashboardFeed) -> None:
        self.store = store
        self._team = team
        self._feed = feed

    async def _item(self, row: OutreachTaskRecord) -> CareItem:
        team = await self._team.members(row.client_id) | {t for t in (row.therapist_id,) if t}
        return CareItem(program_id=row.program_id, client_id=row.client_id, care_team=frozenset(team),
                        addressed_to=frozenset(a for a in (row.assigned_to,) if a))

    async def list(self, principal: Principal, *, open_only: bool) -> list[OutreachTaskView]:
        rows = await self.store.of_program(principal.program_id, open_only=open_only)
        if principal.role is not Role.ADMIN:
            mine = await self._team.clients_of(principal.id, principal.program_id)
            rows = [r for r in rows if r.client_id in mine or principal.id in (r.assigned_to, r.therapist_id)]
        names = await self._team.names(r.client_id for r in rows)
        return [task_view(r, names.get(r.client_id)) for r in rows]

    async def visible(self, principal: Principal, task_id: str) -> OutreachTaskRecord:
        """The task, if ``principal`` may see it; else 404 (the same as another program's)."""
        row = await self.store.get(task_id) if len(task_id) <= 64 else None
        if row is None or not sees_care_item(principal, await self._item(row)):
            raise NotFound("outreach task not found")
        return row

    async def view(self, row: OutreachTaskRecord) -> OutreachTaskView:
        return task_view(row, (await self._team.names([row.client_id])).get(row.client_id))

    async def push(self, row: OutreachTaskRecord) -> None:
        """Send the task as it now is to everyone who may see it (after its commit; never raises)."""
        try:
            payload = OutreachPush(task=await self.view(row)).model_dump(mode="json")
        except Exception:  # a lost push costs a refresh
            return
        await self._feed.publish(program_id=row.program_id, client_id=row.client_id, event=TASK_EVENT,
                                 payload=payload, addressed_to=(row.assigned_to, row.therapist_id))
