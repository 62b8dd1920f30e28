"""The one route table: HTTP handlers and the operations of the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from handoff.responder_packet import ResponderPacket

from server.audit import api as audit_api
from server.audit.schemas import AuditExport
from server.clients import api as clients_api
from server.clients import send_link_api
from server.crises import api as crisis_api
from server.crises import (
    help_api,
    page_api,
    private_room_api,
    program_api,
    read_out_api,
    responder_api,
    responder_page_api,
    share_api,
    support_api,
)
from server.crises.schemas import (
    AGENCY_HEADER,
    NAME_HEADER,
    AddSupportPerson,
    AnswerPage,
    CrisisReadOut,
    CrisisView,
    HelpRequested,
    OpenCrisisList,
    OpenResponderLink,
    PageAnswered,
    PrivateRoomRequest,
    PrivateRoomView,
    ResponderLinkList,
    ResponderLinkView,
    ResponderPacketRequest,
    ResponderPacketView,
    ResponderPageView,
    StartCrisis,
    SupportInviteView,
    TimelineExport,
    TransitionRequest,
)
from server.dashboard import alerts_api as dashboard_alerts_api
from server.dashboard import schemas as dashboard_schemas
from server.follow_ups import api as follow_up_api
from server.follow_ups.schemas import FollowUpList, FollowUpPlanView
from server.home import api as home_api
from server.home.schemas import AskForHelp, HelpView, HomeToken, HomeView, OpenHome
from server.http import health_api
from server.http.openapi import Operation, build_document, openapi_handler
from server.http.pages import STATIC_DIR, page
from server.messaging import api as messaging_api
from server.messaging import home_api as messaging_home_api
from server.messaging import schemas as messaging_schemas
from server.monitoring import api as monitoring_api
from server.monitoring import home_api as monitoring_home_api
from server.monitoring import schemas as monitoring_schemas
from server.on_call import api as on_call_api
from server.outreach import api as outreach_api
from server.plans import consent_api, location_api, resources_api
from server.plans import api as plan_api
from server.plans.schemas import (
    AlertList,
    AlertView,
    ConfirmLocation,
    ConsentList,
    ConsentView,
    ImportResources,
    LocationRecorded,
    OverrideRequest,
    OverrideView,
    OwnPlanView,
    PlanVersionView,
    PlanView,
    RecordConsent,
    ResourceImported,
    ResourceList,
    SavePlan,
    SetTemplate,
    TemplateView,
)
from server.programs import api as programs_api
from server.sessions import api as sessions_api
from server.sessions import co_facilitators_api, join_api
from server.sessions.schemas import (
    AddCoFacilitator,
    AddParticipant,
    ColleagueList,
    CreateSession,
    JoinLink,
    ParticipantToken,
    ParticipantView,
    RedeemRequest,
    Revoked,
    SessionList,
    SessionView,
)
from server.staff import api as staff_api
from server.staff.schemas import LoginRequest, LoginResponse, SignedOutView, StaffView

S = "/api/sessions/{session_id}"
P = S + "/participants/{participant_id}"
C = "/api/clients/{client_id}"
K = "/api/crises/{crisis_id}"

API = [
    (Operation("POST", "/api/auth/login", "Staff sign-in", LoginRequest, LoginResponse, auth=None), staff_api.login),
    (Operation("POST", "/api/auth/logout", "Sign out; any call you host is left at once", response=SignedOutView),
     staff_api.logout),
    (Operation("GET", "/api/me", "The signed-in staff member", response=StaffView), staff_api.me),
    (Operation("GET", "/api/sessions", "Sessions of a day (yours; all of the program for admins)",
               response=SessionList, query=("day",)), sessions_api.list_sessions),
    (Operation("POST", "/api/sessions", "Create an individual or group session", CreateSession, SessionView,
               status=201), sessions_api.create_session),
    (Operation("GET", S, "One session with its participants", response=SessionView), sessions_api.get_session),
    (Operation("POST", S + "/participants", "Add a client and issue their personal join link",
               AddParticipant, JoinLink, status=201), sessions_api.add_participant),
    (Operation("POST", P + "/link", "Issue a new personal link (the old one stops working)", response=JoinLink),
     sessions_api.reissue_link),
    (Operation("DELETE", P + "/link", "Revoke a person's links", response=Revoked), sessions_api.revoke_link),
    (Operation("POST", P + "/send-link", "Send a client a new personal link by e-mail or text message (the one "
               "before stops working): to the address or number given, else to their saved contact",
               send_link_api.SendLink, send_link_api.LinkSent), send_link_api.send_link),
    (Operation("POST", S + "/co-facilitators", "Add a therapist of the program as co-facilitator: they host the call "
               "and may work its crises (the lead or an admin)", AddCoFacilitator, ParticipantView, status=201),
     co_facilitators_api.add_co_facilitator),
    (Operation("GET", "/api/program/therapists", "The program's therapists (to pick a co-facilitator)",
               response=ColleagueList), co_facilitators_api.colleagues),
    (Operation("POST", S + "/host", "Participant token for the session's therapist", response=ParticipantToken),
     sessions_api.host_token),
    (Operation("POST", S + "/end", "End the session for everyone (409 crisis_active while a crisis is open)",
               response=SessionView), sessions_api.end_session),
    (Operation("GET", "/api/audit", "Export the audit trail of a session or a client (admins)",
               response=AuditExport, query=("session_id", "client_id")), audit_api.export_audit),
    (Operation("POST", "/api/join", "Redeem a personal join link", RedeemRequest, ParticipantToken, auth=None),
     join_api.redeem),
    # safety plans, consent, location, resources, alerts
    (Operation("GET", C + "/safety-plan", "A client's safety plan: latest version, history, nearest resources",
               response=PlanView), plan_api.get_plan),
    (Operation("PUT", C + "/safety-plan", "Save the client's safety plan as a new version", SavePlan, PlanView),
     plan_api.save_plan),
    (Operation("GET", C + "/safety-plan/versions/{number}", "One earlier version of the safety plan",
               response=PlanVersionView), plan_api.get_version),
    (Operation("GET", C + "/consents", "The client's consent grants", response=ConsentList),
     consent_api.list_consents),
    (Operation("POST", C + "/consents", "Record a consent to share with a support person or emergency services",
               RecordConsent, ConsentView, status=201), consent_api.record_consent),
    (Operation("POST", C + "/consents/{grant_id}/revoke", "Revoke a consent grant from now on",
               response=ConsentView), consent_api.revoke_consent),
    (Operation("POST", C + "/disclosure-overrides", "Emergency override: share without consent (written reason; "
               "audited; alerts the clinical lead)", OverrideRequest, OverrideView, status=201),
     consent_api.override_disclosure),
    (Operation("GET", "/api/program/plan-template", "The program's safety-plan template", response=TemplateView),
     plan_api.get_template),
    (Operation("PUT", "/api/program/plan-template", "Set the program's safety-plan template (admins)",
               SetTemplate, TemplateView), plan_api.set_template),
    (Operation("GET", "/api/program/resources", "The program's local crisis resources", response=ResourceList),
     resources_api.list_resources),
    (Operation("POST", "/api/program/resources/import", "Replace the local resource directory from CSV (admins)",
               ImportResources, ResourceImported), resources_api.import_resources),
    (Operation("GET", "/api/program/on-call", "The program's on-call roster and its gaps over the coming week "
               "(admins)", response=on_call_api.OnCallRosterView), on_call_api.get_roster),
    (Operation("PUT", "/api/program/on-call", "Replace the program's on-call roster (admins; every clinician "
               "must be a therapist of the program)", on_call_api.SetOnCallRoster, on_call_api.OnCallRosterView),
     on_call_api.put_roster),
    (Operation("GET", "/api/program/crises", "Open crises of your program (ids, state, times, who leads; no "
               "clinical content)", response=OpenCrisisList), program_api.open_crises),
    (Operation("GET", "/api/participant/safety-plan", "Your own safety plan, read-only (client participant token)",
               response=OwnPlanView, auth="participant"), plan_api.own_plan),
    (Operation("POST", "/api/participant/location", "Confirm where you are at this join (client participant "
               "token)", ConfirmLocation, LocationRecorded, status=201, auth="participant"),
     location_api.confirm_location),
    (Operation("POST", "/api/participant/help", "\u201cI need help now\u201d: open a crisis in your session (client "
               "participant token); 200 with the open one if there is one", response=HelpRequested, status=201,
               auth="participant"), help_api.ask_for_help),
    # crises
    (Operation("POST", S + "/crisis", "Open a crisis in this live session (its therapist); it holds the session open",
               StartCrisis, CrisisView, status=201), crisis_api.start_crisis),
    (Operation("GET", K, "A crisis: state, allowed actions and timeline", response=CrisisView), crisis_api.get_crisis),
    (Operation("POST", K + "/transitions", "Move the crisis one step (409 on a version conflict)",
               TransitionRequest, CrisisView), crisis_api.transition),
    (Operation("GET", K + "/timeline", "Export the crisis timeline (events after ?after=seq)",
               response=TimelineExport, query=("after",)), crisis_api.export_timeline),
    (Operation("POST", K + "/support-persons", "Invite a support person from the plan (consent or override); "
               "single-use link sent by email / webhook", AddSupportPerson, SupportInviteView, status=201),
     support_api.add_support_person),
    (Operation("POST", K + "/responder-packet", "Build the responder packet (consent or override) and a "
               "time-limited responder link", ResponderPacketRequest, ResponderPacketView, status=201),
     responder_api.create_packet),
    # private crisis rooms and follow-up plans
    (Operation("POST", S + "/private-room", "Move a client of this group into a private crisis room (its "
               "therapist): a new individual session holding the crisis open; the client gets moved_to_room",
               PrivateRoomRequest, PrivateRoomView, status=201), private_room_api.move_to_private_room),
    (Operation("GET", K + "/follow-up", "The follow-up plan made when the crisis closed (care team)",
               response=FollowUpPlanView), follow_up_api.crisis_follow_up),
    (Operation("GET", C + "/follow-ups", "The client's follow-up plans after crises, newest first (care team)",
               response=FollowUpList), follow_up_api.client_follow_ups),
    (Operation("POST", C + "/follow-ups/{item_id}/done", "Mark a follow-up item done (care team)",
               response=FollowUpPlanView), follow_up_api.mark_done),
    (Operation("GET", K + "/read-out", "What to read out on a phone call to emergency services while the crisis is "
               "open: the client's name, confirmed address, device position and callback numbers (audited)",
               response=CrisisReadOut), read_out_api.read_out),
    (Operation("GET", K + "/responder-links", "The crisis's responder links: whether each still works and who "
               "received each packet (name and agency)", response=ResponderLinkList), responder_api.list_links),
    (Operation("POST", K + "/responder-links/{link_id}/revoke", "Revoke a responder link at once (a responder who "
               "joined the call from it loses their place)", response=ResponderLinkView), responder_api.revoke_link),
    (Operation("GET", "/api/responder/packet", "The responder packet as JSON, for a system: the link's token as "
               "Authorization: Bearer, the recipient's name and agency in headers (410 once it has ended)",
               response=ResponderPacket, auth="responder", headers=(NAME_HEADER, AGENCY_HEADER)),
     responder_api.packet_json),
    (Operation("GET", "/api/responder/pidf", "The responder packet as PIDF-LO (application/pidf+xml), for a system: "
               "token and recipient as for /api/responder/packet", auth="responder",
               headers=(NAME_HEADER, AGENCY_HEADER)), responder_api.packet_pidf),
    (Operation("POST", "/api/responder/open", "The responder page's view of a responder link: the packet, its "
               "location in words and the nearest local resources (token in the body; 410 when expired)",
               OpenResponderLink, ResponderPageView, auth=None), responder_page_api.open_link),
    (Operation("POST", "/api/responder/open/pidf", "The responder link's packet as a PIDF-LO download (token in the "
               "body)", OpenResponderLink, auth=None), responder_page_api.open_pidf),
    (Operation("POST", "/api/responder/join", "Join the crisis call from a responder link, when the clinician "
               "allowed it: a participant token (role responder)", OpenResponderLink, ParticipantToken, auth=None),
     responder_page_api.join_call),
    (Operation("POST", "/api/on-call/answer", "A paged on-call clinician answers \"I'm on it\" from the link in "
               "their page (token in the body): nobody else is paged", AnswerPage, PageAnswered, auth=None),
     page_api.answer_page),
    (Operation("POST", K + "/share-with-client", "Show the client, on their own screen, a section of their plan or "
               "the crisis lines (only them; audited)", share_api.ShareWithClient, share_api.SharedWithClient),
     share_api.share_with_client),
    # between sessions
    (Operation("GET", "/api/program/settings", "The program's time zone, office hours and crisis line",
               response=programs_api.ProgramSettingsView), programs_api.get_settings),
    (Operation("PUT", "/api/program/settings", "Set the program's time zone, office hours and crisis line (admins)",
               programs_api.SetProgramSettings, programs_api.ProgramSettingsView), programs_api.put_settings),
    (Operation("GET", C, "A client: their own therapist, contact and whether their standing link works (care team)",
               response=clients_api.ClientProfileView), clients_api.get_client),
    (Operation("PUT", C + "/profile", "Set a client's own therapist and contact (care team)",
               clients_api.SetClientProfile, clients_api.ClientProfileView), clients_api.put_profile),
    (Operation("POST", C + "/home-link", "Issue the client's standing link \"my Steadyline\" (shown once; the one "
               "before stops working)", response=clients_api.HomeLinkIssued, status=201), clients_api.issue_home_link),
    (Operation("DELETE", C + "/home-link", "Revoke the client's standing link at once",
               response=clients_api.HomeLinksRevoked), clients_api.revoke_home_link),
    (Operation("POST", "/api/home/open", "Open the client's own page from their standing link: a home token",
               OpenHome, HomeToken, auth=None), home_api.open_home),
    (Operation("GET", "/api/home", "The client's own page: plan (coping first), crisis lines, nearest resources, "
               "upcoming sessions, their open call for help", response=HomeView, auth="home"), home_api.home),
    (Operation("POST", "/api/home/sessions/{session_id}/join", "Join one of your own sessions: a participant token "
               "for your place in it", response=ParticipantToken, auth="home"), home_api.join_session),
    (Operation("POST", "/api/home/help", "\u201cI need help now\u201d at any hour: opens your help room (201) or "
               "answers with the one open (200); the on-call clinician is paged", AskForHelp, HelpView,
               status=201, auth="home"), home_api.ask_for_help),
    (Operation("GET", "/api/home/help", "Where your call for help stands (404 when none is open)", response=HelpView,
               auth="home"), home_api.help_status),
    (Operation("GET", "/api/outreach", "Outreach tasks of your program (open ones; ?all=1 for every one)",
               response=outreach_api.OutreachList, query=("all",)), outreach_api.list_tasks),
    (Operation("POST", "/api/outreach/{task_id}/assign", "Take an outreach task, or give it to a therapist",
               outreach_api.AssignOutreach, outreach_api.OutreachTaskView), outreach_api.assign),
    (Operation("POST", "/api/outreach/{task_id}/resolve", "Resolve an outreach task with a note (audited)",
               outreach_api.ResolveOutreach, outreach_api.OutreachTaskView), outreach_api.resolve),
    # monitoring between sessions: check-ins, screeners, risk alerts
    (Operation("GET", "/api/home/check-in", "Whether a check-in is asked of you today, and the questionnaires you "
               "can fill in", response=monitoring_schemas.CheckInStatus, auth="home"),
     monitoring_home_api.check_in_status),
    (Operation("POST", "/api/home/check-ins", "Your daily check-in: mood, sleep, cravings or urges, a note",
               monitoring_schemas.SubmitCheckIn, monitoring_schemas.SubmissionReceived, status=201, auth="home"),
     monitoring_home_api.submit_check_in),
    (Operation("POST", "/api/home/screeners/{key}", "Your answers to a questionnaire (PHQ-9, GAD-7 or your program's "
               "own), scored by the server", monitoring_schemas.SubmitScreener, monitoring_schemas.SubmissionReceived,
               status=201, auth="home"), monitoring_home_api.submit_screener),
    (Operation("POST", C + "/check-in-schedule", "Ask the client for a daily check-in for some days at a time of day "
               "(replaces the schedule before)", monitoring_schemas.ScheduleCheckIns, monitoring_schemas.ScheduleAnswer,
               status=201), monitoring_api.schedule_check_ins),
    (Operation("GET", C + "/check-in-schedule", "The client's check-in schedule (null: none)",
               response=monitoring_schemas.ScheduleAnswer), monitoring_api.get_schedule),
    (Operation("GET", C + "/check-ins", "The client's check-ins and screener results, oldest first, with their "
               "baseline mood", response=monitoring_schemas.MonitoringHistory), monitoring_api.history),
    (Operation("GET", "/api/program/monitoring/vocabulary", "The program's self-harm word list (default: "
               "Steadyline's)", response=monitoring_schemas.VocabularyView), monitoring_api.get_vocabulary),
    (Operation("PUT", "/api/program/monitoring/vocabulary", "Set the program's self-harm word list (admins)",
               monitoring_schemas.Vocabulary, monitoring_schemas.VocabularyView), monitoring_api.put_vocabulary),
    (Operation("GET", "/api/program/screeners", "The questionnaires of the program: PHQ-9, GAD-7 and its own",
               response=monitoring_schemas.InstrumentList), monitoring_api.list_instruments),
    (Operation("PUT", "/api/program/screeners/{key}", "Load a questionnaire the program holds the licence for "
               "(admins): its own text, scored by the same engine", monitoring_schemas.InstrumentBody,
               monitoring_schemas.InstrumentView), monitoring_api.put_instrument),
    # the live dashboard: alerts for the care team (outreach tasks above); pushed on the /staff socket
    (Operation("GET", "/api/alerts", "Alerts you may see (a therapist: their clients', program-wide ones and those "
               "addressed or assigned to them; admins: all of the program), newest first; filter by urgency, rule, "
               "client_id, open=true|false (acknowledged or not), resolved=true|false", response=AlertList,
               query=dashboard_alerts_api.FILTERS), dashboard_alerts_api.list_alerts),
    (Operation("POST", "/api/alerts/{alert_id}/acknowledge", "Say you have seen an alert, with a note (audited)",
               dashboard_schemas.AcknowledgeAlert, AlertView), dashboard_alerts_api.acknowledge_alert),
    (Operation("POST", "/api/alerts/{alert_id}/assign", "Take an alert, or give it to a colleague (audited)",
               dashboard_schemas.AssignAlert, AlertView), dashboard_alerts_api.assign_alert),
    (Operation("POST", "/api/alerts/{alert_id}/resolve", "Resolve an alert with a note (audited; the note is "
               "encrypted at rest)", dashboard_schemas.ResolveAlert, AlertView), dashboard_alerts_api.resolve_alert),
    # secure messaging between a client and their care team
    (Operation("GET", "/api/home/messages", "Your messages with your care team, oldest first (reading them marks "
               "theirs read)", response=messaging_schemas.ThreadView, auth="home"), messaging_home_api.thread),
    (Operation("POST", "/api/home/messages", "Write to your care team; urgent: alerts them in office hours, pages "
               "the on-call clinician after hours (the answer says which, with the crisis lines)",
               messaging_schemas.ClientMessage, messaging_schemas.MessageSent, status=201, auth="home"),
     messaging_home_api.send),
    (Operation("GET", C + "/messages", "The client's message thread (care team; reading it marks the client's "
               "messages read)", response=messaging_schemas.ThreadView), messaging_api.thread),
    (Operation("POST", C + "/messages", "Write to the client (care team): they are e-mailed that there is a "
               "message, never its text", messaging_schemas.StaffMessage, messaging_schemas.StaffMessageSent,
               status=201), messaging_api.send),
    (Operation("GET", "/api/messages/unread", "Clients with messages nobody on their care team has read, for the "
               "dashboard (no text): yours as care team, all of the program for admins",
               response=messaging_schemas.UnreadThreads), messaging_api.unread_threads),
    (Operation("GET", C + "/messages/unread", "How many of the client's messages nobody on the care team has read "
               "(care team)", response=messaging_schemas.UnreadCount), messaging_api.unread),
]


# Path parameters with a known shape (the builder says "string" for every other one).
PATH_PARAMETER_SCHEMAS = {
    "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$", "description": "responder link token"},
}


def _constrain_path_parameters(document: dict) -> dict:
    for methods in document["paths"].values():
        for spec in methods.values():
            for parameter in spec["parameters"]:
                if parameter["in"] == "path" and parameter["name"] in PATH_PARAMETER_SCHEMAS:
                    parameter["schema"] = PATH_PARAMETER_SCHEMAS[parameter["name"]]
    return document


def add_routes(app: web.Application, version: str) -> None:
    for op, handler in API:
        app.router.add_route(op.method, op.path, handler)
    document = _constrain_path_parameters(build_document([op for op, _ in API], version))
    app.router.add_get("/api/openapi.json", openapi_handler(document))
    app.router.add_get("/healthz", health_api.healthz)
    app.router.add_get("/readyz", health_api.readyz)
    app.router.add_get("/metrics", health_api.metrics)
    app.router.add_get("/", page("index.html"))
    app.router.add_get("/join", page("join.html", private=True))
    app.router.add_get("/responder", page("responder.html", private=True))
    app.router.add_get("/on-call", page("on-call.html", private=True))
    app.router.add_get("/home", page("home.html", private=True))
    app.router.add_get("/console", page("console.html"))
    app.router.add_get("/api/docs", page("api-docs.html"))
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
