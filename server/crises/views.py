"""A crisis as a staff member sees it: its state, timeline and the steps they may take now."""

from __future__ import annotations

from handoff.crisis import Crisis
from handoff.crisis_state import allowed_actions

from server.access.policy import Principal
from server.crises.access import _ROLES
from server.crises.schemas import CrisisView


def crisis_view(crisis: Crisis, session_id: str, principal: Principal) -> CrisisView:
    """The crisis as this principal sees it: with the steps they may take now."""
    return CrisisView.of(crisis, session_id, allowed_actions(crisis.state, _ROLES[principal.role]))
