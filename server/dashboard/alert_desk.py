"""The one place an alert changes once raised: acknowledged, assigned, resolved (save here, audited by
the handler, then pushed), and how every alert — raised by any of the features that write one — is
pushed to the live dashboard after its commit (``PlanStore.on_alert``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.access.policy import CareItem, Principal, Role, sees_care_item
from server.dashboard.care_team import CareTeam
from server.dashboard.errors import AlertNotFound, NotAColleague
from server.dashboard.feed import DashboardFeed
from server.dashboard.schemas import AlertPush
from server.dashboard.views import alert_view
from server.db.plan_tables import AlertRecord
from server.plans.schemas import AlertView
from server.plans.store import AlertScope, PlanStore
from server.sessions.store import Store

ALERT_EVENT = "alert"


@dataclass(frozen=True)
class AlertFilters:
    urgency: str | None = None
    rule: str | None = None
    client_id: str | None = None
    open_only: bool | None = None  # not acknowledged yet
    resolved: bool | None = None


def _item(row: AlertRecord, team: frozenset[str]) -> CareItem:
    return CareItem(program_id=row.program_id, client_id=row.client_id, care_team=team,
                    addressed_to=frozenset(a for a in (row.recipient_id, row.assigned_to) if a))


class AlertDesk:
    def __init__(self, plans: PlanStore, team: CareTeam, feed: DashboardFeed, store: Store) -> None:
        self._plans = plans
        self._team = team
        self._feed = feed
        self._store = store

    async def list(self, principal: Principal, filters: AlertFilters) -> list[AlertView]:
        scope = None
        if principal.role is not Role.ADMIN:
            scope = AlertScope(staff_id=principal.id,
                               client_ids=await self._team.clients_of(principal.id, principal.program_id))
        rows = await self._plans.alerts(principal.program_id, urgency=filters.urgency, rule=filters.rule,
                                        client_id=filters.client_id, open_only=filters.open_only,
                                        resolved=filters.resolved, scope=scope)
        names = await self._team.names(r.client_id for r in rows if r.client_id)
        return [alert_view(r, names.get(r.client_id or "")) for r in rows]

    async def visible(self, principal: Principal, alert_id: str) -> AlertRecord:
        """The alert, if ``principal`` may see it; else ``AlertNotFound`` (the same for another program's)."""
        row = await self._plans.alert(alert_id, principal.program_id)
        if row is None:
            raise AlertNotFound()
        team = await self._team.members(row.client_id) if row.client_id else frozenset()
        if not sees_care_item(principal, _item(row, team)):
            raise AlertNotFound()
        return row

    async def acknowledge(self, principal: Principal, alert_id: str, note: str | None, at: datetime) -> AlertRecord:
        await self.visible(principal, alert_id)
        row = await self._plans.acknowledge_alert(alert_id, principal.program_id, by=principal.id, note=note, at=at)
        if row is None:
            raise AlertNotFound()
        return row

    async def assign(self, principal: Principal, alert_id: str, staff_id: str | None) -> AlertRecord:
        await self.visible(principal, alert_id)
        to = staff_id or principal.id
        staff = await self._store.get_staff_or_none(to) if len(to) <= 64 else None
        if staff is None or staff.disabled or staff.program_id != principal.program_id:
            raise NotAColleague()
        row = await self._plans.assign_alert(alert_id, to)
        if row is None:
            raise AlertNotFound()
        return row

    async def resolve(self, principal: Principal, alert_id: str, note: str, at: datetime) -> AlertRecord:
        await self.visible(principal, alert_id)
        row = await self._plans.resolve_alert(alert_id, by=principal.id, note=note, at=at)
        if row is None:
            raise AlertNotFound()
        return row

    async def view(self, row: AlertRecord) -> AlertView:
        names = await self._team.names([row.client_id] if row.client_id else [])
        return alert_view(row, names.get(row.client_id or ""))

    async def push(self, row: AlertRecord) -> None:
        """Send the alert as it now is to everyone who may see it (after its commit; never raises)."""
        try:
            payload = AlertPush(alert=await self.view(row)).model_dump(mode="json")
        except Exception:  # a lost push costs a refresh: the console reloads on (re)connect
            return
        await self._feed.publish(program_id=row.program_id, client_id=row.client_id, event=ALERT_EVENT,
                                 payload=payload, addressed_to=(row.recipient_id, row.assigned_to))
