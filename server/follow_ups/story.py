"""The story of a closed crisis in plain lines for the client's care team the next morning: how it
began, who was paged, who answered and joined, how it moved and who closed it. Names and times only:
the timeline carries no clinical content, and neither does its story."""

from __future__ import annotations

from handoff.crisis import Crisis, EventKind, TimelineEvent
from handoff.crisis_state import Role as CrisisRole

from server.crises.escalation import (
    NOBODY_ANSWERED,
    NOBODY_ON_CALL,
    NOTIFY_SUPPORT,
    NOTIFY_SUPPORT_NOBODY,
    ON_CALL_ACKNOWLEDGED,
    PROMPT_EMERGENCY,
)
from server.errors import NotFound
from server.follow_ups.schemas import StoryLine
from server.sessions.store import Store

STEPS = {
    ON_CALL_ACKNOWLEDGED: "The paged clinician answered \u201cI\u2019m on it\u201d",
    NOBODY_ANSWERED: "Nobody paged answered in time: the clinical lead was alerted",
    NOBODY_ON_CALL: "Nobody was on call: the clinical lead was alerted",
    NOTIFY_SUPPORT: "Contact was lost: the client's consented contacts were told",
    NOTIFY_SUPPORT_NOBODY: "Contact was lost: no consented contact could be told",
    PROMPT_EMERGENCY: "Contact was lost: the clinicians were prompted to call emergency services",
}
STATES = {"active": "Crisis opened", "help_dispatched": "Help dispatched", "help_arrived": "Help arrived",
          "stabilised": "Stabilised", "closed": "Crisis closed"}


class Names:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._known: dict[str, str] = {}

    async def staff(self, staff_id: str | None) -> str:
        if not staff_id:
            return "a clinician"
        if staff_id not in self._known:
            staff = await self._store.get_staff_or_none(staff_id)
            self._known[staff_id] = staff.display_name if staff else "a clinician"
        return self._known[staff_id]

    async def place(self, participant_id: str | None) -> str:
        if not participant_id:
            return "someone"
        if participant_id not in self._known:
            try:
                place = await self._store.get_participant(participant_id)
                self._known[participant_id] = ("the client" if place.client_id else place.display_name)
            except NotFound:
                self._known[participant_id] = "someone"
        return self._known[participant_id]


async def _line(event: TimelineEvent, names: Names) -> str | None:
    by = "the client" if event.actor_role is CrisisRole.CLIENT else (
        "Steadyline" if event.actor_role is CrisisRole.SYSTEM else await names.staff(event.actor_id))
    if event.kind is EventKind.STATE_CHANGED and event.to_state is not None:
        if event.seq == 1 and event.actor_role is CrisisRole.CLIENT:
            return "The client pressed \u201cI need help now\u201d"
        return f"{STATES.get(event.to_state.value, event.to_state.value)} by {by}"
    if event.kind is EventKind.ASSIGNED:
        return f"{await names.staff(event.participant_id)} was paged and made responsible"
    if event.kind is EventKind.ESCALATION and event.step:
        if event.step.startswith("page_on_call_"):
            return None  # told by the assignment just before it
        return STEPS.get(event.step, event.step.replace("_", " "))
    if event.kind in (EventKind.JOINED, EventKind.LEFT):
        who = await names.place(event.participant_id)
        return f"{who[:1].upper()}{who[1:]} {'joined' if event.kind is EventKind.JOINED else 'left'}"
    if event.kind is EventKind.DISCLOSURE:
        whom = event.recipient.kind.value.replace("_", " ") if event.recipient else "someone"
        return f"Information was shared with {whom}"
    if event.kind is EventKind.MOVED:
        return "Moved to a private room"
    return None


async def crisis_story(crisis: Crisis, store: Store) -> list[StoryLine]:
    names, lines = Names(store), []
    for event in crisis.timeline:
        text = await _line(event, names)
        if text and not (lines and lines[-1].text == text):
            lines.append(StoryLine(at=event.at, text=text))
    return lines
