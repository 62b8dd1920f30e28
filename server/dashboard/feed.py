"""What other features call when something a clinician's dashboard shows has changed.

``publish`` is called after the change is committed; the dashboard reads the durable record again on
(re)connect, so a push that is lost (a node dies between the commit and the push) costs a refresh, never
a record."""

from __future__ import annotations

from typing import Any


class DashboardFeed:
    async def publish(self, *, program_id: str, client_id: str | None, event: str, payload: dict[str, Any]) -> None:
        """Push ``event`` (e.g. ``alert``, ``outreach_task``, ``message``) with ``payload`` (no health
        information beyond what the recipient may read) to every signed-in clinician of ``program_id`` who
        may see ``client_id`` (None: everyone in the program who may see the dashboard)."""
