"""The program's settings: everyone on staff reads them, admins set them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from pydantic import BaseModel, Field, field_validator

from handoff.office_hours import OfficeHours

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import PROGRAMS, SETTINGS
from server.audit.requests import audit
from server.db.tables import utcnow
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body
from server.programs.store import ProgramProfile
from server.settings import Settings


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone: use an IANA name such as America/New_York") from None
    return value


class SetProgramSettings(Body):
    timezone: str = Field(min_length=1, max_length=64, description="IANA time zone, e.g. America/New_York.")
    office_hours: str = Field(min_length=1, max_length=100, description='e.g. "Mon-Fri 09:00-17:00" (program time).')
    crisis_line: str | None = Field(default=None, max_length=40, description="The program's own 24/7 line; "
                                    "empty: the deployment's `STEADYLINE_CRISIS_LINE`.")

    _zone = field_validator("timezone")(known_zone)

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        return OfficeHours.parse(value).text()


class ProgramSettingsView(BaseModel):
    program_id: str
    name: str
    timezone: str
    office_hours: str
    crisis_line: str = Field(description="The line clients are shown (the program's own, else the deployment's).")
    in_office_hours: bool = Field(description="Whether it is office hours now, on the program's clock.")


def settings_view(profile: ProgramProfile, settings: Settings) -> ProgramSettingsView:
    return ProgramSettingsView(program_id=profile.program_id, name=profile.name, timezone=profile.timezone,
                               office_hours=profile.office_hours.text(),
                               crisis_line=profile.crisis_line or settings.crisis_line,
                               in_office_hours=profile.office_hours.is_open(utcnow(), profile.timezone))


async def get_settings(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.PROGRAM_READ)
    profile = await request.app[PROGRAMS].profile(principal.program_id)
    return json_response(settings_view(profile, request.app[SETTINGS]))


async def put_settings(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.PROGRAM_MANAGE)
    body = await read_body(request, SetProgramSettings)
    profile = await request.app[PROGRAMS].update(principal.program_id, timezone=body.timezone,
                                                 office_hours=OfficeHours.parse(body.office_hours),
                                                 crisis_line=body.crisis_line or None)
    await audit(request, "program.update", principal, target_type="program", target_id=principal.program_id)
    return json_response(settings_view(profile, request.app[SETTINGS]))
