"""The client's own page as the API shows it: the program's lines, their plan with coping steps first,
and where their call for help stands, in the words the page shows."""

from __future__ import annotations

from aiohttp import web

from server.app_keys import SETTINGS, STORE
from server.home.help_desk import HelpDesk, HelpRoom, HelpStage
from server.home.schemas import HelpView
from server.plans.schemas import CrisisLineView, OwnPlanView
from server.plans.views import crisis_lines
from server.programs.store import ProgramProfile

COPING_KEYS = ("coping", "grounding", "calm")  # a plan's own coping sections come first on the page
WORDS = {
    HelpStage.REACHING: ("We are reaching the on-call clinician now",
                         "Stay on this page: they will join you here on video."),
    HelpStage.REACHING_OWN: ("We are reaching your therapist now",
                             "Stay on this page: they, or the on-call clinician, will join you here on video."),
    HelpStage.JOINING: ("{name} is joining you", "They answered and are on their way to this video room."),
    HelpStage.WITH_YOU: ("{name} is with you", "You are in a video room with them."),
    HelpStage.STILL_TRYING: ("We are still reaching a clinician",
                             "Nobody has answered yet, so we have alerted the program's clinical lead. "
                             "If you are in danger now, call the emergency number below."),
    HelpStage.CLOSED: ("Your call for help has ended", "If you need help again, press the button again."),
}


def program_lines(request: web.Request, program: ProgramProfile) -> list[CrisisLineView]:
    """The numbers to call: the program's own line (else the deployment's), 988, the emergency number."""
    settings = request.app[SETTINGS]
    if program.crisis_line:
        settings = settings.model_copy(update={"crisis_line": program.crisis_line})
    return crisis_lines(settings)


def coping_first(plan: OwnPlanView) -> OwnPlanView:
    def rank(section) -> int:
        return 0 if any(word in section.key for word in COPING_KEYS) else 1
    return plan.model_copy(update={"sections": sorted(plan.sections, key=rank)})


async def help_view(request: web.Request, desk: HelpDesk, room: HelpRoom, lines: list[CrisisLineView]) -> HelpView:
    where = await desk.progress(room)
    name = None
    if where.clinician_id is not None and where.stage in (HelpStage.JOINING, HelpStage.WITH_YOU):
        staff = await request.app[STORE].get_staff_or_none(where.clinician_id)
        name = staff.display_name if staff else None
    headline, detail = WORDS[where.stage]
    return HelpView(crisis_id=room.crisis.crisis_id, session_id=room.session.id, stage=where.stage.value,
                    headline=headline.format(name=name or "Your clinician"), detail=detail, clinician_name=name,
                    crisis_lines=lines)
