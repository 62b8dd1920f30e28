"""Sessions and participants as the API shows them."""

from __future__ import annotations

from server.db.tables import Participant, Session
from server.sessions.schemas import ParticipantView, SessionView


def participant_view(p: Participant) -> ParticipantView:
    return ParticipantView(id=p.id, role=p.role.value, display_name=p.display_name, removed=p.removed_at is not None,
                           client_id=p.client_id, staff_id=p.staff_id)


def session_view(s: Session, participants: list[Participant] | None = None) -> SessionView:
    return SessionView(
        id=s.id, program_id=s.program_id, therapist_id=s.therapist_id, kind=s.kind.value, title=s.title,
        starts_at=s.starts_at, ends_at=s.ends_at, status=s.status.value, on_demand=bool(s.on_demand),
        participants=None if participants is None else [participant_view(p) for p in participants],
    )
