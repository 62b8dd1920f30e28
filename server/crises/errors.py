"""Errors of crises at the server: a session that a crisis holds open, and responder links."""

from __future__ import annotations

from server.crises.schemas import AGENCY_HEADER, NAME_HEADER
from server.errors import Conflict, Forbidden, InvalidInput, LinkInvalid, NotFound, Unauthorized


class CrisisActive(Conflict):
    code = "crisis_active"
    message = "A crisis is still open in this session: close the crisis before ending the session."


class ResponderLinkInvalid(LinkInvalid):
    code = "responder_link_invalid"
    message = "This responder link has expired or is not valid. Ask the program's crisis line for a new one."


class ResponderTokenRequired(Unauthorized):
    code = "responder_token_required"
    message = "Send the responder link's token as Authorization: Bearer <token>."


class RecipientRequired(InvalidInput):
    code = "recipient_required"
    message = (f"Say who receives this: your name in {NAME_HEADER} and your agency in {AGENCY_HEADER} "
               "(percent-encoded UTF-8 if needed).")


class ResponderLinkNotFound(NotFound):
    code = "responder_link_not_found"
    message = "This crisis has no such responder link."


class ResponderJoinExpired(LinkInvalid):
    code = "responder_join_expired"
    message = ("Joining the call was possible for a few minutes after this link was made. The information "
               "above still stands; call the program's crisis line to be brought into the call.")


class ResponderJoinNotAllowed(Forbidden):
    code = "responder_join_not_allowed"
    message = "This responder link does not include joining the call. Call the program's crisis line."
