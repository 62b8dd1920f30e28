"""Monitoring's errors, each with a stable code (the HTTP edge maps their kinds once)."""

from __future__ import annotations

from server.errors import InvalidInput, NotFound, RateLimited


class ScreenerNotFound(NotFound):
    code = "screener_not_found"
    message = "There is no such questionnaire."


class ScreenerIncomplete(InvalidInput):
    code = "screener_incomplete"
    message = "Please answer every question."


class InstrumentInvalid(InvalidInput):
    code = "instrument_invalid"
    message = "This questionnaire definition cannot be scored."


class BuiltInInstrument(InvalidInput):
    code = "instrument_built_in"
    message = "PHQ-9 and GAD-7 ship with their published wording and cannot be replaced."


class TooManySubmissions(RateLimited):
    code = "too_many_submissions"
    message = ("You have sent many check-ins and questionnaires today: your care team has them. If you need help "
               "now, press \u201cI need help now\u201d or call 988.")
