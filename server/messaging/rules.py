"""What a client's message sets off, as pure rules (no I/O): where an urgent flag goes by office hours, and
the text as it is kept.

* not urgent: nothing beyond the care team's dashboard push;
* urgent in office hours: an alert for the care team at once (``urgent_message``), the own therapist e-mailed;
* urgent after hours: nobody reads the thread now, so the client is answered with the crisis lines and the
  help button, and the on-call clinician is paged through the escalation engine.

The self-harm word list (``server.monitoring.vocabulary``) runs on every client message whatever the flag."""

from __future__ import annotations

import enum
import unicodedata

MAX_LENGTH = 4000  # characters of one message, after trimming
URGENT_RULE = "urgent_message"  # AlertRecord.rule of an urgent message in office hours


class Route(str, enum.Enum):
    NONE = "none"
    CARE_TEAM = "care_team"  # in office hours: an urgent alert on the dashboard at once
    ON_CALL = "on_call"  # after hours: the help flow pages on-call; the client is given the crisis lines


def route(urgent: bool, office_open: bool) -> Route:
    if not urgent:
        return Route.NONE
    return Route.CARE_TEAM if office_open else Route.ON_CALL


def clean_text(text: str) -> str:
    """The message as kept: line breaks made ``\\n``, control characters other than line breaks and tabs left
    out, surrounding blank space trimmed (an empty result is refused by the caller)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))
    return kept.strip()
