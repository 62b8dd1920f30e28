"""The clinician shows the client, on the client's own screen during the call, part of the client's own
safety plan (their coping steps, their contacts) or the crisis lines. It is the client's own plan shown
to the client alone, so no consent is involved; each showing is audited, and nobody else in the room
receives it (a group's other members never learn of it)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field, model_validator

from server.access.policy import Action
from server.app_keys import PLAN_STORE, SETTINGS, SIGNALING, STORE
from server.audit.requests import audit
from server.crises.access import crisis_for
from server.db.tables import ParticipantRole
from server.errors import Conflict, InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body
from server.plans.schemas import CrisisLineView, OwnSectionView
from server.plans.views import own_plan_view

EVENT = "shared_with_you"


class ShareWithClient(Body):
    section_key: str | None = Field(default=None, max_length=48, description="A section of the client's plan.")
    crisis_lines: bool = Field(default=False, description="The crisis lines (program line, 988, emergency).")

    @model_validator(mode="after")
    def _one(self) -> ShareWithClient:
        if (self.section_key is None) == (not self.crisis_lines):
            raise ValueError("share one plan section (section_key) or the crisis lines (crisis_lines: true)")
        return self


class SharedWithClient(BaseModel):
    """What the client's screen shows (also the body of the ``shared_with_you`` socket event)."""

    title: str
    section: OwnSectionView | None = None
    crisis_lines: list[CrisisLineView] = []
    delivered: bool = Field(default=False, description="The client is connected and was shown it now.")


async def share_with_client(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, ShareWithClient)
    plans, settings = request.app[PLAN_STORE], request.app[SETTINGS]
    plan = own_plan_view(await plans.plan(ctx.crisis.client_id), await plans.program_templates(
        ctx.crisis.program_id), settings)
    if body.crisis_lines:
        shared = SharedWithClient(title="Numbers to call", crisis_lines=plan.crisis_lines)
    else:
        section = next((s for s in plan.sections if s.key == body.section_key), None)
        if section is None:
            raise InvalidInput("That section is not in the client's plan (or it is empty).",
                               errors=[{"field": "section_key", "message": "not in the plan"}])
        shared = SharedWithClient(title=section.title, section=section)
    places = [p for p in await request.app[STORE].list_participants(ctx.session.id)
              if p.client_id == ctx.crisis.client_id and p.role is ParticipantRole.CLIENT and p.removed_at is None]
    if not places:
        raise Conflict("The client is not in this session.")
    delivered = await request.app[SIGNALING].notify_member(ctx.session.id, places[0].id, EVENT,
                                                           shared.model_dump(mode="json", exclude={"delivered"}))
    await audit(request, "crisis.share_with_client", ctx.principal, target_type="crisis",
                target_id=ctx.crisis.crisis_id, session_id=ctx.session.id)
    return json_response(shared.model_copy(update={"delivered": delivered}))
