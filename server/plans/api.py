"""Safety-plan API: therapists write and revise a client's plan (every save is a new version), read
its history, and admins set the program's template. Clients read their own plan."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from handoff.plan_template import DEFAULT_TEMPLATE, PlanTemplate
from handoff.safety_plan import create_plan, revise_plan
from handoff.values import new_id

from server.access.client_scope import client_for
from server.access.identity import staff_principal
from server.access.participant_auth import participant_context
from server.access.policy import Action, ClientScope, authorize
from server.app_keys import PLAN_STORE, SETTINGS
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.http.bodies import read_body
from server.http.responses import json_response
from server.plans.schemas import PlanView, SavePlan, SetTemplate, TemplateView, VersionSummaryView
from server.plans.store import PlanStore, StoredPlan
from server.plans.views import nearest_resources, own_plan_view, planned_location, version_view


class PlanNotFound(NotFound):
    code = "plan_not_found"
    message = "This client has no safety plan yet."


async def _stored(plans: PlanStore, client_id: str) -> StoredPlan:
    stored = await plans.plan(client_id)
    if stored is None:
        raise PlanNotFound()
    return stored


async def get_plan(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.PLAN_READ)
    plans = request.app[PLAN_STORE]
    stored = await _stored(plans, client.id)
    templates = await plans.program_templates(client.program_id)
    resources, origin = await nearest_resources(plans, stored, request.app[SETTINGS].phone_region)
    history = [VersionSummaryView(**h.model_dump()) for h in stored.plan.history()]
    await audit(request, "plan.read", principal, target_type="client", target_id=client.id)
    return json_response(PlanView(version=version_view(stored, stored.plan.latest, templates), history=history,
                                  nearest_resources=resources, nearest_from=origin))


async def get_version(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.PLAN_READ)
    plans = request.app[PLAN_STORE]
    stored = await _stored(plans, client.id)
    raw = request.match_info["number"]
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidInput("The version number must be a whole number such as 1.")
    version = stored.plan.version(int(raw))
    templates = await plans.program_templates(client.program_id)
    await audit(request, "plan.read", principal, target_type="client", target_id=client.id)
    return json_response(version_view(stored, version, templates))


async def save_plan(request: web.Request) -> web.Response:
    """Write the plan: the first save makes version 1, every later save the next version."""
    principal, client = await client_for(request, Action.PLAN_WRITE)
    body = await read_body(request, SavePlan)
    plans, now = request.app[PLAN_STORE], utcnow()
    template = await plans.template(client.program_id)
    stored = await plans.plan(client.id)
    current = stored.plan.latest.number if stored else 0
    if body.base_version is not None and body.base_version != current:
        raise Conflict("The safety plan was changed since you opened it. Reload it and try again.",
                       code="plan_version_conflict")
    try:
        where = planned_location(body.planned_location.address, body.planned_location.coordinates, now) \
            if body.planned_location else None
    except ValueError:
        raise InvalidInput("The planned address is not valid: the country is a two-letter code such as US.") from None
    if stored is None:
        plan = create_plan(template, client.id, body.sections, author_id=principal.id, at=now,
                           plan_id=new_id("plan"), change_note=body.change_note)
    else:
        plan = revise_plan(stored.plan, template, body.sections, author_id=principal.id, at=now,
                           change_note=body.change_note)
    await plans.save_version(plan, client.program_id, where)
    await audit(request, "plan.write", principal, target_type="client", target_id=client.id)
    saved = StoredPlan(plan=plan, program_id=client.program_id,
                       planned={**(stored.planned if stored else {}), plan.latest.number: where})
    templates = {template.template_id: template}
    resources, origin = await nearest_resources(plans, saved, request.app[SETTINGS].phone_region)
    history = [VersionSummaryView(**h.model_dump()) for h in plan.history()]
    return json_response(PlanView(version=version_view(saved, plan.latest, templates), history=history,
                                  nearest_resources=resources, nearest_from=origin))


async def get_template(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.PLAN_READ)
    template = await request.app[PLAN_STORE].template(principal.program_id)
    return json_response(TemplateView(template=template.model_dump(mode="json"),
                                      is_default=template == DEFAULT_TEMPLATE))


async def set_template(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.TEMPLATE_MANAGE)
    body = await read_body(request, SetTemplate)
    try:
        template = PlanTemplate.model_validate(body.template)
    except ValidationError as exc:
        errors = [{"field": "template." + ".".join(str(p) for p in e["loc"]) if e["loc"] else "template",
                   "message": str(e.get("ctx", {}).get("error") or e["msg"])}
                  for e in exc.errors(include_url=False, include_input=False)]
        error = InvalidInput("The safety-plan template is not valid: " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors)
        error.code = "plan_template_invalid"
        raise error from None
    await request.app[PLAN_STORE].set_template(principal.program_id, template, principal.id, utcnow())
    await audit(request, "plan_template.set", principal, target_type="program", target_id=principal.program_id)
    return json_response(TemplateView(template=template.model_dump(mode="json"),
                                      is_default=template == DEFAULT_TEMPLATE))


async def own_plan(request: web.Request) -> web.Response:
    """The client's own plan, read-only, with phone links (participant token). Support persons and
    everyone else see nothing of it."""
    context = await participant_context(request)
    principal = context.principal
    authorize(principal, Action.PLAN_READ_OWN)
    if principal.client_id is None:
        raise NotFound("client not found")
    authorize(principal, Action.PLAN_READ_OWN, ClientScope(client_id=principal.client_id,
                                                            program_id=principal.program_id))
    plans = request.app[PLAN_STORE]
    stored = await plans.plan(principal.client_id)
    templates = await plans.program_templates(principal.program_id)
    await audit(request, "plan.read_own", principal, target_type="client", target_id=principal.client_id,
                session_id=principal.session_id)
    return json_response(own_plan_view(stored, templates, request.app[SETTINGS]))
