"""The dashboard's errors, each with a stable code (the HTTP edge maps their kinds once)."""

from __future__ import annotations

from server.errors import InvalidInput, NotFound


class AlertNotFound(NotFound):
    """An unknown alert, another program's, and one of a client you may not see all answer the same."""

    code = "alert_not_found"
    message = "There is no such alert."


class NotAColleague(InvalidInput):
    code = "not_a_colleague"
    message = "Give it to an active therapist or admin of this program."

    def __init__(self) -> None:
        super().__init__(errors=[{"field": "staff_id", "message": "not an active clinician of this program"}])

