"""The program's local crisis-resource directory: CSV import (admins) and the list (staff)."""

from __future__ import annotations

import csv

from aiohttp import web

from handoff.resources import parse_resources_csv

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import PLAN_STORE, SETTINGS
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.plans.schemas import ImportResources, ResourceImported, ResourceList
from server.plans.views import resource_view


async def import_resources(request: web.Request) -> web.Response:
    """Replace the directory with the CSV's rows; any bad row refuses the whole import (422, every
    bad row named with its line number)."""
    principal = await staff_principal(request)
    authorize(principal, Action.RESOURCES_MANAGE)
    body = await read_body(request, ImportResources)
    try:
        parsed = parse_resources_csv(body.csv).raise_for_errors()
    except csv.Error as exc:
        raise InvalidInput(f"The CSV could not be read: {exc}.") from None
    await request.app[PLAN_STORE].replace_resources(principal.program_id, parsed.resources, utcnow())
    await audit(request, "resources.import", principal, target_type="program", target_id=principal.program_id)
    return json_response(ResourceImported(imported=len(parsed.resources)))


async def list_resources(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.RESOURCES_READ)
    resources = await request.app[PLAN_STORE].resources(principal.program_id)
    return json_response(ResourceList(resources=[resource_view(r, region=request.app[SETTINGS].phone_region)
                                                  for r in resources]))
