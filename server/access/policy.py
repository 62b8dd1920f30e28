"""Access control in one place: which role may do which action, within which program.

Every HTTP handler and (through the signalling gatekeeper) every socket event asks here.
Resources of another program answer "not found", so their existence does not leak."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from server.errors import Forbidden, NotCareTeam, NotFound


class Role(str, enum.Enum):
    ADMIN = "admin"
    THERAPIST = "therapist"
    CLIENT = "client"
    SUPPORT = "support"
    RESPONDER = "responder"


class Action(str, enum.Enum):
    SESSION_CREATE = "session.create"
    SESSION_LIST = "session.list"
    SESSION_READ = "session.read"
    SESSION_MANAGE = "session.manage"  # add people, issue/revoke links, end
    SESSION_HOST = "session.host"  # enter the call as its host
    AUDIT_EXPORT = "audit.export"
    ROOM_MODERATE = "room.moderate"  # admit, deny, send back, remove, ask to mute, lock, end
    ROOM_SIGNAL = "room.signal"  # relay offers/answers/ICE to other admitted members
    ROOM_PRESENT = "room.present"  # publish own media state, leave
    PLAN_READ = "plan.read"  # a client's safety plan, its history, consents, nearest resources
    PLAN_WRITE = "plan.write"  # write a new version of a client's safety plan
    PLAN_READ_OWN = "plan.read_own"  # a client reads their own plan
    CONSENT_RECORD = "consent.record"  # record or revoke a consent grant
    DISCLOSURE_OVERRIDE = "disclosure.override"  # share without consent in an emergency
    ALERT_LIST = "alert.list"
    TEMPLATE_MANAGE = "template.manage"  # the program's safety-plan template
    RESOURCES_READ = "resources.read"
    RESOURCES_MANAGE = "resources.manage"  # import the program's local resource directory
    LOCATION_CONFIRM = "location.confirm"  # a client confirms where they are at a join
    CRISIS_START = "crisis.start"  # open a crisis from a live session
    CRISIS_MANAGE = "crisis.manage"  # read, move along, add support persons, relay to responders
    ON_CALL_MANAGE = "on_call.manage"  # read and replace the program's on-call roster
    CRISIS_REQUEST = "crisis.request"  # a client's "I need help now"
    CRISIS_LIST = "crisis.list"  # see which crises are open in the program (not their content)
    CLIENT_MANAGE = "client.manage"  # a client's own therapist and contact; issue/revoke their standing link
    PROGRAM_READ = "program.read"  # the program's time zone, office hours and crisis line
    PROGRAM_MANAGE = "program.manage"  # set them (admins)
    HOME_READ = "home.read"  # a client's own page: their plan, crisis lines, upcoming sessions
    HOME_HELP = "home.help"  # a client's "I need help now" from their own page, at any hour
    OUTREACH_LIST = "outreach.list"  # the program's outreach tasks (e.g. missed sessions)
    OUTREACH_MANAGE = "outreach.manage"  # take, give and resolve one
    CHECK_IN_SUBMIT = "check_in.submit"  # a client's own check-in or screener, from their own page
    MONITORING_READ = "monitoring.read"  # a client's check-ins, screener results and check-in schedule
    CHECK_IN_SCHEDULE = "check_in.schedule"  # the care team asks a client for daily check-ins
    VOCABULARY_MANAGE = "vocabulary.manage"  # the program's self-harm word list
    SCREENER_MANAGE = "screener.manage"  # load a screener the program has the licence for
    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_MANAGE = "alert.manage"  # take an alert, give it to a colleague, resolve it with a note
    DASHBOARD_WATCH = "dashboard.watch"  # the live dashboard socket (/staff): alerts and outreach tasks pushed
    MESSAGE_READ = "message.read"  # the care team reads a client's message thread (marks the client's read)
    MESSAGE_SEND = "message.send"  # the care team writes to a client
    MESSAGE_OWN = "message.own"  # a client reads and writes their own thread, from their own page


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.SESSION_CREATE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_LIST: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_HOST: frozenset({Role.THERAPIST}),
    Action.AUDIT_EXPORT: frozenset({Role.ADMIN}),
    Action.ROOM_MODERATE: frozenset({Role.THERAPIST}),
    Action.ROOM_SIGNAL: frozenset({Role.THERAPIST, Role.CLIENT, Role.SUPPORT, Role.RESPONDER}),
    Action.ROOM_PRESENT: frozenset({Role.THERAPIST, Role.CLIENT, Role.SUPPORT, Role.RESPONDER}),
    Action.PLAN_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.PLAN_WRITE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.PLAN_READ_OWN: frozenset({Role.CLIENT}),
    Action.CONSENT_RECORD: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.DISCLOSURE_OVERRIDE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.ALERT_LIST: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.TEMPLATE_MANAGE: frozenset({Role.ADMIN}),
    Action.RESOURCES_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.RESOURCES_MANAGE: frozenset({Role.ADMIN}),
    Action.LOCATION_CONFIRM: frozenset({Role.CLIENT}),
    Action.CRISIS_START: frozenset({Role.THERAPIST}),
    Action.CRISIS_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.ON_CALL_MANAGE: frozenset({Role.ADMIN}),
    Action.CRISIS_REQUEST: frozenset({Role.CLIENT}),
    Action.CRISIS_LIST: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.CLIENT_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.PROGRAM_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.PROGRAM_MANAGE: frozenset({Role.ADMIN}),
    Action.HOME_READ: frozenset({Role.CLIENT}),
    Action.HOME_HELP: frozenset({Role.CLIENT}),
    Action.OUTREACH_LIST: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.OUTREACH_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.CHECK_IN_SUBMIT: frozenset({Role.CLIENT}),
    Action.MONITORING_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.CHECK_IN_SCHEDULE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.VOCABULARY_MANAGE: frozenset({Role.ADMIN}),
    Action.SCREENER_MANAGE: frozenset({Role.ADMIN}),
    Action.ALERT_ACKNOWLEDGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.ALERT_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.DASHBOARD_WATCH: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.MESSAGE_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.MESSAGE_SEND: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.MESSAGE_OWN: frozenset({Role.CLIENT}),
}

# Actions on a session that a therapist may take only on sessions they lead; admins on any
# session of their program.
_OWNER_ONLY = frozenset({Action.SESSION_READ, Action.SESSION_MANAGE, Action.SESSION_HOST, Action.CRISIS_START,
                         Action.CRISIS_MANAGE})
# ... of which a co-facilitator of the session may take these (adding people and ending it stay the lead's).
_CO_HOST = frozenset({Action.SESSION_READ, Action.SESSION_HOST, Action.CRISIS_START, Action.CRISIS_MANAGE})
# Actions on a client that a therapist may take only as one of the client's care team (``ClientScope.care_team``:
# their own therapist, who leads or co-hosts a session they are in); admins on any client of their program.
_CARE_TEAM_ONLY = frozenset({Action.MESSAGE_READ, Action.MESSAGE_SEND})


@dataclass(frozen=True)
class Principal:
    """Who is asking: a staff member (access token) or a participant of one session."""

    id: str
    role: Role
    program_id: str
    session_id: str | None = None
    staff_session_id: str | None = None  # the sign-in a staff principal acts under
    client_id: str | None = None  # the client record a client participant is


@dataclass(frozen=True)
class SessionScope:
    """What is being touched: one session of one program, led by one therapist."""

    session_id: str
    program_id: str
    therapist_id: str
    co_host_ids: frozenset[str] = frozenset()  # co-facilitators: host the call and work its crises


@dataclass(frozen=True)
class ClientScope:
    """What is being touched: one client's records (safety plan, consent, locations) in one program."""

    client_id: str
    program_id: str
    care_team: frozenset[str] | None = None  # staff ids of the client's care team (None: not looked up)


@dataclass(frozen=True)
class CareItem:
    """Something on the care team's dashboard: an alert or an outreach task, about one client of one
    program (``client_id`` None: about the program as a whole)."""

    program_id: str
    client_id: str | None
    addressed_to: frozenset[str] = frozenset()  # its recipient, and whoever it is assigned to
    care_team: frozenset[str] = frozenset()  # the client's own therapist, leads and co-hosts of their sessions


def sees_care_item(principal: Principal, item: CareItem) -> bool:
    """Who may see an alert or outreach task (the REST lists, their actions, and the live dashboard's
    pushes all ask here). Nobody outside the item's program. An admin of the program sees all of it. A
    therapist sees what is about the whole program, what is addressed or assigned to them, and what is
    about a client whose care team they are on: the client's own therapist (``clients.therapist_id``),
    the lead or a co-host (co-facilitator, on-call clinician brought in) of a session the client has a
    place in. Everyone else (clients, support persons, responders) sees none of it."""
    if principal.program_id != item.program_id:
        return False
    if principal.role is Role.ADMIN:
        return True
    if principal.role is not Role.THERAPIST:
        return False
    return item.client_id is None or principal.id in item.addressed_to or principal.id in item.care_team


def _client_allowed(principal: Principal, action: Action, scope: ClientScope) -> bool:
    if principal.program_id != scope.program_id:
        return False
    if principal.role in (Role.CLIENT, Role.SUPPORT, Role.RESPONDER):
        return principal.client_id is not None and principal.client_id == scope.client_id
    if action in _CARE_TEAM_ONLY and principal.role is Role.THERAPIST:
        return scope.care_team is not None and principal.id in scope.care_team
    return True


def is_allowed(principal: Principal, action: Action, scope: SessionScope | ClientScope | None = None) -> bool:
    if principal.role not in ALLOWED[action]:
        return False
    if scope is None:
        return True
    if isinstance(scope, ClientScope):
        return _client_allowed(principal, action, scope)
    if principal.program_id != scope.program_id:
        return False
    if principal.session_id is not None and principal.session_id != scope.session_id:
        return False
    if action in _OWNER_ONLY and principal.role is Role.THERAPIST:
        return principal.id == scope.therapist_id or (action in _CO_HOST and principal.id in scope.co_host_ids)
    return True


def authorize(principal: Principal, action: Action, scope: SessionScope | ClientScope | None = None) -> None:
    """Raise unless ``principal`` may take ``action`` on ``scope``."""
    if is_allowed(principal, action, scope):
        return
    if isinstance(scope, ClientScope) and (principal.program_id != scope.program_id
                                           or principal.client_id not in (None, scope.client_id)):
        raise NotFound("client not found")
    if scope is not None and principal.program_id != scope.program_id:
        raise NotFound("session not found")
    if isinstance(scope, ClientScope) and action in _CARE_TEAM_ONLY and principal.role is Role.THERAPIST:
        raise NotCareTeam()
    raise Forbidden()
