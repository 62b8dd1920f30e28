"""Errors of the client's own page, with their stable codes (mapped to responses at the edge)."""

from __future__ import annotations

from server.errors import Conflict


class SessionNotOpen(Conflict):
    code = "session_not_open"
    message = "This session has not opened yet."


class NoClinician(Conflict):
    code = "no_clinician"
    message = ("Steadyline could not reach a clinician of your program. Please call your program's crisis line, "
               "or 988; in an emergency call 911.")
